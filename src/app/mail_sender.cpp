#include "app/mail_sender.hpp"

#include <cstdint>
#include <cstring>

namespace vault::app {

using core::Result;

MailSender::MailSender(core::Store& store, core::Clock& clock, core::Random& random,
                       core::SecretBox& box, core::Mailer& transport, MailSenderSettings settings,
                       std::string claimer, FailureHook on_failure)
    : store_(store),
      clock_(clock),
      random_(random),
      box_(box),
      transport_(transport),
      settings_(settings),
      claimer_(std::move(claimer)),
      on_failure_(std::move(on_failure)) {}

Result<MailDelivery> MailSender::DeliverDue() {
  MailDelivery out;
  while (true) {
    const core::Timestamp now = clock_.Now();
    VAULT_ASSIGN_OR_RETURN(auto rows, store_.Write([&](core::Tx& tx) {
      return tx.ClaimDueMail(now, claimer_, now + settings_.claim_seconds, settings_.batch);
    }));
    for (const auto& row : rows) VAULT_TRY(DeliverOne(row, out));
    if (static_cast<int>(rows.size()) < settings_.batch) return out;
  }
}

Result<void> MailSender::DeliverOne(const core::OutboxMail& row, MailDelivery& out) {
  core::Result<void> sent;
  auto opened = box_.Open(row.sealed);  // fails for a row sealed under another server secret
  auto message = opened ? core::DecodeMail(*opened)
                        : core::Result<core::MailMessage>(core::Fail(opened.error()));
  sent = message ? transport_.Send(*message) : core::Result<void>(core::Fail(message.error()));
  if (sent) {
    // Lost claim (another node took the row after ours lapsed): it may be sent twice, never lost.
    VAULT_ASSIGN_OR_RETURN(auto deleted, store_.Write([&](core::Tx& tx) {
      return tx.DeleteSentMail(row.id, claimer_);
    }));
    (void)deleted;
    ++delivered_;
    ++out.delivered;
    return {};
  }
  const int failures = row.attempts + 1;
  const bool dead = core::MailIsDead(settings_.retry, failures);
  std::uint32_t r = 0;
  std::string bytes = random_.Bytes(sizeof r);
  std::memcpy(&r, bytes.data(), sizeof r);
  const core::Timestamp next =
      clock_.Now() + core::MailRetryDelay(settings_.retry, failures, r / 4294967296.0);
  // The transport's error only: ids and details of SMTP failures hold no message text.
  std::string error = sent.error().id + ": " + sent.error().detail;
  VAULT_ASSIGN_OR_RETURN(auto recorded, store_.Write([&](core::Tx& tx) {
    return tx.RecordMailFailure(row.id, claimer_, next, dead, error.substr(0, 500));
  }));
  (void)recorded;
  ++failed_;
  if (dead) {
    ++dead_;
    ++out.dead;
  } else {
    ++out.retried;
  }
  if (on_failure_) on_failure_(row.id, failures, dead, sent.error());
  return {};
}

}  // namespace vault::app
