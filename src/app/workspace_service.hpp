// WorkspaceService: workspaces, memberships, invitations and the workspace audit log
// (SPEC §3). Every check of what a role may do goes through core's capability policy; a caller
// who is not a member gets not_found for anything inside the workspace, so ids leak nothing.
// Each use case is one transaction with its audit event. Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/account_service.hpp"
#include "app/audit_log.hpp"
#include "app/change_store.hpp"
#include "app/paging.hpp"
#include "core/store.hpp"
#include "core/workspace.hpp"

namespace vault::app {

struct WorkspacePatch {
  std::optional<std::string> name, shortname, description;
  std::optional<bool> require_2fa;
};

struct WorkspaceAccess {
  core::Workspace workspace;
  core::Membership membership;
};

struct MyWorkspaces {
  std::vector<core::WorkspaceCard> cards;
  std::string last_workspace_id;
};

struct InvitationAccepted {
  core::Workspace workspace;
  core::Membership membership;
  std::optional<SignedIn> signed_in;  // when the invitation created the account
};

// The deletion an Owner (WorkspaceService::Delete) and a Super Admin
// (PlatformService::DeleteWorkspace) both run inside their transaction, `w` locked: checks the
// typed confirmation (invalid_argument "workspace.confirmation_mismatch", field confirm),
// records `action` (the audit history outlives the workspace) and deletes the workspace with
// everything in it.
core::Result<void> DeleteWorkspaceIn(core::Tx& tx, const AuditLog& audit, const Actor& actor,
                                     const core::Workspace& w, const std::string& confirm,
                                     const std::string& action);

class WorkspaceService {
 public:
  WorkspaceService(Ports ports, AccountService& accounts);

  // Fails invalid_argument for bad fields, already_exists "workspace.shortname_taken".
  core::Result<WorkspaceAccess> Create(const AuthContext& ctx, const std::string& name,
                                       const std::string& shortname,
                                       const std::string& description);
  core::Result<MyWorkspaces> ListMine(const AuthContext& ctx);
  // Whether `shortname` could be used for a new workspace now (the console checks it live):
  // nullopt when it could, else the error Create would give ("workspace.shortname_invalid",
  // "…_reserved", "…_taken"). Shortnames are public (they are in every workspace URL).
  core::Result<std::optional<core::Error>> CheckShortname(const std::string& shortname);

  // The workspace as the caller may see it, checked for `capability`: not_found
  // "workspace.not_found" for non-members, permission_denied "workspace.requires_2fa" when the
  // workspace demands 2FA the caller lacks, permission_denied "permission.denied" otherwise.
  core::Result<WorkspaceAccess> Open(const AuthContext& ctx, const std::string& ws,
                                     core::Capability capability);
  // Open(kView) and remember the workspace as the caller's last used one.
  core::Result<WorkspaceAccess> Get(const AuthContext& ctx, const std::string& ws);
  core::Result<core::Workspace> Update(const AuthContext& ctx, const std::string& ws,
                                       const WorkspacePatch& patch);
  // Fails invalid_argument "workspace.confirmation_mismatch" unless confirm is the shortname.
  core::Result<void> Delete(const AuthContext& ctx, const std::string& ws,
                            const std::string& confirm);

  core::Result<void> PutLogo(const AuthContext& ctx, const std::string& ws,
                             const std::string& bytes);
  core::Result<core::Logo> GetLogo(const AuthContext& ctx, const std::string& ws);
  core::Result<void> DeleteLogo(const AuthContext& ctx, const std::string& ws);

  // A page of the members by (email, account id).
  core::Result<Paged<core::MemberView>> Members(const AuthContext& ctx, const std::string& ws,
                                                const PageRequest& page);
  // Fails failed_precondition "workspace.last_owner" when it would leave no Owner.
  core::Result<core::Membership> ChangeRole(const AuthContext& ctx, const std::string& ws,
                                            const std::string& account_id, core::Role role);
  // One step: the member `account_id` becomes an Owner and the calling Owner takes `new_role`
  // (not Owner), in one transaction (audited workspace.ownership_transferred). Fails
  // permission_denied for a caller who is not an Owner, invalid_argument "validation.self"
  // (account_id) for oneself and "validation.role" (new_role) for Owner, not_found
  // "member.not_found" for someone who is not a member.
  core::Result<core::Membership> TransferOwnership(const AuthContext& ctx, const std::string& ws,
                                                   const std::string& account_id,
                                                   core::Role new_role);
  // Removing oneself is leaving (any role); same last-Owner rule.
  core::Result<void> RemoveMember(const AuthContext& ctx, const std::string& ws,
                                  const std::string& account_id);

  // groups and product_grants (product id or shortname, role) are applied on acceptance; each
  // must exist in the workspace (not_found "group.not_found" / "product.not_found",
  // invalid_argument "grant.unknown_role").
  core::Result<core::Invitation> Invite(
      const AuthContext& ctx, const std::string& ws, const std::string& email, core::Role role,
      const std::vector<std::string>& groups = {},
      const std::vector<std::pair<std::string, std::string>>& product_grants = {});
  // A page of the pending invitations, newest first: (created_at DESC, id).
  core::Result<Paged<core::Invitation>> Invitations(const AuthContext& ctx, const std::string& ws,
                                                    const PageRequest& page);
  core::Result<void> RevokeInvitation(const AuthContext& ctx, const std::string& ws,
                                      const std::string& id);
  core::Result<core::Invitation> ResendInvitation(const AuthContext& ctx, const std::string& ws,
                                                  const std::string& id);
  // With ctx: the signed-in account's email must be the invited one. Without ctx: signs up a
  // new person (name + password) whose email the link proves; fails unauthenticated
  // "auth.required" when that email already has an account (sign in first).
  core::Result<InvitationAccepted> AcceptInvitation(const std::string& token,
                                                    const AuthContext* ctx, const std::string& name,
                                                    const std::string& password,
                                                    const ClientInfo& client);
  core::Result<void> DeclineInvitation(const std::string& token, const ClientInfo& client);
  // The signed-in invitee answers from the list (GET /me/invitations) instead of the mailed
  // link: `id` must be a pending, unexpired invitation to the caller's own address, else
  // not_found "invitation.not_found" (so nobody learns of invitations sent to others).
  core::Result<InvitationAccepted> AcceptMyInvitation(const AuthContext& ctx, const std::string& id,
                                                      const ClientInfo& client);
  core::Result<void> DeclineMyInvitation(const AuthContext& ctx, const std::string& id,
                                         const ClientInfo& client);
  // Pending invitations addressed to the caller, with their workspaces.
  core::Result<std::vector<std::pair<core::Invitation, core::Workspace>>> MyInvitations(
      const AuthContext& ctx);

  // Owners/Admins read everything; Billing only billing and subscription events.
  core::Result<std::vector<core::AuditEvent>> Audit(const AuthContext& ctx, const std::string& ws,
                                                    core::AuditQuery query);

  // Open inside the caller's transaction (for sibling services).
  core::Result<WorkspaceAccess> OpenIn(core::Tx& tx, const AuthContext& ctx, const std::string& ws,
                                       core::Capability capability);
  // Open for a change: takes the workspace row lock before reading the caller's membership,
  // so a caller demoted by a concurrent transaction is judged by the role it has now.
  core::Result<WorkspaceAccess> OpenForWrite(core::Tx& tx, const AuthContext& ctx,
                                             const std::string& ws, core::Capability capability);

 private:
  core::Result<core::Invitation> CheckInvitation(core::Tx& tx, const std::string& token);
  // The caller's own pending invitation `id` (AcceptMyInvitation).
  core::Result<core::Invitation> MyPendingInvitation(core::Tx& tx, const AuthContext& ctx,
                                                     const std::string& id);
  // Finds the invitation being answered inside the transaction: by link token or by id.
  using InvitationFinder = std::function<core::Result<core::Invitation>(core::Tx&)>;
  core::Result<InvitationAccepted> Accept(const InvitationFinder& find, const AuthContext* ctx,
                                          const std::string& name, const std::string& password,
                                          const ClientInfo& client);
  core::Result<void> Decline(const InvitationFinder& find, const Actor& actor);
  // Notes in tx that the workspace's access changed (app/change_store.hpp): the change feed row
  // commits with tx.
  static void Changed(core::Tx& tx, const std::string& workspace_id) {
    NoteWorkspaceChanged(tx, workspace_id);
  }
  // Gives the invitation a fresh token and 7-day expiry (not yet stored); sets the link.
  core::Result<core::Invitation> IssueInvitationToken(core::Invitation inv, std::string* link);
  // Queues the invitation mail in tx (sent after, and only if, tx commits).
  core::Result<void> MailInvitation(core::Tx& tx, const core::Invitation& inv,
                                    const core::Workspace& w, const std::string& inviter,
                                    const std::string& link);

  Ports p_;
  AccountService& accounts_;
  AuditLog audit_;
};

}  // namespace vault::app
