#include "app/platform_service.hpp"

namespace vault::app {

using core::Code;
using core::Fail;
using core::Result;

PlatformService::PlatformService(Ports ports)
    : p_(ports), audit_(ports.secrets, ports.random, ports.clock) {}

Result<std::vector<core::Account>> PlatformService::SearchAccounts(const AuthContext& ctx,
                                                                   const std::string& query,
                                                                   const std::string& after,
                                                                   int limit) {
  VAULT_TRY(RequireSuperAdmin(ctx));
  return p_.store.Read([&](core::Tx& tx) -> Result<std::vector<core::Account>> {
    return tx.SearchAccounts(query, after, limit);
  });
}

Result<AccountDetail> PlatformService::GetAccount(const AuthContext& ctx, const std::string& id) {
  VAULT_TRY(RequireSuperAdmin(ctx));
  return p_.store.Read([&](core::Tx& tx) -> Result<AccountDetail> {
    AccountDetail out;
    VAULT_ASSIGN_OR_RETURN(auto a, tx.FindAccountById(id));
    if (!a) return Fail(Code::kNotFound, "account.not_found", "no such account");
    out.account = std::move(*a);
    VAULT_ASSIGN_OR_RETURN(auto cards, tx.ListWorkspacesOf(id));
    out.workspaces = std::move(cards);
    return out;
  });
}

Result<core::Account> PlatformService::UpdateAccount(const AuthContext& ctx, const std::string& id,
                                                     const AccountPatch& patch) {
  VAULT_TRY(RequireSuperAdmin(ctx));
  if (id == ctx.account.id &&
      ((patch.disabled && *patch.disabled) || (patch.super_admin && !*patch.super_admin)))
    return Fail(Code::kFailedPrecondition, "admin.self",
                "you cannot disable yourself or revoke your own Super Admin status");
  core::Account out;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto a, tx.FindAccountById(id));
    if (!a) return Fail(Code::kNotFound, "account.not_found", "no such account");
    out = std::move(*a);
    Actor actor{"account", ctx.account.id, ctx.client.ip, ctx.client.user_agent};
    if (patch.disabled && *patch.disabled != out.disabled) {
      out.disabled = *patch.disabled;
      int ended = 0;
      if (out.disabled) {
        VAULT_ASSIGN_OR_RETURN(auto d, tx.DeleteSessionsOfAccount(id, ""));
        ended = d;
      }
      if (auto e = audit_.Record(
              tx, actor,
              {out.disabled ? "admin.account_disabled" : "admin.account_enabled", "account", id,
               JsonSummary({{"sessions_ended", std::to_string(ended)}})});
          !e)
        return e;
    }
    if (patch.super_admin && *patch.super_admin != out.super_admin) {
      out.super_admin = *patch.super_admin;
      if (auto e = audit_.Record(
              tx, actor,
              {out.super_admin ? "admin.super_admin_granted" : "admin.super_admin_revoked",
               "account", id});
          !e)
        return e;
    }
    out.updated_at = p_.clock.Now();
    return tx.UpdateAccount(out);
  });
  if (!r) return Fail(r.error());
  if (p_.changes) p_.changes->AccountChanged(out.id);
  return out;
}

Result<std::vector<core::Workspace>> PlatformService::SearchWorkspaces(const AuthContext& ctx,
                                                                       const std::string& query,
                                                                       const std::string& after,
                                                                       int limit) {
  VAULT_TRY(RequireSuperAdmin(ctx));
  return p_.store.Read([&](core::Tx& tx) -> Result<std::vector<core::Workspace>> {
    return tx.SearchWorkspaces(query, after, limit);
  });
}

Result<std::vector<core::AuditEvent>> PlatformService::Audit(const AuthContext& ctx,
                                                             const core::AuditQuery& q) {
  VAULT_TRY(RequireSuperAdmin(ctx));
  return p_.store.Read([&](core::Tx& tx) { return tx.QueryAudit(q); });
}

Result<WorkspaceDetail> PlatformService::GetWorkspace(const AuthContext& ctx,
                                                      const std::string& id) {
  VAULT_TRY(RequireSuperAdmin(ctx));
  return p_.store.Read([&](core::Tx& tx) -> Result<WorkspaceDetail> {
    WorkspaceDetail out;
    VAULT_ASSIGN_OR_RETURN(auto w, tx.FindWorkspace(id));
    if (!w) return Fail(Code::kNotFound, "workspace.not_found", "no such workspace");
    out.workspace = std::move(*w);
    VAULT_ASSIGN_OR_RETURN(auto members, tx.ListMembers(out.workspace.id));
    out.members = std::move(members);
    return out;
  });
}

}  // namespace vault::app
