// Request authentication for handlers: finds the session token (Bearer header or cookie),
// resolves it, and enforces CSRF rules on cookie-authenticated writes. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "app/account_service.hpp"
#include "app/integration_service.hpp"
#include "http/basic_credentials.hpp"
#include "http/message.hpp"

namespace vault::http {

inline constexpr const char* kSessionCookie = "vault_session";

struct AuthResult {
  app::AuthContext ctx;
  bool via_cookie = false;
};

// Fails unauthenticated "auth.required" without a live session, permission_denied
// "csrf.failed" for a cookie-authenticated POST/PUT/PATCH/DELETE without the session's
// X-CSRF-Token or from a foreign Origin.
// Refuses (403 "origin.forbidden") a request whose Origin header names another site than the
// console's: credential endpoints answer only to their own pages and to non-browser clients
// (which send no Origin), so a cross-site page cannot sign a browser in (login CSRF).
core::Result<void> CheckOrigin(const Request& req, const std::string& allowed_origin);

core::Result<AuthResult> Authenticate(const Request& req, app::AccountService& accounts,
                                      const std::string& allowed_origin);

app::ClientInfo ClientOf(const Request& req);

// The Set-Cookie value for a session token (HttpOnly, SameSite=Lax, Secure unless dev);
// an empty token with max_age 0 clears the cookie.
std::string SessionCookie(const std::string& token, long max_age, bool dev);

// The product service client authenticated by HTTP Basic (client id, secret), or by a
// client-credentials access token as Bearer that holds `scope`; fails unauthenticated
// "client.required" without credentials, "client.invalid" for wrong ones, permission_denied
// "client.scope" for a token without the scope.
// Shared: a kept-alive connection hands the same one to each of its requests.
core::Result<std::shared_ptr<const core::ServiceClient>> AuthenticateServiceClient(
    const Request& req, app::IntegrationService& integration, const std::string& scope = "");

// Scheme://host[:port] of a URL.
std::string OriginOf(const std::string& url);

}  // namespace vault::http
