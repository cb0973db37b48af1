#include "oidc/token_service.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "core/encoding.hpp"
#include "core/product.hpp"
#include "oidc/digest.hpp"
#include "oidc/oauth_error.hpp"

namespace vault::oidc {

using core::Fail;
using core::Result;

namespace {

bool Audience(const boost::json::object& claims, std::string_view who) {
  const auto* aud = claims.if_contains("aud");
  if (!aud) return false;
  if (aud->is_string()) return aud->get_string() == who;
  if (aud->is_array())
    for (const auto& a : aud->get_array())
      if (a.is_string() && a.get_string() == who) return true;
  return false;
}

}  // namespace

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

namespace {

bool HasScope(const std::string& scope, std::string_view s) {
  for (const auto& w : core::SplitWords(scope))
    if (w == s) return true;
  return false;
}

// The person's claims by scope (OIDC Core §5.4): profile → name, locale, zoneinfo, updated_at;
// email → email, email_verified.
void AddProfileClaims(boost::json::object& claims, const core::Account& a,
                      const std::string& scope) {
  if (HasScope(scope, "profile")) {
    claims["name"] = a.name;
    claims["locale"] = a.locale;
    claims["zoneinfo"] = a.time_zone;
    claims["updated_at"] = a.updated_at;
  }
  if (HasScope(scope, "email")) {
    claims["email"] = a.email;
    claims["email_verified"] = a.email_verified;
  }
}

boost::json::array AmrOf(const std::string& amr) {
  boost::json::array out;
  for (const auto& m : core::SplitWords(amr)) out.emplace_back(m);
  return out;
}

}  // namespace

const std::vector<std::string>& UserScopes() {
  static const std::vector<std::string> scopes{"openid", "profile", "email", "offline_access"};
  return scopes;
}

Result<TokenService::Grantee> TokenService::LoadGrantee(core::Tx& tx, const std::string& account_id,
                                                        const std::string& workspace_id) {
  Grantee g;
  VAULT_ASSIGN_OR_RETURN(g.account, tx.FindAccountById(account_id));
  VAULT_ASSIGN_OR_RETURN(auto ws, tx.FindWorkspace(workspace_id));
  if (ws) g.shortname = ws->shortname;
  return g;
}

Result<TokenService::Minted> TokenService::MintUserTokens(
    const core::ServiceClient& client, const core::OAuthSubject& subject, const Grantee& grantee,
    const std::string& nonce, const std::string& family_id, core::Timestamp family_expires_at) {
  if (!grantee.account) return Fail(OAuthFailure("invalid_grant", "the account no longer exists"));
  if (grantee.shortname.empty())
    return Fail(OAuthFailure("invalid_grant", "the workspace no longer exists"));
  const core::Account& account = *grantee.account;
  const std::string& shortname = grantee.shortname;
  VAULT_ASSIGN_OR_RETURN(auto decision,
                         clients_.Check(client, {subject.account_id, subject.product_id, ""}));
  if (!decision.allowed) return Fail(OAuthFailure("invalid_grant", decision.reason));

  const core::Timestamp now = p_.clock.Now();
  Minted m;
  m.jti = core::NewId(p_.random, "at");
  // RFC 9068 access token for the client (aud), naming the one active workspace and product
  // and the person's effective role there — never every membership (ADR 0010).
  boost::json::object at{{"iss", settings_.issuer},
                         {"sub", subject.account_id},
                         {"aud", client.id},
                         {"client_id", client.id},
                         {"iat", now},
                         {"exp", now + settings_.access_token_seconds},
                         {"jti", m.jti},
                         {"scope", subject.scope},
                         {"auth_time", subject.auth_time},
                         {"sid", subject.session_id},
                         {"workspace_id", subject.workspace_id},
                         {"workspace", shortname},
                         {"product_id", subject.product_id},
                         {"product_role", decision.role}};
  VAULT_ASSIGN_OR_RETURN(m.issued.access_token, SignJwt("at+jwt", at, &m.kid));

  boost::json::object id{{"iss", settings_.issuer},
                         {"sub", subject.account_id},
                         {"aud", client.id},
                         {"iat", now},
                         {"exp", now + settings_.access_token_seconds},
                         {"auth_time", subject.auth_time},
                         {"amr", AmrOf(subject.amr)},
                         {"sid", subject.session_id},
                         {"workspace_id", subject.workspace_id},
                         {"workspace", shortname},
                         {"product_id", subject.product_id},
                         {"product_role", decision.role}};
  if (!nonce.empty()) id["nonce"] = nonce;
  // at_hash: the left half of the access token's hash with the hash of the signing algorithm;
  // for EdDSA over Ed25519 that is SHA-512 (as openid-client and oidc-provider compute it).
  id["at_hash"] = core::Base64Url(Sha512(m.issued.access_token).substr(0, 32));
  AddProfileClaims(id, account, subject.scope);
  VAULT_ASSIGN_OR_RETURN(m.issued.id_token, SignJwt("JWT", id));

  // The next refresh token: 256 random bits, stored only as a keyed hash (purpose
  // oauth_refresh), so a database copy cannot be replayed.
  m.issued.refresh_token = "avr_" + core::Base64Url(p_.random.Bytes(32));
  m.refresh.id = core::NewId(p_.random, "rt");
  m.refresh.family_id = family_id;
  m.refresh.token_hash = p_.secrets.KeyedHash("oauth_refresh", m.issued.refresh_token);
  m.refresh.subject = subject;
  m.refresh.created_at = now;
  m.refresh.family_expires_at = family_expires_at;
  m.refresh.expires_at = std::min(now + settings_.refresh_idle_seconds, family_expires_at);
  m.issued.expires_in = settings_.access_token_seconds;
  m.issued.scope = subject.scope;
  return m;
}

Result<IssuedToken> TokenService::ExchangeCode(const core::ServiceClient& client,
                                               const TokenRequest& request,
                                               const app::ClientInfo& from) {
  if (request.code.empty()) return Fail(OAuthFailure("invalid_request", "code is required"));
  if (request.redirect_uri.empty())
    return Fail(OAuthFailure("invalid_request", "redirect_uri is required"));
  if (request.code_verifier.empty())
    return Fail(OAuthFailure("invalid_request", "code_verifier is required (PKCE)"));
  if (!IsCodeVerifier(request.code_verifier))
    return Fail(OAuthFailure("invalid_grant", "code_verifier is not a valid PKCE verifier"));
  const std::string hash = p_.secrets.KeyedHash("oauth_code", request.code);
  std::optional<core::AuthorizationCode> code;
  Grantee grantee;
  VAULT_TRY(p_.store.Read([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(code, tx.FindAuthorizationCode(hash));
    if (!code) return {};
    VAULT_ASSIGN_OR_RETURN(grantee,
                           LoadGrantee(tx, code->subject.account_id, code->subject.workspace_id));
    return {};
  }));
  const core::Timestamp now = p_.clock.Now();
  // Another client's code is unknown to this one; nothing about it is revealed or changed.
  if (!code || code->subject.client_id != client.id)
    return Fail(OAuthFailure("invalid_grant", "unknown authorization code"));
  app::Actor actor{"service_client", client.id, from.ip, from.user_agent};
  if (code->used_at != 0) {
    // A code used twice: somebody else may hold it. The tokens of its first exchange go.
    VAULT_TRY(p_.store.Write([&](core::Tx& tx) -> Result<void> {
      if (!code->family_id.empty()) VAULT_TRY(tx.RevokeRefreshFamily(code->family_id, now));
      return audit_.Record(
          tx, actor,
          {"oauth.code_reuse_detected", "account", code->subject.account_id,
           app::JsonSummary({{"client_id", client.id}, {"family_id", code->family_id}}),
           code->subject.workspace_id});
    }));
    return Fail(OAuthFailure("invalid_grant", "the authorization code was already used"));
  }
  if (code->expires_at <= now)
    return Fail(OAuthFailure("invalid_grant", "the authorization code has expired"));
  if (code->redirect_uri != request.redirect_uri)
    return Fail(OAuthFailure("invalid_grant", "redirect_uri differs from the authorization's"));
  // PKCE (RFC 7636 §4.6), compared in constant time: the challenge guards the code.
  if (!core::ConstantTimeEquals(S256Challenge(request.code_verifier), code->code_challenge))
    return Fail(OAuthFailure("invalid_grant", "code_verifier does not match the code_challenge"));

  const std::string family = core::NewId(p_.random, "rf");
  core::Timestamp family_end = now + settings_.refresh_absolute_seconds;
  if (code->session_expires_at > 0) family_end = std::min(family_end, code->session_expires_at);
  VAULT_ASSIGN_OR_RETURN(
      auto minted, MintUserTokens(client, code->subject, grantee, code->nonce, family, family_end));
  bool first = false;
  VAULT_TRY(commits_.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(first, tx.UseAuthorizationCode(hash, now, family));
    if (!first) return {};  // a racing exchange took it first
    VAULT_TRY(tx.InsertRefreshToken(minted.refresh));
    VAULT_TRY(audit_.Record(tx, actor,
                            {"oauth.token_issued", "account", code->subject.account_id,
                             app::JsonSummary({{"grant_type", "authorization_code"},
                                               {"client_id", client.id},
                                               {"jti", minted.jti},
                                               {"kid", minted.kid},
                                               {"scope", code->subject.scope},
                                               {"product_id", code->subject.product_id},
                                               {"family_id", family}}),
                             code->subject.workspace_id}));
    return {};
  }));
  if (!first) return Fail(OAuthFailure("invalid_grant", "the authorization code was already used"));
  return minted.issued;
}

Result<IssuedToken> TokenService::RevokeFamily(const core::RefreshToken& t,
                                               const std::string& action, const std::string& reason,
                                               const app::ClientInfo& from) {
  const core::Timestamp now = p_.clock.Now();
  app::Actor actor{"service_client", t.subject.client_id, from.ip, from.user_agent};
  VAULT_TRY(p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_TRY(tx.RevokeRefreshFamily(t.family_id, now));
    return audit_.Record(
        tx, actor,
        {action, "account", t.subject.account_id,
         app::JsonSummary(
             {{"client_id", t.subject.client_id}, {"family_id", t.family_id}, {"reason", reason}}),
         t.subject.workspace_id});
  }));
  return Fail(OAuthFailure("invalid_grant", reason));
}

Result<IssuedToken> TokenService::Refresh(const core::ServiceClient& client,
                                          const TokenRequest& request,
                                          const app::ClientInfo& from) {
  if (request.refresh_token.empty())
    return Fail(OAuthFailure("invalid_request", "refresh_token is required"));
  const std::string hash = p_.secrets.KeyedHash("oauth_refresh", request.refresh_token);
  // The workspace the new tokens will name: the token's, or the one switched to.
  std::optional<core::RefreshToken> found;
  Grantee grantee;
  VAULT_TRY(p_.store.Read([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(found, tx.FindRefreshToken(hash));
    if (!found) return {};
    const std::string& ws =
        request.workspace_id.empty() ? found->subject.workspace_id : request.workspace_id;
    VAULT_ASSIGN_OR_RETURN(grantee, LoadGrantee(tx, found->subject.account_id, ws));
    return {};
  }));
  const core::Timestamp now = p_.clock.Now();
  if (!found || found->subject.client_id != client.id)
    return Fail(OAuthFailure("invalid_grant", "unknown refresh token"));
  const core::RefreshToken& t = *found;
  if (t.revoked_at != 0)
    return Fail(OAuthFailure("invalid_grant", "the refresh token was revoked"));
  if (t.used_at != 0)  // rotated already: whoever presents it again may have stolen it
    return RevokeFamily(t, "oauth.refresh_reuse_detected", "the refresh token was already used",
                        from);
  if (t.expires_at <= now) return Fail(OAuthFailure("invalid_grant", "the refresh token expired"));

  core::OAuthSubject subject = t.subject;
  if (request.scope) {  // RFC 6749 §6: a narrower scope may be asked for, never a wider one
    std::vector<std::string> asked = core::SplitWords(*request.scope);
    for (const auto& s : asked)
      if (!HasScope(t.subject.scope, s))
        return Fail(OAuthFailure("invalid_scope", "scope may only narrow on refresh"));
    subject.scope = core::JoinWords(asked);
  }
  if (!request.workspace_id.empty() || !request.product_id.empty()) {
    // Switching the active workspace: the new product must be of this client's type and the
    // person allowed there, as at the authorization (no password prompt).
    if (request.workspace_id.empty() || request.product_id.empty())
      return Fail(OAuthFailure("invalid_request", "send workspace_id with product_id"));
    core::AccessFacts facts;
    VAULT_ASSIGN_OR_RETURN(
        auto d, clients_.Check(client, {t.subject.account_id, request.product_id, ""}, &facts));
    if (!d.allowed || facts.product.workspace_id != request.workspace_id)
      return Fail(OAuthFailure("invalid_grant",
                               "that workspace and product are not available to this person"));
    subject.workspace_id = request.workspace_id;
    subject.product_id = request.product_id;
  }
  // The access chain is checked again on every refresh: a disabled account, a removed member,
  // a revoked grant or an inactive product ends the family.
  auto minted = MintUserTokens(client, subject, grantee, "", t.family_id, t.family_expires_at);
  if (!minted) {
    if (minted.error().id == "oauth.invalid_grant")
      return RevokeFamily(t, "oauth.refresh_denied", minted.error().detail, from);
    return Fail(minted.error());
  }
  app::Actor actor{"service_client", client.id, from.ip, from.user_agent};
  bool won = false;
  VAULT_TRY(commits_.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(won, tx.UseRefreshToken(t.id, now));
    if (!won) return {};
    VAULT_TRY(tx.InsertRefreshToken(minted->refresh));
    VAULT_TRY(audit_.Record(tx, actor,
                            {"oauth.token_refreshed", "account", subject.account_id,
                             app::JsonSummary({{"client_id", client.id},
                                               {"jti", minted->jti},
                                               {"kid", minted->kid},
                                               {"scope", subject.scope},
                                               {"product_id", subject.product_id},
                                               {"family_id", t.family_id}}),
                             subject.workspace_id}));
    return {};
  }));
  if (!won)  // a racing use of the same token: one of the two is a replay
    return RevokeFamily(t, "oauth.refresh_reuse_detected", "the refresh token was already used",
                        from);
  return minted->issued;
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
    const std::string hash = p_.secrets.KeyedHash("oauth_refresh", token);
    return p_.store.Write([&](core::Tx& tx) -> Result<void> {
      VAULT_ASSIGN_OR_RETURN(auto t, tx.FindRefreshToken(hash));
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
  if (p_.changes) p_.changes->OAuthRevocationsChanged();  // the other nodes
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
  auto text = [&](const char* name) {
    const auto* v = claims.if_contains(name);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  };
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

Result<int> TokenService::RevokeSessionGrants(const std::string& session_id) {
  const core::Timestamp now = p_.clock.Now();
  return p_.store.Write(
      [&](core::Tx& tx) { return tx.RevokeRefreshTokensOfSession(session_id, now); });
}

}  // namespace vault::oidc
