// The storage contract for the in-memory model's bulk reads (core::ModelPort), on every
// backend: workspace ids come in pages, a range of workspaces brings every row of theirs the
// model needs and nothing of the others, accounts come in pages with their flags.
#include <gtest/gtest.h>

#include <algorithm>

#include "storage/store_fixture.hpp"

namespace vault::storage {
namespace {

using core::PrincipalType;
using core::Role;
using core::Tx;

class ModelStore : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    SeedAccounts({{"acc_1", "a@example.com"}, {"acc_2", "b@example.com"}, {"acc_3", "c@x.org"}});
    SeedWorkspaces({{"ws_1", "alpha"}, {"ws_2", "beta"}, {"ws_3", "gamma"}});
    SeedMembers("ws_1", {{"acc_1", Role::kOwner}, {"acc_2", Role::kMember}});
    SeedMembers("ws_2", {{"acc_2", Role::kOwner}});
    SeedMembers("ws_3", {{"acc_3", Role::kOwner}});
    Write([&](Tx& tx) {
      Ok(tx.InsertProduct(MakeProduct("prd_1", "ws_1", "files")));
      Ok(tx.InsertProduct(MakeProduct("prd_2", "ws_2", "files")));
      Ok(tx.InsertProduct(MakeProduct("prd_3", "ws_3", "files")));
      Ok(tx.PutSubscription({"prd_1", "standard", core::SubscriptionStatus::kActive}));
      Ok(tx.PutSubscription({"prd_3", "standard", core::SubscriptionStatus::kActive}));
      Ok(tx.PutProductConfig({"prd_2", R"({"a":1})", 1, 1, "acc_2"}));
      Ok(tx.InsertGroup(MakeGroup("grp_1", "ws_1", "Team")));
      Ok(tx.InsertGroup(MakeGroup("grp_3", "ws_3", "Team")));
      Ok(tx.AddGroupMember("ws_1", "grp_1", "acc_2"));
      Ok(tx.AddGroupMember("ws_3", "grp_3", "acc_3"));
      Ok(tx.PutGrant(MakeGrant("prd_1", "ws_1", PrincipalType::kAccount, "acc_1", "admin")));
      Ok(tx.PutGrant(MakeGrant("prd_1", "ws_1", PrincipalType::kGroup, "grp_1", "viewer")));
      Ok(tx.PutGrant(MakeGrant("prd_3", "ws_3", PrincipalType::kAccount, "acc_3", "editor")));
    });
  }
};

TEST_P(ModelStore, WorkspaceIdsComeInPagesInTheDatabasesOrder) {
  Read([&](Tx& tx) {
    auto first = Ok(tx.ListWorkspaceIds("", 2));
    ASSERT_EQ(first.size(), 2u);
    auto rest = Ok(tx.ListWorkspaceIds(first.back(), 2));
    ASSERT_EQ(rest.size(), 1u);
    EXPECT_TRUE(Ok(tx.ListWorkspaceIds(rest.back(), 2)).empty());
    std::vector<std::string> all = first;
    all.push_back(rest[0]);
    std::sort(all.begin(), all.end());
    EXPECT_EQ(all, (std::vector<std::string>{"ws_1", "ws_2", "ws_3"}));
  });
}

TEST_P(ModelStore, ARangeLoadsEveryRowOfItsWorkspacesAndNothingElse) {
  Read([&](Tx& tx) {
    auto rows = Ok(tx.LoadAccessRows("ws_1", "ws_2"));
    ASSERT_EQ(rows.workspaces.size(), 2u);
    for (const auto& w : rows.workspaces) EXPECT_NE(w.id, "ws_3");
    EXPECT_EQ(rows.memberships.size(), 3u);
    for (const auto& m : rows.memberships) EXPECT_NE(m.workspace_id, "ws_3");
    EXPECT_EQ(rows.products.size(), 2u);
    ASSERT_EQ(rows.subscriptions.size(), 1u);
    EXPECT_EQ(rows.subscriptions[0].product_id, "prd_1");
    EXPECT_EQ(rows.subscriptions[0].status, core::SubscriptionStatus::kActive);
    ASSERT_EQ(rows.configs.size(), 1u);
    EXPECT_EQ(rows.configs[0].config, R"({"a":1})");
    ASSERT_EQ(rows.grants.size(), 2u);
    for (const auto& g : rows.grants) EXPECT_EQ(g.product_id, "prd_1");
    ASSERT_EQ(rows.group_members.size(), 1u);
    EXPECT_EQ(rows.group_members[0].workspace_id, "ws_1");
    EXPECT_EQ(rows.group_members[0].group_id, "grp_1");
    EXPECT_EQ(rows.group_members[0].account_id, "acc_2");

    auto one = Ok(tx.LoadAccessRows("ws_3", "ws_3"));
    ASSERT_EQ(one.workspaces.size(), 1u);
    ASSERT_EQ(one.memberships.size(), 1u);
    EXPECT_EQ(one.memberships[0].role, Role::kOwner);
    ASSERT_EQ(one.grants.size(), 1u);
    EXPECT_EQ(one.grants[0].role, "editor");
    EXPECT_TRUE(Ok(tx.LoadAccessRows("ws_4", "ws_9")).workspaces.empty());
  });
}

TEST_P(ModelStore, AccountFlagsComeInPagesWithDisabledAndConfirmedTotp) {
  Write([&](Tx& tx) {
    auto a = *Ok(tx.FindAccountById("acc_2"));
    a.disabled = true;
    Ok(tx.UpdateAccount(a));
    Ok(tx.PutTotp({"acc_1", "sealed", true, 0, 1}));
    Ok(tx.PutTotp({"acc_3", "sealed", false, 0, 1}));  // enrolling, not confirmed
  });
  Read([&](Tx& tx) {
    auto first = Ok(tx.ListAccountFlags("", 2));
    ASSERT_EQ(first.size(), 2u);
    auto rest = Ok(tx.ListAccountFlags(first.back().id, 2));
    ASSERT_EQ(rest.size(), 1u);
    EXPECT_TRUE(Ok(tx.ListAccountFlags(rest.back().id, 2)).empty());
    first.push_back(rest[0]);
    std::sort(first.begin(), first.end(), [](auto& x, auto& y) { return x.id < y.id; });
    EXPECT_EQ(first[0].id, "acc_1");
    EXPECT_TRUE(first[0].mfa);
    EXPECT_FALSE(first[0].disabled);
    EXPECT_TRUE(first[1].disabled);
    EXPECT_FALSE(first[1].mfa);
    EXPECT_FALSE(first[2].mfa);
  });
}

VAULT_STORE_BACKENDS(ModelStore);

}  // namespace
}  // namespace vault::storage
