#include "app/access_review.hpp"

#include <algorithm>
#include <map>

namespace vault::app {

using core::Result;

namespace {
constexpr char kCursorSeparator = '~';  // not in an id (acc_…, prd_…: letters, digits, _)
}  // namespace

std::string ReviewCursor(const AccessReviewRow& row) {
  return row.account.id + kCursorSeparator + row.product.id;
}

std::optional<std::pair<std::string, std::string>> ParseReviewCursor(const std::string& text) {
  auto sep = text.find(kCursorSeparator);
  if (sep == std::string::npos || sep == 0 || sep + 1 == text.size() || text.size() > 200 ||
      text.find(kCursorSeparator, sep + 1) != std::string::npos)
    return std::nullopt;
  return std::make_pair(text.substr(0, sep), text.substr(sep + 1));
}

Result<std::string> AccessReviewService::Authorize(const AuthContext& ctx, const std::string& ws) {
  return p_.store.Read([&](core::Tx& tx) -> Result<std::string> {
    VAULT_ASSIGN_OR_RETURN(auto access,
                           workspaces_.OpenIn(tx, ctx, ws, core::Capability::kManageAccess));
    return access.workspace.id;
  });
}

Result<std::vector<AccessReviewRow>> AccessReviewService::Page(const AuthContext& ctx,
                                                               const std::string& ws,
                                                               const AccessReviewQuery& q) {
  VAULT_ASSIGN_OR_RETURN(auto access, p_.store.Read([&](core::Tx& tx) -> Result<WorkspaceAccess> {
    return workspaces_.OpenIn(tx, ctx, ws, core::Capability::kManageAccess);
  }));
  // The model's snapshot, not a second read of the tables: the rows range over exactly what
  // Check decides from.
  VAULT_ASSIGN_OR_RETURN(auto listing, model_.List(access.workspace.id));
  auto& members = listing.members;
  auto member = members.begin();
  if (q.after)
    member = std::lower_bound(members.begin(), members.end(), q.after->first,
                              [](const auto& m, const std::string& id) { return m.first < id; });
  std::vector<AccessReviewRow> rows;
  for (; member != members.end() && rows.size() < static_cast<std::size_t>(q.limit); ++member) {
    for (const std::string& product : listing.products) {
      if (q.after && member->first == q.after->first && product <= q.after->second) continue;
      if (rows.size() == static_cast<std::size_t>(q.limit)) break;
      core::AccessFacts f;
      VAULT_ASSIGN_OR_RETURN(auto d, model_.Check(member->first, product, "", &f));
      // A product or member gone since the listing was taken: it is not in the workspace now.
      if (!f.product_exists || !f.membership) continue;
      AccessReviewRow row;
      row.account.id = member->first;
      row.workspace_role = *f.membership;
      row.mfa_enabled = f.account_mfa;
      row.disabled = f.account_disabled;
      row.product = f.product;
      if (f.type) {
        row.type_key = f.type->key;
        row.type_name = f.type->name;
      }
      for (const auto& g : f.grants) row.sources.push_back({g.via, g.group_id, "", g.role});
      row.decision = std::move(d);
      rows.push_back(std::move(row));
    }
  }
  if (rows.empty()) return rows;
  // Names, emails and last sign-ins of this page's accounts, and the workspace's group names:
  // one read, bounded by the page size and the workspace's groups.
  VAULT_TRY(p_.store.Read([&](core::Tx& tx) -> Result<void> {
    std::map<std::string, core::Account> accounts;
    for (const auto& row : rows) {
      if (accounts.count(row.account.id)) continue;
      VAULT_ASSIGN_OR_RETURN(auto a, tx.FindAccountById(row.account.id));
      if (a) accounts[row.account.id] = std::move(*a);
    }
    VAULT_ASSIGN_OR_RETURN(auto groups, tx.ListGroups(access.workspace.id));
    for (auto& row : rows) {
      if (auto it = accounts.find(row.account.id); it != accounts.end()) {
        row.account.email = it->second.email;
        row.account.name = it->second.name;
        row.account.last_sign_in_at = it->second.last_sign_in_at;
      }
      for (auto& s : row.sources)
        for (const auto& g : groups)
          if (g.id == s.group_id) s.group_name = g.name;
    }
    return {};
  }));
  return rows;
}

}  // namespace vault::app
