#include "oidc/token_service.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "app/change_store.hpp"
#include "core/encoding.hpp"
#include "core/product.hpp"
#include "oidc/claims.hpp"
#include "oidc/oauth_error.hpp"

namespace vault::oidc {

using core::Fail;
using core::Result;

TokenService::TokenService(app::Ports ports, app::IntegrationService& clients,
                           app::SigningKeys& keys, OAuthSettings settings)
    : p_(ports),
      clients_(clients),
      keys_(keys),
      settings_(std::move(settings)),
      audit_(ports.secrets, ports.random, ports.clock),
      commits_(ports.store) {}

Result<core::ServiceClient> TokenService::Authenticate(const ClientAuth& auth) {
  if (!auth.secret)
    return Fail(OAuthFailure("invalid_client", "authenticate with the client id and secret"));
  auto client = clients_.AuthenticateClient(auth.client_id, *auth.secret);
  if (!client) {
    if (client.error().code == core::Code::kUnauthenticated)
      return Fail(OAuthFailure("invalid_client", "unknown client, revoked, or wrong secret"));
    return Fail(client.error());  // store unavailable, would block
  }
  return client;
}

Result<core::ServiceClient> TokenService::GrantClient(const ClientAuth& auth) {
  if (auth.secret) return Authenticate(auth);
  VAULT_ASSIGN_OR_RETURN(auto named, clients_.LiveClient(auth.client_id));
  if (!named || !named->is_public)
    return Fail(OAuthFailure("invalid_client", "authenticate with the client id and secret"));
  return *named;
}

Result<IssuedToken> TokenService::Token(const ClientAuth& auth, const TokenRequest& request,
                                        const app::ClientInfo& from) {
  if (request.grant_type == "authorization_code" || request.grant_type == "refresh_token") {
    VAULT_ASSIGN_OR_RETURN(auto client, GrantClient(auth));
    if (request.grant_type == "authorization_code") return ExchangeCode(client, request, from);
    return Refresh(client, request, from);
  }
  if (!auth.secret) {
    // RFC 6749 §4.4: client credentials are for confidential clients. A public client names
    // itself without a secret; anything else is an unknown client.
    VAULT_ASSIGN_OR_RETURN(auto named, clients_.LiveClient(auth.client_id));
    if (named && named->is_public && request.grant_type == "client_credentials")
      return Fail(OAuthFailure("unauthorized_client",
                               "a public client cannot use the client credentials grant"));
  }
  VAULT_ASSIGN_OR_RETURN(auto client, Authenticate(auth));
  if (request.grant_type.empty())
    return Fail(OAuthFailure("invalid_request", "grant_type is required"));
  if (request.grant_type != "client_credentials")
    return Fail(OAuthFailure("unsupported_grant_type",
                             "grant types: authorization_code, refresh_token, client_credentials"));
  return ClientCredentials(client, request, from);
}

Result<std::string> TokenService::SignJwt(const std::string& typ, const boost::json::object& claims,
                                          std::string* kid) {
  std::string payload = boost::json::serialize(claims);
  VAULT_ASSIGN_OR_RETURN(auto sig, keys_.Sign([&](const std::string& k) {
    return JwsSigningInput(EdDsaHeader(k, typ), payload);
  }));
  if (kid) *kid = sig.kid;
  return CompactJws(sig.input, sig.signature);
}

Result<IssuedToken> TokenService::ClientCredentials(const core::ServiceClient& client,
                                                    const TokenRequest& request,
                                                    const app::ClientInfo& from) {
  if (client.is_public)
    return Fail(OAuthFailure("unauthorized_client",
                             "a public client cannot use the client credentials grant"));
  const auto& allowed = core::ClientCredentialScopes();
  std::vector<std::string> scopes =
      request.scope ? core::SplitWords(*request.scope) : std::vector<std::string>(allowed);
  for (const auto& s : scopes)
    if (std::find(allowed.begin(), allowed.end(), s) == allowed.end())
      return Fail(OAuthFailure("invalid_scope",
                               "scopes a service client may hold: " + core::JoinWords(allowed)));
  std::vector<std::string> unique;  // a scope named twice is granted once
  for (auto& s : scopes)
    if (std::find(unique.begin(), unique.end(), s) == unique.end()) unique.push_back(std::move(s));
  scopes = std::move(unique);
  if (scopes.empty()) return Fail(OAuthFailure("invalid_scope", "scope may not be empty"));
  std::string scope = core::JoinWords(scopes);

  const core::Timestamp now = p_.clock.Now();
  // jti: 128 random bits, unique per token (replay tracking and audit), not a secret.
  std::string jti = core::NewId(p_.random, "at");
  // RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti; sub is the client itself here.
  boost::json::object claims{{"iss", settings_.issuer},
                             {"sub", client.id},
                             {"aud", ApiAudience()},
                             {"client_id", client.id},
                             {"iat", now},
                             {"exp", now + settings_.access_token_seconds},
                             {"jti", jti},
                             {"scope", scope}};
  std::string kid;
  VAULT_ASSIGN_OR_RETURN(auto token, SignJwt("at+jwt", claims, &kid));
  // Audited before the token leaves: a token that cannot be recorded is not issued. The token
  // itself is never stored or logged (jti names it).
  app::Actor actor{"service_client", client.id, from.ip, from.user_agent};
  VAULT_TRY(commits_.Write([&](core::Tx& tx) {
    return audit_.Record(tx, actor,
                         {"oauth.token_issued", "service_client", client.id,
                          app::JsonSummary({{"grant_type", "client_credentials"},
                                            {"jti", jti},
                                            {"kid", kid},
                                            {"scope", scope}})});
  }));
  return IssuedToken{std::move(token), settings_.access_token_seconds, scope, "", ""};
}

Result<VerifiedJwt> TokenService::VerifyAccessToken(const std::string& token) {
  JwtCheck check;
  check.now = p_.clock.Now();
  check.leeway = settings_.leeway_seconds;
  check.typ = "at+jwt";
  check.issuer = settings_.issuer;
  std::optional<VerifiedJwt> cached;
  {
    // The whole token is the key: a cached verification vouches for exactly these bytes.
    std::shared_lock lock(verified_mu_);
    if (auto it = verified_.find(token); it != verified_.end()) {
      const auto* exp = it->second.claims.if_contains("exp");
      if (exp && exp->is_int64() && check.now < exp->get_int64() + check.leeway)
        cached = it->second;
    }
  }
  if (cached) {
    // Its key must still be published (a cheap lookup in the key cache); if not, verify afresh.
    VAULT_ASSIGN_OR_RETURN(auto published, keys_.PublicKey(cached->header.kid));
    if (published) return *cached;
  }
  auto verified = VerifyJwt(
      token, check, [this](const std::string& kid) { return keys_.PublicKey(kid); }, keys_.ed());
  if (verified) {
    std::unique_lock lock(verified_mu_);
    if (verified_.size() >= kMaxVerified) verified_.clear();
    verified_.emplace(token, *verified);
  }
  return verified;
}

void TokenService::SigningKeysChanged() {
  std::unique_lock lock(verified_mu_);
  verified_.clear();
}

Result<bool> TokenService::IsRevoked(const std::string& jti) {
  {
    std::lock_guard lock(revoked_mu_);
    if (revoked_loaded_) return revoked_.contains(jti);
  }
  // First use, or another node revoked one: re-read the (short) list of unexpired revocations.
  VAULT_ASSIGN_OR_RETURN(auto list, p_.store.Read([&](core::Tx& tx) {
    return tx.ListRevokedAccessTokens(p_.clock.Now());
  }));
  std::lock_guard lock(revoked_mu_);
  revoked_.clear();
  for (auto& [id, exp] : list) revoked_.emplace(std::move(id), exp);
  revoked_loaded_ = true;
  return revoked_.contains(jti);
}

void TokenService::OAuthRevocationsChanged() {
  std::lock_guard lock(revoked_mu_);
  revoked_loaded_ = false;
}

Result<Introspection> TokenService::Introspect(const ClientAuth& caller, const std::string& token) {
  VAULT_ASSIGN_OR_RETURN(auto client, Authenticate(caller));
  if (token.empty()) return Fail(OAuthFailure("invalid_request", "token is required"));
  auto verified = VerifyAccessToken(token);
  if (!verified) {
    if (verified.error().id.starts_with("jwt.")) return Introspection{};  // inactive
    return Fail(verified.error());
  }
  const auto& claims = verified->claims;
  const auto* cid = claims.if_contains("client_id");
  if (!cid || !cid->is_string()) return Introspection{};
  VAULT_ASSIGN_OR_RETURN(auto owner, clients_.LiveClient(std::string(cid->get_string())));
  if (!owner) return Introspection{};  // its client was revoked: the token dies with it
  if (owner->type_id != client.type_id && !Audience(claims, client.id)) return Introspection{};
  const auto* jti = claims.if_contains("jti");
  if (jti && jti->is_string()) {
    VAULT_ASSIGN_OR_RETURN(bool revoked, IsRevoked(std::string(jti->get_string())));
    if (revoked) return Introspection{};
  }
  Introspection out;
  out.active = true;
  for (const char* name :
       {"scope", "client_id", "sub", "aud", "iss", "exp", "iat", "nbf", "jti", "auth_time", "sid",
        "workspace_id", "workspace", "product_id", "product_role"})
    if (const auto* v = claims.if_contains(name)) out.claims[name] = *v;
  out.claims["token_type"] = "Bearer";
  return out;
}

Result<void> TokenService::Revoke(const ClientAuth& caller, const std::string& token,
                                  const app::ClientInfo& from) {
  VAULT_ASSIGN_OR_RETURN(auto client, GrantClient(caller));
  if (token.empty()) return Fail(OAuthFailure("invalid_request", "token is required"));
  const core::Timestamp now = p_.clock.Now();
  app::Actor actor{"service_client", client.id, from.ip, from.user_agent};
  if (token.starts_with("avr_")) {
    return p_.store.Write([&](core::Tx& tx) -> Result<void> {
      VAULT_ASSIGN_OR_RETURN(auto t, core::FindUnderAnyKey(p_.secrets, "oauth_refresh", token,
                                                           [&](const std::string& hash) {
                                                             return tx.FindRefreshToken(hash);
                                                           }));
      // RFC 7009 §2.2: an unknown token, or another client's, answers 200 all the same.
      if (!t || t->subject.client_id != client.id || t->revoked_at != 0) return {};
      VAULT_TRY(tx.RevokeRefreshFamily(t->family_id, now));
      return audit_.Record(tx, actor,
                           {"oauth.token_revoked", "account", t->subject.account_id,
                            app::JsonSummary({{"token_type", "refresh_token"},
                                              {"client_id", client.id},
                                              {"family_id", t->family_id}}),
                            t->subject.workspace_id});
    });
  }
  auto verified = VerifyAccessToken(token);
  if (!verified)
    return verified.error().id.starts_with("jwt.") ? Result<void>{} : Fail(verified.error());
  const auto& claims = verified->claims;
  const auto* cid = claims.if_contains("client_id");
  const auto* jti = claims.if_contains("jti");
  const auto* exp = claims.if_contains("exp");
  if (!cid || !cid->is_string() || cid->get_string() != client.id || !jti || !jti->is_string() ||
      !exp || !exp->is_int64())
    return {};
  const std::string id(jti->get_string());
  VAULT_TRY(p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_TRY(tx.InsertRevokedAccessToken(id, exp->get_int64() + settings_.leeway_seconds));
    app::NoteOAuthRevocationsChanged(tx);  // the other nodes, with the commit
    const auto* sub = claims.if_contains("sub");
    return audit_.Record(
        tx, actor,
        {"oauth.token_revoked", "access_token", id,
         app::JsonSummary({{"token_type", "access_token"},
                           {"client_id", client.id},
                           {"sub", sub && sub->is_string() ? sub->get_string() : ""}})});
  }));
  {
    std::lock_guard lock(revoked_mu_);
    revoked_.emplace(id, exp->get_int64());
  }
  return {};
}

Result<core::ServiceClient> TokenService::ClientOfAccessToken(const std::string& token,
                                                              const std::string& scope) {
  auto invalid = [] {
    return Fail(core::Code::kUnauthenticated, "client.invalid",
                "the access token is not a valid client credentials token of this server");
  };
  auto verified = VerifyAccessToken(token);
  if (!verified) {
    if (verified.error().id.starts_with("jwt.")) return invalid();
    return Fail(verified.error());
  }
  const auto& claims = verified->claims;
  auto text = [&](const char* name) { return StringClaim(claims, name); };
  const std::string cid = text("client_id");
  // Client credentials only: issued to the client itself (sub = client_id) for Vault's API.
  if (cid.empty() || text("sub") != cid || !Audience(claims, ApiAudience())) return invalid();
  if (const std::string jti = text("jti"); !jti.empty()) {
    VAULT_ASSIGN_OR_RETURN(bool revoked, IsRevoked(jti));
    if (revoked) return invalid();
  }
  VAULT_ASSIGN_OR_RETURN(auto client, clients_.LiveClient(cid));
  if (!client || client->is_public) return invalid();  // revoked clients' tokens die with them
  if (!scope.empty() && !HasScope(text("scope"), scope))
    return Fail(core::Code::kPermissionDenied, "client.scope",
                "the access token does not hold the scope " + scope);
  return *client;
}

Result<UserInfo> TokenService::UserInfoOf(const std::string& access_token) {
  auto verified = VerifyAccessToken(access_token);
  if (!verified) {
    if (verified.error().id.starts_with("jwt.")) return UserInfo{};
    return Fail(verified.error());
  }
  const auto& claims = verified->claims;
  const auto* sub = claims.if_contains("sub");
  const auto* cid = claims.if_contains("client_id");
  const auto* jti = claims.if_contains("jti");
  const auto* scope = claims.if_contains("scope");
  // Only a person's token (sub an account, not the client itself) with the openid scope.
  if (!sub || !sub->is_string() || !cid || !cid->is_string() ||
      sub->get_string() == cid->get_string() || !scope || !scope->is_string() ||
      !HasScope(std::string(scope->get_string()), "openid"))
    return UserInfo{};
  if (jti && jti->is_string()) {
    VAULT_ASSIGN_OR_RETURN(bool revoked, IsRevoked(std::string(jti->get_string())));
    if (revoked) return UserInfo{};
  }
  VAULT_ASSIGN_OR_RETURN(auto client, clients_.LiveClient(std::string(cid->get_string())));
  if (!client) return UserInfo{};
  const std::string id(sub->get_string());
  VAULT_ASSIGN_OR_RETURN(auto account,
                         p_.store.Read([&](core::Tx& tx) { return tx.FindAccountById(id); }));
  if (!account || account->disabled) return UserInfo{};
  UserInfo out;
  out.valid = true;
  out.claims["sub"] = id;
  AddProfileClaims(out.claims, *account, std::string(scope->get_string()));
  for (const char* name : {"workspace_id", "workspace", "product_id", "product_role"})
    if (const auto* v = claims.if_contains(name)) out.claims[name] = *v;
  return out;
}

}  // namespace vault::oidc
