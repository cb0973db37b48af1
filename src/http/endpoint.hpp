// Route declaration: every API file registers its handlers through one Routes object, saying
// what each route needs (executor, who may call it, rate class). The wrapper does that before
// the handler runs, so a handler receives an authenticated Call and is parse → call → render.
// Built once at start; the registered handlers are thread-safe (the rate limiter locks).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "app/account_service.hpp"
#include "app/integration_service.hpp"
#include "http/api.hpp"
#include "http/message.hpp"
#include "http/router.hpp"

namespace vault::http {

// Who may call a route; checked before the handler runs.
enum class Access {
  kPublic,      // anybody; the handler checks any credential itself (the Chargebee webhook)
  kCredential,  // anybody, but only from the console's Origin or without one (login CSRF)
  kCredentialOrSession,  // as kCredential; a session is authenticated when credentials are sent
  kSession,              // a signed-in session (Bearer or cookie; CSRF on cookie writes) → 401
  kSuperAdmin,           // a session of a Super Admin → 401, then 403
  kServiceClient,        // a product's service client (HTTP Basic) → 401
};

// kCredential: the route takes a password, token or code: the per-IP token bucket (429), then
// the Origin check (403), both before authentication.
enum class Rate { kNone, kCredential };

struct Endpoint {
  std::string method;
  std::string pattern;
  Executor executor = Executor::kBlocking;
  Access access = Access::kPublic;
  Rate rate = Rate::kNone;
};

// What a handler receives: the request, and who called as its Access established.
struct Call {
  Request& req;
  app::AuthContext ctx;        // kSession, kSuperAdmin (and kCredentialOrSession if signed)
  bool signed_in = false;      // ctx is set
  bool via_cookie = false;     // the session came from the cookie
  core::ServiceClient client;  // kServiceClient

  std::string& param(const std::string& name) { return req.params[name]; }
};

using CallHandler = std::function<core::Result<Response>(Call&)>;

// The one registrar of the API files. Errors (of the checks and of the handler) become
// problem+json.
class Routes {
 public:
  // accounts: for session routes; integration: for service-client routes (may be null when
  // no route needs it); the options give the allowed Origin and the per-IP bucket.
  Routes(Router& router, app::AccountService* accounts, app::IntegrationService* integration,
         const ApiOptions& options);
  explicit Routes(Router& router);  // public routes only

  void Add(Endpoint e, CallHandler handler);

  template <typename Api>
  void Add(Endpoint e, Api* api, core::Result<Response> (Api::*m)(Call&)) {
    Add(std::move(e), [api, m](Call& c) { return (api->*m)(c); });
  }

  struct State;

 private:
  Router& router_;
  std::shared_ptr<State> state_;  // shared by the handlers; lives as long as the router
};

}  // namespace vault::http
