// PlatformService: the Super Admin API (SPEC §13 /api/v1/admin/…): search and inspect accounts
// and workspaces, disable/enable accounts (ending their sessions), grant or revoke Super Admin,
// suspend and resume workspaces.
// Every call checks the caller is a Super Admin (permission_denied "admin.required"); every
// change is audited. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/account_service.hpp"
#include "app/audit_log.hpp"
#include "app/paging.hpp"
#include "app/workspace_service.hpp"
#include "core/store.hpp"

namespace vault::app {

struct AccountPatch {
  std::optional<bool> disabled, super_admin;
};

struct AccountDetail {
  core::Account account;
  std::vector<core::WorkspaceCard> workspaces;
};

struct WorkspaceDetail {
  core::Workspace workspace;
  std::vector<core::MemberView> members;
};

class PlatformService {
 public:
  explicit PlatformService(Ports ports);

  core::Result<std::vector<core::Account>> SearchAccounts(const AuthContext& ctx,
                                                          const std::string& query,
                                                          const std::string& after, int limit);
  core::Result<AccountDetail> GetAccount(const AuthContext& ctx, const std::string& id);
  // Fails failed_precondition "admin.self" for disabling or demoting oneself.
  core::Result<core::Account> UpdateAccount(const AuthContext& ctx, const std::string& id,
                                            const AccountPatch& patch);
  core::Result<std::vector<core::Workspace>> SearchWorkspaces(const AuthContext& ctx,
                                                              const std::string& query,
                                                              const std::string& after, int limit);
  core::Result<WorkspaceDetail> GetWorkspace(const AuthContext& ctx, const std::string& id);
  // Suspends the workspace (id or shortname) with a reason (1–500 characters, invalid_argument
  // "validation.reason"), audited admin.workspace_suspended; the change feed carries it to
  // every node's caches. Fails not_found "workspace.not_found", failed_precondition
  // "workspace.already_suspended".
  core::Result<core::Workspace> SuspendWorkspace(const AuthContext& ctx, const std::string& id,
                                                 const std::string& reason);
  // Lifts the suspension (audited admin.workspace_resumed with the reason it had). Fails
  // not_found "workspace.not_found", failed_precondition "workspace.not_suspended".
  core::Result<core::Workspace> ResumeWorkspace(const AuthContext& ctx, const std::string& id);
  // The Owner's deletion (DeleteWorkspaceIn), audited admin.workspace_deleted; works on a
  // suspended workspace too. Fails not_found, invalid_argument "workspace.confirmation_mismatch".
  core::Result<void> DeleteWorkspace(const AuthContext& ctx, const std::string& id,
                                     const std::string& confirm);
  // Makes an existing, enabled account an Owner of the workspace: adds the membership or
  // promotes the member (audited admin.owner_assigned); an Owner already is one (no event).
  // Fails not_found "workspace.not_found" / "account.not_found", failed_precondition
  // "account.disabled".
  core::Result<core::Membership> AssignOwner(const AuthContext& ctx, const std::string& id,
                                             const std::string& account_id);
  // The platform's audit log across every workspace and account (q.workspace_id may narrow
  // it), newest first.
  core::Result<std::vector<core::AuditEvent>> Audit(const AuthContext& ctx,
                                                    const core::AuditQuery& q);

  // The mail outbox (issue 16; mail_admin.cpp). The rows in `state`, newest first, keyset
  // paged (bad limit/cursor: invalid_argument "validation.query"); never their sealed text.
  core::Result<Paged<core::OutboxMail>> ListMail(const AuthContext& ctx, core::MailState state,
                                                 const PageRequest& page);
  // Queues a dead message again, due now with its attempts reset (audited admin.mail_retried,
  // target the message id); the sender is woken at commit. Fails
  // not_found "mail.not_found" when no dead message has this id.
  core::Result<void> RetryMail(const AuthContext& ctx, const std::string& id);

 private:
  // Suspends with `reason`, or resumes when it is nullopt.
  core::Result<core::Workspace> SetSuspension(const AuthContext& ctx, const std::string& id,
                                              std::optional<std::string> reason);

  Ports p_;
  AuditLog audit_;
};

}  // namespace vault::app
