// Error and Result: the one error type every layer below the transport returns.
// Value types; thread-compatible.
#pragma once

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace vault::core {

// Canonical error classes; each maps to exactly one HTTP status in http/problem.cpp.
enum class Code {
  kInvalidArgument,
  kUnauthenticated,
  kPermissionDenied,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kResourceExhausted,
  kPayloadTooLarge,
  kUnsupportedMediaType,
  kUnavailable,
  kInternal,
};

struct Error {
  Code code = Code::kInternal;
  std::string id;      // stable machine code, part of the API, e.g. "password.too_short"
  std::string field;   // offending input field, empty when not an input error
  std::string detail;  // human-readable message; never contains secrets
  long retry_after = 0;  // seconds, for resource_exhausted/unavailable (0 = transport default)
};

template <typename T>
using Result = tl::expected<T, Error>;

// Returns an unexpected Error, for `return Fail(...)` in any Result<T> function.
inline tl::unexpected<Error> Fail(Code code, std::string id, std::string detail,
                                  std::string field = {}) {
  return tl::unexpected<Error>(Error{code, std::move(id), std::move(field), std::move(detail)});
}

inline tl::unexpected<Error> Fail(Error e) { return tl::unexpected<Error>(std::move(e)); }

// The error with `prefix` put before its field ("roles[0]." + "name"), for nested input.
inline Error Prefixed(Error e, const std::string& prefix) {
  e.field = e.field.empty() ? prefix.substr(0, prefix.size() - (prefix.ends_with('.') ? 1 : 0))
                            : prefix + e.field;
  return e;
}

// Name of a code ("invalid_argument"), for logs.
const char* CodeName(Code code);

}  // namespace vault::core
