#include "http/endpoint.hpp"

#include "http/auth.hpp"
#include "http/handler_util.hpp"
#include "http/json_body.hpp"
#include "http/rate_limiter.hpp"

namespace vault::http {

struct Routes::State {
  app::AccountService* accounts = nullptr;
  app::IntegrationService* integration = nullptr;
  std::string origin;
  std::unique_ptr<RateLimiter> limiter;  // null for Routes(router)
  bool super_admin_require_2fa = true;
};

namespace {

core::Result<void> Admit(const Routes::State& s, const Endpoint& e, Call& c) {
  if (e.rate == Rate::kCredential) {
    long retry = 0;
    if (!s.limiter->Allow(c.req.remote_ip, &retry)) {
      core::Error err{core::Code::kResourceExhausted, "rate_limited", "",
                      "too many requests from this address; slow down"};
      err.retry_after = retry;
      return core::Fail(std::move(err));
    }
    VAULT_TRY(CheckOrigin(c.req, s.origin));
  }
  auto session = [&]() -> core::Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto a, Authenticate(c.req, *s.accounts, s.origin));
    c.ctx = std::move(a.ctx);
    c.via_cookie = a.via_cookie;
    c.signed_in = true;
    return {};
  };
  switch (e.access) {
    case Access::kPublic:
      return {};
    case Access::kCredential:
      if (e.rate != Rate::kCredential) VAULT_TRY(CheckOrigin(c.req, s.origin));
      return {};
    case Access::kCredentialOrSession:
      if (e.rate != Rate::kCredential) VAULT_TRY(CheckOrigin(c.req, s.origin));
      // Credentials sent are checked before the body (401 first).
      if (c.req.Header("authorization") || !c.req.Cookie(kSessionCookie).empty()) return session();
      return {};
    case Access::kSession:
      return session();
    case Access::kSuperAdmin:
      VAULT_TRY(session());
      VAULT_TRY(app::RequireSuperAdmin(c.ctx));
      // The account that reaches every workspace needs a second factor, not only a password.
      if (s.super_admin_require_2fa && !c.ctx.mfa_enabled)
        return core::Fail(core::Code::kPermissionDenied, "admin.requires_2fa",
                          "turn on two-factor authentication to use the Super Admin area");
      return {};
    case Access::kServiceClient: {
      VAULT_ASSIGN_OR_RETURN(auto client,
                             AuthenticateServiceClient(c.req, *s.integration, e.scope));
      c.client = std::move(client);
      return {};
    }
  }
  return {};
}

}  // namespace

core::Result<const JsonBody*> Call::Json() {
  if (!json_) {
    VAULT_ASSIGN_OR_RETURN(auto parsed, JsonBody::Parse(req));
    json_ = std::make_shared<const JsonBody>(std::move(parsed));
  }
  return json_.get();
}

core::Result<BodyReader> Call::Reader() {
  VAULT_TRY(Json());
  return BodyReader(json_);
}

Routes::Routes(Router& router, app::AccountService* accounts, app::IntegrationService* integration,
               const ApiOptions& options)
    : router_(router), state_(std::make_shared<State>()) {
  state_->accounts = accounts;
  state_->integration = integration;
  state_->origin = OriginOf(options.public_url);
  state_->limiter = std::make_unique<RateLimiter>(options.ip_rate_per_second, options.ip_burst,
                                                  options.shared_limits, options.clock, "cred");
  state_->super_admin_require_2fa = options.super_admin_require_2fa;
}

Routes::Routes(Router& router) : router_(router), state_(std::make_shared<State>()) {}

void Routes::Add(Endpoint e, CallHandler handler) {
  bool needs_accounts = e.access == Access::kSession || e.access == Access::kSuperAdmin ||
                        e.access == Access::kCredentialOrSession;
  if ((needs_accounts && !state_->accounts) ||
      (e.access == Access::kServiceClient && !state_->integration) ||
      (e.rate == Rate::kCredential && !state_->limiter))
    throw std::logic_error("route " + e.method + " " + e.pattern + ": missing dependency");
  std::string method = e.method, pattern = e.pattern;
  Executor ex = e.executor;
  router_.Add(std::move(method), std::move(pattern), ex,
              [state = state_, e = std::move(e), handler = std::move(handler)](Request& req) {
                Call c(req);
                auto res = [&]() -> core::Result<Response> {
                  VAULT_TRY(Admit(*state, e, c));
                  return handler(c);
                }();
                return Finish(std::move(res), req);
              });
}

}  // namespace vault::http
