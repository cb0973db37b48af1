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

}  // namespace vault::app
