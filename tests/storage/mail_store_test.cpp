// The storage contract of the durable mail outbox (issue 16), on every backend: a row is claimed
// only when due and by one claimer at a time until its claim lapses, a delivered row goes, a
// failure counts an attempt and reschedules or kills the row, dead rows are listed newest first
// in pages and requeued once.
#include <gtest/gtest.h>

#include <set>

#include "storage/store_fixture.hpp"

namespace vault::storage {
namespace {

using core::MailState;
using core::OutboxMail;
using core::Tx;

OutboxMail MakeMail(const std::string& id, core::Timestamp due, core::Timestamp created = 1) {
  OutboxMail m;
  m.id = id;
  m.created_at = created;
  m.recipient = id + "@example.com";
  m.sealed = "sealed-" + id;
  m.next_attempt_at = due;
  return m;
}

std::vector<std::string> MailIds(const std::vector<OutboxMail>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.id);
  return out;
}

using Ids_t = std::vector<std::string>;

class MailStore : public StoreTest {};

TEST_P(MailStore, RowsAreClaimedWhenDueByOneClaimerUntilTheClaimLapses) {
  Write([&](Tx& tx) {
    OutboxMail hostile = MakeMail("m1", 100);
    hostile.recipient = "zoë'); DROP TABLE mail_outbox;--@example.com";
    Ok(tx.EnqueueMail(hostile));
    Ok(tx.EnqueueMail(MakeMail("m2", 200)));
    Ok(tx.EnqueueMail(MakeMail("m3", 300)));
  });
  EXPECT_FALSE(store_->Write([](Tx& tx) { return tx.EnqueueMail(MakeMail("m3", 300)); }))
      << "a taken id";
  Write([&](Tx& tx) {
    auto claimed = Ok(tx.ClaimDueMail(150, "node-a", 1000, 10));
    ASSERT_EQ(MailIds(claimed), Ids_t{"m1"});
    EXPECT_EQ(claimed[0].recipient, "zoë'); DROP TABLE mail_outbox;--@example.com");
    EXPECT_EQ(claimed[0].sealed, "sealed-m1");
    EXPECT_EQ(claimed[0].claimed_by, "node-a");
    EXPECT_EQ(claimed[0].claimed_until, 1000);
    EXPECT_EQ(claimed[0].state, MailState::kQueued);
    // m1 is held by node-a: another claimer gets only what became due
    EXPECT_EQ(MailIds(Ok(tx.ClaimDueMail(250, "node-b", 900, 10))), Ids_t{"m2"});
    EXPECT_EQ(MailIds(Ok(tx.ClaimDueMail(500, "node-c", 2000, 10))), Ids_t{"m3"});
  });
  Write([&](Tx& tx) {
    // at 950 node-b's claim (until 900) has lapsed, node-a's and node-c's have not
    EXPECT_EQ(MailIds(Ok(tx.ClaimDueMail(950, "node-d", 3000, 10))), Ids_t{"m2"});
    // the limit, earliest due first, once every claim has lapsed
    EXPECT_EQ(MailIds(Ok(tx.ClaimDueMail(5000, "node-e", 6000, 2))), (Ids_t{"m1", "m2"}));
  });
}

TEST_P(MailStore, ConcurrentClaimersNeverShareARow) {
  Write([&](Tx& tx) {
    for (int i = 0; i < 12; ++i) Ok(tx.EnqueueMail(MakeMail("m" + std::to_string(i), 10)));
  });
  auto batches = Concurrently<std::vector<OutboxMail>>(
      6, [](Tx& tx, int i) { return tx.ClaimDueMail(100, "node-" + std::to_string(i), 1000, 12); });
  std::multiset<std::string> claimed;
  for (const auto& b : batches)
    for (const auto& r : b) claimed.insert(r.id);
  EXPECT_EQ(claimed.size(), 12u);
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(), 12u) << "a row twice";
}

TEST_P(MailStore, ADeliveredRowIsDeletedOnlyByItsClaimer) {
  Write([&](Tx& tx) {
    Ok(tx.EnqueueMail(MakeMail("m1", 10)));
    Ok(tx.ClaimDueMail(100, "node-a", 1000, 10));
  });
  Write([&](Tx& tx) {
    EXPECT_FALSE(Ok(tx.DeleteSentMail("m1", "node-b")));
    EXPECT_TRUE(Ok(tx.DeleteSentMail("m1", "node-a")));
    EXPECT_FALSE(Ok(tx.DeleteSentMail("m1", "node-a")));
    auto counts = Ok(tx.CountMail());
    EXPECT_EQ(counts.queued, 0);
    EXPECT_EQ(counts.dead, 0);
  });
}

TEST_P(MailStore, AFailureCountsAnAttemptAndReschedulesOrKillsTheRow) {
  Write([&](Tx& tx) {
    Ok(tx.EnqueueMail(MakeMail("m1", 10)));
    Ok(tx.ClaimDueMail(100, "node-a", 1000, 10));
    EXPECT_FALSE(Ok(tx.RecordMailFailure("m1", "node-b", 500, false, "x")));  // not its claim
    EXPECT_TRUE(Ok(tx.RecordMailFailure("m1", "node-a", 500, false, "mail.unavailable: down")));
  });
  Write([&](Tx& tx) {
    auto queued = Ok(tx.ListMail(MailState::kQueued, core::Page{}));
    ASSERT_EQ(queued.size(), 1u);
    EXPECT_EQ(queued[0].attempts, 1);
    EXPECT_EQ(queued[0].next_attempt_at, 500);
    EXPECT_EQ(queued[0].last_error, "mail.unavailable: down");
    EXPECT_EQ(queued[0].claimed_until, 0);  // released: due again at 500, for anyone
    EXPECT_TRUE(Ok(tx.ClaimDueMail(499, "node-b", 2000, 10)).empty());
    EXPECT_EQ(MailIds(Ok(tx.ClaimDueMail(500, "node-b", 2000, 10))), Ids_t{"m1"});
    EXPECT_TRUE(Ok(tx.RecordMailFailure("m1", "node-b", 9000, true, "mail.unavailable: gone")));
    EXPECT_FALSE(Ok(tx.RecordMailFailure("m1", "node-b", 9000, true, "again")));  // released
  });
  Write([&](Tx& tx) {
    EXPECT_TRUE(Ok(tx.ClaimDueMail(1'000'000, "node-c", 2'000'000, 10)).empty());
    auto dead = Ok(tx.ListMail(MailState::kDead, core::Page{}));
    ASSERT_EQ(dead.size(), 1u);
    EXPECT_EQ(dead[0].attempts, 2);
    EXPECT_EQ(dead[0].state, MailState::kDead);
    EXPECT_EQ(dead[0].last_error, "mail.unavailable: gone");
    auto counts = Ok(tx.CountMail());
    EXPECT_EQ(counts.queued, 0);
    EXPECT_EQ(counts.dead, 1);
  });
}

TEST_P(MailStore, DeadRowsAreListedNewestFirstInPagesAndRequeuedOnce) {
  Write([&](Tx& tx) {
    Ok(tx.EnqueueMail(MakeMail("m_a", 10, 100)));
    Ok(tx.EnqueueMail(MakeMail("m_b", 10, 300)));
    Ok(tx.EnqueueMail(MakeMail("m_c", 10, 300)));
    Ok(tx.EnqueueMail(MakeMail("m_live", 10, 400)));
    for (const auto& r : Ok(tx.ClaimDueMail(20, "n", 30, 10)))
      if (r.id != "m_live") Ok(tx.RecordMailFailure(r.id, "n", 40, true, "e"));
  });
  Read([&](Tx& tx) {
    auto first = Ok(tx.ListMail(MailState::kDead, core::Page{2}));
    ASSERT_EQ(MailIds(first), (Ids_t{"m_b", "m_c"}));  // newest first, then by id
    core::Page next{2, "m_c", "", 300};
    EXPECT_EQ(MailIds(Ok(tx.ListMail(MailState::kDead, next))), Ids_t{"m_a"});
  });
  Write([&](Tx& tx) {
    EXPECT_FALSE(Ok(tx.RequeueDeadMail("m_live", 50)));  // not dead
    EXPECT_FALSE(Ok(tx.RequeueDeadMail("m_nope", 50)));
    EXPECT_TRUE(Ok(tx.RequeueDeadMail("m_b", 50)));
    EXPECT_FALSE(Ok(tx.RequeueDeadMail("m_b", 50)));  // once
  });
  Write([&](Tx& tx) {
    auto counts = Ok(tx.CountMail());
    EXPECT_EQ(counts.queued, 2);
    EXPECT_EQ(counts.dead, 2);
    // m_live's claim (until 30) has lapsed; m_b is due again with no attempts
    auto claimed = Ok(tx.ClaimDueMail(50, "n2", 100, 10));
    ASSERT_EQ(MailIds(claimed), (Ids_t{"m_live", "m_b"}));
    EXPECT_EQ(claimed[1].attempts, 0);
    EXPECT_EQ(claimed[1].next_attempt_at, 50);
  });
}

VAULT_STORE_BACKENDS(MailStore);

}  // namespace
}  // namespace vault::storage
