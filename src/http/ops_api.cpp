// Operational endpoints: liveness, readiness, Prometheus metrics, the OpenAPI document.
#include "http/api.hpp"
#include "http/problem.hpp"

namespace vault::http {

void RegisterOpsRoutes(Router& router, Metrics& metrics, core::Store& store,
                       std::function<int()> hash_threads) {
  router.Add("GET", "/healthz", Executor::kInline,
             [](Request&) { return Response::Json(200, R"({"status":"ok"})"); });
  router.Add("GET", "/readyz", Executor::kBlocking, [&store](Request& req) {
    if (auto r = store.Ping(); !r)
      return Problem(
          {core::Code::kUnavailable, "storage.unavailable", "", "the database is not reachable"},
          req.request_id);
    return Response::Json(200, R"({"status":"ok"})");
  });
  router.Add("GET", "/metrics", Executor::kInline, [&metrics, hash_threads](Request&) {
    Response r = Response::Json(200, metrics.Render(hash_threads()));
    r.content_type = "text/plain; version=0.0.4";
    return r;
  });
  router.Add("GET", "/api/openapi.json", Executor::kInline,
             [](Request&) { return Response::Json(200, OpenApiDocument()); });
}

}  // namespace vault::http
