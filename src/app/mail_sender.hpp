// MailSender: delivers the durable outbox (issue 16). DeliverDue claims the rows due now (for
// claim_seconds, so a node that dies mid-delivery leaves them to another after that), opens
// each, hands it to the transport (SMTP) and deletes it when delivered; a failure counts an
// attempt and either schedules the next one (exponential backoff with jitter,
// core::MailRetryDelay) or, after max_attempts, leaves the row dead for a Super Admin to retry.
// Several nodes may run it on one database. Message text is never logged: on_failure gets the
// row's id and the transport's error. Thread-safe (counters are atomic; each call claims its
// own rows).
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "core/clock.hpp"
#include "core/outbox.hpp"
#include "core/ports.hpp"
#include "core/store.hpp"

namespace vault::app {

struct MailSenderSettings {
  core::MailRetryPolicy retry;
  // How long a claim holds: longer than delivering a whole batch (SMTP gives up after 40 s).
  core::Timestamp claim_seconds = 300;
  int batch = 5;  // rows claimed per transaction
};

struct MailDelivery {
  int delivered = 0, retried = 0, dead = 0;
  int claimed() const { return delivered + retried + dead; }
};

class MailSender {
 public:
  // on_failure(row id, attempts so far, dead?, error) runs after each failed attempt.
  using FailureHook = std::function<void(const std::string&, int, bool, const core::Error&)>;

  MailSender(core::Store& store, core::Clock& clock, core::Random& random, core::SecretBox& box,
             core::Mailer& transport, MailSenderSettings settings, std::string claimer,
             FailureHook on_failure = nullptr);

  // Delivers every row due now, batch after batch, until none is left; returns what it did.
  // Fails with a storage error (what was delivered before it stays delivered).
  core::Result<MailDelivery> DeliverDue();

  // Since start: messages delivered, failed attempts, messages that went dead.
  long delivered() const { return delivered_.load(); }
  long failed() const { return failed_.load(); }
  long dead() const { return dead_.load(); }

 private:
  core::Result<void> DeliverOne(const core::OutboxMail& row, MailDelivery& out);

  core::Store& store_;
  core::Clock& clock_;
  core::Random& random_;
  core::SecretBox& box_;
  core::Mailer& transport_;
  MailSenderSettings settings_;
  std::string claimer_;
  FailureHook on_failure_;
  std::atomic<long> delivered_{0}, failed_{0}, dead_{0};
};

}  // namespace vault::app
