#include "app/invitation_authority.hpp"

namespace vault::app {

using core::Fail;
using core::Result;

Result<int> RevokeInvitationsBeyondAuthority(core::Tx& tx, const AuditLog& audit,
                                             const Actor& actor, const std::string& workspace_id,
                                             const std::string& inviter_id,
                                             std::optional<core::Role> role, core::Timestamp now) {
  VAULT_ASSIGN_OR_RETURN(auto pending, tx.ListPendingInvitations(workspace_id));
  int revoked = 0;
  for (auto& inv : pending) {
    if (inv.invited_by != inviter_id || (role && core::InviterMayIssue(*role, inv))) continue;
    inv.status = core::InvitationStatus::kRevoked;
    inv.responded_at = now;
    VAULT_TRY(tx.UpdateInvitation(inv));
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
  VAULT_ASSIGN_OR_RETURN(auto inviter, tx.FindAccountById(inv.invited_by));
  if (!inviter || (inviter)->disabled) return false;
  VAULT_ASSIGN_OR_RETURN(auto m, tx.FindMembership(inv.workspace_id, inv.invited_by));
  return m && core::InviterMayIssue((m)->role, inv);
}

}  // namespace vault::app
