// Handler for the access review (issue 19): GET /api/v1/workspaces/{ws}/access-review, one
// keyset page of member × product rows as JSON ({items, next_cursor}); CSV or NDJSON either the
// page of the same query (with ?limit=, X-Next-Cursor) or, without ?limit=, every row from the
// cursor on, streamed page by page (http/streamed_export.hpp) like the audit export.
#include <boost/json.hpp>

#include "http/access_review_json.hpp"
#include "http/api.hpp"
#include "http/endpoint.hpp"
#include "http/handler_util.hpp"
#include "http/render.hpp"
#include "http/streamed_export.hpp"

namespace vault::http {
namespace {

core::Error BadQuery(const char* field, std::string detail) {
  return core::Error{core::Code::kInvalidArgument, "validation.query", field, std::move(detail)};
}

class AccessReviewApi {
 public:
  explicit AccessReviewApi(app::AccessReviewService& review) : review_(review) {}

  void Register(Routes& routes) {
    routes.Add(
        {"GET", "/api/v1/workspaces/{ws}/access-review", Executor::kBlocking, Access::kSession},
        this, &AccessReviewApi::Review);
  }

 private:
  core::Result<Response> Review(Call& c) {
    // Who may read it before what was asked: a non-member learns nothing from a bad query.
    VAULT_ASSIGN_OR_RETURN(auto workspace_id, review_.Authorize(c.ctx, c.param("ws")));
    app::AccessReviewQuery q;
    VAULT_ASSIGN_OR_RETURN(q.limit, QueryLimit(c.req, 100, 1000));
    if (auto cursor = c.req.Query("cursor")) {
      q.after = app::ParseReviewCursor(*cursor);
      if (!q.after)
        return core::Fail(BadQuery("cursor", "cursor must be a next_cursor from an earlier page"));
    }
    std::string format = c.req.Query("format").value_or("json");
    if (format != "json" && format != "ndjson" && format != "csv")
      return core::Fail(BadQuery("format", "format must be json, ndjson or csv"));
    const bool ndjson = format == "ndjson";
    const char* type = ndjson ? "application/x-ndjson" : "text/csv; charset=utf-8";
    auto append = [ndjson](std::string& out, const app::AccessReviewRow& row) {
      if (ndjson)
        out += boost::json::serialize(RenderReviewRow(row)) + "\n";
      else
        out += ReviewCsvLine(row);
    };
    if (format != "json" && !c.req.Query("limit"))
      return StreamedExport<app::AccessReviewRow>(
          type, ndjson ? "" : ReviewCsvHeader(),
          // By id: a rename during the export must not end it.
          [&review = review_, ctx = c.ctx, ws = workspace_id, q](const app::AccessReviewRow* last) {
            app::AccessReviewQuery page = q;
            page.limit = static_cast<int>(kExportPage);
            if (last) page.after = std::make_pair(last->account.id, last->product.id);
            return review.Page(ctx, ws, page);
          },
          append);
    VAULT_ASSIGN_OR_RETURN(auto rows, review_.Page(c.ctx, c.param("ws"), q));
    if (format == "json")
      return JsonOk(200, RenderPage(rows, static_cast<std::size_t>(q.limit), RenderReviewRow,
                                    app::ReviewCursor));
    Response res;
    res.content_type = type;
    if (!ndjson) res.body = ReviewCsvHeader();
    for (const auto& row : rows) append(res.body, row);
    if (rows.size() == static_cast<std::size_t>(q.limit))
      res.headers.emplace_back("X-Next-Cursor", app::ReviewCursor(rows.back()));
    return res;
  }

  app::AccessReviewService& review_;
};

}  // namespace

void RegisterAccessReviewRoutes(Router& router, app::AccountService& accounts,
                                app::AccessReviewService& review,
                                app::IntegrationService& integration, const ApiOptions& options) {
  static std::vector<std::unique_ptr<AccessReviewApi>> apis;  // live as long as the process
  apis.push_back(std::make_unique<AccessReviewApi>(review));
  Routes routes(router, &accounts, &integration, options);
  apis.back()->Register(routes);
}

}  // namespace vault::http
