// Error and Result: the one error type every layer below the transport returns.
// Value types; thread-compatible.
#pragma once

#include <string>
#include <tl/expected.hpp>
#include <utility>

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
  std::string id;        // stable machine code, part of the API, e.g. "password.too_short"
  std::string field;     // offending input field, empty when not an input error
  std::string detail;    // human-readable message; never contains secrets
  long retry_after = 0;  // seconds, for resource_exhausted/unavailable (0 = transport default)
};

// A value or an Error. [[nodiscard]]: a dropped result is a build error (warnings are errors),
// so no failure is ignored by accident; `(void)` marks the few that are ignored on purpose.
template <typename T>
class [[nodiscard]] Result : public tl::expected<T, Error> {
 public:
  using tl::expected<T, Error>::expected;
};

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

// VAULT_TRY(expr): evaluates the Result `expr` once and, when it failed, returns its error from
// the enclosing function (which returns any Result).
//   VAULT_TRY(tx.UpdateAccount(account));
#define VAULT_TRY(...)                                                  \
  do {                                                                  \
    if (auto vault_try_result_ = (__VA_ARGS__); !vault_try_result_)     \
      return ::vault::core::Fail(std::move(vault_try_result_).error()); \
  } while (false)

// VAULT_ASSIGN_OR_RETURN(lhs, expr): evaluates the Result `expr`; on failure returns its error
// from the enclosing function, otherwise moves the value into `lhs` (a declaration or a
// variable).
//   VAULT_ASSIGN_OR_RETURN(auto account, tx.FindAccountById(id));  // std::optional<Account>
#define VAULT_ASSIGN_OR_RETURN(lhs, ...) \
  VAULT_ASSIGN_OR_RETURN_IMPL_(VAULT_CONCAT_(vault_result_, __LINE__), lhs, __VA_ARGS__)
#define VAULT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, ...)             \
  auto tmp = (__VA_ARGS__);                                     \
  if (!tmp) return ::vault::core::Fail(std::move(tmp).error()); \
  lhs = std::move(*tmp)
#define VAULT_CONCAT_(a, b) VAULT_CONCAT_INNER_(a, b)
#define VAULT_CONCAT_INNER_(a, b) a##b

// Name of a code ("invalid_argument"), for logs.
const char* CodeName(Code code);

}  // namespace vault::core
