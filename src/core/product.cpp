#include "core/product.hpp"

#include <algorithm>
#include <cctype>

namespace vault::core {

const ProductRole* ProductType::FindRole(std::string_view name) const {
  for (const auto& r : roles)
    if (r.name == name) return &r;
  return nullptr;
}

const Plan* ProductType::FindPlan(std::string_view key) const {
  for (const auto& p : plans)
    if (p.key == key) return &p;
  return nullptr;
}

std::string_view SubscriptionStatusName(SubscriptionStatus s) {
  switch (s) {
    case SubscriptionStatus::kInTrial:
      return "in_trial";
    case SubscriptionStatus::kActive:
      return "active";
    case SubscriptionStatus::kNonRenewing:
      return "non_renewing";
    case SubscriptionStatus::kPaused:
      return "paused";
    case SubscriptionStatus::kCancelled:
      return "cancelled";
  }
  return "cancelled";
}

std::optional<SubscriptionStatus> ParseSubscriptionStatus(std::string_view s) {
  for (auto st :
       {SubscriptionStatus::kInTrial, SubscriptionStatus::kActive, SubscriptionStatus::kNonRenewing,
        SubscriptionStatus::kPaused, SubscriptionStatus::kCancelled})
    if (SubscriptionStatusName(st) == s) return st;
  return std::nullopt;
}

bool IsProductActive(const Product& p, const std::optional<Subscription>& s, Timestamp now) {
  if (p.disabled || !s) return false;
  bool live = s->status == SubscriptionStatus::kInTrial ||
              s->status == SubscriptionStatus::kActive ||
              s->status == SubscriptionStatus::kNonRenewing;
  return live && (s->period_end == 0 || now < s->period_end);
}

std::string_view PrincipalTypeName(PrincipalType t) {
  return t == PrincipalType::kAccount ? "account" : "group";
}

Result<PrincipalType> ParsePrincipalType(std::string_view s, std::string_view field) {
  if (s == "account") return PrincipalType::kAccount;
  if (s == "group") return PrincipalType::kGroup;
  return Fail(Code::kInvalidArgument, "validation.principal_type",
              "principal type must be account or group", std::string(field));
}

std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ') ++j;
    if (j > i) out.emplace_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string JoinWords(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

Result<std::string> ValidateProductShortname(std::string_view shortname, std::string_view field) {
  std::string s(shortname);
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  bool ok = s.size() >= 2 && s.size() <= 40 && s.front() >= 'a' && s.front() <= 'z' &&
            s.back() != '-' && s.find("--") == std::string::npos;
  for (char c : s) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  if (!ok)
    return Fail(Code::kInvalidArgument, "product.shortname_invalid",
                "the short name must have 2 to 40 lower-case letters, digits and single hyphens, "
                "starting with a letter",
                std::string(field));
  return s;
}

Result<void> ValidatePermissionName(std::string_view name, std::string_view field) {
  bool ok = !name.empty() && name.size() <= 128;
  for (char c : name)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) ||
                std::string_view("._:-/*").find(c) != std::string_view::npos);
  if (!ok)
    return Fail(Code::kInvalidArgument, "validation.permission",
                "a permission or feature name has 1 to 128 letters, digits and . _ : - / * "
                "(no spaces)",
                std::string(field));
  return {};
}

Result<void> ValidatePermissionNames(const std::vector<std::string>& names,
                                     std::string_view field) {
  for (std::size_t i = 0; i < names.size(); ++i)
    VAULT_TRY(ValidatePermissionName(names[i], std::string(field) + "[" + std::to_string(i) + "]"));
  return {};
}

}  // namespace vault::core
