// Reading OAuth requests (ADR 0010): form bodies (RFC 6749 §3.2: each parameter once), client
// authentication (client_secret_basic, client_secret_post, or a public client naming itself),
// the authorization request's query, and the query to return to after signing in. Pure
// functions of the request, so they are fuzzed alone (fuzz/oauth_request.cpp). Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "http/message.hpp"
#include "oidc/authorize_service.hpp"
#include "oidc/token_service.hpp"

namespace vault::http {

struct Form {
  std::vector<std::pair<std::string, std::string>> params;
  std::optional<std::string> Get(std::string_view name) const {
    for (const auto& [k, v] : params)
      if (k == name) return v;
    return std::nullopt;
  }
};

// An application/x-www-form-urlencoded body; fails "oauth.invalid_request" for another media type
// (JSON included), text that is not clean UTF-8, or a parameter sent twice.
core::Result<Form> ReadForm(const Request& req);
// Fails "oauth.invalid_client" (malformed Basic, Authorization of another scheme, no client) or
// "oauth.invalid_request" (two methods at once, client_id differing from Basic).
core::Result<oidc::ClientAuth> ReadClientAuth(const Request& req, const Form& form);
// Fails invalid_argument "validation.query" for text that is not clean UTF-8; a repeated
// parameter is recorded in `repeated` (the first value kept).
core::Result<oidc::AuthorizeParams> ReadAuthorizeParams(const Request& req);
// The authorize query to come back to after signing in: as sent, without prompt=login, max_age
// and a chooser answer.
std::string ReturnQuery(const Request& req);

}  // namespace vault::http
