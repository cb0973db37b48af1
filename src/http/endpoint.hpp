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
#include "http/body_reader.hpp"
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
  // kServiceClient: the scope a client-credentials Bearer token must hold (ADR 0010).
  std::string scope;
};

// What a handler receives: the request, who called as its Access established, and its typed
// input (the body is parsed once, on first use).
struct Call {
  explicit Call(Request& r) : req(r) {}

  Request& req;
  app::AuthContext ctx;     // kSession, kSuperAdmin (and kCredentialOrSession if signed)
  bool signed_in = false;   // ctx is set
  bool via_cookie = false;  // the session came from the cookie
  std::shared_ptr<const core::ServiceClient> client;  // kServiceClient (never null there)

  std::string& param(const std::string& name) { return req.params[name]; }

  // The body read into the input struct T (http/body_reader.hpp). Fails as JsonBody::Parse
  // (415 for a body that is not application/json, malformed JSON, not an object), then with the
  // first field problem of T's Fields, naming the field.
  template <BodyInput T>
  core::Result<T> Body() {
    VAULT_ASSIGN_OR_RETURN(auto reader, Reader());
    T in{};
    in.Fields(reader);
    VAULT_TRY(reader.status());
    return in;
  }
  // As Body<T>(), but an empty body reads as T's defaults.
  template <BodyInput T>
  core::Result<T> OptionalBody() {
    if (req.body.empty()) return T{};
    return Body<T>();
  }
  // The body read by a codec of its resource, parse(const JsonBody&) -> core::Result<V>, for
  // documents richer than a list of fields (a product type definition, a webhook event).
  template <typename Parse>
  auto Body(Parse parse) -> decltype(parse(std::declval<const JsonBody&>())) {
    VAULT_ASSIGN_OR_RETURN(const JsonBody* json, Json());
    return parse(*json);
  }

 private:
  core::Result<const JsonBody*> Json();
  core::Result<BodyReader> Reader();

  std::shared_ptr<const JsonBody> json_;  // parsed on first use
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
