// ProductService: groups — CRUD, members (workspace members only), with seat limits re-checked
// for the products a group is granted when it gains a member.
#include <algorithm>

#include "app/product_service.hpp"
#include "app/seats.hpp"
#include "core/encoding.hpp"

namespace vault::app {

using core::Capability;
using core::Code;
using core::Fail;
using core::Result;

namespace {

core::Error GroupNotFound() {
  return core::Error{Code::kNotFound, "group.not_found", "", "no such group in this workspace"};
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Result<core::Group> ProductService::CreateGroup(const AuthContext& ctx, const std::string& ws,
                                                const std::string& name,
                                                const std::string& description) {
  VAULT_ASSIGN_OR_RETURN(auto n, core::ValidateWorkspaceName(name, "name"));
  VAULT_ASSIGN_OR_RETURN(auto d, core::ValidateDescription(description, "description"));
  return p_.store.Write([&](core::Tx& tx) -> Result<core::Group> {
    core::Group out;
    VAULT_ASSIGN_OR_RETURN(auto access,
                           workspaces_.OpenForWrite(tx, ctx, ws, Capability::kManageAccess));
    out = core::Group{
        core::NewId(p_.random, "grp"), access.workspace.id, n, Lower(n), d, p_.clock.Now()};
    VAULT_TRY(tx.InsertGroup(out));
    VAULT_TRY(audit_.Record(
        tx, ActorOf(ctx),
        {"group.created", "group", out.id, JsonSummary({{"name", n}}), out.workspace_id}));
    return out;
  });
}

Result<Paged<core::Group>> ProductService::ListGroups(const AuthContext& ctx, const std::string& ws,
                                                      const PageRequest& page) {
  return p_.store.Read([&](core::Tx& tx) -> Result<Paged<core::Group>> {
    VAULT_ASSIGN_OR_RETURN(auto access, workspaces_.OpenIn(tx, ctx, ws, Capability::kView));
    const PagedList list{"groups", access.workspace.id};
    VAULT_ASSIGN_OR_RETURN(auto after, OpenPage(page, list));
    VAULT_ASSIGN_OR_RETURN(auto rows, tx.ListGroups(access.workspace.id, after));
    return ClosePage(std::move(rows), after, list, [](const core::Group& g) {
      return std::pair{g.name_norm, g.id};
    });
  });
}

Result<GroupDetail> ProductService::GetGroup(const AuthContext& ctx, const std::string& ws,
                                             const std::string& group) {
  return p_.store.Read([&](core::Tx& tx) -> Result<GroupDetail> {
    GroupDetail out;
    VAULT_ASSIGN_OR_RETURN(auto access, workspaces_.OpenIn(tx, ctx, ws, Capability::kView));
    VAULT_ASSIGN_OR_RETURN(auto g, tx.FindGroup(access.workspace.id, group));
    if (!g) return Fail(GroupNotFound());
    out.group = *g;
    VAULT_ASSIGN_OR_RETURN(auto members, tx.ListGroupMembers(access.workspace.id));
    for (const auto& [gid, a] : members)
      if (gid == out.group.id) out.member_ids.push_back(a);
    VAULT_ASSIGN_OR_RETURN(auto grants, tx.ListWorkspaceGrants(access.workspace.id));
    for (auto& gr : grants)
      if (gr.principal_type == core::PrincipalType::kGroup && gr.principal_id == out.group.id)
        out.grants.push_back(std::move(gr));
    return out;
  });
}

Result<core::Group> ProductService::UpdateGroup(const AuthContext& ctx, const std::string& ws,
                                                const std::string& group,
                                                std::optional<std::string> name,
                                                std::optional<std::string> description) {
  return p_.store.Write([&](core::Tx& tx) -> Result<core::Group> {
    core::Group out;
    VAULT_ASSIGN_OR_RETURN(auto access,
                           workspaces_.OpenForWrite(tx, ctx, ws, Capability::kManageAccess));
    VAULT_ASSIGN_OR_RETURN(auto g, tx.FindGroup(access.workspace.id, group));
    if (!g) return Fail(GroupNotFound());
    out = *g;
    if (name) {
      VAULT_ASSIGN_OR_RETURN(auto n, core::ValidateWorkspaceName(*name, "name"));
      out.name = n;
      out.name_norm = Lower(n);
    }
    if (description) {
      VAULT_ASSIGN_OR_RETURN(auto d, core::ValidateDescription(*description, "description"));
      out.description = d;
    }
    VAULT_TRY(tx.UpdateGroup(out));
    VAULT_TRY(audit_.Record(tx, ActorOf(ctx),
                            {"group.updated", "group", out.id, "{}", out.workspace_id}));
    return out;
  });
}

Result<void> ProductService::DeleteGroup(const AuthContext& ctx, const std::string& ws,
                                         const std::string& group) {
  std::string wid;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto access,
                           workspaces_.OpenForWrite(tx, ctx, ws, Capability::kManageAccess));
    wid = access.workspace.id;
    VAULT_ASSIGN_OR_RETURN(auto g, tx.FindGroup(wid, group));
    if (!g) return Fail(GroupNotFound());
    if (auto e = audit_.Record(
            tx, ActorOf(ctx),
            {"group.deleted", "group", (g)->id, JsonSummary({{"name", (g)->name}}), wid});
        !e)
      return e;
    Changed(tx, wid);
    return tx.DeleteGroup((g)->id);
  });
  return r;
}

Result<void> ProductService::AddGroupMember(const AuthContext& ctx, const std::string& ws,
                                            const std::string& group,
                                            const std::string& account_id) {
  std::string wid;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto access,
                           workspaces_.OpenForWrite(tx, ctx, ws, Capability::kManageAccess));
    wid = access.workspace.id;
    VAULT_ASSIGN_OR_RETURN(auto g, tx.FindGroup(wid, group));
    if (!g) return Fail(GroupNotFound());
    VAULT_ASSIGN_OR_RETURN(auto m, tx.FindMembership(wid, account_id));
    if (!m)
      return Fail(Code::kNotFound, "member.not_found",
                  "only members of the workspace can join its groups");
    // The group's products gain a user: lock them and re-check their seats.
    VAULT_ASSIGN_OR_RETURN(auto grants, tx.ListWorkspaceGrants(wid));
    std::vector<std::string> products;
    for (const auto& gr : grants)
      if (gr.principal_type == core::PrincipalType::kGroup && gr.principal_id == (g)->id)
        products.push_back(gr.product_id);
    std::sort(products.begin(), products.end());  // a fixed lock order avoids deadlocks
    for (const auto& pid : products) VAULT_TRY(tx.LockProduct(pid));
    VAULT_ASSIGN_OR_RETURN(auto added, tx.AddGroupMember(wid, (g)->id, account_id));
    if (!added) return {};  // already a member: nothing changes
    for (const auto& pid : products) {
      VAULT_ASSIGN_OR_RETURN(auto p, tx.FindProductById(pid));
      if (p) VAULT_TRY(CheckSeats(tx, *p));
    }
    Changed(tx, wid);
    return audit_.Record(
        tx, ActorOf(ctx),
        {"group.member_added", "group", (g)->id, JsonSummary({{"account_id", account_id}}), wid});
  });
  return r;
}

Result<void> ProductService::RemoveGroupMember(const AuthContext& ctx, const std::string& ws,
                                               const std::string& group,
                                               const std::string& account_id) {
  std::string wid;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto access,
                           workspaces_.OpenForWrite(tx, ctx, ws, Capability::kManageAccess));
    wid = access.workspace.id;
    VAULT_ASSIGN_OR_RETURN(auto g, tx.FindGroup(wid, group));
    if (!g) return Fail(GroupNotFound());
    VAULT_ASSIGN_OR_RETURN(auto removed, tx.RemoveGroupMember((g)->id, account_id));
    if (!removed)
      return Fail(Code::kNotFound, "member.not_found", "this account is not in the group");
    Changed(tx, wid);
    return audit_.Record(
        tx, ActorOf(ctx),
        {"group.member_removed", "group", (g)->id, JsonSummary({{"account_id", account_id}}), wid});
  });
  return r;
}

}  // namespace vault::app
