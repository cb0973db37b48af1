// Column lists and row mappers shared by the SqlTx files that read the same tables: the
// per-workspace reads (sql_tx_products.cpp, sql_tx_workspaces.cpp) and the in-memory model's
// bulk reads (sql_tx_model.cpp). Stateless.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/product.hpp"
#include "core/workspace.hpp"
#include "storage/sql.hpp"

namespace vault::storage {

inline constexpr const char* kProductCols =
    "id, workspace_id, type_id, name, shortname, disabled, created_at, updated_at";
inline constexpr const char* kSubscriptionCols =
    "s.product_id, s.plan_key, s.status, s.provider, s.external_id, s.period_end, s.last_event_at, "
    "s.updated_at";
inline constexpr const char* kConfigCols =
    "c.product_id, c.config, c.version, c.updated_at, c.updated_by";
inline constexpr const char* kGrantCols =
    "product_id, principal_type, principal_id, role, workspace_id, created_at";
inline constexpr const char* kWorkspaceCols =
    "w.id, w.name, w.shortname, w.description, w.require_2fa, w.created_at, w.updated_at, "
    "w.suspended_at, w.suspension_reason";
inline constexpr std::size_t kWorkspaceColCount = 9;

core::Product ToProduct(const SqlRow& r);
core::Subscription ToSubscription(const SqlRow& r);
core::ProductConfig ToConfig(const SqlRow& r);
core::Grant ToGrant(const SqlRow& r);
// The workspace whose kWorkspaceCols start at column o.
core::Workspace ToWorkspace(const SqlRow& r, std::size_t o = 0);
// A role column's value (the column only ever holds valid names).
core::Role RoleOf(const std::string& s);

// Each row of a query's result through f, or the query's error.
template <typename T, typename F>
core::Result<std::vector<T>> Map(core::Result<std::vector<SqlRow>> rows, F f) {
  if (!rows) return core::Fail(rows.error());
  std::vector<T> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(f(r));
  return out;
}

}  // namespace vault::storage
