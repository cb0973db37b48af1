#include "core/workspace.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/account.hpp"

namespace vault::core {
namespace {

constexpr std::array<std::string_view, 24> kReserved = {
    "api",   "admin",   "www",    "vault",   "login",    "logout", "signup", "signin",
    "oauth", "oauth2",  "auth",   "account", "accounts", "static", "assets", "console",
    "help",  "support", "status", "billing", "mail",     "root",   "system", "workspaces"};

}  // namespace

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kOwner:
      return "owner";
    case Role::kAdmin:
      return "admin";
    case Role::kMember:
      return "member";
    case Role::kBilling:
      return "billing";
  }
  return "member";
}

Result<Role> ParseRole(std::string_view name, std::string_view field) {
  for (Role r : {Role::kOwner, Role::kAdmin, Role::kMember, Role::kBilling})
    if (RoleName(r) == name) return r;
  return Fail(Code::kInvalidArgument, "validation.role",
              "role must be one of owner, admin, member, billing", std::string(field));
}

std::string_view InvitationStatusName(InvitationStatus s) {
  switch (s) {
    case InvitationStatus::kPending:
      return "pending";
    case InvitationStatus::kAccepted:
      return "accepted";
    case InvitationStatus::kDeclined:
      return "declined";
    case InvitationStatus::kRevoked:
      return "revoked";
  }
  return "pending";
}

InvitationStatus ParseInvitationStatus(std::string_view s) {
  for (auto st : {InvitationStatus::kPending, InvitationStatus::kAccepted,
                  InvitationStatus::kDeclined, InvitationStatus::kRevoked})
    if (InvitationStatusName(st) == s) return st;
  return InvitationStatus::kRevoked;
}

namespace {

// One line of text, spaces trimmed: 1 to `max` characters, no control characters.
Result<std::string> TrimmedLine(std::string_view text, std::size_t max, const char* id,
                                const char* detail, std::string_view field) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty() || CodePointCount(text) > max || HasControlChars(text))
    return Fail(Code::kInvalidArgument, id, detail, std::string(field));
  return std::string(text);
}

}  // namespace

Result<std::string> ValidateWorkspaceName(std::string_view name, std::string_view field) {
  return TrimmedLine(name, 100, "validation.name",
                     "the workspace name must have 1 to 100 characters and no control characters",
                     field);
}

Result<std::string> ValidateSuspensionReason(std::string_view reason, std::string_view field) {
  return TrimmedLine(reason, 500, "validation.reason",
                     "the reason must have 1 to 500 characters and no control characters", field);
}

Result<std::string> ValidateShortname(std::string_view shortname, std::string_view field) {
  std::string s(shortname);
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  bool ok = s.size() >= 3 && s.size() <= 40 && s.front() >= 'a' && s.front() <= 'z' &&
            s.back() != '-' && s.find("--") == std::string::npos;
  for (char c : s) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  if (!ok)
    return Fail(Code::kInvalidArgument, "workspace.shortname_invalid",
                "the short name must have 3 to 40 lower-case letters, digits and single hyphens, "
                "start with a letter and not end with a hyphen",
                std::string(field));
  if (std::find(kReserved.begin(), kReserved.end(), s) != kReserved.end())
    return Fail(Code::kInvalidArgument, "workspace.shortname_reserved",
                "this short name is reserved", std::string(field));
  return s;
}

Result<std::string> ValidateDescription(std::string_view text, std::string_view field) {
  if (CodePointCount(text) > 1000)
    return Fail(Code::kInvalidArgument, "validation.too_long",
                "the description must have at most 1000 characters", std::string(field));
  std::string without_breaks(text);
  for (auto& c : without_breaks)
    if (c == '\n' || c == '\t') c = ' ';
  if (HasControlChars(without_breaks))  // C0 (but line breaks and tabs) and C1 controls
    return Fail(Code::kInvalidArgument, "validation.text",
                "the description contains control characters", std::string(field));
  return std::string(text);
}

Result<std::string> CheckLogo(std::string_view b) {
  if (b.size() > 512 * 1024)
    return Fail(Code::kPayloadTooLarge, "logo.too_large", "the logo must be at most 512 KiB",
                "logo");
  if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8))
    return std::string("image/png");
  if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") return std::string("image/jpeg");
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP")
    return std::string("image/webp");
  return Fail(Code::kInvalidArgument, "logo.unsupported_type",
              "the logo must be a PNG, JPEG or WebP image", "logo");
}

bool Allows(Role role, Capability c) {
  switch (c) {
    case Capability::kView:
      return true;
    case Capability::kEditSettings:
    case Capability::kManageMembers:
    case Capability::kManageAccess:
    case Capability::kReadAudit:
      return role == Role::kOwner || role == Role::kAdmin;
    case Capability::kChangeShortname:
    case Capability::kDeleteWorkspace:
    case Capability::kManageOwners:
      return role == Role::kOwner;
    case Capability::kSeeBilling:
      return role != Role::kMember;
    case Capability::kChangeBilling:
      return role == Role::kOwner || role == Role::kBilling;
    case Capability::kReadBillingAudit:
      return role != Role::kMember;
  }
  return false;
}

bool MayChangeRole(Role actor, Role from, Role to) {
  if (!Allows(actor, Capability::kManageMembers)) return false;
  if (from == Role::kOwner || to == Role::kOwner) return Allows(actor, Capability::kManageOwners);
  return true;
}

bool MayRemove(Role actor, Role target) {
  if (!Allows(actor, Capability::kManageMembers)) return false;
  return target != Role::kOwner || Allows(actor, Capability::kManageOwners);
}

bool MayInvite(Role actor, Role role) {
  if (!Allows(actor, Capability::kManageMembers)) return false;
  return role != Role::kOwner || Allows(actor, Capability::kManageOwners);
}

bool InviterMayIssue(Role inviter, const Invitation& inv) {
  if (!MayInvite(inviter, inv.role)) return false;
  bool carries_access = !inv.group_ids.empty() || !inv.product_grants.empty();
  return !carries_access || Allows(inviter, Capability::kManageAccess);
}

}  // namespace vault::core
