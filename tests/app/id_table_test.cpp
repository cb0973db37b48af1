// IdTable: dense indexes in interning order, stable names, growth past many slots.
#include "app/id_table.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vault::app {
namespace {

TEST(IdTable, InternsEachIdOnceInOrderAndFindsOnlyInternedOnes) {
  IdTable t;
  EXPECT_EQ(t.Find("acc_1"), IdTable::kNone);
  EXPECT_EQ(t.Intern("acc_1"), 0u);
  EXPECT_EQ(t.Intern("ws_1"), 1u);
  EXPECT_EQ(t.Intern("acc_1"), 0u);
  EXPECT_EQ(t.Find("ws_1"), 1u);
  EXPECT_EQ(t.Find("ws_"), IdTable::kNone);
  EXPECT_EQ(t.Find(""), IdTable::kNone);
  EXPECT_EQ(t.Intern(""), 2u);  // any string, even empty
  EXPECT_EQ(t.Name(1), "ws_1");
  EXPECT_EQ(t.size(), 3u);
}

TEST(IdTable, KeepsEveryIdAndNameThroughGrowth) {
  IdTable t;
  std::string_view first = t.Name(t.Intern("acc_first"));
  const int n = 300000;  // several regrowths and character chunks
  for (int i = 0; i < n; ++i) ASSERT_EQ(t.Intern("acc_" + std::to_string(i)), i + 1u);
  EXPECT_EQ(first, "acc_first");  // names never move
  for (int i = 0; i < n; i += 997) {
    EXPECT_EQ(t.Find("acc_" + std::to_string(i)), i + 1u);
    EXPECT_EQ(t.Name(i + 1), "acc_" + std::to_string(i));
  }
  EXPECT_EQ(t.Find("acc_" + std::to_string(n)), IdTable::kNone);
  EXPECT_GT(t.bytes(), std::size_t{n} * 16);
  EXPECT_LT(t.bytes(), std::size_t{n} * 100);
}

}  // namespace
}  // namespace vault::app
