// Invitations stand on their inviter's authority (SPEC §12): when an inviter is removed,
// demoted or deleted, the pending invitations their role no longer allows are revoked in the
// same transaction, and an acceptance re-checks the inviter's current role. Stateless.
#pragma once

#include <optional>
#include <string>

#include "app/audit_log.hpp"
#include "core/store.hpp"
#include "core/workspace.hpp"

namespace vault::app {

// Revokes, inside tx, the pending invitations of `workspace_id` issued by `inviter_id` that
// `role` (nullopt: no longer a member) may not issue, each audited as "invitation.revoked"
// with reason "inviter_lacks_authority" by `actor`. Returns how many; fails on storage errors.
core::Result<int> RevokeInvitationsBeyondAuthority(
    core::Tx& tx, const AuditLog& audit, const Actor& actor, const std::string& workspace_id,
    const std::string& inviter_id, std::optional<core::Role> role, core::Timestamp now);

// Whether the inviter of `inv` may still issue it now: still a member, not disabled, with a
// role that passes core::InviterMayIssue. Fails only on storage errors.
core::Result<bool> InviterStillAuthorized(core::Tx& tx, const core::Invitation& inv);

}  // namespace vault::app
