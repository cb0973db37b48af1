// MailRelay: the durable mail outbox in unit tests. Services queue their mail in the outbox in
// their own transactions, as in production; a store made by Over() delivers it into `sink` (a
// RecordingMailer) on the same thread right after each commit that queued mail, so a test reads
// the mail as soon as the call returns, and a rolled-back call leaves none.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "app/mail_outbox.hpp"
#include "app/mail_sender.hpp"
#include "crypto/secrets.hpp"

namespace vault::testing {

class MailRelay {
 public:
  // raw: the undecorated store of the database (the sender's claims are not the use case's).
  MailRelay(core::Store& raw, core::Clock& clock, core::Random& random, core::Mailer& sink)
      : outbox_(box_, random, clock), sender_(raw, clock, random, box_, sink, {}, "test") {}

  app::MailOutbox& outbox() { return outbox_; }
  app::MailSender& sender() { return sender_; }
  core::SecretBox& box() { return box_; }

  // `inner` (the raw store or a decorator of it), delivering after each commit that queued mail.
  core::Store& Over(core::Store& inner) {
    stores_.push_back(std::make_unique<app::OutboxStore>(inner, [this] {
      auto delivered = sender_.DeliverDue();
      EXPECT_TRUE(delivered) << delivered.error().detail;
    }));
    return *stores_.back();
  }

 private:
  crypto::SodiumSecretBox box_{std::string(32, 'm'), "mail_outbox"};
  app::MailOutbox outbox_;
  app::MailSender sender_;
  std::vector<std::unique_ptr<app::OutboxStore>> stores_;
};

}  // namespace vault::testing
