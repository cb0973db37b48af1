#include "oidc/token_service.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "core/encoding.hpp"
#include "core/product.hpp"
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
      audit_(ports.secrets, ports.random, ports.clock) {}

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

Result<IssuedToken> TokenService::Token(const ClientAuth& auth, const TokenRequest& request,
                                        const app::ClientInfo& from) {
  if (!auth.secret) {
    // RFC 6749 §4.4: client credentials are for confidential clients. A public client names
    // itself without a secret; anything else is an unknown client.
    VAULT_ASSIGN_OR_RETURN(auto named, clients_.LiveClient(auth.client_id));
    if (named && named->is_public)
      return Fail(OAuthFailure("unauthorized_client",
                               "a public client cannot use the client credentials grant"));
  }
  VAULT_ASSIGN_OR_RETURN(auto client, Authenticate(auth));
  if (request.grant_type.empty())
    return Fail(OAuthFailure("invalid_request", "grant_type is required"));
  if (request.grant_type != "client_credentials")
    return Fail(OAuthFailure("unsupported_grant_type",
                             "this server supports grant_type client_credentials"));
  const auto& allowed = core::ClientCredentialScopes();
  std::vector<std::string> scopes =
      request.scope ? core::SplitWords(*request.scope) : std::vector<std::string>(allowed);
  for (const auto& s : scopes)
    if (std::find(allowed.begin(), allowed.end(), s) == allowed.end())
      return Fail(OAuthFailure("invalid_scope",
                               "scopes a service client may hold: " + core::JoinWords(allowed)));
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
  std::string payload = boost::json::serialize(claims);
  VAULT_ASSIGN_OR_RETURN(auto sig, keys_.Sign([&](const std::string& kid) {
    return JwsSigningInput(EdDsaHeader(kid, "at+jwt"), payload);
  }));
  // Audited before the token leaves: a token that cannot be recorded is not issued. The token
  // itself is never stored or logged (jti names it).
  app::Actor actor{"service_client", client.id, from.ip, from.user_agent};
  VAULT_TRY(p_.store.Write([&](core::Tx& tx) {
    return audit_.Record(tx, actor,
                         {"oauth.token_issued", "service_client", client.id,
                          app::JsonSummary({{"grant_type", "client_credentials"},
                                            {"jti", jti},
                                            {"kid", sig.kid},
                                            {"scope", scope}})});
  }));
  return IssuedToken{CompactJws(sig.input, sig.signature), settings_.access_token_seconds, scope};
}

Result<Introspection> TokenService::Introspect(const ClientAuth& caller, const std::string& token) {
  VAULT_ASSIGN_OR_RETURN(auto client, Authenticate(caller));
  if (token.empty()) return Fail(OAuthFailure("invalid_request", "token is required"));
  JwtCheck check;
  check.now = p_.clock.Now();
  check.leeway = settings_.leeway_seconds;
  check.typ = "at+jwt";
  check.issuer = settings_.issuer;
  auto verified = VerifyJwt(
      token, check, [this](const std::string& kid) { return keys_.PublicKey(kid); }, keys_.ed());
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
  Introspection out;
  out.active = true;
  for (const char* name : {"scope", "client_id", "sub", "aud", "iss", "exp", "iat", "nbf", "jti"})
    if (const auto* v = claims.if_contains(name)) out.claims[name] = *v;
  out.claims["token_type"] = "Bearer";
  return out;
}

}  // namespace vault::oidc
