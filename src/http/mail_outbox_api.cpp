// Handlers of the Super Admin's view of the durable mail outbox (issue 16):
// GET /api/v1/admin/mail-outbox?state=dead|queued (keyset pages, newest first; recipient,
// attempts, last error and times, never the sealed message) and
// POST /api/v1/admin/mail-outbox/{id}/retry (a dead message queued again, audited).
#include "http/api.hpp"
#include "http/endpoint.hpp"
#include "http/handler_util.hpp"
#include "http/render.hpp"

namespace vault::http {
namespace {

class MailOutboxApi {
 public:
  explicit MailOutboxApi(app::PlatformService& platform) : platform_(platform) {}

  void Register(Routes& routes) {
    using E = Executor;
    routes.Add({"GET", "/api/v1/admin/mail-outbox", E::kBlocking, Access::kSuperAdmin}, this,
               &MailOutboxApi::List);
    routes.Add({"POST", "/api/v1/admin/mail-outbox/{id}/retry", E::kBlocking, Access::kSuperAdmin},
               this, &MailOutboxApi::Retry);
  }

 private:
  core::Result<Response> List(Call& c) {
    const std::string state = c.req.Query("state").value_or("dead");
    if (state != "dead" && state != "queued")
      return core::Fail(core::Code::kInvalidArgument, "validation.query",
                        "state must be dead or queued", "state");
    VAULT_ASSIGN_OR_RETURN(
        auto page, platform_.ListMail(
                       c.ctx, state == "dead" ? core::MailState::kDead : core::MailState::kQueued,
                       QueryPage(c.req)));
    return JsonOk(200, RenderPaged(page, RenderOutboxMail));
  }

  core::Result<Response> Retry(Call& c) {
    VAULT_TRY(platform_.RetryMail(c.ctx, c.param("id")));
    return Response::Json(202, R"({"status":"queued"})");
  }

  app::PlatformService& platform_;
};

}  // namespace

void RegisterMailOutboxRoutes(Router& router, app::AccountService& accounts,
                              app::PlatformService& platform, const ApiOptions& options) {
  static std::vector<std::unique_ptr<MailOutboxApi>> apis;  // live as long as the process
  apis.push_back(std::make_unique<MailOutboxApi>(platform));
  Routes routes(router, &accounts, nullptr, options);
  apis.back()->Register(routes);
}

}  // namespace vault::http
