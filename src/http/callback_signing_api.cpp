// Handlers for product callback signing secrets (issue 19): the workspace routes under
// /api/v1/workspaces/{ws}/products/{product}/signing-secrets and the product-facing
// POST /api/v1/callbacks/sign and /verify.
#include <boost/json.hpp>

#include "app/callback_signing.hpp"
#include "http/api.hpp"
#include "http/callback_secret_json.hpp"
#include "http/endpoint.hpp"
#include "http/handler_util.hpp"
#include "http/render.hpp"

namespace vault::http {
namespace {

constexpr std::int64_t kDefaultGrace = 24 * 3600;  // a day: receivers switch within it
constexpr std::size_t kMaxSignatureHeader = 4096;

struct CreateInput {
  std::optional<std::string> label;
  void Fields(BodyReader& r) { r.Field("label", label, 100); }
};

struct RollInput {
  std::optional<std::int64_t> grace_seconds;
  void Fields(BodyReader& r) { r.Field("grace_seconds", grace_seconds); }
};

struct SignInput {
  std::string workspace_id, product_id, body;
  std::optional<std::int64_t> timestamp;
  void Fields(BodyReader& r) {
    r.Field("workspace_id", workspace_id, 64);
    r.Field("product_id", product_id, 64);
    r.Field("body", body, app::kMaxCallbackBody);
    r.Field("timestamp", timestamp);
  }
  app::CallbackRequest Request() { return {workspace_id, product_id, std::move(body)}; }
};

struct VerifyInput {
  SignInput callback;
  std::string signature;
  void Fields(BodyReader& r) {
    callback.Fields(r);
    r.Field("signature", signature, kMaxSignatureHeader);
  }
};

class CallbackSigningApi {
 public:
  CallbackSigningApi(app::CallbackSigningService& signing, core::Clock& clock)
      : signing_(signing), clock_(clock) {}

  void Register(Routes& routes) {
    using E = Executor;
    using A = CallbackSigningApi;
    const Access S = Access::kSession;
    const std::string p = "/api/v1/workspaces/{ws}/products/{product}/signing-secrets";
    routes.Add({"POST", p, E::kBlocking, S}, this, &A::Create);
    routes.Add({"GET", p, E::kBlocking, S}, this, &A::List);
    routes.Add({"POST", p + "/{id}/roll", E::kBlocking, S}, this, &A::Roll);
    routes.Add({"DELETE", p + "/{id}", E::kBlocking, S}, this, &A::Revoke);
    const Access Client = Access::kServiceClient;
    routes.Add(
        {"POST", "/api/v1/callbacks/sign", E::kBlocking, Client, Rate::kNone, "callbacks:sign"},
        this, &A::Sign);
    routes.Add(
        {"POST", "/api/v1/callbacks/verify", E::kBlocking, Client, Rate::kNone, "callbacks:sign"},
        this, &A::Verify);
  }

 private:
  core::Result<Response> Create(Call& c) {
    VAULT_TRY(signing_.Authorize(c.ctx, c.param("ws"), c.param("product")));
    VAULT_ASSIGN_OR_RETURN(auto in, c.OptionalBody<CreateInput>());
    VAULT_ASSIGN_OR_RETURN(auto issued, signing_.Create(c.ctx, c.param("ws"), c.param("product"),
                                                        in.label.value_or("")));
    return SecretResponse(RenderIssuedCallbackSecret(issued, clock_.Now()));
  }

  core::Result<Response> List(Call& c) {
    const auto page = QueryPage(c.req);
    VAULT_ASSIGN_OR_RETURN(auto rows,
                           signing_.List(c.ctx, c.param("ws"), c.param("product"), page));
    const core::Timestamp now = clock_.Now();
    return JsonOk(200, RenderPaged(rows, [now](const core::CallbackSecret& s) {
                    return RenderCallbackSecret(s, now);
                  }));
  }

  core::Result<Response> Roll(Call& c) {
    VAULT_TRY(signing_.Authorize(c.ctx, c.param("ws"), c.param("product")));
    VAULT_ASSIGN_OR_RETURN(auto in, c.OptionalBody<RollInput>());
    VAULT_ASSIGN_OR_RETURN(auto rolled,
                           signing_.Roll(c.ctx, c.param("ws"), c.param("product"), c.param("id"),
                                         in.grace_seconds.value_or(kDefaultGrace)));
    return SecretResponse(RenderRolledCallbackSecret(rolled, clock_.Now()));
  }

  core::Result<Response> Revoke(Call& c) {
    VAULT_TRY(signing_.Revoke(c.ctx, c.param("ws"), c.param("product"), c.param("id")));
    return Response::NoContent();
  }

  core::Result<Response> Sign(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<SignInput>());
    VAULT_ASSIGN_OR_RETURN(auto signed_callback,
                           signing_.Sign(*c.client, in.Request(), in.timestamp));
    return JsonOk(200, RenderSignedCallback(signed_callback));
  }

  core::Result<Response> Verify(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<VerifyInput>());
    if (!in.callback.timestamp)
      return core::Fail(core::Code::kInvalidArgument, "validation.required",
                        "timestamp is required", "timestamp");
    VAULT_ASSIGN_OR_RETURN(auto verdict, signing_.Verify(*c.client, in.callback.Request(),
                                                         *in.callback.timestamp, in.signature));
    return JsonOk(200, RenderCallbackVerdict(verdict));
  }

  app::CallbackSigningService& signing_;
  core::Clock& clock_;
};

}  // namespace

void RegisterCallbackSigningRoutes(Router& router, app::AccountService& accounts,
                                   app::CallbackSigningService& signing,
                                   app::IntegrationService& integration, core::Clock& clock,
                                   const ApiOptions& options) {
  static std::vector<std::unique_ptr<CallbackSigningApi>> apis;  // live as long as the process
  apis.push_back(std::make_unique<CallbackSigningApi>(signing, clock));
  Routes routes(router, &accounts, &integration, options);
  apis.back()->Register(routes);
}

}  // namespace vault::http
