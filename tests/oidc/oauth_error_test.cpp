// The one map of errors to OAuth error responses (RFC 6749 §5.2), table-driven.
#include "oidc/oauth_error.hpp"

#include <gtest/gtest.h>

namespace vault::oidc {
namespace {

TEST(OAuthError, EveryErrorMapsToOneCodeAndStatus) {
  using core::Code;
  struct Case {
    core::Error in;
    int status;
    const char* error;
  };
  const Case cases[] = {
      {OAuthFailure("invalid_request", "x"), 400, "invalid_request"},
      {OAuthFailure("invalid_client", "x"), 401, "invalid_client"},
      {OAuthFailure("invalid_grant", "x"), 400, "invalid_grant"},
      {OAuthFailure("unauthorized_client", "x"), 400, "unauthorized_client"},
      {OAuthFailure("unsupported_grant_type", "x"), 400, "unsupported_grant_type"},
      {OAuthFailure("invalid_scope", "x"), 400, "invalid_scope"},
      {{Code::kInvalidArgument, "validation.required", "f", "d"}, 400, "invalid_request"},
      {{Code::kUnsupportedMediaType, "body.media_type", "", "d"}, 400, "invalid_request"},
      {{Code::kUnauthenticated, "client.invalid", "", "d"}, 401, "invalid_client"},
      {{Code::kResourceExhausted, "rate_limited", "", "d"}, 429, "temporarily_unavailable"},
      {{Code::kUnavailable, "storage.unavailable", "", "d"}, 503, "temporarily_unavailable"},
      {{Code::kInternal, "signing_key.corrupt", "", "secret detail"}, 500, "server_error"},
      {{Code::kNotFound, "x.not_found", "", "d"}, 500, "server_error"},
      {{Code::kInvalidArgument, "oauth.made_up", "", "d"}, 400, "invalid_request"},
  };
  for (const auto& c : cases) {
    auto out = ToOAuthError(c.in);
    EXPECT_EQ(out.status, c.status) << c.in.id;
    EXPECT_EQ(out.error, c.error) << c.in.id;
  }
  // An internal error's detail stays in the log, not in the answer.
  EXPECT_EQ(ToOAuthError({Code::kInternal, "i", "", "secret detail"}).description.find("secret"),
            std::string::npos);
}

}  // namespace
}  // namespace vault::oidc
