// The storage contract for retention, on every backend: each Purge… deletes only what has
// expired, at most `limit` rows per call, and says how many it deleted.
#include <gtest/gtest.h>

#include "storage/store_fixture.hpp"

namespace vault::storage {
namespace {

using core::TokenPurpose;
using core::Tx;

class RetentionStore : public StoreTest {
 protected:
  // Calls purge with a limit of 2 until it deletes nothing; returns each call's count.
  std::vector<int> Drain(const std::function<core::Result<int>(Tx&, int)>& purge) {
    std::vector<int> counts;
    for (int i = 0; i < 10; ++i) {
      int n = 0;
      Write([&](Tx& tx) { n = Ok(purge(tx, 2)); });
      counts.push_back(n);
      if (n == 0) break;
    }
    return counts;
  }
};

TEST_P(RetentionStore, ExpiredSessionsGoInBatchesLiveOnesStay) {
  SeedAccounts({{"acc_1", "a@example.com"}});
  Write([&](Tx& tx) {
    for (int i = 0; i < 5; ++i)  // created at 0..4: expire at 100..104
      Ok(tx.InsertSession(MakeSession("ses_old" + std::to_string(i), "acc_1", i)));
    Ok(tx.InsertSession(MakeSession("ses_live", "acc_1", 1000)));  // expires at 1100
  });
  EXPECT_EQ(Drain([](Tx& tx, int n) { return tx.PurgeExpiredSessions(500, n); }),
            (std::vector<int>{2, 2, 1, 0}));
  Read([&](Tx& tx) {
    auto left = Ok(tx.ListSessions("acc_1"));
    ASSERT_EQ(left.size(), 1u);
    EXPECT_EQ(left[0].id, "ses_live");
  });
  // the boundary: a session expiring exactly at `now` is not yet purged
  EXPECT_EQ(Drain([](Tx& tx, int n) { return tx.PurgeExpiredSessions(1100, n); }),
            (std::vector<int>{0}));
}

TEST_P(RetentionStore, ExpiredTokensGoUsedOrNotLiveOnesStay) {
  SeedAccounts({{"acc_1", "a@example.com"}});
  Write([&](Tx& tx) {
    Ok(tx.InsertToken(MakeToken("old_unused", TokenPurpose::kPasswordReset, "acc_1", 100)));
    Ok(tx.InsertToken(MakeToken("old_used", TokenPurpose::kPasswordReset, "acc_1", 200)));
    Ok(tx.InsertToken(MakeToken("decoy", TokenPurpose::kSignup, "", 300)));
    Ok(tx.InsertToken(MakeToken("live", TokenPurpose::kPasswordReset, "acc_1", 5000)));
    EXPECT_TRUE(Ok(tx.ConsumeToken("old_used", TokenPurpose::kPasswordReset, 150)));
  });
  EXPECT_EQ(Drain([](Tx& tx, int n) { return tx.PurgeExpiredTokens(1000, n); }),
            (std::vector<int>{2, 1, 0}));
  Read([&](Tx& tx) {
    EXPECT_FALSE(Ok(tx.FindToken("old_unused", TokenPurpose::kPasswordReset)));
    EXPECT_FALSE(Ok(tx.FindToken("old_used", TokenPurpose::kPasswordReset)));
    EXPECT_FALSE(Ok(tx.FindToken("decoy", TokenPurpose::kSignup)));
    EXPECT_TRUE(Ok(tx.FindToken("live", TokenPurpose::kPasswordReset)));
  });
}

TEST_P(RetentionStore, ThrottleRowsGoOnlyWhenTheirWindowAndLockAreOver) {
  Write([&](Tx& tx) {
    Ok(tx.ReserveAttempt("old", 100, 60));
    Ok(tx.ReserveAttempt("old2", 110, 60));
    Ok(tx.ReserveAttempt("locked", 120, 60));
    Ok(tx.LockThrottle("locked", 9000));  // locked long after its window began
    Ok(tx.ReserveAttempt("recent", 950, 60));
  });
  EXPECT_EQ(Drain([](Tx& tx, int n) { return tx.PurgeThrottle(500, 1000, n); }),
            (std::vector<int>{2, 0}));
  // The survivors keep counting where they were: "locked" is still locked, "recent" has 2.
  Write([&](Tx& tx) {
    auto locked = Ok(tx.ReserveAttempt("locked", 1000, 60));
    EXPECT_EQ(locked.locked_until, 9000);
    auto recent = Ok(tx.ReserveAttempt("recent", 960, 60));
    EXPECT_EQ(recent.attempts, 2);
    // a purged key starts afresh
    auto old = Ok(tx.ReserveAttempt("old", 1000, 60));
    EXPECT_EQ(old.attempts, 1);
  });
  // Later, every window is over: the unlocked rows go, the locked one only once its lock ended.
  EXPECT_EQ(Drain([](Tx& tx, int n) { return tx.PurgeThrottle(2000, 8999, n); }),
            (std::vector<int>{2, 0}));
  EXPECT_EQ(Drain([](Tx& tx, int n) { return tx.PurgeThrottle(2000, 9000, n); }),
            (std::vector<int>{1, 0}));
}

TEST_P(RetentionStore, InvitationsGoSomeTimeAfterTheyExpired) {
  SeedWorkspaces({{"ws_1", "acme"}});
  Write([&](Tx& tx) {
    Ok(tx.InsertInvitation(MakeInvitation("inv_a", "ws_1", "a@example.com", 0)));  // exp 1000
    Ok(tx.InsertInvitation(MakeInvitation("inv_b", "ws_1", "b@example.com", 10)));
    Ok(tx.InsertInvitation(MakeInvitation("inv_c", "ws_1", "c@example.com", 20)));
    Ok(tx.InsertInvitation(MakeInvitation("inv_live", "ws_1", "d@example.com", 5000)));
  });
  EXPECT_EQ(Drain([](Tx& tx, int n) { return tx.PurgeInvitations(2000, n); }),
            (std::vector<int>{2, 1, 0}));
  Read([&](Tx& tx) {
    EXPECT_FALSE(Ok(tx.FindInvitation("ws_1", "inv_a")));
    EXPECT_TRUE(Ok(tx.FindInvitation("ws_1", "inv_live")));
  });
}

TEST_P(RetentionStore, WebhookIdsAreForgottenAfterTheirTime) {
  Write([&](Tx& tx) {
    EXPECT_TRUE(Ok(tx.RecordWebhookEvent("ev_old1", 100)));
    EXPECT_TRUE(Ok(tx.RecordWebhookEvent("ev_old2", 200)));
    EXPECT_TRUE(Ok(tx.RecordWebhookEvent("ev_new", 900)));
  });
  EXPECT_EQ(Drain([](Tx& tx, int n) { return tx.PurgeWebhookEvents(500, n); }),
            (std::vector<int>{2, 0}));
  Write([&](Tx& tx) {
    EXPECT_FALSE(Ok(tx.RecordWebhookEvent("ev_new", 1000)));  // still remembered
    EXPECT_TRUE(Ok(tx.RecordWebhookEvent("ev_old1", 1000)));  // forgotten
  });
}

VAULT_STORE_BACKENDS(RetentionStore);

}  // namespace
}  // namespace vault::storage
