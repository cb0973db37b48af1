#include "app/platform_service.hpp"

#include "app/change_store.hpp"

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
        NoteSessionsChanged(tx, id);
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
    NoteAccountChanged(tx, out.id);
    return tx.UpdateAccount(out);
  });
  if (!r) return Fail(r.error());
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

namespace {

core::Error WorkspaceNotFound() {
  return core::Error{Code::kNotFound, "workspace.not_found", "", "no such workspace"};
}

}  // namespace

Result<core::Workspace> PlatformService::SetSuspension(const AuthContext& ctx,
                                                       const std::string& id,
                                                       std::optional<std::string> reason) {
  VAULT_TRY(RequireSuperAdmin(ctx));
  if (reason) {
    VAULT_ASSIGN_OR_RETURN(auto valid, core::ValidateSuspensionReason(*reason, "reason"));
    reason = std::move(valid);
  }
  VAULT_ASSIGN_OR_RETURN(auto out, p_.store.Write([&](core::Tx& tx) -> Result<core::Workspace> {
    VAULT_ASSIGN_OR_RETURN(auto found, tx.FindWorkspace(id));
    if (!found) return Fail(WorkspaceNotFound());
    // Locked and read again, so two Super Admins acting at once are decided in turn.
    VAULT_TRY(tx.LockWorkspace(found->id));
    VAULT_ASSIGN_OR_RETURN(auto w, tx.FindWorkspace(found->id));
    if (!w) return Fail(WorkspaceNotFound());
    const core::Timestamp now = p_.clock.Now();
    std::string why;
    if (reason) {
      if (w->suspended())
        return Fail(Code::kFailedPrecondition, "workspace.already_suspended",
                    "this workspace is already suspended; resume it first to change the reason");
      w->suspended_at = now;
      w->suspension_reason = *reason;
      why = *reason;
    } else {
      if (!w->suspended())
        return Fail(Code::kFailedPrecondition, "workspace.not_suspended",
                    "this workspace is not suspended");
      why = w->suspension_reason;
      w->suspended_at = 0;
      w->suspension_reason.clear();
    }
    w->updated_at = now;
    VAULT_TRY(tx.UpdateWorkspace(*w));
    VAULT_TRY(audit_.Record(tx, ActorOf(ctx),
                            {reason ? "admin.workspace_suspended" : "admin.workspace_resumed",
                             "workspace", w->id, JsonSummary({{"reason", why}}), w->id}));
    NoteWorkspaceChanged(tx, w->id);
    return std::move(*w);
  }));
  return out;
}

Result<core::Workspace> PlatformService::SuspendWorkspace(const AuthContext& ctx,
                                                          const std::string& id,
                                                          const std::string& reason) {
  return SetSuspension(ctx, id, reason);
}

Result<core::Workspace> PlatformService::ResumeWorkspace(const AuthContext& ctx,
                                                         const std::string& id) {
  return SetSuspension(ctx, id, std::nullopt);
}

Result<void> PlatformService::DeleteWorkspace(const AuthContext& ctx, const std::string& id,
                                              const std::string& confirm) {
  VAULT_TRY(RequireSuperAdmin(ctx));
  return p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto found, tx.FindWorkspace(id));
    if (!found) return Fail(WorkspaceNotFound());
    VAULT_TRY(tx.LockWorkspace(found->id));
    VAULT_TRY(
        DeleteWorkspaceIn(tx, audit_, ActorOf(ctx), *found, confirm, "admin.workspace_deleted"));
    NoteWorkspaceChanged(tx, found->id);
    return {};
  });
}

Result<core::Membership> PlatformService::AssignOwner(const AuthContext& ctx, const std::string& id,
                                                      const std::string& account_id) {
  VAULT_TRY(RequireSuperAdmin(ctx));
  struct Assigned {
    core::Membership membership;
  };
  VAULT_ASSIGN_OR_RETURN(auto out, p_.store.Write([&](core::Tx& tx) -> Result<Assigned> {
    VAULT_ASSIGN_OR_RETURN(auto w, tx.FindWorkspace(id));
    if (!w) return Fail(WorkspaceNotFound());
    // Serialised with the members' own role changes and removals of this workspace.
    VAULT_TRY(tx.LockWorkspace(w->id));
    VAULT_ASSIGN_OR_RETURN(auto account, tx.FindAccountById(account_id));
    if (!account)
      return Fail(Code::kNotFound, "account.not_found", "no such account", "account_id");
    // The repair must leave an Owner who can act: a disabled account cannot sign in.
    if (account->disabled)
      return Fail(Code::kFailedPrecondition, "account.disabled",
                  "this account is disabled; enable it first or choose another", "account_id");
    VAULT_ASSIGN_OR_RETURN(auto m, tx.FindMembership(w->id, account_id));
    Assigned a;
    if (m && m->role == core::Role::kOwner) {
      a.membership = *m;
      return a;  // already an Owner: nothing to change, nothing to audit
    }
    std::string from = m ? std::string(core::RoleName(m->role)) : "none";
    if (m) {
      VAULT_TRY(tx.UpdateMembershipRole(w->id, account_id, core::Role::kOwner));
      a.membership = *m;
      a.membership.role = core::Role::kOwner;
    } else {
      a.membership = core::Membership{w->id, account_id, core::Role::kOwner, p_.clock.Now()};
      VAULT_TRY(tx.InsertMembership(a.membership));
    }
    NoteWorkspaceChanged(tx, w->id);
    VAULT_TRY(audit_.Record(tx, ActorOf(ctx),
                            {"admin.owner_assigned", "account", account_id,
                             JsonSummary({{"from_role", from}}), w->id}));
    return a;
  }));
  return out.membership;
}

}  // namespace vault::app
