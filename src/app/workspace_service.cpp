#include "app/workspace_service.hpp"

#include <unordered_map>

#include "app/change_store.hpp"
#include "app/invitation_authority.hpp"
#include "core/encoding.hpp"

namespace vault::app {

using core::Capability;
using core::Code;
using core::Fail;
using core::Result;
using core::Role;

namespace {

core::Error NotFound() {
  return core::Error{Code::kNotFound, "workspace.not_found", "", "no such workspace"};
}

core::Error MemberNotFound() {
  return core::Error{Code::kNotFound, "member.not_found", "", "no such member in this workspace"};
}

core::Error Denied() {
  return core::Error{Code::kPermissionDenied, "permission.denied", "",
                     "your role in this workspace does not allow this"};
}

}  // namespace

Result<void> DeleteWorkspaceIn(core::Tx& tx, const AuditLog& audit, const Actor& actor,
                               const core::Workspace& w, const std::string& confirm,
                               const std::string& action) {
  if (confirm != w.shortname)
    return Fail(Code::kInvalidArgument, "workspace.confirmation_mismatch",
                "type the workspace's short name to confirm", "confirm");
  // The audit event stays (audit history outlives the workspace).
  VAULT_TRY(audit.Record(
      tx, actor, {action, "workspace", w.id, JsonSummary({{"shortname", w.shortname}}), w.id}));
  return tx.DeleteWorkspace(w.id);
}

WorkspaceService::WorkspaceService(Ports ports, AccountService& accounts)
    : p_(ports), accounts_(accounts), audit_(ports.secrets, ports.random, ports.clock) {}

Result<WorkspaceAccess> WorkspaceService::OpenForWrite(core::Tx& tx, const AuthContext& ctx,
                                                       const std::string& ws,
                                                       Capability capability) {
  VAULT_ASSIGN_OR_RETURN(auto w, tx.FindWorkspace(ws));
  if (!w) return Fail(NotFound());
  VAULT_TRY(tx.LockWorkspace((w)->id));
  VAULT_ASSIGN_OR_RETURN(auto access, OpenIn(tx, ctx, (w)->id, capability));
  // Members of a suspended workspace keep reading it (to see what is going on) but change
  // nothing until a Super Admin resumes it; the check follows the role check, so callers
  // without the capability get the usual answer.
  if (access.workspace.suspended())
    return Fail(Code::kPermissionDenied, "workspace.suspended",
                "this workspace is suspended by the platform operators; it is read-only until "
                "they resume it");
  return access;
}

Result<WorkspaceAccess> WorkspaceService::OpenIn(core::Tx& tx, const AuthContext& ctx,
                                                 const std::string& ws, Capability capability) {
  VAULT_ASSIGN_OR_RETURN(auto w, tx.FindWorkspace(ws));
  if (!w) return Fail(NotFound());
  VAULT_ASSIGN_OR_RETURN(auto m, tx.FindMembership((w)->id, ctx.account.id));
  if (!m) return Fail(NotFound());  // non-members learn nothing, not even that it exists
  if ((w)->require_2fa && !ctx.mfa_enabled)
    return Fail(Code::kPermissionDenied, "workspace.requires_2fa",
                "this workspace requires two-factor authentication; turn it on in your profile");
  if (!core::Allows((m)->role, capability)) return Fail(Denied());
  return WorkspaceAccess{std::move(*w), std::move(*m)};
}

Result<WorkspaceAccess> WorkspaceService::Open(const AuthContext& ctx, const std::string& ws,
                                               Capability capability) {
  return p_.store.Read(
      [&](core::Tx& tx) -> Result<WorkspaceAccess> { return OpenIn(tx, ctx, ws, capability); });
}

Result<std::optional<core::Error>> WorkspaceService::CheckShortname(const std::string& shortname) {
  auto valid = core::ValidateShortname(shortname, "shortname");
  if (!valid) return std::optional<core::Error>(valid.error());
  return p_.store.Read([&](core::Tx& tx) -> Result<std::optional<core::Error>> {
    VAULT_ASSIGN_OR_RETURN(auto found, tx.FindWorkspace(*valid));
    if (!found) return std::optional<core::Error>();
    return std::optional<core::Error>(core::Error{core::Code::kAlreadyExists,
                                                  "workspace.shortname_taken", "shortname",
                                                  "the shortname is taken"});
  });
}

Result<WorkspaceAccess> WorkspaceService::Create(const AuthContext& ctx, const std::string& name,
                                                 const std::string& shortname,
                                                 const std::string& description) {
  VAULT_ASSIGN_OR_RETURN(auto n, core::ValidateWorkspaceName(name, "name"));
  VAULT_ASSIGN_OR_RETURN(auto s, core::ValidateShortname(shortname, "shortname"));
  VAULT_ASSIGN_OR_RETURN(auto d, core::ValidateDescription(description, "description"));
  return p_.store.Write([&](core::Tx& tx) -> Result<WorkspaceAccess> {
    WorkspaceAccess out;
    core::Timestamp now = p_.clock.Now();
    out.workspace = core::Workspace{core::NewId(p_.random, "ws"), n, s, d, false, now, now};
    // The unique index decides between concurrent creators of one shortname.
    VAULT_TRY(tx.InsertWorkspace(out.workspace));
    out.membership = core::Membership{out.workspace.id, ctx.account.id, Role::kOwner, now};
    VAULT_TRY(tx.InsertMembership(out.membership));
    VAULT_TRY(audit_.Record(tx, ActorOf(ctx),
                            {"workspace.created", "workspace", out.workspace.id,
                             JsonSummary({{"name", n}, {"shortname", s}}), out.workspace.id}));
    return out;
  });
}

Result<MyWorkspaces> WorkspaceService::ListMine(const AuthContext& ctx) {
  MyWorkspaces out;
  out.last_workspace_id = ctx.account.last_workspace_id;
  auto r = p_.store.Read([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto cards, tx.ListWorkspacesOf(ctx.account.id));
    out.cards = std::move(cards);
    return {};
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<WorkspaceAccess> WorkspaceService::Get(const AuthContext& ctx, const std::string& ws) {
  VAULT_ASSIGN_OR_RETURN(auto access, Open(ctx, ws, Capability::kView));
  if (ctx.account.last_workspace_id != access.workspace.id) {
    // Written only when it changes, so opening the same workspace again is a pure read.
    auto w = p_.store.Write([&](core::Tx& tx) -> Result<void> {
      VAULT_ASSIGN_OR_RETURN(auto a, tx.FindAccountById(ctx.account.id));
      if (!a) return {};
      (a)->last_workspace_id = access.workspace.id;
      NoteSessionsChanged(tx, a->id);  // sessions carry the account (ADR 0016)
      return tx.UpdateAccount(*a);
    });
    if (!w) return Fail(w.error());
  }
  return access;
}

Result<core::Workspace> WorkspaceService::Update(const AuthContext& ctx, const std::string& ws,
                                                 const WorkspacePatch& patch) {
  core::Workspace out;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto access, OpenForWrite(tx, ctx, ws, Capability::kEditSettings));
    out = access.workspace;
    std::string changed;
    auto note = [&](const char* f) { changed += (changed.empty() ? "" : ",") + std::string(f); };
    if (patch.name) {
      VAULT_ASSIGN_OR_RETURN(auto v, core::ValidateWorkspaceName(*patch.name, "name"));
      if (v != out.name) note("name");
      out.name = v;
    }
    if (patch.description) {
      VAULT_ASSIGN_OR_RETURN(auto v, core::ValidateDescription(*patch.description, "description"));
      if (v != out.description) note("description");
      out.description = v;
    }
    if (patch.require_2fa) {
      if (*patch.require_2fa != out.require_2fa) note("require_2fa");
      out.require_2fa = *patch.require_2fa;
    }
    if (patch.shortname) {
      VAULT_ASSIGN_OR_RETURN(auto v, core::ValidateShortname(*patch.shortname, "shortname"));
      if (v != out.shortname) {
        if (!core::Allows(access.membership.role, Capability::kChangeShortname))
          return Fail(Code::kPermissionDenied, "permission.denied",
                      "only Owners can change the short name", "shortname");
        note("shortname");
        out.shortname = v;
      }
    }
    out.updated_at = p_.clock.Now();
    VAULT_TRY(tx.UpdateWorkspace(out));
    Changed(tx, out.id);
    return audit_.Record(
        tx, ActorOf(ctx),
        {"workspace.updated", "workspace", out.id, JsonSummary({{"fields", changed}}), out.id});
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<void> WorkspaceService::Delete(const AuthContext& ctx, const std::string& ws,
                                      const std::string& confirm) {
  std::string id;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto access, OpenForWrite(tx, ctx, ws, Capability::kDeleteWorkspace));
    id = access.workspace.id;
    Changed(tx, id);
    return DeleteWorkspaceIn(tx, audit_, ActorOf(ctx), access.workspace, confirm,
                             "workspace.deleted");
  });
  return r;
}

Result<void> WorkspaceService::PutLogo(const AuthContext& ctx, const std::string& ws,
                                       const std::string& bytes) {
  VAULT_ASSIGN_OR_RETURN(auto type, core::CheckLogo(bytes));
  return p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto access, OpenForWrite(tx, ctx, ws, Capability::kEditSettings));
    if (auto l = tx.PutLogo(access.workspace.id, {type, bytes, p_.clock.Now()}); !l) return l;
    return audit_.Record(
        tx, ActorOf(ctx),
        {"workspace.logo_updated", "workspace", access.workspace.id,
         JsonSummary({{"content_type", type}, {"bytes", std::to_string(bytes.size())}}),
         access.workspace.id});
  });
}

Result<core::Logo> WorkspaceService::GetLogo(const AuthContext& ctx, const std::string& ws) {
  return p_.store.Read([&](core::Tx& tx) -> Result<core::Logo> {
    core::Logo out;
    VAULT_ASSIGN_OR_RETURN(auto access, OpenIn(tx, ctx, ws, Capability::kView));
    VAULT_ASSIGN_OR_RETURN(auto logo, tx.GetLogo(access.workspace.id));
    if (!logo) return Fail(Code::kNotFound, "logo.not_found", "this workspace has no logo");
    out = std::move(*logo);
    return out;
  });
}

Result<void> WorkspaceService::DeleteLogo(const AuthContext& ctx, const std::string& ws) {
  return p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto access, OpenForWrite(tx, ctx, ws, Capability::kEditSettings));
    VAULT_ASSIGN_OR_RETURN(auto d, tx.DeleteLogo(access.workspace.id));
    if (!d) return Fail(Code::kNotFound, "logo.not_found", "this workspace has no logo");
    return audit_.Record(
        tx, ActorOf(ctx),
        {"workspace.logo_removed", "workspace", access.workspace.id, "{}", access.workspace.id});
  });
}

Result<Paged<core::MemberView>> WorkspaceService::Members(const AuthContext& ctx,
                                                          const std::string& ws,
                                                          const PageRequest& page) {
  return p_.store.Read([&](core::Tx& tx) -> Result<Paged<core::MemberView>> {
    VAULT_ASSIGN_OR_RETURN(auto access, OpenIn(tx, ctx, ws, Capability::kView));
    const PagedList list{"members", access.workspace.id};
    VAULT_ASSIGN_OR_RETURN(auto after, OpenPage(page, list));
    VAULT_ASSIGN_OR_RETURN(auto members, tx.ListMembers(access.workspace.id, after));
    auto out = ClosePage(std::move(members), after, list, [](const core::MemberView& m) {
      return std::pair{core::NormalizeEmail(m.email), m.membership.account_id};
    });
    VAULT_ASSIGN_OR_RETURN(auto groups, tx.ListGroups(access.workspace.id));
    VAULT_ASSIGN_OR_RETURN(auto pairs, tx.ListGroupMembers(access.workspace.id));
    std::unordered_map<std::string, std::string> names;
    for (const auto& g : groups) names[g.id] = g.name;
    std::unordered_map<std::string, core::MemberView*> by_account;
    for (auto& m : out.items) by_account[m.membership.account_id] = &m;
    for (const auto& [group, account] : pairs)
      if (auto it = by_account.find(account); it != by_account.end())
        it->second->groups.emplace_back(group, names[group]);
    return out;
  });
}

Result<core::Membership> WorkspaceService::ChangeRole(const AuthContext& ctx, const std::string& ws,
                                                      const std::string& account_id, Role role) {
  core::Membership out;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto access, OpenForWrite(tx, ctx, ws, Capability::kView));
    const std::string& wid = access.workspace.id;
    // Serialise membership changes of this workspace: two Owners demoting each other at once
    // are decided one after the other, and the second sees one Owner left.
    VAULT_ASSIGN_OR_RETURN(auto target, tx.FindMembership(wid, account_id));
    if (!target) return Fail(MemberNotFound());
    Role from = (target)->role;
    if (!core::MayChangeRole(access.membership.role, from, role)) return Fail(Denied());
    if (from == Role::kOwner && role != Role::kOwner) {
      VAULT_ASSIGN_OR_RETURN(auto owners, tx.CountOwners(wid));
      if (owners <= 1)
        return Fail(Code::kFailedPrecondition, "workspace.last_owner",
                    "a workspace must keep at least one Owner", "role");
    }
    VAULT_TRY(tx.UpdateMembershipRole(wid, account_id, role));
    // Invitations the member sent that the new role could not send die with the old role.
    VAULT_TRY(RevokeInvitationsBeyondAuthority(tx, audit_, ActorOf(ctx), wid, account_id, role,
                                               p_.clock.Now()));
    out = *target;
    out.role = role;
    Changed(tx, out.workspace_id);
    return audit_.Record(
        tx, ActorOf(ctx),
        {"member.role_changed", "account", account_id,
         JsonSummary({{"from", core::RoleName(from)}, {"to", core::RoleName(role)}}), wid});
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<core::Membership> WorkspaceService::TransferOwnership(const AuthContext& ctx,
                                                             const std::string& ws,
                                                             const std::string& account_id,
                                                             Role new_role) {
  if (new_role == Role::kOwner)
    return Fail(Code::kInvalidArgument, "validation.role",
                "new_role is the role you keep: admin, member or billing", "new_role");
  if (account_id == ctx.account.id)
    return Fail(Code::kInvalidArgument, "validation.self",
                "choose another member to take over the workspace", "account_id");
  core::Membership out;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto access, OpenForWrite(tx, ctx, ws, Capability::kManageOwners));
    const std::string& wid = access.workspace.id;
    VAULT_ASSIGN_OR_RETURN(auto target, tx.FindMembership(wid, account_id));
    if (!target) {
      core::Error e = MemberNotFound();
      e.field = "account_id";
      return Fail(std::move(e));
    }
    const Role from = target->role;
    if (from != Role::kOwner) VAULT_TRY(tx.UpdateMembershipRole(wid, account_id, Role::kOwner));
    // The caller steps down in the same transaction: there is never a moment without an Owner,
    // nor one where both hold the workspace unintentionally.
    VAULT_TRY(tx.UpdateMembershipRole(wid, ctx.account.id, new_role));
    VAULT_TRY(RevokeInvitationsBeyondAuthority(tx, audit_, ActorOf(ctx), wid, ctx.account.id,
                                               new_role, p_.clock.Now()));
    out = *target;
    out.role = Role::kOwner;
    Changed(tx, out.workspace_id);
    return audit_.Record(tx, ActorOf(ctx),
                         {"workspace.ownership_transferred", "account", account_id,
                          JsonSummary({{"from_role", core::RoleName(from)},
                                       {"previous_owner_role", core::RoleName(new_role)}}),
                          wid});
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<void> WorkspaceService::RemoveMember(const AuthContext& ctx, const std::string& ws,
                                            const std::string& account_id) {
  std::string id;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto access, OpenForWrite(tx, ctx, ws, Capability::kView));
    const std::string& wid = access.workspace.id;
    VAULT_ASSIGN_OR_RETURN(auto target, tx.FindMembership(wid, account_id));
    if (!target) return Fail(MemberNotFound());
    bool leaving = account_id == ctx.account.id;
    if (!leaving && !core::MayRemove(access.membership.role, (target)->role)) return Fail(Denied());
    if ((target)->role == Role::kOwner) {
      VAULT_ASSIGN_OR_RETURN(auto owners, tx.CountOwners(wid));
      if (owners <= 1)
        return Fail(Code::kFailedPrecondition, "workspace.last_owner",
                    "the last Owner cannot leave or be removed; make someone else an Owner first");
    }
    // Grants and group memberships of this workspace go with the membership (SPEC §3).
    VAULT_TRY(tx.DeleteMembership(wid, account_id));
    VAULT_TRY(RevokeInvitationsBeyondAuthority(tx, audit_, ActorOf(ctx), wid, account_id,
                                               std::nullopt, p_.clock.Now()));
    id = wid;
    Changed(tx, id);
    return audit_.Record(tx, ActorOf(ctx),
                         {leaving ? "member.left" : "member.removed", "account", account_id,
                          JsonSummary({{"role", core::RoleName((target)->role)}}), wid});
  });
  return r;
}

Result<std::vector<core::AuditEvent>> WorkspaceService::Audit(const AuthContext& ctx,
                                                              const std::string& ws,
                                                              core::AuditQuery query) {
  return p_.store.Read([&](core::Tx& tx) -> Result<std::vector<core::AuditEvent>> {
    VAULT_ASSIGN_OR_RETURN(auto access, OpenIn(tx, ctx, ws, Capability::kReadBillingAudit));
    if (!core::Allows(access.membership.role, Capability::kReadAudit)) {
      // Billing sees billing events only: the filter is forced, not trusted from the query.
      if (query.action.rfind("subscription.", 0) != 0 && query.action.rfind("billing.", 0) != 0)
        query.action = "subscription.";
    }
    query.workspace_id = access.workspace.id;
    query.subject_id.clear();
    return tx.QueryAudit(query);
  });
}

}  // namespace vault::app
