// Workspaces, memberships and invitations: entities, the field rules, and the capability
// policy of SPEC §3 — the one place that decides what each workspace role may do. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace vault::core {

enum class Role { kOwner, kAdmin, kMember, kBilling };
std::string_view RoleName(Role r);  // "owner", "admin", "member", "billing"
// Parses a role name; fails invalid_argument "validation.role" naming `field`.
Result<Role> ParseRole(std::string_view name, std::string_view field);

struct Workspace {
  std::string id;  // "ws_…"
  std::string name;
  std::string shortname;  // lower case, globally unique
  std::string description;
  bool require_2fa = false;
  Timestamp created_at = 0;
  Timestamp updated_at = 0;
  // Set by a Super Admin (issue 19): 0 when the workspace is not suspended. While suspended,
  // members keep their accounts and may read, but the workspace's products deny every access
  // check, its API keys and sign-ins are refused, and its members may not change it.
  Timestamp suspended_at = 0;
  std::string suspension_reason;  // shown to Super Admins only
  bool suspended() const { return suspended_at != 0; }
};

struct Membership {
  std::string workspace_id;
  std::string account_id;
  Role role = Role::kMember;
  Timestamp created_at = 0;
};

enum class InvitationStatus { kPending, kAccepted, kDeclined, kRevoked };
std::string_view InvitationStatusName(InvitationStatus s);
InvitationStatus ParseInvitationStatus(std::string_view s);

struct Invitation {
  std::string id;  // "inv_…"
  std::string workspace_id;
  std::string email;
  std::string email_norm;
  Role role = Role::kMember;
  std::string token_hash;
  std::string invited_by;  // account id
  InvitationStatus status = InvitationStatus::kPending;
  Timestamp created_at = 0;
  Timestamp expires_at = 0;
  Timestamp responded_at = 0;
  // Access granted on acceptance (SPEC §3): groups to join and product roles to receive.
  std::vector<std::string> group_ids;
  std::vector<std::pair<std::string, std::string>> product_grants;  // (product id, role)
};

// Name: 1–100 characters, no control characters. Fails "validation.name".
Result<std::string> ValidateWorkspaceName(std::string_view name, std::string_view field);
// Shortname: 3–40 chars of a-z, 0-9 and single hyphens, starting with a letter, not ending in
// a hyphen, not reserved. Upper case is folded. Fails "workspace.shortname_invalid" or
// "workspace.shortname_reserved".
Result<std::string> ValidateShortname(std::string_view shortname, std::string_view field);
// Why a Super Admin suspends a workspace: 1–500 characters (trimmed), no control characters.
// Fails invalid_argument "validation.reason".
Result<std::string> ValidateSuspensionReason(std::string_view reason, std::string_view field);
// Description: at most 1000 characters.
Result<std::string> ValidateDescription(std::string_view text, std::string_view field);

// Checks a logo by its content (not the declared type): PNG, JPEG or WebP of at most
// 512 KiB. Returns the content type; fails "logo.too_large" (payload_too_large) or
// "logo.unsupported_type".
Result<std::string> CheckLogo(std::string_view bytes);

// What a workspace role may do (SPEC §3 capability table).
enum class Capability {
  kView,          // the workspace, its members and the products granted to them
  kEditSettings,  // name, logo, description, 2FA rule
  kChangeShortname,
  kDeleteWorkspace,
  kManageOwners,   // make or unmake Owners, remove Owners
  kManageMembers,  // invite, remove, change roles of non-Owners
  kManageAccess,   // groups, products, grants, API keys
  kSeeBilling,
  kChangeBilling,
  kReadAudit,         // the whole workspace audit log
  kReadBillingAudit,  // billing events only
};

bool Allows(Role role, Capability capability);

// Whether `actor` may change a member from `from` to `to` (an Owner involved needs
// kManageOwners). Does not check the last-Owner rule, which needs the member count.
bool MayChangeRole(Role actor, Role from, Role to);
// Whether `actor` may remove a member who has role `target` (not themselves).
bool MayRemove(Role actor, Role target);
// Whether `actor` may invite someone with role `role`.
bool MayInvite(Role actor, Role role);
// Whether an inviter who now has role `inviter` may still stand behind `inv` (SPEC §12: an
// action taken on someone's authority is re-checked when it takes effect): MayInvite for its
// role and, when it carries groups or product grants, kManageAccess.
bool InviterMayIssue(Role inviter, const Invitation& inv);

}  // namespace vault::core
