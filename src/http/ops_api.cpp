// Operational endpoints: liveness, readiness, Prometheus metrics, the OpenAPI document.
#include "http/api.hpp"
#include "http/endpoint.hpp"

namespace vault::http {

void RegisterOpsRoutes(Router& router, Metrics& metrics, core::Store& store,
                       std::function<int()> hash_threads) {
  Routes routes(router);
  const Access P = Access::kPublic;
  routes.Add({"GET", "/healthz", Executor::kInline, P}, [](Call&) -> core::Result<Response> {
    return Response::Json(200, R"({"status":"ok"})");
  });
  routes.Add({"GET", "/readyz", Executor::kBlocking, P},
             [&store, &metrics](Call&) -> core::Result<Response> {
               // A draining node is alive but must get no new traffic (Server: the stop grace
               // period).
               if (metrics.draining().load())
                 return core::Fail(core::Code::kUnavailable, "server.draining",
                                   "the server is shutting down");
               // A starting node answers from storage until its models are loaded, far slower
               // than from memory: it joins the pool only once they are.
               if (metrics.loading().load() > 0)
                 return core::Fail(core::Code::kUnavailable, "server.loading",
                                   "the server is loading its in-memory model");
               if (auto r = store.Ping(); !r)
                 return core::Fail(core::Code::kUnavailable, "storage.unavailable",
                                   "the database is not reachable");
               return Response::Json(200, R"({"status":"ok"})");
             });
  routes.Add({"GET", "/metrics", Executor::kInline, P},
             [&metrics, hash_threads](Call&) -> core::Result<Response> {
               Response r = Response::Json(200, metrics.Render(hash_threads()));
               r.content_type = "text/plain; version=0.0.4";
               return r;
             });
  routes.Add(
      {"GET", "/api/openapi.json", Executor::kInline, P},
      [](Call&) -> core::Result<Response> { return Response::Json(200, OpenApiDocument()); });
}

}  // namespace vault::http
