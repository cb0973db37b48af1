// SqlTx: throttling, second factors and the audit chain.
#include <algorithm>
#include <string>

#include "storage/sql_tx.hpp"

namespace vault::storage {

using core::Result;

namespace {

constexpr const char* kAuditCols =
    "seq, id, occurred_at, actor_type, actor_id, ip, user_agent, workspace_id, action, "
    "target_type, target_id, summary, prev_hash, hash, key_id";

core::AuditEvent ToEvent(const SqlRow& r) {
  return core::AuditEvent{r.Int(0),  r.Str(1),  r.Int(2),  r.Str(3),  r.Str(4),
                          r.Str(5),  r.Str(6),  r.Str(7),  r.Str(8),  r.Str(9),
                          r.Str(10), r.Str(11), r.Str(12), r.Str(13), r.Str(14)};
}

Result<std::vector<core::AuditEvent>> Events(Result<std::vector<SqlRow>> rows) {
  if (!rows) return core::Fail(rows.error());
  std::vector<core::AuditEvent> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(ToEvent(r));
  return out;
}

Result<void> Done(const Result<std::vector<SqlRow>>& r) {
  if (!r) return core::Fail(r.error());
  return {};
}

}  // namespace

Result<core::ThrottleState> SqlTx::ReserveAttempt(const std::string& key, core::Timestamp now,
                                                  core::Timestamp window) {
  // One upsert: the row lock (PostgreSQL) or the single writer (SQLite) makes the count atomic
  // across threads and server processes.
  auto r = conn_.Query(
      "INSERT INTO throttle (key, window_start, attempts, locked_until) VALUES ($1, $2, 1, 0) "
      "ON CONFLICT (key) DO UPDATE SET "
      "window_start = CASE WHEN throttle.window_start <= $2 - $3 OR "
      "(throttle.locked_until <> 0 AND throttle.locked_until <= $2) THEN $2 "
      "ELSE throttle.window_start END, "
      "attempts = CASE WHEN throttle.window_start <= $2 - $3 OR "
      "(throttle.locked_until <> 0 AND throttle.locked_until <= $2) THEN 1 "
      "ELSE throttle.attempts + 1 END, "
      "locked_until = CASE WHEN throttle.locked_until <= $2 THEN 0 ELSE throttle.locked_until END "
      "RETURNING attempts, window_start, locked_until",
      {key, now, window});
  if (!r) return core::Fail(r.error());
  const SqlRow& row = r->front();
  return core::ThrottleState{row.Int(0), row.Int(1), row.Int(2)};
}

Result<std::int64_t> SqlTx::TakeRateToken(const std::string& key, core::Timestamp now,
                                          std::int64_t now_us, std::int64_t interval_us,
                                          std::int64_t tolerance_us) {
  // GCRA in one upsert, atomic like ReserveAttempt: `attempts` holds the theoretical arrival
  // time (µs), `locked_until` whether this request was admitted (0) or refused (1), and
  // `window_start` the last use (s) for retention. tat = max(stored time, now).
  // Parameters are cast: PostgreSQL cannot type `$3 + $4` on its own.
  static const std::string kSql = [] {
    const std::string now = "CAST($3 AS BIGINT)";
    const std::string tat =
        "(CASE WHEN throttle.attempts > " + now + " THEN throttle.attempts ELSE " + now + " END)";
    const std::string admit = tat + " - " + now + " <= CAST($5 AS BIGINT)";
    return "INSERT INTO throttle (key, window_start, attempts, locked_until) "
           "VALUES ($1, CAST($2 AS BIGINT), " +
           now +
           " + CAST($4 AS BIGINT), 0) "
           "ON CONFLICT (key) DO UPDATE SET window_start = CAST($2 AS BIGINT), "
           "attempts = CASE WHEN " +
           admit + " THEN " + tat +
           " + CAST($4 AS BIGINT) "
           "ELSE throttle.attempts END, "
           "locked_until = CASE WHEN " +
           admit +
           " THEN 0 ELSE 1 END "
           "RETURNING attempts, locked_until";
  }();
  auto r = conn_.Query(kSql, {key, now, now_us, interval_us, tolerance_us});
  if (!r) return core::Fail(r.error());
  const SqlRow& row = r->front();
  if (row.Int(1) == 0) return std::int64_t{0};
  return std::max<std::int64_t>(1, row.Int(0) - now_us - tolerance_us);
}

Result<void> SqlTx::LockThrottle(const std::string& key, core::Timestamp until) {
  return Done(conn_.Query("UPDATE throttle SET locked_until = $2 WHERE key = $1", {key, until}));
}

Result<void> SqlTx::ResetThrottle(const std::string& key) {
  return Done(conn_.Query("DELETE FROM throttle WHERE key = $1", {key}));
}

Result<std::optional<core::TotpCredential>> SqlTx::FindTotp(const std::string& account_id) {
  auto r = conn_.Query(
      "SELECT account_id, secret_enc, confirmed, last_step, created_at FROM totp_credentials "
      "WHERE account_id = $1",
      {account_id});
  if (!r) return core::Fail(r.error());
  if (r->empty()) return std::optional<core::TotpCredential>{};
  const SqlRow& row = r->front();
  return std::optional<core::TotpCredential>{
      core::TotpCredential{row.Str(0), row.Str(1), row.Int(2) != 0, row.Int(3), row.Int(4)}};
}

Result<void> SqlTx::PutTotp(const core::TotpCredential& c) {
  return Done(conn_.Query(
      "INSERT INTO totp_credentials (account_id, secret_enc, confirmed, last_step, created_at) "
      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id) DO UPDATE SET "
      "secret_enc = $2, confirmed = $3, last_step = $4, created_at = $5",
      {c.account_id, c.secret_enc, std::int64_t{c.confirmed}, c.last_step, c.created_at}));
}

Result<void> SqlTx::DeleteTotp(const std::string& account_id) {
  if (auto r = conn_.Query("DELETE FROM recovery_codes WHERE account_id = $1", {account_id}); !r)
    return core::Fail(r.error());
  return Done(conn_.Query("DELETE FROM totp_credentials WHERE account_id = $1", {account_id}));
}

Result<bool> SqlTx::AdvanceTotpStep(const std::string& account_id, std::int64_t step) {
  auto r = conn_.Query(
      "UPDATE totp_credentials SET last_step = $2 WHERE account_id = $1 AND last_step < $2 "
      "RETURNING account_id",
      {account_id, step});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

Result<void> SqlTx::ReplaceRecoveryCodes(const std::string& account_id,
                                         const std::vector<std::string>& code_hashes) {
  if (auto r = conn_.Query("DELETE FROM recovery_codes WHERE account_id = $1", {account_id}); !r)
    return core::Fail(r.error());
  for (const auto& h : code_hashes)
    if (auto r = conn_.Query(
            "INSERT INTO recovery_codes (account_id, code_hash, used_at) VALUES ($1, $2, NULL)",
            {account_id, h});
        !r)
      return core::Fail(r.error());
  return {};
}

Result<bool> SqlTx::UseRecoveryCode(const std::string& account_id, const std::string& code_hash,
                                    core::Timestamp now) {
  auto r = conn_.Query(
      "UPDATE recovery_codes SET used_at = $3 WHERE account_id = $1 AND code_hash = $2 "
      "AND used_at IS NULL RETURNING code_hash",
      {account_id, code_hash, now});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

Result<int> SqlTx::CountUnusedRecoveryCodes(const std::string& account_id) {
  auto r =
      conn_.Query("SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
                  {account_id});
  if (!r) return core::Fail(r.error());
  return static_cast<int>(r->front().Int(0));
}

Result<core::AuditHead> SqlTx::AdvanceAuditHead() {
  // The UPDATE takes the head row's lock until commit, so appends form one ordered chain.
  auto r =
      conn_.Query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash", {});
  if (!r) return core::Fail(r.error());
  if (r->empty())
    return core::Fail(core::Code::kInternal, "audit.no_head", "audit head row missing");
  return core::AuditHead{r->front().Int(0), r->front().Str(1)};
}

Result<void> SqlTx::AppendAuditEvent(const core::AuditEvent& e) {
  auto r = conn_.Query(
      std::string("INSERT INTO audit_events (") + kAuditCols +
          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
      {e.seq, e.id, e.occurred_at, e.actor_type, e.actor_id, e.ip, e.user_agent, e.workspace_id,
       e.action, e.target_type, e.target_id, e.summary, e.prev_hash, e.hash, e.key_id});
  if (!r) return core::Fail(r.error());
  return Done(conn_.Query("UPDATE audit_head SET last_hash = $1 WHERE id = 1", {e.hash}));
}

Result<std::vector<core::AuditEvent>> SqlTx::QueryAudit(const core::AuditQuery& q) {
  std::string sql = std::string("SELECT ") + kAuditCols + " FROM audit_events WHERE 1 = 1";
  std::vector<SqlValue> params;
  auto param = [&](SqlValue v) {
    params.push_back(std::move(v));
    return "$" + std::to_string(params.size());
  };
  if (!q.subject_id.empty()) {
    std::string p = param(q.subject_id);
    sql += " AND (actor_id = " + p + " OR target_id = " + p + ")";
  }
  if (!q.workspace_id.empty()) sql += " AND workspace_id = " + param(q.workspace_id);
  if (!q.actor_id.empty()) sql += " AND actor_id = " + param(q.actor_id);
  if (!q.target_id.empty()) sql += " AND target_id = " + param(q.target_id);
  if (q.from > 0) sql += " AND occurred_at >= " + param(q.from);
  if (q.to > 0) sql += " AND occurred_at < " + param(q.to);
  if (!q.action.empty()) {
    if (q.action.back() == '.')
      sql += " AND substr(action, 1, " + std::to_string(q.action.size()) + ") = " + param(q.action);
    else
      sql += " AND action = " + param(q.action);
  }
  if (q.before_seq > 0) sql += " AND seq < " + param(q.before_seq);
  sql += " ORDER BY seq DESC LIMIT " + param(std::int64_t{q.limit});
  return Events(conn_.Query(sql, params));
}

Result<std::vector<core::AuditEvent>> SqlTx::AuditEventsAfter(std::int64_t after_seq, int limit) {
  return Events(conn_.Query(std::string("SELECT ") + kAuditCols +
                                " FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2",
                            {after_seq, std::int64_t{limit}}));
}

Result<core::AuditAnchor> SqlTx::GetAuditAnchor() {
  auto r = conn_.Query(
      "SELECT anchor_seq, anchor_hash, anchor_mac, anchor_at FROM audit_head WHERE id = 1", {});
  if (!r) return core::Fail(r.error());
  if (r->empty())
    return core::Fail(core::Code::kInternal, "audit.no_head", "audit head row missing");
  const auto& row = r->front();
  return core::AuditAnchor{row.Int(0), row.Str(1), row.Str(2), row.Int(3)};
}

Result<int> SqlTx::PruneAuditEvents(const core::AuditAnchor& anchor) {
  auto deleted =
      conn_.Query("DELETE FROM audit_events WHERE seq <= $1 RETURNING seq", {anchor.seq});
  if (!deleted) return core::Fail(deleted.error());
  VAULT_TRY(Done(conn_.Query(
      "UPDATE audit_head SET anchor_seq = $1, anchor_hash = $2, anchor_mac = $3, anchor_at = $4 "
      "WHERE id = 1",
      {anchor.seq, anchor.hash, anchor.mac, anchor.at})));
  return static_cast<int>(deleted->size());
}

Result<std::vector<core::KeyringKeyRecord>> SqlTx::ListKeyringKeys() {
  auto r = conn_.Query("SELECT kid, check_value, added_at FROM keyring_keys ORDER BY kid", {});
  if (!r) return core::Fail(r.error());
  std::vector<core::KeyringKeyRecord> out;
  for (const auto& row : *r) out.push_back({row.Str(0), row.Str(1), row.Int(2)});
  return out;
}

Result<bool> SqlTx::InsertKeyringKey(const core::KeyringKeyRecord& key) {
  // DO NOTHING: two nodes starting at once both try to register a new key; the first wins and
  // the other compares its check value with the winner's.
  auto r = conn_.Query(
      "INSERT INTO keyring_keys (kid, check_value, added_at) VALUES ($1, $2, $3) "
      "ON CONFLICT (kid) DO NOTHING RETURNING kid",
      {key.kid, key.check_value, key.added_at});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

}  // namespace vault::storage
