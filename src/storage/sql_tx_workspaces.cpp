// SqlTx: workspaces, logos, memberships, invitations.
#include <cctype>

#include "core/encoding.hpp"
#include "core/product.hpp"
#include "storage/sql_rows.hpp"
#include "storage/sql_tx.hpp"

namespace vault::storage {

using core::Result;

namespace {

constexpr const char* kInvitationCols =
    "id, workspace_id, email, email_norm, role, token_hash, invited_by, status, created_at, "
    "expires_at, responded_at, group_ids, product_grants";

// "prd_x:editor prd_y:viewer" <-> pairs.
std::string JoinGrants(const std::vector<std::pair<std::string, std::string>>& grants) {
  std::vector<std::string> words;
  for (const auto& [p, r] : grants) words.push_back(p + ":" + r);
  return core::JoinWords(words);
}

std::vector<std::pair<std::string, std::string>> SplitGrants(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& w : core::SplitWords(text)) {
    auto colon = w.find(':');
    if (colon != std::string::npos) out.emplace_back(w.substr(0, colon), w.substr(colon + 1));
  }
  return out;
}

core::Invitation ToInvitation(const SqlRow& r) {
  return core::Invitation{r.Str(0),
                          r.Str(1),
                          r.Str(2),
                          r.Str(3),
                          RoleOf(r.Str(4)),
                          r.Str(5),
                          r.Str(6),
                          core::ParseInvitationStatus(r.Str(7)),
                          r.Int(8),
                          r.Int(9),
                          r.Int(10),
                          core::SplitWords(r.Str(11)),
                          SplitGrants(r.Str(12))};
}

Result<void> Done(const Result<std::vector<SqlRow>>& r) {
  if (!r) return core::Fail(r.error());
  return {};
}

core::Error ShortnameTaken(core::Error e) {
  if (e.code == core::Code::kAlreadyExists)
    return core::Error{core::Code::kAlreadyExists, "workspace.shortname_taken", "shortname",
                       "another workspace already uses this short name"};
  return e;
}

Result<std::vector<core::Invitation>> Invitations(Result<std::vector<SqlRow>> rows) {
  if (!rows) return core::Fail(rows.error());
  std::vector<core::Invitation> out;
  for (const auto& r : *rows) out.push_back(ToInvitation(r));
  return out;
}

}  // namespace

Result<void> SqlTx::InsertWorkspace(const core::Workspace& w) {
  auto r = conn_.Query(
      "INSERT INTO workspaces (id, name, shortname, description, require_2fa, created_at, "
      "updated_at, suspended_at, suspension_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      {w.id, w.name, w.shortname, w.description, std::int64_t{w.require_2fa}, w.created_at,
       w.updated_at, w.suspended_at, w.suspension_reason});
  if (!r) return core::Fail(ShortnameTaken(r.error()));
  return {};
}

Result<void> SqlTx::UpdateWorkspace(const core::Workspace& w) {
  auto r = conn_.Query(
      "UPDATE workspaces SET name = $2, shortname = $3, description = $4, require_2fa = $5, "
      "updated_at = $6, suspended_at = $7, suspension_reason = $8 WHERE id = $1",
      {w.id, w.name, w.shortname, w.description, std::int64_t{w.require_2fa}, w.updated_at,
       w.suspended_at, w.suspension_reason});
  if (!r) return core::Fail(ShortnameTaken(r.error()));
  return {};
}

Result<void> SqlTx::DeleteWorkspace(const std::string& id) {
  return Done(conn_.Query("DELETE FROM workspaces WHERE id = $1", {id}));
}

Result<std::optional<core::Workspace>> SqlTx::FindWorkspace(const std::string& id_or_shortname) {
  std::string lower = id_or_shortname;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto rows = conn_.Query(std::string("SELECT ") + kWorkspaceCols +
                              " FROM workspaces w WHERE w.id = $1 OR w.shortname = $2",
                          {id_or_shortname, lower});
  if (!rows) return core::Fail(rows.error());
  if (rows->empty()) return std::optional<core::Workspace>{};
  return std::optional<core::Workspace>{ToWorkspace(rows->front())};
}

Result<void> SqlTx::LockWorkspace(const std::string& id) {
  return Done(conn_.Query("UPDATE workspaces SET updated_at = updated_at WHERE id = $1", {id}));
}

Result<void> SqlTx::PutLogo(const std::string& workspace_id, const core::Logo& logo) {
  return Done(conn_.Query(
      "INSERT INTO workspace_logos (workspace_id, content_type, data_b64, updated_at) "
      "VALUES ($1, $2, $3, $4) ON CONFLICT (workspace_id) DO UPDATE SET content_type = $2, "
      "data_b64 = $3, updated_at = $4",
      {workspace_id, logo.content_type, core::Base64Url(logo.data), logo.updated_at}));
}

Result<std::optional<core::Logo>> SqlTx::GetLogo(const std::string& workspace_id) {
  auto rows = conn_.Query(
      "SELECT content_type, data_b64, updated_at FROM workspace_logos WHERE workspace_id = $1",
      {workspace_id});
  if (!rows) return core::Fail(rows.error());
  if (rows->empty()) return std::optional<core::Logo>{};
  const SqlRow& r = rows->front();
  auto data = core::Base64UrlDecode(r.Str(1));
  if (!data)
    return core::Fail(core::Code::kInternal, "storage.corrupt", "stored logo is not base64url");
  return std::optional<core::Logo>{core::Logo{r.Str(0), std::move(*data), r.Int(2)}};
}

Result<bool> SqlTx::DeleteLogo(const std::string& workspace_id) {
  auto r = conn_.Query("DELETE FROM workspace_logos WHERE workspace_id = $1 RETURNING workspace_id",
                       {workspace_id});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

Result<void> SqlTx::InsertMembership(const core::Membership& m) {
  auto r = conn_.Query(
      "INSERT INTO memberships (workspace_id, account_id, role, created_at) VALUES ($1, $2, $3, "
      "$4)",
      {m.workspace_id, m.account_id, std::string(core::RoleName(m.role)), m.created_at});
  if (!r) {
    if (r.error().code == core::Code::kAlreadyExists)
      return core::Fail(core::Code::kAlreadyExists, "member.exists",
                        "this account is already a member of the workspace");
    return core::Fail(r.error());
  }
  return {};
}

Result<std::optional<core::Membership>> SqlTx::FindMembership(const std::string& workspace_id,
                                                              const std::string& account_id) {
  auto rows = conn_.Query(
      "SELECT role, created_at FROM memberships WHERE workspace_id = $1 AND account_id = $2",
      {workspace_id, account_id});
  if (!rows) return core::Fail(rows.error());
  if (rows->empty()) return std::optional<core::Membership>{};
  return std::optional<core::Membership>{core::Membership{
      workspace_id, account_id, RoleOf(rows->front().Str(0)), rows->front().Int(1)}};
}

Result<void> SqlTx::UpdateMembershipRole(const std::string& workspace_id,
                                         const std::string& account_id, core::Role role) {
  return Done(
      conn_.Query("UPDATE memberships SET role = $3 WHERE workspace_id = $1 AND account_id = $2",
                  {workspace_id, account_id, std::string(core::RoleName(role))}));
}

Result<bool> SqlTx::DeleteMembership(const std::string& workspace_id,
                                     const std::string& account_id) {
  // Removing a member removes their direct grants and group memberships in that workspace.
  if (auto g = conn_.Query(
          "DELETE FROM grants WHERE workspace_id = $1 AND principal_type = 'account' AND "
          "principal_id = $2",
          {workspace_id, account_id});
      !g)
    return core::Fail(g.error());
  if (auto g = conn_.Query("DELETE FROM group_members WHERE workspace_id = $1 AND account_id = $2",
                           {workspace_id, account_id});
      !g)
    return core::Fail(g.error());
  auto r = conn_.Query(
      "DELETE FROM memberships WHERE workspace_id = $1 AND account_id = $2 RETURNING account_id",
      {workspace_id, account_id});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

Result<int> SqlTx::CountOwners(const std::string& workspace_id) {
  auto r =
      conn_.Query("SELECT COUNT(*) FROM memberships WHERE workspace_id = $1 AND role = 'owner'",
                  {workspace_id});
  if (!r) return core::Fail(r.error());
  return static_cast<int>(r->front().Int(0));
}

Result<std::vector<core::MemberView>> SqlTx::ListMembers(const std::string& workspace_id,
                                                         const core::Page& page) {
  std::vector<SqlValue> params{workspace_id};
  std::string tail = Keyset(page, "a.email_norm", "m.account_id", false, params);
  auto rows = conn_.Query(
      "SELECT m.account_id, m.role, m.created_at, a.name, a.email, a.last_sign_in_at, "
      "CASE WHEN t.confirmed = 1 THEN 1 ELSE 0 END "
      "FROM memberships m JOIN accounts a ON a.id = m.account_id "
      "LEFT JOIN totp_credentials t ON t.account_id = m.account_id "
      "WHERE m.workspace_id = $1" +
          tail,
      params);
  if (!rows) return core::Fail(rows.error());
  std::vector<core::MemberView> out;
  for (const auto& r : *rows)
    out.push_back(
        core::MemberView{core::Membership{workspace_id, r.Str(0), RoleOf(r.Str(1)), r.Int(2)},
                         r.Str(3), r.Str(4), r.Int(6) != 0, r.Int(5)});
  return out;
}

Result<std::vector<core::WorkspaceCard>> SqlTx::ListWorkspacesOf(const std::string& account_id) {
  auto rows = conn_.Query(std::string("SELECT ") + kWorkspaceCols +
                              ", m.role, CASE WHEN l.workspace_id IS NULL THEN 0 ELSE 1 END "
                              "FROM memberships m JOIN workspaces w ON w.id = m.workspace_id "
                              "LEFT JOIN workspace_logos l ON l.workspace_id = w.id "
                              "WHERE m.account_id = $1 ORDER BY w.name, w.id",
                          {account_id});
  if (!rows) return core::Fail(rows.error());
  std::vector<core::WorkspaceCard> out;
  for (const auto& r : *rows)
    out.push_back(
        {ToWorkspace(r), RoleOf(r.Str(kWorkspaceColCount)), r.Int(kWorkspaceColCount + 1) != 0});
  return out;
}

Result<std::vector<core::Workspace>> SqlTx::SoleOwnerWorkspaces(const std::string& account_id) {
  auto rows = conn_.Query(
      std::string("SELECT ") + kWorkspaceCols +
          " FROM memberships m JOIN workspaces w ON w.id = m.workspace_id "
          "WHERE m.account_id = $1 AND m.role = 'owner' AND (SELECT COUNT(*) FROM memberships o "
          "WHERE o.workspace_id = m.workspace_id AND o.role = 'owner') = 1",
      {account_id});
  if (!rows) return core::Fail(rows.error());
  std::vector<core::Workspace> out;
  for (const auto& r : *rows) out.push_back(ToWorkspace(r));
  return out;
}

Result<void> SqlTx::InsertInvitation(const core::Invitation& i) {
  return Done(conn_.Query(
      std::string("INSERT INTO invitations (") + kInvitationCols +
          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
      {i.id, i.workspace_id, i.email, i.email_norm, std::string(core::RoleName(i.role)),
       i.token_hash, i.invited_by, std::string(core::InvitationStatusName(i.status)), i.created_at,
       i.expires_at, i.responded_at, core::JoinWords(i.group_ids), JoinGrants(i.product_grants)}));
}

Result<void> SqlTx::UpdateInvitation(const core::Invitation& i) {
  return Done(conn_.Query(
      "UPDATE invitations SET role = $2, token_hash = $3, status = $4, expires_at = $5, "
      "responded_at = $6 WHERE id = $1",
      {i.id, std::string(core::RoleName(i.role)), i.token_hash,
       std::string(core::InvitationStatusName(i.status)), i.expires_at, i.responded_at}));
}

Result<std::optional<core::Invitation>> SqlTx::FindInvitation(const std::string& workspace_id,
                                                              const std::string& id) {
  auto rows = Invitations(conn_.Query(std::string("SELECT ") + kInvitationCols +
                                          " FROM invitations WHERE workspace_id = $1 AND id = $2",
                                      {workspace_id, id}));
  if (!rows) return core::Fail(rows.error());
  if (rows->empty()) return std::optional<core::Invitation>{};
  return std::optional<core::Invitation>{rows->front()};
}

Result<std::optional<core::Invitation>> SqlTx::FindInvitationByToken(
    const std::string& token_hash) {
  auto rows = Invitations(conn_.Query(
      std::string("SELECT ") + kInvitationCols + " FROM invitations WHERE token_hash = $1",
      {token_hash}));
  if (!rows) return core::Fail(rows.error());
  if (rows->empty()) return std::optional<core::Invitation>{};
  return std::optional<core::Invitation>{rows->front()};
}

Result<std::vector<core::Invitation>> SqlTx::ListPendingInvitations(const std::string& workspace_id,
                                                                    const core::Page& page) {
  std::vector<SqlValue> params{workspace_id};
  std::string tail = Keyset(page, "created_at", "id", true, params);
  return Invitations(conn_.Query(std::string("SELECT ") + kInvitationCols +
                                     " FROM invitations WHERE workspace_id = $1 AND status = "
                                     "'pending'" +
                                     tail,
                                 params));
}

Result<std::vector<core::Invitation>> SqlTx::ListInvitationsForEmail(
    const std::string& email_norm) {
  return Invitations(conn_.Query(std::string("SELECT ") + kInvitationCols +
                                     " FROM invitations WHERE email_norm = $1 AND status = "
                                     "'pending' ORDER BY created_at DESC, id",
                                 {email_norm}));
}

Result<std::vector<core::Workspace>> SqlTx::SearchWorkspaces(const std::string& query,
                                                             const std::string& after_id,
                                                             int limit) {
  std::string pattern = LikeContains(query);
  auto rows = conn_.Query(std::string("SELECT ") + kWorkspaceCols +
                              " FROM workspaces w WHERE (w.shortname LIKE $1 ESCAPE '!' OR " +
                              conn_.AsciiLower("w.name") +
                              " LIKE $1 ESCAPE '!') AND w.id > $2 ORDER BY w.id LIMIT $3",
                          {pattern, after_id, std::int64_t{limit}});
  if (!rows) return core::Fail(rows.error());
  std::vector<core::Workspace> out;
  for (const auto& r : *rows) out.push_back(ToWorkspace(r));
  return out;
}

}  // namespace vault::storage
