// The one mapping from core::Error to HTTP: status codes and RFC 9457 problem+json bodies.
// Pure; thread-safe.
#pragma once

#include "core/error.hpp"
#include "http/message.hpp"

namespace vault::http {

// HTTP status for an error code (table-driven; see problem_test.cpp).
int StatusFor(core::Code code);

// A problem+json response. Internal errors get a generic detail (the real one is for logs).
Response Problem(const core::Error& error, const std::string& request_id);

// 405 problem "route.method_not_allowed" for `path`, with the `Allow` header (RFC 9110 §15.5.6)
// set to `allow`, the comma-separated methods the path has.
Response MethodNotAllowed(const std::string& path, const std::string& allow,
                          const std::string& request_id);

}  // namespace vault::http
