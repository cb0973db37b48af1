#include <gtest/gtest.h>

#include <stdexcept>

#include "http/endpoint.hpp"

namespace vault::http {
namespace {

core::Result<Response> Ok(Call&) { return Response::NoContent(); }

// A route whose checks need a service the registrar was not given is refused when it is
// registered (at start-up), not when the first request arrives.
TEST(Routes, ARouteMissingWhatItNeedsThrowsWhenRegistered) {
  struct Case {
    const char* what;
    Access access;
    Rate rate;
  } cases[] = {
      {"session route without an AccountService", Access::kSession, Rate::kNone},
      {"Super Admin route without an AccountService", Access::kSuperAdmin, Rate::kNone},
      {"credential-or-session route without an AccountService", Access::kCredentialOrSession,
       Rate::kNone},
      {"service-client route without an IntegrationService", Access::kServiceClient, Rate::kNone},
      {"rate-limited route without a rate limiter", Access::kPublic, Rate::kCredential},
  };
  for (const auto& c : cases) {
    Router router;
    Routes routes(router);  // public routes only: no services, no per-IP bucket
    try {
      routes.Add({"POST", "/api/v1/x", Executor::kBlocking, c.access, c.rate}, Ok);
      ADD_FAILURE() << c.what << ": registered";
    } catch (const std::logic_error& e) {
      EXPECT_STREQ(e.what(), "route POST /api/v1/x: missing dependency") << c.what;
    }
  }
}

TEST(Routes, RoutesWithWhatTheyNeedRegister) {
  Router router;
  Routes public_only(router);
  EXPECT_NO_THROW(public_only.Add({"GET", "/healthz", Executor::kInline, Access::kPublic}, Ok));
  EXPECT_NO_THROW(
      public_only.Add({"POST", "/login", Executor::kBlocking, Access::kCredential}, Ok));
  // With a rate limiter (the options give one) but still no services.
  Routes limited(router, nullptr, nullptr, ApiOptions{});
  EXPECT_NO_THROW(limited.Add(
      {"POST", "/signin", Executor::kBlocking, Access::kCredential, Rate::kCredential}, Ok));
  EXPECT_THROW(limited.Add({"GET", "/me", Executor::kBlocking, Access::kSession}, Ok),
               std::logic_error);
}

}  // namespace
}  // namespace vault::http
