// The durable mail outbox's use-case side (issue 16), on every backend: mail queued in a
// transaction exists exactly when the transaction commits (and wakes the sender only then);
// the sender delivers, retries on the backoff schedule, gives up into a dead letter, and a
// requeued dead letter is delivered with its content intact.
#include "app/mail_sender.hpp"

#include <gtest/gtest.h>

#include "app/mail_outbox.hpp"
#include "crypto/secrets.hpp"
#include "crypto/sodium.hpp"
#include "support/fixtures.hpp"

namespace vault::app {
namespace {

using core::MailMessage;
using core::Result;

// A transport that fails while `down`, recording what it delivered.
class FlakyTransport : public core::Mailer {
 public:
  Result<void> Send(const MailMessage& m) override {
    if (down) return core::Fail(core::Code::kUnavailable, "mail.unavailable", "connection refused");
    sent.push_back(m);
    return {};
  }
  bool down = false;
  std::vector<MailMessage> sent;
};

class MailSenderTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    VAULT_REQUIRE_BACKEND(GetParam());
    ASSERT_TRUE(crypto::InitSodium());
    db_ = std::make_unique<testing::TempDatabase>(GetParam());
    opened_ = db_->Open();
    store_ = std::make_unique<OutboxStore>(*opened_.store, [this] { ++wakes_; });
    MailSenderSettings settings;
    settings.retry = {3, 10, 15};
    sender_ = std::make_unique<MailSender>(*opened_.store, clock_, random_, box_, transport_,
                                           settings, "node-1");
  }

  core::MailCounts Counts() {
    return *opened_.store->Read([](core::Tx& tx) { return tx.CountMail(); });
  }
  std::vector<core::OutboxMail> Rows(core::MailState state) {
    return *opened_.store->Read([&](core::Tx& tx) { return tx.ListMail(state, core::Page{}); });
  }

  std::unique_ptr<testing::TempDatabase> db_;
  storage::OpenedStore opened_;
  testing::FakeClock clock_;
  crypto::SodiumRandom random_;
  crypto::SodiumSecretBox box_{std::string(32, 's'), "mail_outbox"};
  FlakyTransport transport_;
  MailOutbox outbox_{box_, random_, clock_};
  std::unique_ptr<OutboxStore> store_;
  std::unique_ptr<MailSender> sender_;
  int wakes_ = 0;
  const MailMessage message_{"ada@example.com", "Verify your email address",
                             "https://x/signup/complete?token=SECRET", "<a>SECRET</a>"};
};

TEST_P(MailSenderTest, MailExistsOnlyWhenItsTransactionCommitsAndOnlyThenWakesTheSender) {
  auto failed = store_->Write([&](core::Tx& tx) -> Result<void> {
    VAULT_TRY(outbox_.Enqueue(tx, message_));
    return core::Fail(core::Code::kInternal, "test.rollback", "the change failed");
  });
  EXPECT_FALSE(failed);
  EXPECT_EQ(Counts().queued, 0);
  EXPECT_EQ(wakes_, 0);
  ASSERT_TRUE(store_->Write([&](core::Tx& tx) -> Result<void> {
    VAULT_TRY(tx.CountMail());
    return {};
  }));
  EXPECT_EQ(wakes_, 0) << "a transaction that queued nothing woke the sender";
  ASSERT_TRUE(store_->Write([&](core::Tx& tx) { return outbox_.Enqueue(tx, message_); }));
  EXPECT_EQ(wakes_, 1);
  auto rows = Rows(core::MailState::kQueued);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].recipient, "ada@example.com");
  EXPECT_EQ(rows[0].sealed.find("SECRET"), std::string::npos) << "stored in clear";
  EXPECT_EQ(rows[0].sealed.find("Verify"), std::string::npos) << "stored in clear";
  // a decoy costs a queued message's work and leaves nothing
  ASSERT_TRUE(store_->Write([&](core::Tx& tx) { return outbox_.EnqueueDecoy(tx, message_); }));
  EXPECT_EQ(Counts().queued, 1);
  EXPECT_EQ(wakes_, 1);
}

TEST_P(MailSenderTest, FailuresBackOffThenDieAndARequeuedDeadLetterIsDelivered) {
  ASSERT_TRUE(store_->Write([&](core::Tx& tx) { return outbox_.Enqueue(tx, message_); }));
  transport_.down = true;
  auto first = sender_->DeliverDue();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->retried, 1);
  auto row = Rows(core::MailState::kQueued).at(0);
  EXPECT_EQ(row.attempts, 1);
  EXPECT_GE(row.next_attempt_at, clock_.Now() + 10);  // base 10 s, jitter up to 2 s
  EXPECT_LE(row.next_attempt_at, clock_.Now() + 12);
  EXPECT_EQ(row.last_error, "mail.unavailable: connection refused");
  EXPECT_EQ(sender_->DeliverDue()->claimed(), 0) << "retried before its time";

  clock_.Set(row.next_attempt_at);
  EXPECT_EQ(sender_->DeliverDue()->retried, 1);
  row = Rows(core::MailState::kQueued).at(0);
  EXPECT_EQ(row.attempts, 2);
  EXPECT_GE(row.next_attempt_at, clock_.Now() + 15);  // 20 capped at 15, plus jitter
  EXPECT_LE(row.next_attempt_at, clock_.Now() + 18);

  clock_.Set(row.next_attempt_at);
  EXPECT_EQ(sender_->DeliverDue()->dead, 1);
  EXPECT_EQ(Counts().queued, 0);
  EXPECT_EQ(Counts().dead, 1);
  clock_.Advance(1'000'000);
  EXPECT_EQ(sender_->DeliverDue()->claimed(), 0) << "a dead letter was retried by itself";
  EXPECT_EQ(sender_->failed(), 3);
  EXPECT_EQ(sender_->dead(), 1);

  transport_.down = false;
  const std::string id = Rows(core::MailState::kDead).at(0).id;
  ASSERT_TRUE(store_->Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto requeued, outbox_.Requeue(tx, id));
    EXPECT_TRUE(requeued);
    return {};
  }));
  EXPECT_EQ(wakes_, 2) << "a retry wakes the sender";
  EXPECT_EQ(sender_->DeliverDue()->delivered, 1);
  ASSERT_EQ(transport_.sent.size(), 1u);
  EXPECT_EQ(transport_.sent[0].to, message_.to);
  EXPECT_EQ(transport_.sent[0].subject, message_.subject);
  EXPECT_EQ(transport_.sent[0].text, message_.text);
  EXPECT_EQ(transport_.sent[0].html, message_.html);
  EXPECT_EQ(Counts().queued + Counts().dead, 0);  // delivered rows are deleted
  EXPECT_EQ(sender_->delivered(), 1);
}

TEST_P(MailSenderTest, AMessageSealedUnderAnotherKeyFailsAndNeverReachesTheTransport) {
  crypto::SodiumSecretBox other{std::string(32, 'o'), "mail_outbox"};
  MailOutbox foreign{other, random_, clock_};
  ASSERT_TRUE(store_->Write([&](core::Tx& tx) { return foreign.Enqueue(tx, message_); }));
  auto r = sender_->DeliverDue();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->retried, 1);
  EXPECT_TRUE(transport_.sent.empty());
  EXPECT_EQ(Rows(core::MailState::kQueued).at(0).last_error.rfind("crypto.", 0), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, MailSenderTest, ::testing::ValuesIn(testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vault::app
