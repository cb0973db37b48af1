// TokenService: the OAuth 2.0 token, introspection, revocation and userinfo endpoints' use cases
// (ADR 0010): the client credentials grant (RFC 6749 §4.4), the authorization code grant with
// PKCE (RFC 7636) and the refresh token grant with rotation and reuse detection, issuing RFC 9068
// JWT access tokens and OpenID Connect ID tokens signed by app::SigningKeys; introspection
// (RFC 7662), revocation (RFC 7009) and userinfo. Errors are made for oidc/oauth_error.hpp
// ("oauth.<code>"). Thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "app/group_commit.hpp"
#include "app/integration_service.hpp"
#include "app/signing_keys.hpp"
#include "oidc/jwt.hpp"

namespace vault::oidc {

struct OAuthSettings {
  std::string issuer;                          // VAULT_PUBLIC_URL, without a trailing slash
  core::Timestamp access_token_seconds = 600;  // VAULT_OAUTH_ACCESS_TOKEN_SECONDS
  core::Timestamp leeway_seconds = 60;         // clock skew tolerated when verifying
  core::Timestamp code_seconds = 60;           // authorization code lifetime
  core::Timestamp refresh_idle_seconds = 14 * 86400;
  core::Timestamp refresh_absolute_seconds = 30 * 86400;
};

// The scopes a person's client may ask for; others are ignored (OIDC Core §3.1.2.1).
const std::vector<std::string>& UserScopes();

// How the client authenticated at the endpoint (client_secret_basic or client_secret_post), or
// identified itself without a secret (a public client).
struct ClientAuth {
  std::string client_id;
  std::optional<std::string> secret;
};

struct TokenRequest {
  std::string grant_type;
  std::optional<std::string> scope;  // space-separated; absent: every scope the client may hold
  // authorization_code
  std::string code, redirect_uri, code_verifier;
  // refresh_token; workspace_id + product_id (Vault's own) switch the active workspace
  std::string refresh_token, workspace_id, product_id;
};

struct IssuedToken {
  std::string access_token;
  core::Timestamp expires_in = 0;
  std::string scope;
  std::string id_token;       // code and refresh grants
  std::string refresh_token;  // code and refresh grants
};

// The person's claims for userinfo (OIDC Core §5.3), by the token's scope.
struct UserInfo {
  bool valid = false;  // false: the token is not a live user access token (401 invalid_token)
  boost::json::object claims;
};

struct Introspection {
  bool active = false;
  boost::json::object claims;  // when active: the token's claims (RFC 7662 §2.2 members)
};

class TokenService : public core::ChangeListener {
 public:
  TokenService(app::Ports ports, app::IntegrationService& clients, app::SigningKeys& keys,
               OAuthSettings settings);

  // The audience of client-credentials tokens: Vault's product-facing API.
  std::string ApiAudience() const { return settings_.issuer + "/api/v1"; }
  const OAuthSettings& settings() const { return settings_; }
  app::SigningKeys& keys() { return keys_; }
  // The token endpoint's writes share durable transactions when they arrive together.
  app::GroupCommit& commits() { return commits_; }

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

  // RFC 7009: revokes a refresh token (its whole family) or an access token (its jti, until it
  // expires) of the calling client; anything else, or another client's token, changes nothing.
  // Fails "oauth.invalid_client" only. Audits oauth.token_revoked.
  core::Result<void> Revoke(const ClientAuth& caller, const std::string& token,
                            const app::ClientInfo& from);

  // The live confidential client a client-credentials access token was issued to, when the
  // token verifies, is not revoked, is for Vault's API and holds `scope` (empty: any). Fails
  // unauthenticated "client.invalid" or permission_denied "client.scope".
  core::Result<core::ServiceClient> ClientOfAccessToken(const std::string& token,
                                                        const std::string& scope);

  // The claims of the person an access token from the code flow speaks for.
  core::Result<UserInfo> UserInfoOf(const std::string& access_token);

  // The client a code or refresh grant comes from: a confidential client authenticates, a public
  // one names itself. Fails "oauth.invalid_client".
  core::Result<core::ServiceClient> GrantClient(const ClientAuth& auth);

  // ChangeListener: another node revoked an access token.
  void WorkspaceChanged(const std::string&) override {}
  void AccountChanged(const std::string&) override {}
  void CatalogChanged() override {}
  void OAuthRevocationsChanged() override;
  void SigningKeysChanged() override;

 private:
  core::Result<IssuedToken> ClientCredentials(const core::ServiceClient& client,
                                              const TokenRequest& request,
                                              const app::ClientInfo& from);
  core::Result<IssuedToken> ExchangeCode(const core::ServiceClient& client,
                                         const TokenRequest& request, const app::ClientInfo& from);
  core::Result<IssuedToken> Refresh(const core::ServiceClient& client, const TokenRequest& request,
                                    const app::ClientInfo& from);
  // Access token, ID token and the next refresh token of a person's grant, with the refresh
  // token row to store (the caller commits it).
  struct Minted {
    IssuedToken issued;
    core::RefreshToken refresh;
    std::string jti, kid;
  };
  // The person a grant names and the shortname of its workspace, read in the same transaction
  // as the code or refresh token (one read per grant).
  struct Grantee {
    std::optional<core::Account> account;
    std::string shortname;  // empty: the workspace is gone
  };
  static core::Result<Grantee> LoadGrantee(core::Tx& tx, const std::string& account_id,
                                           const std::string& workspace_id);
  core::Result<Minted> MintUserTokens(const core::ServiceClient& client,
                                      const core::OAuthSubject& subject, const Grantee& grantee,
                                      const std::string& nonce, const std::string& family_id,
                                      core::Timestamp family_expires_at);
  core::Result<std::string> SignJwt(const std::string& typ, const boost::json::object& claims,
                                    std::string* kid = nullptr);
  core::Result<VerifiedJwt> VerifyAccessToken(const std::string& token);
  // Revokes a refresh family after reuse or a failed re-check, audited; then fails
  // invalid_grant with `why`.
  core::Result<IssuedToken> RevokeFamily(const core::RefreshToken& t, const std::string& action,
                                         const std::string& reason, const app::ClientInfo& from);
  core::Result<bool> IsRevoked(const std::string& jti);

  // Access tokens already verified, until they expire: an introspection or userinfo call for a
  // token seen before skips the Ed25519 check (bounded; cleared when the keys change).
  static constexpr std::size_t kMaxVerified = 20000;
  std::shared_mutex verified_mu_;
  std::unordered_map<std::string, VerifiedJwt> verified_;

  std::mutex revoked_mu_;
  bool revoked_loaded_ = false;
  std::unordered_map<std::string, core::Timestamp> revoked_;  // jti → exp

  app::Ports p_;
  app::IntegrationService& clients_;
  app::SigningKeys& keys_;
  OAuthSettings settings_;
  app::AuditLog audit_;
  app::GroupCommit commits_;
};

}  // namespace vault::oidc
