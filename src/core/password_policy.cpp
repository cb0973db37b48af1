#include "core/password_policy.hpp"

#include <algorithm>
#include <cctype>

#include "core/account.hpp"

namespace vault::core {

extern const std::string_view kCommonPasswordsText;  // generated at build time from npm

namespace {
constexpr std::size_t kMaxLength = 256;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}
}  // namespace

PasswordPolicy::PasswordPolicy(std::size_t min_length) : min_length_(min_length) {
  std::string_view text = kCommonPasswordsText;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view word = text.substr(0, nl);
    if (!word.empty()) common_.insert(word);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

Result<void> PasswordPolicy::Check(std::string_view password, std::string_view email,
                                   std::string_view field) const {
  std::string f(field);
  std::size_t length = CodePointCount(password);
  if (length < min_length_)
    return Fail(Code::kInvalidArgument, "password.too_short",
                "the password must have at least " + std::to_string(min_length_) + " characters",
                f);
  if (length > kMaxLength)
    return Fail(Code::kInvalidArgument, "password.too_long",
                "the password must have at most 256 characters", f);
  std::string lower = Lower(password);
  if (common_.contains(lower))
    return Fail(Code::kInvalidArgument, "password.common",
                "this password is too common; choose one that is harder to guess", f);
  auto at = email.rfind('@');
  std::string local = Lower(at == std::string_view::npos ? email : email.substr(0, at));
  if (local.size() >= 3 && lower.find(local) != std::string::npos)
    return Fail(Code::kInvalidArgument, "password.contains_email",
                "the password must not contain your email address", f);
  return {};
}

}  // namespace vault::core
