// AccessModel's workspace snapshots under a small memory budget: they stay within it, keep the
// workspace in use, and still answer every check correctly (evicted entries load again).
#include <gtest/gtest.h>

#include "app/access_model.hpp"
#include "app/product_service.hpp"
#include "app/workspace_service.hpp"
#include "core/blocking.hpp"
#include "support/account_fixture.hpp"

namespace vault::app {
namespace {

class AccessModelCacheTest : public testing::AccountServiceTest {
 protected:
  void SetUp() override {
    AccountServiceTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    Ports ports = MailedPorts();
    MakeServices(ports);
    workspaces_ = std::make_unique<WorkspaceService>(ports, *service_);
    products_ = std::make_unique<ProductService>(ports, *workspaces_);
    owner_ = Register("owner@example.com");
    for (int i = 0; i < kWorkspaces; ++i) {
      std::string shortname = "ws" + std::to_string(i);
      ASSERT_TRUE(workspaces_->Create(Ctx(owner_), "Workspace", shortname, ""));
      auto p = products_->Create(Ctx(owner_), shortname, "submit", "Submit", "submit", "standard");
      ASSERT_TRUE(p) << p.error().id;
      products_of_.push_back(p->product.id);
      ASSERT_TRUE(products_->PutGrant(Ctx(owner_), shortname, "submit",
                                      core::PrincipalType::kAccount, owner_.account.id, "editor"));
    }
  }

  static constexpr int kWorkspaces = 8;
  SignedIn owner_;
  std::vector<std::string> products_of_;
  std::unique_ptr<WorkspaceService> workspaces_;
  std::unique_ptr<ProductService> products_;
};

TEST_P(AccessModelCacheTest, StaysWithinItsBudgetKeepsTheHotWorkspaceAndAnswersRight) {
  // How much one workspace's snapshot costs: what a fresh model holds after one check.
  AccessModel probe(*opened_.store, clock_);
  ASSERT_TRUE(probe.Check(owner_.account.id, products_of_[0], "submissions:create"));
  const std::size_t one = probe.snapshot_bytes();
  ASSERT_GT(one, 0u);

  // Room for about three workspaces' worth of everything.
  const std::size_t budget = one * 3 + one / 2;
  AccessModel model(*opened_.store, clock_, budget * 4 / 3 + 1);
  for (int round = 0; round < 3; ++round) {
    for (int i = 1; i < kWorkspaces; ++i) {
      // Workspace 0 is used between every other: it must never be the one evicted.
      auto hot = model.Check(owner_.account.id, products_of_[0], "submissions:create");
      ASSERT_TRUE(hot);
      EXPECT_TRUE(hot->allowed) << hot->reason;
      auto d = model.Check(owner_.account.id, products_of_[i], "submissions:create");
      ASSERT_TRUE(d);
      EXPECT_TRUE(d->allowed) << "workspace " << i << ": " << d->reason;
      EXPECT_LE(model.snapshot_bytes(), budget);
    }
  }
  EXPECT_LT(model.cached_workspaces(), static_cast<std::size_t>(kWorkspaces));
  EXPECT_GT(model.cache_evictions(), 0u);
  {
    // Answered from memory (a miss would ask to block and fail here).
    core::NoBlockingScope scope;
    auto hot = model.Check(owner_.account.id, products_of_[0], "submissions:create");
    ASSERT_TRUE(hot) << hot.error().id;
    EXPECT_FALSE(scope.blocking_requested());
  }
  // A non-member is denied in an evicted workspace as in a cached one.
  SignedIn stranger = Register("stranger@example.com");
  auto d = model.Check(stranger.account.id, products_of_[1], "submissions:create");
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->allowed);
}

INSTANTIATE_TEST_SUITE_P(Backends, AccessModelCacheTest, ::testing::ValuesIn(testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vault::app
