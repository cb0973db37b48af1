#include "oidc/oauth_error.hpp"

#include <array>
#include <utility>

namespace vault::oidc {

namespace {

// The OAuth error codes this provider answers with, and their statuses (RFC 6749 §5.2: 400,
// except invalid_client, 401 when the client tried to authenticate).
constexpr std::array<std::pair<std::string_view, int>, 7> kCodes = {{
    {"invalid_request", 400},
    {"invalid_client", 401},
    {"invalid_grant", 400},
    {"unauthorized_client", 400},
    {"unsupported_grant_type", 400},
    {"invalid_scope", 400},
    {"access_denied", 403},
}};

}  // namespace

core::Error OAuthFailure(const std::string& error, std::string description) {
  core::Code code =
      error == "invalid_client" ? core::Code::kUnauthenticated : core::Code::kInvalidArgument;
  return core::Error{code, "oauth." + error, "", std::move(description)};
}

OAuthError ToOAuthError(const core::Error& e) {
  if (e.id.starts_with("oauth."))
    for (const auto& [name, status] : kCodes)
      if (e.id.substr(6) == name) return {status, std::string(name), e.detail};
  switch (e.code) {
    case core::Code::kInvalidArgument:
    case core::Code::kPayloadTooLarge:
    case core::Code::kUnsupportedMediaType:
      return {400, "invalid_request", e.detail};
    case core::Code::kUnauthenticated:
      return {401, "invalid_client", "client authentication failed"};
    case core::Code::kResourceExhausted:
      return {429, "temporarily_unavailable", "too many requests; retry later"};
    case core::Code::kUnavailable:
      return {503, "temporarily_unavailable", "the server is busy or its database unreachable"};
    default:
      return {500, "server_error", "internal error"};  // details stay in the log
  }
}

}  // namespace vault::oidc
