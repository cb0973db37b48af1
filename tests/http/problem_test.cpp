#include "http/problem.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "http/router.hpp"

namespace vault::http {
namespace {

TEST(Problem, MapsEveryCodeToItsStatus) {
  const std::pair<core::Code, int> table[] = {
      {core::Code::kInvalidArgument, 400},   {core::Code::kUnauthenticated, 401},
      {core::Code::kPermissionDenied, 403},  {core::Code::kNotFound, 404},
      {core::Code::kAlreadyExists, 409},     {core::Code::kFailedPrecondition, 409},
      {core::Code::kPayloadTooLarge, 413},   {core::Code::kUnsupportedMediaType, 415},
      {core::Code::kResourceExhausted, 429}, {core::Code::kUnavailable, 503},
      {core::Code::kInternal, 500},
  };
  for (auto [code, status] : table) EXPECT_EQ(StatusFor(code), status) << core::CodeName(code);
}

TEST(Problem, RendersRfc9457WithCodeAndField) {
  Response r =
      Problem({core::Code::kInvalidArgument, "validation.email", "email", "bad address"}, "rid-1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/problem+json");
  auto o = boost::json::parse(r.body).as_object();
  EXPECT_EQ(o["code"].as_string(), "validation.email");
  EXPECT_EQ(o["field"].as_string(), "email");
  EXPECT_EQ(o["status"].as_int64(), 400);
  EXPECT_EQ(o["request_id"].as_string(), "rid-1");
}

TEST(Problem, HidesInternalDetailsAndAddsRetryAfterWhenOverloaded) {
  Response r =
      Problem({core::Code::kInternal, "storage.error", "", "disk I/O error at /secret/path"}, "x");
  EXPECT_EQ(r.body.find("/secret/path"), std::string::npos);
  Response busy = Problem({core::Code::kUnavailable, "overloaded", "", "busy"}, "x");
  ASSERT_EQ(busy.headers.size(), 1u);
  EXPECT_EQ(busy.headers[0].first, "Retry-After");
}

TEST(Router, MatchesParamsPrefersLiteralsAndReports405) {
  Router router;
  router.Add("DELETE", "/api/v1/me/sessions/{id}", Executor::kInline,
             [](Request&) { return Response{}; });
  router.Add("GET", "/api/v1/me/sessions/current", Executor::kInline,
             [](Request&) { return Response{}; });
  Request req;
  req.method = "DELETE";
  req.path = "/api/v1/me/sessions/ses_abc";
  Match m = router.Find(req);
  ASSERT_TRUE(m.route);
  EXPECT_EQ(req.params["id"], "ses_abc");
  Request get;
  get.method = "GET";
  get.path = "/api/v1/me/sessions/current";
  EXPECT_EQ(router.Find(get).route->pattern, "/api/v1/me/sessions/current");
  get.path = "//api/v1//me/sessions/current/";  // empty segments are dropped, as before
  EXPECT_EQ(router.Find(get).route->pattern, "/api/v1/me/sessions/current");
  // A literal path routed for another method still reaches a parameterised route of this one.
  Request del;
  del.method = "DELETE";
  del.path = "/api/v1/me/sessions/current";
  ASSERT_TRUE(router.Find(del).route);
  EXPECT_EQ(router.Find(del).route->pattern, "/api/v1/me/sessions/{id}");
  EXPECT_EQ(del.params["id"], "current");
  Request post;
  post.method = "POST";
  post.path = "/api/v1/me/sessions/x";
  Match none = router.Find(post);
  EXPECT_FALSE(none.route);
  EXPECT_TRUE(none.path_known);
  EXPECT_EQ(router.AllowedMethods("/api/v1/me/sessions/x"), "DELETE");
  EXPECT_EQ(router.AllowedMethods("/api/v1/me/sessions/current"), "DELETE, GET");
  EXPECT_EQ(router.AllowedMethods("/api/v1/nowhere"), "");
}

TEST(Problem, MethodNotAllowedSays405InBodyAndAllowHeader) {
  Response r = MethodNotAllowed("/x", "GET, PUT", "rid");
  EXPECT_EQ(r.status, 405);
  auto o = boost::json::parse(r.body).as_object();
  EXPECT_EQ(o["status"].as_int64(), 405);
  EXPECT_EQ(o["code"].as_string(), "route.method_not_allowed");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Allow", "GET, PUT"}));
}

}  // namespace
}  // namespace vault::http
