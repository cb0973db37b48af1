// Retention: small batched deletes of what has expired (sessions, one-time tokens, throttle
// rows, invitations, webhook event ids). Each batch is one statement in the caller's
// transaction; the same SQL on SQLite and PostgreSQL (DELETE … RETURNING).
#include <string>

#include "storage/sql_tx.hpp"

namespace vault::storage {

using core::Result;
using core::Timestamp;

Result<int> SqlTx::Purge(const char* table, const char* key, const char* where,
                         std::vector<SqlValue> params, int limit) {
  const std::string n = "$" + std::to_string(params.size() + 1);
  params.emplace_back(static_cast<std::int64_t>(limit));
  const std::string sql = std::string("DELETE FROM ") + table + " WHERE " + key + " IN (SELECT " +
                          key + " FROM " + table + " WHERE " + where + " LIMIT " + n +
                          ") RETURNING " + key;
  auto r = conn_.Query(sql, params);
  if (!r) return core::Fail(r.error());
  return static_cast<int>(r->size());
}

Result<int> SqlTx::PurgeExpiredSessions(Timestamp now, int limit) {
  return Purge("sessions", "id", "expires_at < $1", {now}, limit);
}

Result<int> SqlTx::PurgeExpiredTokens(Timestamp before, int limit) {
  return Purge("one_time_tokens", "token_hash", "expires_at < $1", {before}, limit);
}

Result<int> SqlTx::PurgeThrottle(Timestamp window_before, Timestamp now, int limit) {
  return Purge("throttle", "key", "window_start < $1 AND locked_until <= $2", {window_before, now},
               limit);
}

Result<int> SqlTx::PurgeInvitations(Timestamp expired_before, int limit) {
  return Purge("invitations", "id", "expires_at < $1", {expired_before}, limit);
}

Result<int> SqlTx::PurgeWebhookEvents(Timestamp before, int limit) {
  return Purge("webhook_events", "event_id", "received_at < $1", {before}, limit);
}

}  // namespace vault::storage
