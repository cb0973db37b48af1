#include "storage/sql_tx.hpp"

#include <cctype>

namespace vault::storage {

using core::Account;
using core::OneTimeToken;
using core::Result;
using core::Session;

namespace {

constexpr const char* kAccountCols =
    "id, email, email_norm, name, locale, time_zone, email_verified, password_hash, disabled, "
    "created_at, updated_at, super_admin, last_sign_in_at, last_workspace_id";
constexpr const char* kSessionCols =
    "id, account_id, token_hash, created_at, last_seen_at, expires_at, ip, user_agent";

Account ToAccount(const SqlRow& r) {
  return Account{r.Str(0),  r.Str(1),       r.Str(2),  r.Str(3),      r.Str(4),
                 r.Str(5),  r.Int(6) != 0,  r.Str(7),  r.Int(8) != 0, r.Int(9),
                 r.Int(10), r.Int(11) != 0, r.Int(12), r.Str(13)};
}

Session ToSession(const SqlRow& r) {
  return Session{r.Str(0), r.Str(1), r.Str(2), r.Int(3), r.Int(4), r.Int(5), r.Str(6), r.Str(7)};
}

// Unique violations on the account table can only come from the email key.
core::Error EmailTaken(core::Error e) {
  if (e.code == core::Code::kAlreadyExists)
    return core::Error{core::Code::kAlreadyExists, "account.email_taken", "email",
                       "an account with this email address already exists"};
  return e;
}

std::string PurposeText(core::TokenPurpose p) { return std::string(core::TokenPurposeName(p)); }

}  // namespace

Result<std::optional<Account>> SqlTx::FindAccountById(const std::string& id) {
  auto rows =
      conn_.Query(std::string("SELECT ") + kAccountCols + " FROM accounts WHERE id = $1", {id});
  if (!rows) return core::Fail(rows.error());
  if (rows->empty()) return std::optional<Account>{};
  return std::optional<Account>{ToAccount(rows->front())};
}

Result<std::optional<Account>> SqlTx::FindAccountByEmail(const std::string& email_norm) {
  auto rows = conn_.Query(
      std::string("SELECT ") + kAccountCols + " FROM accounts WHERE email_norm = $1", {email_norm});
  if (!rows) return core::Fail(rows.error());
  if (rows->empty()) return std::optional<Account>{};
  return std::optional<Account>{ToAccount(rows->front())};
}

Result<void> SqlTx::InsertAccount(const Account& a) {
  auto r = conn_.Query(
      "INSERT INTO accounts (id, email, email_norm, name, locale, time_zone, email_verified, "
      "password_hash, disabled, created_at, updated_at, super_admin, last_sign_in_at, "
      "last_workspace_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
      {a.id, a.email, a.email_norm, a.name, a.locale, a.time_zone, std::int64_t{a.email_verified},
       a.password_hash, std::int64_t{a.disabled}, a.created_at, a.updated_at,
       std::int64_t{a.super_admin}, a.last_sign_in_at, a.last_workspace_id});
  if (!r) return core::Fail(EmailTaken(r.error()));
  return {};
}

Result<void> SqlTx::UpdateAccount(const Account& a) {
  auto r = conn_.Query(
      "UPDATE accounts SET email = $2, email_norm = $3, name = $4, locale = $5, time_zone = $6, "
      "email_verified = $7, password_hash = $8, disabled = $9, updated_at = $10, "
      "super_admin = $11, last_sign_in_at = $12, last_workspace_id = $13 WHERE id = $1 RETURNING "
      "id",
      {a.id, a.email, a.email_norm, a.name, a.locale, a.time_zone, std::int64_t{a.email_verified},
       a.password_hash, std::int64_t{a.disabled}, a.updated_at, std::int64_t{a.super_admin},
       a.last_sign_in_at, a.last_workspace_id});
  if (!r) return core::Fail(EmailTaken(r.error()));
  if (r->empty()) return core::Fail(core::Code::kNotFound, "account.not_found", "no such account");
  return {};
}

Result<void> SqlTx::InsertSession(const Session& s) {
  auto r = conn_.Query(
      "INSERT INTO sessions (id, account_id, token_hash, created_at, last_seen_at, expires_at, ip, "
      "user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {s.id, s.account_id, s.token_hash, s.created_at, s.last_seen_at, s.expires_at, s.ip,
       s.user_agent});
  if (!r) return core::Fail(r.error());
  return {};
}

Result<std::optional<Session>> SqlTx::FindSessionByTokenHash(const std::string& token_hash) {
  auto rows = conn_.Query(
      std::string("SELECT ") + kSessionCols + " FROM sessions WHERE token_hash = $1", {token_hash});
  if (!rows) return core::Fail(rows.error());
  if (rows->empty()) return std::optional<Session>{};
  return std::optional<Session>{ToSession(rows->front())};
}

std::string SqlTx::Keyset(const core::Page& page, const char* key, const char* id, bool time_desc,
                          std::vector<SqlValue>& params) {
  auto param = [&](SqlValue v) {
    params.push_back(std::move(v));
    return "$" + std::to_string(params.size());
  };
  std::string sql;
  if (!page.after_id.empty()) {
    std::string after_id = param(page.after_id);
    if (key == nullptr) {
      sql += std::string(" AND ") + id + " > " + after_id;
    } else {
      std::string k = time_desc ? param(page.after_time) : param(page.after_key);
      sql += std::string(" AND (") + key + (time_desc ? " < " : " > ") + k + " OR (" + key + " = " +
             k + " AND " + id + " > " + after_id + "))";
    }
  }
  sql += " ORDER BY ";
  if (key != nullptr) sql += std::string(key) + (time_desc ? " DESC, " : ", ");
  sql += id;
  if (page.limit > 0) sql += " LIMIT " + param(std::int64_t{page.limit});
  return sql;
}

Result<std::vector<Session>> SqlTx::ListSessions(const std::string& account_id,
                                                 const core::Page& page) {
  std::vector<SqlValue> params{account_id};
  std::string tail = Keyset(page, "created_at", "id", true, params);
  auto rows = conn_.Query(
      std::string("SELECT ") + kSessionCols + " FROM sessions WHERE account_id = $1" + tail,
      params);
  if (!rows) return core::Fail(rows.error());
  std::vector<Session> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(ToSession(r));
  return out;
}

Result<void> SqlTx::TouchSessions(const std::vector<core::SessionTouch>& touches) {
  std::vector<IdTimeText> rows;
  rows.reserve(touches.size());
  for (const auto& t : touches) rows.push_back({&t.id, t.last_seen_at, &t.ip});
  return WriteRowsInChunks(
      conn_, "UPDATE sessions SET last_seen_at = v.column2, ip = v.column3 FROM (VALUES ",
      ") AS v WHERE sessions.id = v.column1", std::move(rows));
}

Result<bool> SqlTx::DeleteSession(const std::string& account_id, const std::string& id) {
  auto r = conn_.Query("DELETE FROM sessions WHERE id = $1 AND account_id = $2 RETURNING id",
                       {id, account_id});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

Result<int> SqlTx::DeleteSessionsOfAccount(const std::string& account_id,
                                           const std::string& keep_id) {
  auto r = conn_.Query("DELETE FROM sessions WHERE account_id = $1 AND id <> $2 RETURNING id",
                       {account_id, keep_id});
  if (!r) return core::Fail(r.error());
  return static_cast<int>(r->size());
}

Result<std::vector<Session>> SqlTx::ListLiveSessions(core::Timestamp now,
                                                     const std::string& after_id, int limit) {
  auto rows =
      conn_.Query(std::string("SELECT ") + kSessionCols +
                      " FROM sessions WHERE +expires_at > $1 AND id > $2 ORDER BY id LIMIT $3",
                  {now, after_id, std::int64_t{limit}});
  if (!rows) return core::Fail(rows.error());
  std::vector<Session> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(ToSession(r));
  return out;
}

Result<void> SqlTx::InsertToken(const OneTimeToken& t) {
  auto r = conn_.Query(
      "INSERT INTO one_time_tokens (token_hash, purpose, account_id, email, name, created_at, "
      "expires_at, consumed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
      {t.token_hash, PurposeText(t.purpose), t.account_id, t.email, t.name, t.created_at,
       t.expires_at});
  if (!r) return core::Fail(r.error());
  return {};
}

Result<std::optional<OneTimeToken>> SqlTx::FindToken(const std::string& token_hash,
                                                     core::TokenPurpose purpose) {
  auto rows = conn_.Query(
      "SELECT token_hash, account_id, email, name, created_at, expires_at, consumed_at "
      "FROM one_time_tokens WHERE token_hash = $1 AND purpose = $2",
      {token_hash, PurposeText(purpose)});
  if (!rows) return core::Fail(rows.error());
  if (rows->empty()) return std::optional<OneTimeToken>{};
  const SqlRow& r = rows->front();
  return std::optional<OneTimeToken>{OneTimeToken{r.Str(0), purpose, r.Str(1), r.Str(2), r.Str(3),
                                                  r.Int(4), r.Int(5), r.OptInt(6)}};
}

Result<bool> SqlTx::ConsumeToken(const std::string& token_hash, core::TokenPurpose purpose,
                                 core::Timestamp now) {
  // One conditional UPDATE: of two concurrent consumers exactly one sees a row come back.
  auto r = conn_.Query(
      "UPDATE one_time_tokens SET consumed_at = $3 WHERE token_hash = $1 AND purpose = $2 "
      "AND consumed_at IS NULL AND expires_at > $3 RETURNING token_hash",
      {token_hash, PurposeText(purpose), now});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

Result<int> SqlTx::VoidTokensOfAccount(const std::string& account_id,
                                       std::optional<core::TokenPurpose> purpose,
                                       core::Timestamp now) {
  // An empty purpose matches every purpose ($2 = '' OR purpose = $2); sign-up tokens carry no
  // account and are never matched.
  auto r = conn_.Query(
      "UPDATE one_time_tokens SET consumed_at = $3 WHERE account_id = $1 AND account_id <> '' "
      "AND consumed_at IS NULL AND ($2 = '' OR purpose = $2) RETURNING token_hash",
      {account_id, purpose ? PurposeText(*purpose) : std::string(), now});
  if (!r) return core::Fail(r.error());
  return static_cast<int>(r->size());
}

Result<std::vector<Account>> SqlTx::SearchAccounts(const std::string& query,
                                                   const std::string& after_id, int limit) {
  // LIKE with escaped wildcards; both dialects accept ESCAPE.
  std::string pattern = LikeContains(query);
  auto rows = conn_.Query(std::string("SELECT ") + kAccountCols +
                              " FROM accounts WHERE (email_norm LIKE $1 ESCAPE '!' OR " +
                              conn_.AsciiLower("name") +
                              " LIKE $1 ESCAPE '!') AND id > $2 ORDER BY id LIMIT $3",
                          {pattern, after_id, std::int64_t{limit}});
  if (!rows) return core::Fail(rows.error());
  std::vector<Account> out;
  for (const auto& r : *rows) out.push_back(ToAccount(r));
  return out;
}

Result<void> SqlTx::DeleteAccount(const std::string& id) {
  if (auto r = conn_.Query("DELETE FROM one_time_tokens WHERE account_id = $1", {id}); !r)
    return core::Fail(r.error());
  if (auto r = conn_.Query(
          "DELETE FROM grants WHERE principal_type = 'account' AND principal_id = $1", {id});
      !r)
    return core::Fail(r.error());
  // The person's OAuth codes and refresh tokens (keyed hashes, but personal and useless now).
  for (const char* table : {"oauth_codes", "oauth_refresh_tokens"})
    if (auto r = conn_.Query(std::string("DELETE FROM ") + table + " WHERE account_id = $1", {id});
        !r)
      return core::Fail(r.error());
  // Sessions, TOTP, recovery codes, memberships and group memberships go with the row
  // (ON DELETE CASCADE).
  auto r = conn_.Query("DELETE FROM accounts WHERE id = $1 RETURNING id", {id});
  if (!r) return core::Fail(r.error());
  if (r->empty()) return core::Fail(core::Code::kNotFound, "account.not_found", "no such account");
  return {};
}

}  // namespace vault::storage
