// GroupCommit over a real store (every backend): units from many threads at once all commit,
// each exactly once, in one audit chain that still verifies; a unit that fails gets its own
// error while the units batched with it commit; a unit's captured result is its own.
#include "app/group_commit.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "app/audit_log.hpp"
#include "support/account_fixture.hpp"

namespace vault {
namespace {

class GroupCommitTest : public testing::AccountServiceTest {
 protected:
  void SetUp() override {
    AccountServiceTest::SetUp();
    if (opened_.store) commits_ = std::make_unique<app::GroupCommit>(*opened_.store, 8);
  }

  app::AuditLog audit_{secrets_, random_, clock_};
  std::unique_ptr<app::GroupCommit> commits_;  // over the store SetUp opens

  core::Result<void> Append(const std::string& target, bool fail = false) {
    return commits_->Write([&, target, fail](core::Tx& tx) -> core::Result<void> {
      VAULT_TRY(
          audit_.Record(tx, app::Actor{"system", "test", "", ""}, {"test.unit", "thing", target}));
      if (fail) return core::Fail(core::Code::kInvalidArgument, "test.refused", "refused");
      return {};
    });
  }
};

TEST_P(GroupCommitTest, UnitsFromManyThreadsEachCommitOnceInOneIntactChain) {
  constexpr int kThreads = 8, kEach = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i)
        if (!Append("t" + std::to_string(t) + "-" + std::to_string(i))) ++failures;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  std::set<std::string> targets;
  for (const auto& e : Events()) {
    if (e.action == "test.unit") {
      EXPECT_TRUE(targets.insert(e.target_id).second) << e.target_id;
    }
  }
  EXPECT_EQ(targets.size(), static_cast<std::size_t>(kThreads * kEach));
  auto chain = audit_.Verify(*opened_.store);
  ASSERT_TRUE(chain);
  EXPECT_TRUE(chain->ok) << chain->problem;
}

TEST_P(GroupCommitTest, AFailingUnitFailsAloneAndLeavesNothingBehind) {
  constexpr int kThreads = 8;
  std::vector<core::Result<void>> results(kThreads, core::Result<void>{});
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto r = Append("u" + std::to_string(t) + "-" + std::to_string(i), t == 3 && i == 5);
        if (!r) results[t] = r;
      }
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    if (t == 3) {
      ASSERT_FALSE(results[t]);
      EXPECT_EQ(results[t].error().id, "test.refused");
    } else {
      EXPECT_TRUE(results[t]) << t;
    }
  }
  std::set<std::string> targets;
  for (const auto& e : Events())
    if (e.action == "test.unit") targets.insert(e.target_id);
  EXPECT_EQ(targets.size(), static_cast<std::size_t>(kThreads * 10 - 1));
  EXPECT_FALSE(targets.contains("u3-5"));  // its transaction rolled back; the others committed
  auto chain = audit_.Verify(*opened_.store);
  ASSERT_TRUE(chain);
  EXPECT_TRUE(chain->ok) << chain->problem;
}

INSTANTIATE_TEST_SUITE_P(Backends, GroupCommitTest, ::testing::ValuesIn(testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vault
