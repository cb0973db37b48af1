// The one mapping of errors to OAuth 2.0 error responses (RFC 6749 §5.2, RFC 7662 §2.3): the
// OAuth endpoints answer {"error", "error_description"} JSON, never problem+json. Errors made for
// OAuth carry the id "oauth.<error code>"; any other error maps by its canonical code.
// Thread-safe (stateless).
#pragma once

#include <string>

#include "core/error.hpp"

namespace vault::oidc {

struct OAuthError {
  int status = 400;
  std::string error;        // RFC 6749 error code, e.g. "invalid_client"
  std::string description;  // human-readable; never secrets
};

// invalid_client → 401 (the transport adds WWW-Authenticate); invalid_request, invalid_grant,
// unauthorized_client, unsupported_grant_type, invalid_scope → 400; an error of another id maps
// by code: invalid_argument → invalid_request 400, unauthenticated → invalid_client 401,
// resource_exhausted → 429 and unavailable → 503 (temporarily_unavailable), anything else →
// server_error 500 (its detail is not shown).
OAuthError ToOAuthError(const core::Error& e);

// An error for OAuth: Fail(OAuthFailure("invalid_scope", "…")).
core::Error OAuthFailure(const std::string& error, std::string description);

}  // namespace vault::oidc
