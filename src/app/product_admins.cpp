#include "app/product_admins.hpp"

namespace vault::app {

core::Result<std::set<std::string>> AdministeredProducts(core::Tx& tx,
                                                         const std::string& workspace_id,
                                                         const std::string& account_id) {
  VAULT_ASSIGN_OR_RETURN(auto members, tx.ListGroupMembers(workspace_id));
  std::set<std::string> my_groups;
  for (const auto& [group, account] : members)
    if (account == account_id) my_groups.insert(group);
  VAULT_ASSIGN_OR_RETURN(auto grants, tx.ListWorkspaceGrants(workspace_id));
  std::set<std::string> out;
  for (const auto& g : grants) {
    bool mine = g.principal_type == core::PrincipalType::kAccount
                    ? g.principal_id == account_id
                    : my_groups.contains(g.principal_id);
    if (mine && g.role == kProductAdminRole) out.insert(g.product_id);
  }
  return out;
}

core::Result<AdministeredProduct> OpenAdministeredProduct(
    core::Tx& tx, WorkspaceService& workspaces, const AuthContext& ctx, const std::string& ws,
    const std::string& product, bool for_write) {
  using core::Capability;
  VAULT_ASSIGN_OR_RETURN(auto access, for_write
                                          ? workspaces.OpenForWrite(tx, ctx, ws, Capability::kView)
                                          : workspaces.OpenIn(tx, ctx, ws, Capability::kView));
  VAULT_ASSIGN_OR_RETURN(auto found, tx.FindProduct(access.workspace.id, product));
  if (!found)
    return core::Fail(core::Code::kNotFound, "product.not_found",
                      "no such product in this workspace");
  AdministeredProduct out{std::move(access), std::move(*found)};
  if (core::Allows(out.access.membership.role, Capability::kManageAccess)) return out;
  VAULT_ASSIGN_OR_RETURN(auto mine,
                         AdministeredProducts(tx, out.access.workspace.id, ctx.account.id));
  if (!mine.contains(out.product.id))
    return core::Fail(
        core::Code::kPermissionDenied, "permission.denied",
        "only the workspace's Owners and Admins and the product's Admins may do this");
  return out;
}

}  // namespace vault::app
