// ClockCache: bounded by bytes, evicting the entries not used since the hand last passed.
#include "app/clock_cache.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace vault::app {
namespace {

TEST(ClockCache, StaysWithinItsByteBudget) {
  ClockCache<int, std::string> cache(1000);
  for (int i = 0; i < 500; ++i) cache.Put(i, "v", 30);
  EXPECT_LE(cache.bytes(), 1000u);
  EXPECT_EQ(cache.size(), 33u);  // 33 × 30 = 990
  EXPECT_EQ(cache.evictions(), 500u - 33u);
}

TEST(ClockCache, EvictsWhatWasNotUsedAndKeepsWhatWas) {
  ClockCache<int, std::string> cache(100);
  for (int i = 0; i < 10; ++i) cache.Put(i, std::to_string(i), 10);
  // 0 and 1 are the oldest, but 0 is in use: the next insertions take 1, 2, 3 …, not 0.
  ASSERT_NE(cache.Find(0), nullptr);
  cache.Put(10, "10", 10);
  cache.Put(11, "11", 10);
  EXPECT_NE(cache.Find(0), nullptr);
  EXPECT_EQ(cache.Find(1), nullptr);
  EXPECT_EQ(cache.Find(2), nullptr);
  EXPECT_NE(cache.Find(3), nullptr);
  EXPECT_EQ(*cache.Find(11), "11");
}

TEST(ClockCache, AHotEntrySurvivesAnyNumberOfColdOnes) {
  ClockCache<int, int> cache(50);
  cache.Put(-1, -1, 10);
  for (int i = 0; i < 10000; ++i) {
    ASSERT_NE(cache.Find(-1), nullptr) << "after " << i << " cold insertions";
    cache.Put(i, i, 10);
  }
  EXPECT_LE(cache.bytes(), 50u);
}

TEST(ClockCache, ReplacingAnEntryRecountsItsBytes) {
  ClockCache<std::string, std::string> cache(100);
  cache.Put("a", "small", 10);
  cache.Put("a", "large", 60);
  EXPECT_EQ(cache.bytes(), 60u);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_TRUE(cache.Erase("a"));
  EXPECT_FALSE(cache.Erase("a"));
  EXPECT_EQ(cache.bytes(), 0u);
}

TEST(ClockCache, AnEntryLargerThanTheBudgetIsNotKept) {
  ClockCache<int, int> cache(100);
  cache.Put(1, 1, 50);
  cache.Put(2, 2, 101);
  EXPECT_EQ(cache.Find(2), nullptr);
  EXPECT_NE(cache.Find(1), nullptr);
  cache.Put(1, 1, 500);  // an existing entry grown past the budget goes too
  EXPECT_EQ(cache.Find(1), nullptr);
  EXPECT_EQ(cache.bytes(), 0u);
}

// An owner keeping direct pointers (Held) learns of every value leaving the cache before it goes:
// erased, evicted, replaced, too large on replacement, cleared.
TEST(ClockCache, TellsItsOwnerOfEveryValueThatLeaves) {
  std::vector<std::pair<int, std::string>> dropped;
  ClockCache<int, std::string> cache(
      100, [&](const int& k, const std::string& v) { dropped.emplace_back(k, v); });
  auto held = cache.Put(1, "one", 40);
  ASSERT_NE(held.value, nullptr);
  EXPECT_EQ(*held.value, "one");
  EXPECT_EQ(held.value, cache.Find(1));
  cache.Put(2, "two", 40);
  // The mark a Held points at is the entry's own: touched through it, 1 outlives the clock.
  ClockCache<int, std::string>::Touch(*held.used);
  cache.Put(3, "three", 40);  // over budget: 2 (unused) goes, 1 (used) stays
  EXPECT_EQ(dropped, (std::vector<std::pair<int, std::string>>{{2, "two"}}));
  EXPECT_NE(cache.Find(1), nullptr);
  cache.Put(1, "uno", 40);  // replaced: the old value is announced
  EXPECT_EQ(dropped.back(), (std::pair<int, std::string>{1, "one"}));
  cache.Put(3, "too big", 500);  // replaced by something never kept
  EXPECT_EQ(dropped.back(), (std::pair<int, std::string>{3, "three"}));
  EXPECT_EQ(cache.Put(4, "too big", 500).value, nullptr);
  EXPECT_TRUE(cache.Erase(1));
  EXPECT_EQ(dropped.back(), (std::pair<int, std::string>{1, "uno"}));
  cache.Put(5, "five", 10);
  cache.Put(6, "six", 10);
  dropped.clear();
  cache.Clear();
  std::sort(dropped.begin(), dropped.end());
  EXPECT_EQ(dropped, (std::vector<std::pair<int, std::string>>{{5, "five"}, {6, "six"}}));
  EXPECT_EQ(cache.size(), 0u);
}

// With mark_of the used mark lives in the value: Find sets it there, eviction reads it there, and
// Held points at it.
TEST(ClockCache, KeepsTheUsedMarkInTheValueWhenAsked) {
  struct Value {
    int n = 0;
    std::shared_ptr<std::atomic<bool>> mark = std::make_shared<std::atomic<bool>>(false);
  };
  ClockCache<int, Value> cache(20, {},
                               [](const Value& v) -> std::atomic<bool>& { return *v.mark; });
  Value one{1}, two{2};
  auto held = cache.Put(1, one, 10);
  EXPECT_EQ(held.used, one.mark.get());
  cache.Put(2, two, 10);
  EXPECT_FALSE(one.mark->load());
  ASSERT_NE(cache.Find(1), nullptr);
  EXPECT_TRUE(one.mark->load());  // Find marked the value's own flag
  cache.Put(3, Value{3}, 10);     // 1 is used: 2 goes
  EXPECT_NE(cache.Find(1), nullptr);
  EXPECT_EQ(cache.Find(2), nullptr);
  // 3 used (through its value's mark), 1 not since its mark was last cleared: 1 goes.
  one.mark->store(false);
  ASSERT_NE(cache.Find(3), nullptr);
  EXPECT_TRUE(cache.Find(3)->mark->load());
  cache.Put(4, Value{4}, 10);
  EXPECT_EQ(cache.Find(1), nullptr);
  EXPECT_NE(cache.Find(3), nullptr);
}

}  // namespace
}  // namespace vault::app
