// SqlTx: the durable mail outbox (issue 16). The same SQL on SQLite and PostgreSQL. A claim is
// one conditional UPDATE … RETURNING: on PostgreSQL (READ COMMITTED) a second node's update
// waits for the row lock of the first and then re-checks the claim condition on the row it
// locked, so two nodes never hold one row; SQLite has one writer at a time.
#include <algorithm>
#include <string>
#include <tuple>

#include "storage/sql_tx.hpp"

namespace vault::storage {

using core::MailState;
using core::OutboxMail;
using core::Result;
using core::Timestamp;

namespace {

constexpr const char* kMailCols =
    "id, created_at, recipient, sealed, attempts, next_attempt_at, state, last_error, "
    "claimed_until, claimed_by";

OutboxMail ToMail(const SqlRow& r) {
  OutboxMail m;
  m.id = r.Str(0);
  m.created_at = r.Int(1);
  m.recipient = r.Str(2);
  m.sealed = r.Str(3);
  m.attempts = static_cast<int>(r.Int(4));
  m.next_attempt_at = r.Int(5);
  m.state = r.Str(6) == "dead" ? MailState::kDead : MailState::kQueued;
  m.last_error = r.Str(7);
  m.claimed_until = r.Int(8);
  m.claimed_by = r.Str(9);
  return m;
}

Result<std::vector<OutboxMail>> ToMails(Result<std::vector<SqlRow>> rows) {
  if (!rows) return core::Fail(rows.error());
  std::vector<OutboxMail> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(ToMail(r));
  return out;
}

}  // namespace

Result<void> SqlTx::EnqueueMail(const OutboxMail& m) {
  auto r = conn_.Query(
      std::string("INSERT INTO mail_outbox (") + kMailCols +
          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
      {m.id, m.created_at, m.recipient, m.sealed, std::int64_t{m.attempts}, m.next_attempt_at,
       std::string(core::MailStateName(m.state)), m.last_error, m.claimed_until, m.claimed_by});
  if (!r) return core::Fail(r.error());
  return {};
}

Result<std::vector<OutboxMail>> SqlTx::ClaimDueMail(Timestamp now, const std::string& claimer,
                                                    Timestamp until, int limit) {
  // The condition is repeated outside the sub-select: it is what PostgreSQL re-checks on a row
  // another claimer updated meanwhile.
  const char* due = "state = 'queued' AND next_attempt_at <= $1 AND claimed_until <= $1";
  auto rows = ToMails(conn_.Query(
      std::string("UPDATE mail_outbox SET claimed_by = $2, claimed_until = $3 WHERE id IN "
                  "(SELECT id FROM mail_outbox WHERE ") +
          due + " ORDER BY next_attempt_at, id LIMIT $4) AND " + due + " RETURNING " + kMailCols,
      {now, claimer, until, std::int64_t{limit}}));
  if (!rows) return rows;
  // RETURNING keeps no order: earliest due first, as claimed.
  std::sort(rows->begin(), rows->end(), [](const OutboxMail& a, const OutboxMail& b) {
    return std::tie(a.next_attempt_at, a.id) < std::tie(b.next_attempt_at, b.id);
  });
  return rows;
}

Result<bool> SqlTx::DeleteSentMail(const std::string& id, const std::string& claimer) {
  auto r = conn_.Query("DELETE FROM mail_outbox WHERE id = $1 AND claimed_by = $2 RETURNING id",
                       {id, claimer});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

Result<bool> SqlTx::RecordMailFailure(const std::string& id, const std::string& claimer,
                                      Timestamp next_attempt_at, bool dead,
                                      const std::string& last_error) {
  auto r = conn_.Query(
      "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = $3, state = $4, "
      "last_error = $5, claimed_until = 0, claimed_by = '' WHERE id = $1 AND claimed_by = $2 "
      "AND state = 'queued' RETURNING id",
      {id, claimer, next_attempt_at, std::string(dead ? "dead" : "queued"), last_error});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

Result<std::vector<OutboxMail>> SqlTx::ListMail(MailState state, const core::Page& page) {
  std::vector<SqlValue> params{std::string(core::MailStateName(state))};
  std::string tail = Keyset(page, "created_at", "id", true, params);
  return ToMails(conn_.Query(
      std::string("SELECT ") + kMailCols + " FROM mail_outbox WHERE state = $1" + tail, params));
}

Result<bool> SqlTx::RequeueDeadMail(const std::string& id, Timestamp now) {
  auto r = conn_.Query(
      "UPDATE mail_outbox SET state = 'queued', attempts = 0, next_attempt_at = $2, "
      "claimed_until = 0, claimed_by = '' WHERE id = $1 AND state = 'dead' RETURNING id",
      {id, now});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

Result<core::MailCounts> SqlTx::CountMail() {
  auto r = conn_.Query(
      "SELECT COALESCE(SUM(CASE WHEN state = 'queued' THEN 1 ELSE 0 END), 0), "
      "COALESCE(SUM(CASE WHEN state = 'dead' THEN 1 ELSE 0 END), 0) FROM mail_outbox",
      {});
  if (!r) return core::Fail(r.error());
  return core::MailCounts{r->front().Int(0), r->front().Int(1)};
}

}  // namespace vault::storage
