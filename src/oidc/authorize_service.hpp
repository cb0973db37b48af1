// AuthorizeService: the authorization endpoint's use case (OpenID Connect authorization code flow
// with PKCE, ADR 0010) and RP-initiated logout. It decides, for an authorization request and the
// browser's console session (if any), what happens next — an error page (a bad client or redirect
// URI: never redirected), the console's sign-in, the workspace chooser, a denial returned to the
// client, or a code — and issues the code (stored only as its keyed hash). Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/account_deps.hpp"
#include "app/integration_service.hpp"
#include "oidc/token_service.hpp"

namespace vault::oidc {

// The request's parameters (query of GET /oauth2/authorize), each once.
struct AuthorizeParams {
  std::string client_id, redirect_uri, response_type, scope, state, nonce, code_challenge,
      code_challenge_method, prompt, max_age, login_hint;
  std::string workspace_id, product_id;  // the chooser's answer (Vault's own parameters)
  std::string repeated;                  // a parameter sent twice (invalid_request)
};

// One (workspace, product) the person may sign in to with this client.
struct AuthorizeChoice {
  std::string workspace_id, workspace_name, workspace_shortname;
  std::string product_id, product_name, role;
  bool last_used = false;  // the workspace the person used last (preselected)
};

struct AuthorizePlan {
  enum class Kind { kError, kLogin, kChoose, kDeny, kRedirect };
  Kind kind = Kind::kError;
  std::string error, description;  // kError (shown, not redirected) and kDeny (OAuth error)
  std::string reason;              // kDeny: the access model's reason (no_grant, …)
  std::string redirect_to;         // kDeny, kRedirect: the client's redirect URI with parameters
  std::string client_name;
  std::string login_hint;    // kLogin
  bool fresh_login = false;  // kLogin: prompt=login or max_age — sign in again even if signed in
  std::vector<AuthorizeChoice> choices;  // kChoose
};

class AuthorizeService {
 public:
  AuthorizeService(app::Ports ports, app::IntegrationService& clients, TokenService& tokens);

  // Decides the next step. `session` is the browser's console session (nullopt: none).
  // `issue`: make a code when the plan is kRedirect (false: the console asks what would happen).
  core::Result<AuthorizePlan> Authorize(const AuthorizeParams& params,
                                        const std::optional<app::AuthContext>& session, bool issue);

  struct LogoutPlan {
    std::string redirect_to;  // the client's post_logout_redirect_uri (with state), or empty
    std::string session_id;   // the console session to end (the id token's sid), or empty
    std::string error;        // a bad request: shown, nothing ends
  };
  // RP-initiated logout 1.0: id_token_hint (an ID token this issuer signed, expired or not),
  // post_logout_redirect_uri (exact match against the hinted client's redirect URIs), state.
  core::Result<LogoutPlan> Logout(const std::string& id_token_hint,
                                  const std::string& post_logout_redirect_uri,
                                  const std::string& state, const std::string& client_id);

 private:
  core::Result<std::vector<AuthorizeChoice>> Choices(const core::ServiceClient& client,
                                                     const app::AuthContext& session,
                                                     std::string* denial);

  app::Ports p_;
  app::IntegrationService& clients_;
  TokenService& tokens_;
  app::AuditLog audit_;
};

// "uri?k=v&…" (or "&" when uri has a query), each value percent-encoded.
std::string WithParams(const std::string& uri,
                       const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace vault::oidc
