// AccessReviewService: the access review of a workspace (issue 19) — every member × product
// with the effective product role and where it comes from (the direct grant, which groups),
// the account's last sign-in, 2FA state and whether it is disabled. Each row is decided by
// AccessModel::Check, the very function behind POST /access/check and /access/explain, so the
// review cannot disagree with what products are told. Owners and Admins only (kManageAccess):
// the review shows every member's security state and grant chain. Thread-safe (stateless
// beyond its references).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/access_model.hpp"
#include "app/workspace_service.hpp"

namespace vault::app {

// Where an effective role can come from: the account's own grant or one of its groups'.
struct AccessSource {
  std::string type;                  // "direct" or "group"
  std::string group_id, group_name;  // for "group"
  std::string role;
};

struct AccessReviewRow {
  core::Account account;  // id, email, name, last_sign_in_at (the rest is not rendered)
  core::Role workspace_role = core::Role::kMember;
  bool mfa_enabled = false, disabled = false;
  core::Product product;
  std::string type_key, type_name;
  core::AccessDecision decision;  // reason, and the effective role (empty: none)
  std::vector<AccessSource> sources;
};

// Rows are ordered by (account id, product id); the cursor is the last row's key.
struct AccessReviewQuery {
  int limit = 100;
  std::optional<std::pair<std::string, std::string>> after;  // (account id, product id)
};

// "<account id>~<product id>", the keyset cursor of a row; ParseReviewCursor inverts it (nullopt
// for anything that is not such a pair).
std::string ReviewCursor(const AccessReviewRow& row);
std::optional<std::pair<std::string, std::string>> ParseReviewCursor(const std::string& text);

class AccessReviewService {
 public:
  AccessReviewService(Ports ports, WorkspaceService& workspaces, AccessModel& model)
      : p_(ports), workspaces_(workspaces), model_(model) {}

  // The workspace's id (`ws` may be its shortname). Fails like WorkspaceService::OpenIn with
  // kManageAccess: not_found for non-members and unknown workspaces, permission_denied for
  // Members and Billing.
  core::Result<std::string> Authorize(const AuthContext& ctx, const std::string& ws);

  // One page of at most q.limit rows after q.after. Fails like Authorize, or on storage errors.
  core::Result<std::vector<AccessReviewRow>> Page(const AuthContext& ctx, const std::string& ws,
                                                  const AccessReviewQuery& q);

 private:
  Ports p_;
  WorkspaceService& workspaces_;
  AccessModel& model_;
};

}  // namespace vault::app
