// TokenService: the OAuth 2.0 token and introspection endpoints' use cases (ADR 0010). This
// session: the client credentials grant (RFC 6749 §4.4) issuing RFC 9068 JWT access tokens
// signed by app::SigningKeys, and introspection (RFC 7662) of those tokens. Errors are made for
// oidc/oauth_error.hpp ("oauth.<code>"). Thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "app/integration_service.hpp"
#include "app/signing_keys.hpp"
#include "oidc/jwt.hpp"

namespace vault::oidc {

struct OAuthSettings {
  std::string issuer;                          // VAULT_PUBLIC_URL, without a trailing slash
  core::Timestamp access_token_seconds = 600;  // VAULT_OAUTH_ACCESS_TOKEN_SECONDS
  core::Timestamp leeway_seconds = 60;         // clock skew tolerated when verifying
};

// How the client authenticated at the endpoint (client_secret_basic or client_secret_post), or
// identified itself without a secret (a public client).
struct ClientAuth {
  std::string client_id;
  std::optional<std::string> secret;
};

struct TokenRequest {
  std::string grant_type;
  std::optional<std::string> scope;  // space-separated; absent: every scope the client may hold
};

struct IssuedToken {
  std::string access_token;
  core::Timestamp expires_in = 0;
  std::string scope;
};

struct Introspection {
  bool active = false;
  boost::json::object claims;  // when active: the token's claims (RFC 7662 §2.2 members)
};

class TokenService {
 public:
  TokenService(app::Ports ports, app::IntegrationService& clients, app::SigningKeys& keys,
               OAuthSettings settings);

  // The audience of client-credentials tokens: Vault's product-facing API.
  std::string ApiAudience() const { return settings_.issuer + "/api/v1"; }
  const OAuthSettings& settings() const { return settings_; }

  // A confidential client with its secret. Fails "oauth.invalid_client" (unknown, revoked,
  // wrong secret, or no secret).
  core::Result<core::ServiceClient> Authenticate(const ClientAuth& auth);

  // The token endpoint. Fails "oauth.invalid_client"; "oauth.unauthorized_client" for a public
  // client; "oauth.invalid_request" (no grant_type); "oauth.unsupported_grant_type";
  // "oauth.invalid_scope"; or as the store fails. Audits oauth.token_issued.
  core::Result<IssuedToken> Token(const ClientAuth& auth, const TokenRequest& request,
                                  const app::ClientInfo& from);

  // The introspection endpoint: `caller` must authenticate (confidential). A token is active
  // when it verifies (signature by a published key, typ at+jwt, this issuer, unexpired), its
  // client is live, and the caller may see it: the caller is of the same product type as the
  // token's client, or named in its aud. Anything else is inactive, saying nothing more.
  core::Result<Introspection> Introspect(const ClientAuth& caller, const std::string& token);

 private:
  app::Ports p_;
  app::IntegrationService& clients_;
  app::SigningKeys& keys_;
  OAuthSettings settings_;
  app::AuditLog audit_;
};

}  // namespace vault::oidc
