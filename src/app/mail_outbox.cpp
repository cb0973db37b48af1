#include "app/mail_outbox.hpp"

#include <cstdint>

#include "core/encoding.hpp"
#include "core/outbox.hpp"

namespace vault::app {

namespace {

// Messages this thread queued: OutboxStore compares it before and after a transaction.
thread_local std::uint64_t tl_enqueued = 0;

}  // namespace

core::Result<core::OutboxMail> MailOutbox::Seal(const core::MailMessage& m) const {
  core::OutboxMail row;
  row.id = core::NewId(random_, "mail");
  row.created_at = row.next_attempt_at = clock_.Now();
  row.recipient = m.to;  // an address is not a secret; the dead-letter view shows it
  // Subject, text and HTML only sealed: the links in them carry one-time tokens.
  row.sealed = box_.Seal(core::EncodeMail(m));
  return row;
}

core::Result<void> MailOutbox::Enqueue(core::Tx& tx, const core::MailMessage& m) const {
  VAULT_ASSIGN_OR_RETURN(auto row, Seal(m));
  VAULT_TRY(tx.EnqueueMail(row));
  ++tl_enqueued;
  return {};
}

core::Result<void> MailOutbox::EnqueueDecoy(core::Tx& tx, const core::MailMessage& m) const {
  VAULT_ASSIGN_OR_RETURN(auto row, Seal(m));
  row.claimed_by = "decoy";  // so that only this transaction's delete matches it
  VAULT_TRY(tx.EnqueueMail(row));
  VAULT_ASSIGN_OR_RETURN(auto deleted, tx.DeleteSentMail(row.id, row.claimed_by));
  (void)deleted;  // inserted just above in this transaction: always true
  return {};
}

core::Result<bool> MailOutbox::Requeue(core::Tx& tx, const std::string& id) const {
  VAULT_ASSIGN_OR_RETURN(auto requeued, tx.RequeueDeadMail(id, clock_.Now()));
  if (requeued) ++tl_enqueued;
  return requeued;
}

core::Result<void> OutboxStore::DoWrite(const TxFunction& fn) {
  const std::uint64_t before = tl_enqueued;
  auto r = inner_.Write(fn);
  // A rolled-back attempt that queued mail may wake the sender for nothing: harmless.
  if (r && tl_enqueued != before && on_mail_) on_mail_();
  return r;
}

core::Result<void> OutboxStore::DoRead(const TxFunction& fn) { return inner_.Read(fn); }

}  // namespace vault::app
