// The storage contract for throttling, second factors, the audit chain, the change feed and
// webhook idempotency, on every backend. Coverage of every core::Tx method:
// tests/storage/README.md.
#include <gtest/gtest.h>

#include <set>

#include "storage/store_fixture.hpp"

namespace vault::storage {
namespace {

using core::AuditEvent;
using core::Result;
using core::ThrottleState;
using core::Tx;

class SecurityStore : public StoreTest {
 protected:
  ThrottleState Reserve(const std::string& key, core::Timestamp now) {
    ThrottleState out;
    Write([&](Tx& tx) { out = Ok(tx.ReserveAttempt(key, now, 60)); });
    return out;
  }

  static AuditEvent MakeEvent(const core::AuditHead& head, const std::string& action,
                              const std::string& workspace_id, const std::string& actor_id,
                              const std::string& target_id) {
    AuditEvent e;
    e.seq = head.seq;
    e.id = "evt_" + std::to_string(head.seq);
    e.occurred_at = 100 + head.seq;
    e.actor_type = "account";
    e.actor_id = actor_id;
    e.ip = "10.0.0.1";
    e.user_agent = "ua";
    e.workspace_id = workspace_id;
    e.action = action;
    e.target_type = "thing";
    e.target_id = target_id;
    e.summary = R"({"k":"v"})";
    e.prev_hash = head.last_hash;
    e.hash = "h" + std::to_string(head.seq);
    return e;
  }

  // Appends one event in its own transaction, as the audit recorder does.
  void Append(const std::string& action, const std::string& workspace_id = "",
              const std::string& actor_id = "acc_1", const std::string& target_id = "") {
    Write([&](Tx& tx) {
      auto head = Ok(tx.AdvanceAuditHead());
      Ok(tx.AppendAuditEvent(MakeEvent(head, action, workspace_id, actor_id, target_id)));
    });
  }

  std::vector<std::int64_t> Query(const core::AuditQuery& q) {
    std::vector<std::int64_t> out;
    Read([&](Tx& tx) {
      for (const auto& e : Ok(tx.QueryAudit(q))) out.push_back(e.seq);
    });
    return out;
  }

  std::vector<std::int64_t> ChangeSeqs(std::int64_t after = 0) {
    std::vector<std::int64_t> out;
    Read([&](Tx& tx) {
      for (const auto& c : Ok(tx.ChangesAfter(after, 100))) out.push_back(c.seq);
    });
    return out;
  }
  std::int64_t LastSeq() {
    std::int64_t out = -1;
    Read([&](Tx& tx) { out = Ok(tx.LastChangeSeq()); });
    return out;
  }
};

void ExpectState(const ThrottleState& s, std::int64_t attempts, core::Timestamp window_start,
                 core::Timestamp locked_until) {
  EXPECT_EQ(s.attempts, attempts);
  EXPECT_EQ(s.window_start, window_start);
  EXPECT_EQ(s.locked_until, locked_until);
}

TEST_P(SecurityStore, AttemptsCountWithinAWindowAndANewWindowStartsAfterIt) {
  ExpectState(Reserve("k", 100), 1, 100, 0);
  ExpectState(Reserve("k", 130), 2, 100, 0);
  ExpectState(Reserve("k", 159), 3, 100, 0);
  ExpectState(Reserve("other", 159), 1, 159, 0);  // keys are independent
  ExpectState(Reserve("k", 160), 1, 160, 0);      // the old window is `window` seconds old
  ExpectState(Reserve("k", 161), 2, 160, 0);
  Write([&](Tx& tx) { Ok(tx.ResetThrottle("k")); });
  ExpectState(Reserve("k", 162), 1, 162, 0);
  ExpectState(Reserve("other", 163), 2, 159, 0);  // a reset touches one key only
}

TEST_P(SecurityStore, ALockHoldsUntilItEndsThenANewWindowStarts) {
  ExpectState(Reserve("k", 100), 1, 100, 0);
  Write([&](Tx& tx) { Ok(tx.LockThrottle("k", 500)); });
  ExpectState(Reserve("k", 110), 2, 100, 500);
  ExpectState(Reserve("k", 499), 1, 499, 500);  // the window moved on; the lock did not
  ExpectState(Reserve("k", 500), 1, 500, 0);    // the lock has ended
  ExpectState(Reserve("k", 501), 2, 500, 0);
}

TEST_P(SecurityStore, ConcurrentAttemptsSeeDistinctCounts) {
  auto counts = Concurrently<ThrottleState>(
      8, [](Tx& tx, int) { return tx.ReserveAttempt("race", 100, 60); });
  std::set<std::int64_t> attempts;
  for (const auto& s : counts) attempts.insert(s.attempts);
  EXPECT_EQ(attempts, (std::set<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST_P(SecurityStore, RateTokensRefillAtTheRateUpToTheBurst) {
  constexpr std::int64_t kT = 1000000, kTolerance = 2 * kT;  // 1 per second, burst 3
  constexpr std::int64_t t0 = 1700000000LL * 1000000;
  Write([&](Tx& tx) {
    for (int i = 0; i < 3; ++i) EXPECT_EQ(Ok(tx.TakeRateToken("ip:a", 1, t0, kT, kTolerance)), 0);
    EXPECT_EQ(Ok(tx.TakeRateToken("ip:a", 1, t0, kT, kTolerance)), kT);  // one second to wait
    EXPECT_EQ(Ok(tx.TakeRateToken("ip:a", 1, t0 + kT / 2, kT, kTolerance)), kT / 2);
    EXPECT_EQ(Ok(tx.TakeRateToken("ip:b", 1, t0, kT, kTolerance)), 0);       // another key
    EXPECT_EQ(Ok(tx.TakeRateToken("ip:a", 1, t0 + kT, kT, kTolerance)), 0);  // one refilled
    EXPECT_GT(Ok(tx.TakeRateToken("ip:a", 1, t0 + kT, kT, kTolerance)), 0);
    // Idle long enough, the bucket is full again, never fuller.
    for (int i = 0; i < 3; ++i)
      EXPECT_EQ(Ok(tx.TakeRateToken("ip:a", 1, t0 + 100 * kT, kT, kTolerance)), 0);
    EXPECT_GT(Ok(tx.TakeRateToken("ip:a", 1, t0 + 100 * kT, kT, kTolerance)), 0);
  });
}

TEST_P(SecurityStore, ConcurrentRateTokenTakersShareOneBucket) {
  constexpr std::int64_t t0 = 1700000000LL * 1000000;
  // Burst 5 at one per hour: of 8 concurrent takers on separate connections, exactly 5 pass.
  auto waits = Concurrently<std::int64_t>(8, [](Tx& tx, int) {
    return tx.TakeRateToken("ip:race", 1, t0, 3600LL * 1000000, 4 * 3600LL * 1000000);
  });
  EXPECT_EQ(std::count(waits.begin(), waits.end(), 0), 5);
}

TEST_P(SecurityStore, TotpIsPutReplacedAndItsStepOnlyMovesForward) {
  SeedAccounts({{"acc_1", "a@example.com"}});
  Read([&](Tx& tx) { EXPECT_FALSE(Ok(tx.FindTotp("acc_1"))); });
  Write([&](Tx& tx) {
    Ok(tx.PutTotp({"acc_1", "sealed-1", false, 0, 10}));
    Ok(tx.PutTotp({"acc_1", "sealed-2", true, 7, 20}));  // replaces
  });
  Write([&](Tx& tx) {
    auto t = Ok(tx.FindTotp("acc_1"));
    ASSERT_TRUE(t);
    EXPECT_EQ(t->account_id, "acc_1");
    EXPECT_EQ(t->secret_enc, "sealed-2");
    EXPECT_TRUE(t->confirmed);
    EXPECT_EQ(t->last_step, 7);
    EXPECT_EQ(t->created_at, 20);
    EXPECT_FALSE(Ok(tx.AdvanceTotpStep("acc_1", 7)));  // replay
    EXPECT_FALSE(Ok(tx.AdvanceTotpStep("acc_1", 6)));  // older
    EXPECT_TRUE(Ok(tx.AdvanceTotpStep("acc_1", 9)));
    EXPECT_FALSE(Ok(tx.AdvanceTotpStep("acc_1", 8)));
    EXPECT_EQ(Ok(tx.FindTotp("acc_1"))->last_step, 9);
    EXPECT_FALSE(Ok(tx.AdvanceTotpStep("acc_none", 100)));  // no credential
  });
}

TEST_P(SecurityStore, ConcurrentUsesOfOneTotpStepHaveExactlyOneWinner) {
  SeedAccounts({{"acc_1", "a@example.com"}});
  Write([&](Tx& tx) { Ok(tx.PutTotp({"acc_1", "sealed", true, 0, 1})); });
  auto won = Concurrently<bool>(8, [](Tx& tx, int) { return tx.AdvanceTotpStep("acc_1", 42); });
  EXPECT_EQ(std::count(won.begin(), won.end(), true), 1);
}

TEST_P(SecurityStore, RecoveryCodesAreUsedOnceAndReplacedAsAWhole) {
  SeedAccounts({{"acc_1", "a@example.com"}, {"acc_2", "b@example.com"}});
  Write([&](Tx& tx) {
    Ok(tx.ReplaceRecoveryCodes("acc_1", {"c1", "c2", "c3"}));
    Ok(tx.ReplaceRecoveryCodes("acc_2", {"c1"}));
  });
  Write([&](Tx& tx) {
    EXPECT_EQ(Ok(tx.CountUnusedRecoveryCodes("acc_1")), 3);
    EXPECT_TRUE(Ok(tx.UseRecoveryCode("acc_1", "c1", 50)));
    EXPECT_FALSE(Ok(tx.UseRecoveryCode("acc_1", "c1", 51)));  // used
    EXPECT_FALSE(Ok(tx.UseRecoveryCode("acc_1", "zz", 51)));  // unknown
    EXPECT_FALSE(Ok(tx.UseRecoveryCode("acc_1", "c4", 51)));
    EXPECT_EQ(Ok(tx.CountUnusedRecoveryCodes("acc_1")), 2);
    EXPECT_EQ(Ok(tx.CountUnusedRecoveryCodes("acc_2")), 1);  // one account's use is its own
    Ok(tx.ReplaceRecoveryCodes("acc_1", {"c4"}));
    EXPECT_EQ(Ok(tx.CountUnusedRecoveryCodes("acc_1")), 1);
    EXPECT_FALSE(Ok(tx.UseRecoveryCode("acc_1", "c2", 52)));  // replaced
    EXPECT_TRUE(Ok(tx.UseRecoveryCode("acc_1", "c4", 52)));
    EXPECT_EQ(Ok(tx.CountUnusedRecoveryCodes("acc_1")), 0);
  });
}

TEST_P(SecurityStore, DeletingTotpTakesTheRecoveryCodesOfThatAccountOnly) {
  SeedAccounts({{"acc_1", "a@example.com"}, {"acc_2", "b@example.com"}});
  Write([&](Tx& tx) {
    for (const char* acc : {"acc_1", "acc_2"}) {
      Ok(tx.PutTotp({acc, "sealed", true, 0, 1}));
      Ok(tx.ReplaceRecoveryCodes(acc, {"c1", "c2"}));
    }
  });
  Write([&](Tx& tx) { Ok(tx.DeleteTotp("acc_1")); });
  Read([&](Tx& tx) {
    EXPECT_FALSE(Ok(tx.FindTotp("acc_1")));
    EXPECT_EQ(Ok(tx.CountUnusedRecoveryCodes("acc_1")), 0);
    EXPECT_TRUE(Ok(tx.FindTotp("acc_2")));
    EXPECT_EQ(Ok(tx.CountUnusedRecoveryCodes("acc_2")), 2);
  });
}

TEST_P(SecurityStore, TheAuditHeadChainsEventsAndARolledBackAppendLeavesNoGap) {
  Write([&](Tx& tx) {
    auto head = Ok(tx.AdvanceAuditHead());
    EXPECT_EQ(head.seq, 1);
    EXPECT_EQ(head.last_hash, "");
    Ok(tx.AppendAuditEvent(MakeEvent(head, "a.one", "ws_1", "acc_1", "acc_2")));
  });
  auto aborted = store_->Write([&](Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto head, tx.AdvanceAuditHead());
    VAULT_TRY(tx.AppendAuditEvent(MakeEvent(head, "a.lost", "", "acc_1", "")));
    return core::Fail(core::Code::kInternal, "test.abort", "abort");
  });
  ASSERT_FALSE(aborted);
  Write([&](Tx& tx) {
    auto head = Ok(tx.AdvanceAuditHead());
    EXPECT_EQ(head.seq, 2);  // the aborted reservation is gone with its transaction
    EXPECT_EQ(head.last_hash, "h1");
    Ok(tx.AppendAuditEvent(MakeEvent(head, "a.two", "", "acc_1", "")));
  });
  Read([&](Tx& tx) {
    auto events = Ok(tx.AuditEventsAfter(0, 10));
    ASSERT_EQ(events.size(), 2u);
    const AuditEvent& e = events[0];
    AuditEvent want = MakeEvent({1, ""}, "a.one", "ws_1", "acc_1", "acc_2");
    EXPECT_EQ(AuditCanonical(e), AuditCanonical(want));  // every field round-trips
    EXPECT_EQ(e.hash, "h1");
    EXPECT_EQ(events[1].prev_hash, "h1");
    EXPECT_EQ(events[1].action, "a.two");
  });
}

TEST_P(SecurityStore, ConcurrentAppendsFormOneUnbrokenChain) {
  auto seqs = Concurrently<std::int64_t>(8, [](Tx& tx, int i) -> Result<std::int64_t> {
    VAULT_ASSIGN_OR_RETURN(auto head, tx.AdvanceAuditHead());
    AuditEvent e = MakeEvent(head, "race.append", "", "acc_" + std::to_string(i), "");
    e.hash = "h" + std::to_string(head.seq);
    VAULT_TRY(tx.AppendAuditEvent(e));
    return head.seq;
  });
  EXPECT_EQ(std::set<std::int64_t>(seqs.begin(), seqs.end()),
            (std::set<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  Read([&](Tx& tx) {
    auto events = Ok(tx.AuditEventsAfter(0, 100));
    ASSERT_EQ(events.size(), 8u);
    std::string prev;
    for (const auto& e : events) {
      EXPECT_EQ(e.prev_hash, prev) << "seq " << e.seq;
      prev = e.hash;
    }
  });
}

TEST_P(SecurityStore, AuditEventsAfterPagesOldestFirst) {
  for (int i = 0; i < 5; ++i) Append("a.x");
  Read([&](Tx& tx) {
    auto page = Ok(tx.AuditEventsAfter(2, 2));
    ASSERT_EQ(page.size(), 2u);
    EXPECT_EQ(page[0].seq, 3);
    EXPECT_EQ(page[1].seq, 4);
    EXPECT_EQ(Ok(tx.AuditEventsAfter(4, 10)).size(), 1u);
    EXPECT_TRUE(Ok(tx.AuditEventsAfter(5, 10)).empty());
  });
}

TEST_P(SecurityStore, PruningDeletesThePrefixAndKeepsTheAnchorWithTheHead) {
  for (int i = 0; i < 5; ++i) Append("a.x");
  Read([&](Tx& tx) { EXPECT_EQ(Ok(tx.GetAuditAnchor()).seq, 0); });  // never pruned
  Write([&](Tx& tx) { EXPECT_EQ(Ok(tx.PruneAuditEvents({3, "h3", "mac3", 1'700'000'000})), 3); });
  Read([&](Tx& tx) {
    auto anchor = Ok(tx.GetAuditAnchor());
    EXPECT_EQ(anchor.seq, 3);
    EXPECT_EQ(anchor.hash, "h3");
    EXPECT_EQ(anchor.mac, "mac3");
    EXPECT_EQ(anchor.at, 1'700'000'000);
    auto rest = Ok(tx.AuditEventsAfter(0, 10));
    ASSERT_EQ(rest.size(), 2u);
    EXPECT_EQ(rest[0].seq, 4);
  });
  Write([&](Tx& tx) {
    auto head = Ok(tx.AdvanceAuditHead());  // the sequence goes on after pruning
    EXPECT_EQ(head.seq, 6);
    EXPECT_EQ(head.last_hash, "h5");
    Ok(tx.AppendAuditEvent(MakeEvent(head, "a.after", "", "acc_1", "")));
  });
  auto aborted = store_->Write([&](Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(int n, tx.PruneAuditEvents({6, "h6", "mac6", 1'700'000'100}));
    EXPECT_EQ(n, 3);
    return core::Fail(core::Code::kInternal, "test.abort", "abort");
  });
  ASSERT_FALSE(aborted);
  Read([&](Tx& tx) {  // a rolled-back prune moves neither the events nor the anchor
    EXPECT_EQ(Ok(tx.GetAuditAnchor()).seq, 3);
    EXPECT_EQ(Ok(tx.AuditEventsAfter(0, 10)).size(), 3u);
  });
}

TEST_P(SecurityStore, AuditQueryFiltersNewestFirstWithCursorAndLimit) {
  Append("workspace.created", "ws_1", "acc_1", "ws_1");  // 1
  Append("member.added", "ws_1", "acc_1", "acc_2");      // 2
  Append("workspace.renamed", "ws_1", "acc_2", "ws_1");  // 3
  Append("session.signed_in", "", "acc_2", "acc_2");     // 4
  Append("workspace.created", "ws_2", "acc_3", "ws_2");  // 5
  Append("workspaces.listed", "ws_1", "acc_3", "");      // 6: "workspace." is no prefix of it
  core::AuditQuery q;
  EXPECT_EQ(Query(q), (std::vector<std::int64_t>{6, 5, 4, 3, 2, 1}));
  q.workspace_id = "ws_1";
  EXPECT_EQ(Query(q), (std::vector<std::int64_t>{6, 3, 2, 1}));
  q.action = "workspace.";  // a prefix
  EXPECT_EQ(Query(q), (std::vector<std::int64_t>{3, 1}));
  q.action = "workspace.created";  // exact
  EXPECT_EQ(Query(q), (std::vector<std::int64_t>{1}));
  q.action = "workspace";  // neither a prefix (no dot) nor any action
  EXPECT_TRUE(Query(q).empty());
  q = {};
  q.subject_id = "acc_2";  // as actor or as target
  EXPECT_EQ(Query(q), (std::vector<std::int64_t>{4, 3, 2}));
  q = {};
  q.limit = 2;
  EXPECT_EQ(Query(q), (std::vector<std::int64_t>{6, 5}));
  q.before_seq = 5;
  EXPECT_EQ(Query(q), (std::vector<std::int64_t>{4, 3}));
  q.before_seq = 1;
  EXPECT_TRUE(Query(q).empty());
  q = {};
  q.actor_id = "acc_2";  // as actor only
  EXPECT_EQ(Query(q), (std::vector<std::int64_t>{4, 3}));
  q = {};
  q.target_id = "ws_1";
  EXPECT_EQ(Query(q), (std::vector<std::int64_t>{3, 1}));
  q = {};
  q.from = 103;  // occurred_at = 100 + seq; from is inclusive, to exclusive
  q.to = 105;
  EXPECT_EQ(Query(q), (std::vector<std::int64_t>{4, 3}));
  q.workspace_id = "ws_1";
  EXPECT_EQ(Query(q), (std::vector<std::int64_t>{3}));
}

TEST_P(SecurityStore, TheChangeFeedGrowsPagesAndPrunes) {
  EXPECT_EQ(LastSeq(), 0);
  Write([&](Tx& tx) {
    Ok(tx.AppendChange("workspace", "ws_1", 10));
    Ok(tx.AppendChange("account", "acc_1", 11));
    Ok(tx.AppendChange("api_key", "ak_1", 12));
  });
  std::vector<core::ChangeEntry> all;
  Read([&](Tx& tx) { all = Ok(tx.ChangesAfter(0, 10)); });
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].kind, "workspace");
  EXPECT_EQ(all[0].subject, "ws_1");
  EXPECT_EQ(all[2].kind, "api_key");
  EXPECT_EQ(all[2].subject, "ak_1");
  EXPECT_LT(all[0].seq, all[1].seq);
  EXPECT_LT(all[1].seq, all[2].seq);
  EXPECT_EQ(LastSeq(), all[2].seq);
  Read([&](Tx& tx) {
    auto page = Ok(tx.ChangesAfter(all[0].seq, 1));
    ASSERT_EQ(page.size(), 1u);
    EXPECT_EQ(page[0].seq, all[1].seq);
  });
  Write([&](Tx& tx) { Ok(tx.PruneChanges(all[2].seq)); });
  EXPECT_EQ(ChangeSeqs(), (std::vector<std::int64_t>{all[2].seq}));
  EXPECT_EQ(LastSeq(), all[2].seq);
}

// A reader remembers the last seq it saw and asks for what came after; if numbers restarted
// once the feed was pruned empty, it would miss every later change.
TEST_P(SecurityStore, ChangeSeqKeepsGrowingAfterAPruneOfEverything) {
  Write([&](Tx& tx) {
    for (int i = 0; i < 3; ++i) Ok(tx.AppendChange("account", "acc_" + std::to_string(i), 10));
  });
  const std::int64_t seen = LastSeq();
  ASSERT_GT(seen, 0);
  Write([&](Tx& tx) { Ok(tx.PruneChanges(seen + 1)); });
  EXPECT_GE(LastSeq(), seen);
  Write([&](Tx& tx) { Ok(tx.AppendChange("workspace", "ws_1", 20)); });
  auto after = ChangeSeqs(seen);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_GT(after[0], seen);
  EXPECT_EQ(LastSeq(), after[0]);
}

TEST_P(SecurityStore, AWebhookEventIsRecordedOnce) {
  Write([&](Tx& tx) {
    EXPECT_TRUE(Ok(tx.RecordWebhookEvent("ev_1", 10)));
    EXPECT_FALSE(Ok(tx.RecordWebhookEvent("ev_1", 11)));
    EXPECT_TRUE(Ok(tx.RecordWebhookEvent("ev_2", 11)));
  });
  Write([&](Tx& tx) { EXPECT_FALSE(Ok(tx.RecordWebhookEvent("ev_2", 12))); });  // after commit
}

TEST_P(SecurityStore, AnAuditEventKeepsTheKeyIdItWasHashedWith) {
  Append("a.legacy");  // MakeEvent leaves key_id at its default, the legacy secret's
  Write([&](Tx& tx) {
    auto head = Ok(tx.AdvanceAuditHead());
    AuditEvent e = MakeEvent(head, "a.rotated", "", "acc_1", "");
    e.key_id = "k3";
    Ok(tx.AppendAuditEvent(e));
  });
  Read([&](Tx& tx) {
    auto events = Ok(tx.AuditEventsAfter(0, 10));
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].key_id, "k0");
    EXPECT_EQ(events[1].key_id, "k3");
    auto queried = Ok(tx.QueryAudit({}));
    ASSERT_EQ(queried.size(), 2u);
    EXPECT_EQ(queried[0].key_id, "k3");  // newest first, key id included
  });
}

TEST_P(SecurityStore, KeyringKeysAreRecordedOncePerIdAndListedById) {
  Read([&](Tx& tx) { EXPECT_TRUE(Ok(tx.ListKeyringKeys()).empty()); });
  Write([&](Tx& tx) {
    EXPECT_TRUE(Ok(tx.InsertKeyringKey({"k1", "check-1", 20})));
    EXPECT_TRUE(Ok(tx.InsertKeyringKey({"k0", "check-0", 10})));
    // A second registration of an id changes nothing, whatever its check value.
    EXPECT_FALSE(Ok(tx.InsertKeyringKey({"k1", "another", 30})));
  });
  auto rolled_back = store_->Write([&](Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(bool inserted, tx.InsertKeyringKey({"k2", "check-2", 40}));
    EXPECT_TRUE(inserted);
    return core::Fail(core::Code::kInternal, "test.abort", "abort");
  });
  ASSERT_FALSE(rolled_back);
  Read([&](Tx& tx) {
    auto keys = Ok(tx.ListKeyringKeys());
    ASSERT_EQ(keys.size(), 2u);
    EXPECT_EQ(keys[0].kid, "k0");
    EXPECT_EQ(keys[0].check_value, "check-0");
    EXPECT_EQ(keys[0].added_at, 10);
    EXPECT_EQ(keys[1].kid, "k1");
    EXPECT_EQ(keys[1].check_value, "check-1");
    EXPECT_EQ(keys[1].added_at, 20);
  });
}

VAULT_STORE_BACKENDS(SecurityStore);

}  // namespace
}  // namespace vault::storage
