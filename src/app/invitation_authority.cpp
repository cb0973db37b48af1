#include "app/invitation_authority.hpp"

namespace vault::app {

using core::Fail;
using core::Result;

Result<int> RevokeInvitationsBeyondAuthority(core::Tx& tx, const AuditLog& audit, const Actor& actor,
                                             const std::string& workspace_id,
                                             const std::string& inviter_id,
                                             std::optional<core::Role> role, core::Timestamp now) {
  auto pending = tx.ListPendingInvitations(workspace_id);
  if (!pending) return Fail(pending.error());
  int revoked = 0;
  for (auto& inv : *pending) {
    if (inv.invited_by != inviter_id || (role && core::InviterMayIssue(*role, inv))) continue;
    inv.status = core::InvitationStatus::kRevoked;
    inv.responded_at = now;
    if (auto u = tx.UpdateInvitation(inv); !u) return Fail(u.error());
    if (auto e = audit.Record(tx, actor,
                              {"invitation.revoked", "invitation", inv.id,
                               JsonSummary({{"reason", "inviter_lacks_authority"}}), workspace_id});
        !e)
      return Fail(e.error());
    ++revoked;
  }
  return revoked;
}

Result<bool> InviterStillAuthorized(core::Tx& tx, const core::Invitation& inv) {
  auto inviter = tx.FindAccountById(inv.invited_by);
  if (!inviter) return Fail(inviter.error());
  if (!*inviter || (*inviter)->disabled) return false;
  auto m = tx.FindMembership(inv.workspace_id, inv.invited_by);
  if (!m) return Fail(m.error());
  return *m && core::InviterMayIssue((*m)->role, inv);
}

}  // namespace vault::app
