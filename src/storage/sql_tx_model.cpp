// SqlTx: the bulk reads that fill the in-memory access model at start (core::ModelPort).
#include "storage/sql_rows.hpp"
#include "storage/sql_tx.hpp"

namespace vault::storage {

using core::Result;

Result<std::vector<std::string>> SqlTx::ListWorkspaceIds(const std::string& after, int limit) {
  return Map<std::string>(
      conn_.Query("SELECT id FROM workspaces WHERE id > $1 ORDER BY id LIMIT $2",
                  {after, std::int64_t{limit}}),
      [](const SqlRow& r) { return r.Str(0); });
}

Result<core::AccessRows> SqlTx::LoadAccessRows(const std::string& first, const std::string& last) {
  core::AccessRows out;
  // Each table by its workspace_id index: one range scan per table for the whole batch.
  auto range = [&](const std::string& select, const char* column) {
    return conn_.Query(select + " WHERE " + column + " >= $1 AND " + column + " <= $2",
                       {first, last});
  };
  VAULT_ASSIGN_OR_RETURN(
      out.workspaces,
      Map<core::Workspace>(
          range(std::string("SELECT ") + kWorkspaceCols + " FROM workspaces w", "w.id"),
          [](const SqlRow& r) { return ToWorkspace(r); }));
  VAULT_ASSIGN_OR_RETURN(
      out.memberships,
      Map<core::Membership>(
          range("SELECT workspace_id, account_id, role, created_at FROM memberships",
                "workspace_id"),
          [](const SqlRow& r) {
            return core::Membership{r.Str(0), r.Str(1), RoleOf(r.Str(2)), r.Int(3)};
          }));
  VAULT_ASSIGN_OR_RETURN(
      out.products,
      Map<core::Product>(
          range(std::string("SELECT ") + kProductCols + " FROM products", "workspace_id"),
          ToProduct));
  VAULT_ASSIGN_OR_RETURN(
      out.subscriptions,
      Map<core::Subscription>(range(std::string("SELECT ") + kSubscriptionCols +
                                        " FROM subscriptions s JOIN products p ON p.id = "
                                        "s.product_id",
                                    "p.workspace_id"),
                              ToSubscription));
  VAULT_ASSIGN_OR_RETURN(
      out.configs,
      Map<core::ProductConfig>(range(std::string("SELECT ") + kConfigCols +
                                         " FROM product_configs c JOIN products p ON p.id = "
                                         "c.product_id",
                                     "p.workspace_id"),
                               ToConfig));
  VAULT_ASSIGN_OR_RETURN(
      out.grants,
      Map<core::Grant>(range(std::string("SELECT ") + kGrantCols + " FROM grants", "workspace_id"),
                       ToGrant));
  VAULT_ASSIGN_OR_RETURN(
      out.group_members,
      Map<core::AccessRows::GroupMember>(
          range("SELECT workspace_id, group_id, account_id FROM group_members", "workspace_id"),
          [](const SqlRow& r) {
            return core::AccessRows::GroupMember{r.Str(0), r.Str(1), r.Str(2)};
          }));
  return out;
}

Result<std::vector<core::AccountFlags>> SqlTx::ListAccountFlags(const std::string& after,
                                                                int limit) {
  return Map<core::AccountFlags>(
      conn_.Query("SELECT a.id, a.disabled, CASE WHEN t.confirmed = 1 THEN 1 ELSE 0 END "
                  "FROM accounts a LEFT JOIN totp_credentials t ON t.account_id = a.id "
                  "WHERE a.id > $1 ORDER BY a.id LIMIT $2",
                  {after, std::int64_t{limit}}),
      [](const SqlRow& r) {
        return core::AccountFlags{r.Str(0), r.Int(1) != 0, r.Int(2) != 0};
      });
}

}  // namespace vault::storage
