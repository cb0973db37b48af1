// The durable mail outbox (issue 16). A use case queues its mail with MailOutbox::Enqueue inside
// the very transaction of the change that causes it, so the mail exists exactly when the change
// does: a 2xx means the message will be sent even if the process dies right after. The message
// is sealed (SecretBox under its own "mail_outbox" key): its links carry one-time tokens.
// OutboxStore wraps the services' Store and calls a hook after each committed write that
// queued mail (the sender's wake-up); MailSender (mail_sender.hpp) delivers. Thread-safe.
#pragma once

#include <functional>
#include <string>

#include "core/clock.hpp"
#include "core/ports.hpp"
#include "core/store.hpp"

namespace vault::app {

class MailOutbox {
 public:
  MailOutbox(core::SecretBox& box, core::Random& random, core::Clock& clock)
      : box_(box), random_(random), clock_(clock) {}

  // Seals m and adds it to the outbox in tx, due now: it is delivered after, and only if, tx
  // commits. Fails with the storage error.
  core::Result<void> Enqueue(core::Tx& tx, const core::MailMessage& m) const;
  // The same work as Enqueue for a message that must not go out (an address with no account:
  // the answer must cost the same, SPEC §12): sealed, inserted and deleted again in tx.
  core::Result<void> EnqueueDecoy(core::Tx& tx, const core::MailMessage& m) const;

  // Puts a dead message back in the queue, due now; false when no dead message has this id.
  // Like Enqueue, the sender is woken when tx commits.
  core::Result<bool> Requeue(core::Tx& tx, const std::string& id) const;

 private:
  core::Result<core::OutboxMail> Seal(const core::MailMessage& m) const;

  core::SecretBox& box_;
  core::Random& random_;
  core::Clock& clock_;
};

// A Store decorator: after a write transaction in which this thread queued mail commits, it
// calls on_mail (the sender's wake-up; in unit tests, delivery on the spot). Transactions run
// on the calling thread, so a thread-local count tells which transaction queued mail.
class OutboxStore : public core::Store {
 public:
  OutboxStore(core::Store& inner, std::function<void()> on_mail)
      : inner_(inner), on_mail_(std::move(on_mail)) {}

  core::Result<void> Ping() override { return inner_.Ping(); }

 protected:
  core::Result<void> DoWrite(const TxFunction& fn) override;
  core::Result<void> DoRead(const TxFunction& fn) override;

 private:
  core::Store& inner_;
  std::function<void()> on_mail_;
};

}  // namespace vault::app
