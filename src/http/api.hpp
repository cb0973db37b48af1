// Route registration for the HTTP API. Each Register* adds one area's thin handlers to the
// router; handlers parse input, call one use case and render the result.
#pragma once

#include <functional>
#include <string>

#include "app/access_review.hpp"
#include "app/account_service.hpp"
#include "app/api_key_service.hpp"
#include "app/callback_signing.hpp"
#include "app/integration_service.hpp"
#include "app/mfa_service.hpp"
#include "app/platform_service.hpp"
#include "app/product_service.hpp"
#include "app/profile_service.hpp"
#include "app/signing_keys.hpp"
#include "app/workspace_service.hpp"
#include "core/store.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "oidc/authorize_service.hpp"
#include "oidc/token_service.hpp"

namespace vault::http {

struct ApiOptions {
  std::string public_url;  // its origin is the only one allowed on cookie-authenticated writes
  bool dev = false;        // cookies without the Secure flag (http://localhost)
  // Per client IP token bucket on the unauthenticated credential endpoints (sign-in, 2FA step,
  // sign-up, forgot/reset password); rate <= 0 disables it.
  double ip_rate_per_second = 10;
  double ip_burst = 50;
  // Super-Admin-only routes refuse a Super Admin without 2FA (403 admin.requires_2fa).
  bool super_admin_require_2fa = true;
  // When set, the per-IP limits also count in this database, so they hold across every node
  // sharing it (RateLimiter); null keeps them per process.
  core::Store* shared_limits = nullptr;
  const core::Clock* clock = nullptr;
};

void RegisterAccountRoutes(Router& router, app::AccountService& accounts,
                           app::ProfileService& profile, app::MfaService& mfa,
                           const ApiOptions& options);

void RegisterWorkspaceRoutes(Router& router, app::AccountService& accounts,
                             app::WorkspaceService& workspaces, app::PlatformService& platform,
                             const ApiOptions& options);

struct BillingOptions {
  std::string chargebee_user, chargebee_password;  // HTTP Basic credentials of the webhook
};

void RegisterProductRoutes(Router& router, app::AccountService& accounts,
                           app::ProductService& products, app::IntegrationService& integration,
                           const ApiOptions& options, const BillingOptions& billing);

void RegisterApiKeyRoutes(Router& router, app::AccountService& accounts, app::ApiKeyService& keys,
                          app::IntegrationService& integration, core::Clock& clock,
                          const ApiOptions& options);

// Callback signing secrets: the workspace routes and POST /api/v1/callbacks/sign, /verify.
void RegisterCallbackSigningRoutes(Router& router, app::AccountService& accounts,
                                   app::CallbackSigningService& signing,
                                   app::IntegrationService& integration, core::Clock& clock,
                                   const ApiOptions& options);
// The Super Admin's view of the mail outbox: dead letters and their retry (issue 16).
void RegisterMailOutboxRoutes(Router& router, app::AccountService& accounts,
                              app::PlatformService& platform, const ApiOptions& options);

// GET /api/v1/workspaces/{ws}/access-review (JSON pages, CSV, NDJSON).
void RegisterAccessReviewRoutes(Router& router, app::AccountService& accounts,
                                app::AccessReviewService& review,
                                app::IntegrationService& integration, const ApiOptions& options);

// The OpenID Connect provider: discovery, /oauth2/jwks, /oauth2/token, /oauth2/introspect.
void RegisterOAuthRoutes(Router& router, app::SigningKeys& keys, oidc::TokenService& tokens,
                         oidc::AuthorizeService& authorize, app::AccountService& accounts,
                         const ApiOptions& options);

// /healthz, /readyz, /metrics, /api/openapi.json. hash_threads() is read at render time.
void RegisterOpsRoutes(Router& router, Metrics& metrics, core::Store& store,
                       std::function<int()> hash_threads);

// The embedded OpenAPI 3.1 document (api/openapi.json).
const std::string& OpenApiDocument();

}  // namespace vault::http
