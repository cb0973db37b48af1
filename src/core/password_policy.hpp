// Password policy after NIST SP 800-63B: length bounds, a common-password list, and no email
// local part inside the password. No composition rules. Immutable after construction; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>

#include "core/error.hpp"

namespace vault::core {

class PasswordPolicy {
 public:
  // min_length is configurable (default 10); max is fixed at 256 characters.
  explicit PasswordPolicy(std::size_t min_length = 10);

  // Fails invalid_argument with "password.too_short", "password.too_long", "password.common" or
  // "password.contains_email", naming `field`.
  Result<void> Check(std::string_view password, std::string_view email,
                     std::string_view field) const;

  std::size_t common_count() const { return common_.size(); }

 private:
  std::size_t min_length_;
  std::unordered_set<std::string_view> common_;
};

}  // namespace vault::core
