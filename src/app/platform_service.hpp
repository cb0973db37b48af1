// PlatformService: the Super Admin API (SPEC §13 /api/v1/admin/…): search and inspect accounts
// and workspaces, disable/enable accounts (ending their sessions), grant or revoke Super Admin.
// Every call checks the caller is a Super Admin (permission_denied "admin.required"); every
// change is audited. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/account_service.hpp"
#include "app/audit_log.hpp"
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
  // The platform's audit log across every workspace and account (q.workspace_id may narrow
  // it), newest first.
  core::Result<std::vector<core::AuditEvent>> Audit(const AuthContext& ctx,
                                                    const core::AuditQuery& q);

 private:
  Ports p_;
  AuditLog audit_;
};

}  // namespace vault::app
