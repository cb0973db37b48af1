// SessionIndex on its own: lookups, the idle/expiry/touch states, deletion under churn, account
// invalidation (also racing a read), sweeping.
#include "app/session_index.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace vault::app {
namespace {

using State = SessionIndex::State;

std::string HexOf(int n) {
  char buf[65];
  // Spread the low bits like an HMAC would, and keep the rest distinct per n.
  std::snprintf(buf, sizeof buf, "%016llx%048x",
                static_cast<unsigned long long>(n) * 0x9E3779B97F4A7C15ULL, n);
  return buf;
}

core::Session MakeSession(int n, const std::string& account, core::Timestamp at = 1000) {
  return core::Session{
      "ses_" + std::to_string(n), account, HexOf(n), at, at, at + 10000, "10.0.0.1", "ua"};
}

SessionIndex::Key KeyOf(int n) { return *SessionIndex::KeyOf(HexOf(n)); }

TEST(SessionIndex, KeysAreSixtyFourLowercaseHexDigitsOnly) {
  EXPECT_TRUE(SessionIndex::KeyOf(std::string(64, 'a')));
  EXPECT_FALSE(SessionIndex::KeyOf(std::string(64, 'A')));
  EXPECT_FALSE(SessionIndex::KeyOf(std::string(63, 'a')));
  EXPECT_FALSE(SessionIndex::KeyOf("hash-ses_1"));
  SessionIndex index;
  core::Session s = MakeSession(1, "acc_1");
  s.token_hash = "hash-ses_1";  // cannot be held: left to storage
  EXPECT_FALSE(index.Put(s, index.Epoch()));
  s = MakeSession(1, "acc_" + std::string(40, 'x'));  // an id past 31 bytes
  EXPECT_FALSE(index.Put(s, index.Epoch()));
  EXPECT_EQ(index.size(), 0u);
}

TEST(SessionIndex, ALiveSessionIsFoundWithItsFieldsAndTouchedOncePerInterval) {
  SessionIndex index;
  ASSERT_TRUE(index.Put(MakeSession(7, "acc_1"), index.Epoch()));
  const auto ip = SessionIndex::IpHash("10.0.0.1");
  auto hit = index.Use(KeyOf(7), 1030, 600, 60, ip);
  ASSERT_EQ(hit.state, State::kLive);
  EXPECT_EQ(hit.session_id, "ses_7");
  EXPECT_EQ(hit.account_id, "acc_1");
  EXPECT_EQ(hit.created_at, 1000);
  EXPECT_EQ(hit.expires_at, 11000);
  EXPECT_FALSE(hit.touch_due);  // stored last-seen 30 s old, same IP
  EXPECT_TRUE(index.Use(KeyOf(7), 1060, 600, 60, ip).touch_due);   // 60 s: due
  EXPECT_FALSE(index.Use(KeyOf(7), 1061, 600, 60, ip).touch_due);  // taken as written
  EXPECT_TRUE(index.Use(KeyOf(7), 1062, 600, 60, SessionIndex::IpHash("10.0.0.2")).touch_due);
  EXPECT_EQ(index.Use(KeyOf(8), 1062, 600, 60, ip).state, State::kMiss);
}

TEST(SessionIndex, ExpiryIsAbsoluteAndIdlenessCountsFromTheLastUseHere) {
  SessionIndex index;
  ASSERT_TRUE(index.Put(MakeSession(1, "acc_1"), index.Epoch()));
  const auto ip = SessionIndex::IpHash("10.0.0.1");
  EXPECT_EQ(index.Use(KeyOf(1), 1599, 600, 60, ip).state, State::kLive);  // seen at 1599
  EXPECT_EQ(index.Use(KeyOf(1), 2198, 600, 60, ip).state, State::kLive);
  EXPECT_EQ(index.Use(KeyOf(1), 2798, 600, 60, ip).state, State::kIdle);
  EXPECT_EQ(index.Use(KeyOf(1), 11000, 100000, 60, ip).state, State::kExpired);
}

TEST(SessionIndex, InvalidatingAnAccountHidesItsSessionsAndARacingReadStaysStale) {
  SessionIndex index;
  const auto ip = SessionIndex::IpHash("10.0.0.1");
  ASSERT_TRUE(index.Put(MakeSession(1, "acc_1"), index.Epoch()));
  ASSERT_TRUE(index.Put(MakeSession(2, "acc_2"), index.Epoch()));
  std::uint32_t before = index.Epoch();  // a read begins
  index.InvalidateAccount("acc_1");      // a sign-out commits meanwhile
  EXPECT_EQ(index.Use(KeyOf(1), 1001, 600, 60, ip).state, State::kMiss);
  EXPECT_EQ(index.Use(KeyOf(2), 1001, 600, 60, ip).state, State::kLive);  // others untouched
  ASSERT_TRUE(index.Put(MakeSession(1, "acc_1"), before));  // the read's stale result lands
  EXPECT_EQ(index.Use(KeyOf(1), 1001, 600, 60, ip).state, State::kMiss);
  ASSERT_TRUE(index.Put(MakeSession(1, "acc_1"), index.Epoch()));  // a read after the change
  EXPECT_EQ(index.Use(KeyOf(1), 1001, 600, 60, ip).state, State::kLive);
  // An account first seen after an invalidation that raced its read is stale too.
  std::uint32_t racing = index.Epoch();
  index.InvalidateAccount("acc_3");
  ASSERT_TRUE(index.Put(MakeSession(3, "acc_3"), racing));
  EXPECT_EQ(index.Use(KeyOf(3), 1001, 600, 60, ip).state, State::kMiss);
}

// A bulk load reads pages of sessions, each stamped with the epoch taken before its read. A
// sign-in or sign-out of some other account meanwhile (not held here) must not make the whole
// page stale: that sent every token of the page to storage once after the load (the session
// bench's few hundred database reads on PostgreSQL).
TEST(SessionIndex, AnUnrelatedInvalidationDuringALoadPageLeavesThePageLive) {
  SessionIndex index;
  const auto ip = SessionIndex::IpHash("10.0.0.1");
  const std::uint32_t page_epoch = index.Epoch();  // the page's read begins
  index.InvalidateAccount("acc_elsewhere");        // commits on another node meanwhile
  constexpr int kPage = 5000;
  for (int i = 0; i < kPage; ++i)
    ASSERT_TRUE(index.Put(MakeSession(i, "acc_" + std::to_string(i)), page_epoch));
  ASSERT_TRUE(index.Put(MakeSession(kPage, "acc_elsewhere"), page_epoch));
  int live = 0;
  for (int i = 0; i < kPage; ++i)
    live += index.Use(KeyOf(i), 1001, 600, 60, ip).state == State::kLive;
  // Only an account sharing the invalidated one's bucket (1 in 4096) reads as stale.
  EXPECT_GE(live, kPage - 10);
  EXPECT_EQ(index.Use(KeyOf(kPage), 1001, 600, 60, ip).state, State::kMiss);  // still exact
}

TEST(SessionIndex, ChurnKeepsEveryRemainingSessionFindable) {
  SessionIndex index;
  const auto ip = SessionIndex::IpHash("10.0.0.1");
  constexpr int kN = 5000;
  for (int i = 0; i < kN; ++i)
    ASSERT_TRUE(index.Put(MakeSession(i, "acc_" + std::to_string(i % 97)), index.Epoch()));
  EXPECT_EQ(index.size(), static_cast<std::size_t>(kN));
  EXPECT_EQ(index.accounts(), 97u);
  for (int i = 0; i < kN; i += 3) EXPECT_TRUE(index.Erase(KeyOf(i)));
  EXPECT_FALSE(index.Erase(KeyOf(0)));
  for (int i = 0; i < kN; ++i) {
    auto hit = index.Use(KeyOf(i), 1001, 600, 60, ip);
    ASSERT_EQ(hit.state, i % 3 == 0 ? State::kMiss : State::kLive) << i;
    if (i % 3) {
      EXPECT_EQ(hit.session_id, "ses_" + std::to_string(i));
    }
  }
  // Replacing keeps one entry per key.
  ASSERT_TRUE(index.Put(MakeSession(1, "acc_1", 2000), index.Epoch()));
  EXPECT_EQ(index.size(), static_cast<std::size_t>(kN - (kN + 2) / 3));
  EXPECT_EQ(index.Use(KeyOf(1), 2001, 600, 60, ip).created_at, 2000);
}

TEST(SessionIndex, SweepFreesEndedAndInvalidatedSessionsOnly) {
  SessionIndex index;
  const auto ip = SessionIndex::IpHash("10.0.0.1");
  for (int i = 0; i < 300; ++i)
    ASSERT_TRUE(index.Put(MakeSession(i, "acc_" + std::to_string(i % 3), 1000 + i), index.Epoch()));
  index.InvalidateAccount("acc_0");  // 100 sessions
  // At 1700 with 600 s idle: sessions last seen at 1100 or before (i <= 100) are idle.
  std::size_t gone = index.Sweep(1700, 600);
  EXPECT_EQ(gone, 100u + 67u);  // acc_0's 100, plus i <= 100 of acc_1 and acc_2
  EXPECT_EQ(index.size(), 300u - gone);
  for (int i = 101; i < 300; ++i)
    EXPECT_EQ(index.Use(KeyOf(i), 1700, 600, 60, ip).state,
              i % 3 == 0 ? State::kMiss : State::kLive)
        << i;
  EXPECT_GT(index.bytes(), index.size() * 90);
}

}  // namespace
}  // namespace vault::app
