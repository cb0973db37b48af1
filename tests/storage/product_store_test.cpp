// The storage contract for the product catalogue, products, subscriptions, groups, grants,
// seats and product service clients, on every backend. Coverage of every core::Tx method:
// tests/storage/README.md.
#include <gtest/gtest.h>

#include "storage/store_fixture.hpp"

namespace vault::storage {
namespace {

using core::Grant;
using core::PrincipalType;
using core::Product;
using core::Result;
using core::Role;
using core::Subscription;
using core::SubscriptionStatus;
using core::Tx;

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Two workspaces with a product each (ws_1: prd_1 "files"; ws_2: prd_2 "files") and three
// accounts that are members of ws_1.
class ProductStore : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    SeedAccounts(
        {{"acc_1", "a@example.com"}, {"acc_2", "b@example.com"}, {"acc_3", "c@example.com"}});
    SeedWorkspaces({{"ws_1", "alpha"}, {"ws_2", "beta"}});
    SeedMembers("ws_1",
                {{"acc_1", Role::kOwner}, {"acc_2", Role::kMember}, {"acc_3", Role::kMember}});
    Write([&](Tx& tx) {
      Ok(tx.InsertProduct(MakeProduct("prd_1", "ws_1", "files")));
      Ok(tx.InsertProduct(MakeProduct("prd_2", "ws_2", "files")));
    });
  }

  int Seats(const std::string& product_id) {
    int out = -1;
    Read([&](Tx& tx) { out = Ok(tx.CountSeats(product_id)); });
    return out;
  }
  static std::vector<std::string> Principals(const std::vector<Grant>& grants) {
    return Ids(grants, [](const Grant& g) {
      return std::string(core::PrincipalTypeName(g.principal_type)) + ":" + g.principal_id;
    });
  }
};

TEST_P(ProductStore, TheCatalogueListsTypesByKeyRolesByRankAndUnlimitedPlansLast) {
  core::ProductType t{"pty_new", "archive", "Atomyx Archive", {"boxes:read", "boxes:write"},
                      {},        {}};
  t.roles = {{"viewer", 1, {"boxes:read"}}, {"admin", 3, {"boxes:read", "boxes:write"}}};
  t.plans = {{"unlimited", "Unlimited", 0, 0, {"core", "sso"}}, {"small", "Small", 3, 7, {"core"}}};
  Write([&](Tx& tx) { Ok(tx.InsertProductType(t)); });
  Read([&](Tx& tx) {
    auto types = Ok(tx.ListProductTypes());
    EXPECT_EQ(Ids(types, [](const core::ProductType& x) { return x.key; }),
              (std::vector<std::string>{"archive", "layout", "manage", "prepare", "submit"}));
    ASSERT_FALSE(types.empty());
    const core::ProductType& got = types[0];
    EXPECT_EQ(got.id, "pty_new");
    EXPECT_EQ(got.name, "Atomyx Archive");
    EXPECT_EQ(got.api_permissions, t.api_permissions);
    ASSERT_EQ(got.roles.size(), 2u);
    EXPECT_EQ(got.roles[0].name, "admin");  // highest rank first
    EXPECT_EQ(got.roles[0].rank, 3);
    EXPECT_EQ(got.roles[0].permissions, t.roles[1].permissions);
    EXPECT_EQ(got.roles[1].name, "viewer");
    ASSERT_EQ(got.plans.size(), 2u);
    EXPECT_EQ(got.plans[0].key, "small");
    EXPECT_EQ(got.plans[0].name, "Small");
    EXPECT_EQ(got.plans[0].seats, 3);
    EXPECT_EQ(got.plans[0].trial_days, 7);
    EXPECT_EQ(got.plans[0].features, (std::vector<std::string>{"core"}));
    EXPECT_EQ(got.plans[1].key, "unlimited");  // 0 seats = unlimited: last
    // The seeded catalogue: three roles and plans per type, in the same orders.
    const core::ProductType& submit = types[4];
    EXPECT_EQ(Ids(submit.roles, [](const core::ProductRole& r) { return r.name; }),
              (std::vector<std::string>{"admin", "editor", "viewer"}));
    EXPECT_EQ(Ids(submit.plans, [](const core::Plan& p) { return p.key; }),
              (std::vector<std::string>{"trial", "standard", "enterprise"}));
  });
  t.id = "pty_other";
  auto dup = store_->Write([&](Tx& tx) { return tx.InsertProductType(t); });
  EXPECT_EQ(ErrorId(dup), "product_type.key_taken");
  EXPECT_EQ(ErrorCode(dup), core::Code::kAlreadyExists);
}

TEST_P(ProductStore, UpdatingATypeStoresItsFieldsAndUpsertsRolesAndPlansWithRetiredFlags) {
  core::ProductType t;
  Read([&](Tx& tx) {
    for (auto& x : Ok(tx.ListProductTypes()))
      if (x.id == "pty_submit") t = x;
  });
  ASSERT_EQ(t.key, "submit");
  EXPECT_FALSE(t.retired);
  t.name = "Atomyx Submit 2";
  t.api_permissions = {"submissions:read"};
  t.retired = true;
  // only the listed roles and plans are written: one replaced, one new; the others stay
  t.roles = {{"viewer", 5, {"submissions:read", "files:write"}, true}, {"auditor", 1, {"a:b"}}};
  t.plans = {{"trial", "Trial", 2, 7, {"core"}, true}, {"tiny", "Tiny", 1, 0, {"x"}, false}};
  Write([&](Tx& tx) { Ok(tx.UpdateProductType(t)); });
  Read([&](Tx& tx) {
    core::ProductType got;
    for (auto& x : Ok(tx.ListProductTypes()))
      if (x.id == "pty_submit") got = x;
    EXPECT_EQ(got.name, "Atomyx Submit 2");
    EXPECT_EQ(got.api_permissions, (std::vector<std::string>{"submissions:read"}));
    EXPECT_TRUE(got.retired);
    EXPECT_EQ(Ids(got.roles, [](const core::ProductRole& r) { return r.name; }),
              (std::vector<std::string>{"viewer", "admin", "editor", "auditor"}));
    const core::ProductRole* viewer = got.FindRole("viewer");
    ASSERT_TRUE(viewer);
    EXPECT_EQ(viewer->rank, 5);
    EXPECT_TRUE(viewer->retired);
    EXPECT_EQ(viewer->permissions, (std::vector<std::string>{"submissions:read", "files:write"}));
    EXPECT_FALSE(got.FindRole("admin")->retired);
    const core::Plan* trial = got.FindPlan("trial");
    ASSERT_TRUE(trial);
    EXPECT_EQ(trial->seats, 2);
    EXPECT_EQ(trial->trial_days, 7);
    EXPECT_TRUE(trial->retired);
    ASSERT_TRUE(got.FindPlan("tiny"));
    EXPECT_FALSE(got.FindPlan("tiny")->retired);
    EXPECT_TRUE(got.FindPlan("enterprise"));
  });
  // un-retiring is a write like any other
  t.retired = false;
  t.roles = {};
  t.plans = {{"trial", "Trial", 2, 7, {"core"}, false}};
  Write([&](Tx& tx) { Ok(tx.UpdateProductType(t)); });
  Read([&](Tx& tx) {
    for (auto& x : Ok(tx.ListProductTypes()))
      if (x.id == "pty_submit") {
        EXPECT_FALSE(x.retired);
        EXPECT_FALSE(x.FindPlan("trial")->retired);
        EXPECT_TRUE(x.FindRole("viewer")->retired);  // not listed: unchanged
      }
  });
  core::ProductType missing = t;
  missing.id = "pty_nosuch";
  auto r = store_->Write([&](Tx& tx) { return tx.UpdateProductType(missing); });
  EXPECT_EQ(ErrorId(r), "product_type.not_found");
  EXPECT_EQ(ErrorCode(r), core::Code::kNotFound);
}

TEST_P(ProductStore, ProductsAreFoundByIdOrShortnameWithinTheirWorkspace) {
  Product p{"prd_9", "ws_1", "pty_manage", "Jobs 'main'", "jobs", true, 5, 6};
  Write([&](Tx& tx) { Ok(tx.InsertProduct(p)); });
  Read([&](Tx& tx) {
    for (const char* key : {"prd_9", "jobs", "JOBS"}) {
      auto got = Ok(tx.FindProduct("ws_1", key));
      ASSERT_TRUE(got) << key;
      EXPECT_EQ(got->id, "prd_9");
      EXPECT_EQ(got->workspace_id, "ws_1");
      EXPECT_EQ(got->type_id, "pty_manage");
      EXPECT_EQ(got->name, p.name);
      EXPECT_EQ(got->shortname, "jobs");
      EXPECT_TRUE(got->disabled);
      EXPECT_EQ(got->created_at, 5);
      EXPECT_EQ(got->updated_at, 6);
    }
    EXPECT_FALSE(Ok(tx.FindProduct("ws_2", "prd_9")));  // not across workspaces
    EXPECT_FALSE(Ok(tx.FindProduct("ws_2", "jobs")));
    EXPECT_EQ(Ok(tx.FindProduct("ws_2", "files"))->id, "prd_2");
    EXPECT_EQ(Ok(tx.FindProductById("prd_9"))->workspace_id, "ws_1");
    EXPECT_FALSE(Ok(tx.FindProductById("prd_none")));
  });
  // Shortnames are unique per workspace, not globally.
  auto dup = store_->Write(
      [&](Tx& tx) { return tx.InsertProduct(MakeProduct("prd_8", "ws_1", "files")); });
  EXPECT_EQ(ErrorId(dup), "product.shortname_taken");
  EXPECT_EQ(ErrorCode(dup), core::Code::kAlreadyExists);
  Write([&](Tx& tx) { Ok(tx.InsertProduct(MakeProduct("prd_8", "ws_2", "jobs"))); });
}

TEST_P(ProductStore, UpdateChangesTheProductAndRefusesATakenShortname) {
  Write([&](Tx& tx) {
    Ok(tx.InsertProduct(MakeProduct("prd_9", "ws_1", "jobs", "B product")));
    Ok(tx.InsertProduct(MakeProduct("prd_7", "ws_1", "docs", "C product")));
  });
  Product p = MakeProduct("prd_1", "ws_1", "renamed", "A product");
  p.disabled = true;
  p.updated_at = 77;
  Write([&](Tx& tx) { Ok(tx.UpdateProduct(p)); });
  Read([&](Tx& tx) {
    auto got = Ok(tx.FindProduct("ws_1", "renamed"));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->id, "prd_1");
    EXPECT_EQ(got->name, "A product");
    EXPECT_TRUE(got->disabled);
    EXPECT_EQ(got->updated_at, 77);
    EXPECT_FALSE(Ok(tx.FindProduct("ws_1", "files")));
    EXPECT_EQ(Ids(Ok(tx.ListProducts("ws_1")), [](const Product& x) { return x.id; }),
              (std::vector<std::string>{"prd_1", "prd_9", "prd_7"}));  // by name
    EXPECT_EQ(Ids(Ok(tx.ListProducts("ws_2")), [](const Product& x) { return x.id; }),
              (std::vector<std::string>{"prd_2"}));
  });
  p.shortname = "jobs";
  auto taken = store_->Write([&](Tx& tx) { return tx.UpdateProduct(p); });
  EXPECT_EQ(ErrorId(taken), "product.shortname_taken");
}

TEST_P(ProductStore, DeletingAProductTakesItsGrantsAndSubscriptionOnly) {
  Write([&](Tx& tx) {
    Ok(tx.InsertProduct(MakeProduct("prd_9", "ws_1", "jobs")));
    Ok(tx.InsertGroup(MakeGroup("grp_1", "ws_1", "Team")));
    EXPECT_TRUE(Ok(tx.AddGroupMember("ws_1", "grp_1", "acc_2")));
    for (const char* prd : {"prd_1", "prd_9"}) {
      Ok(tx.PutSubscription({prd, "trial", SubscriptionStatus::kInTrial}));
      Ok(tx.PutGrant(MakeGrant(prd, "ws_1", PrincipalType::kAccount, "acc_1")));
      Ok(tx.PutGrant(MakeGrant(prd, "ws_1", PrincipalType::kGroup, "grp_1")));
    }
  });
  Write([&](Tx& tx) { Ok(tx.DeleteProduct("prd_1")); });
  Read([&](Tx& tx) {
    EXPECT_FALSE(Ok(tx.FindProductById("prd_1")));
    EXPECT_FALSE(Ok(tx.FindSubscription("prd_1")));
    EXPECT_TRUE(Ok(tx.ListGrants("prd_1")).empty());
    EXPECT_TRUE(Ok(tx.FindGroup("ws_1", "grp_1")));  // the group stays
    EXPECT_EQ(Ok(tx.ListGroupMembers("ws_1")), (Pairs{{"grp_1", "acc_2"}}));
    EXPECT_TRUE(Ok(tx.FindSubscription("prd_9")));
    EXPECT_EQ(Ok(tx.ListGrants("prd_9")).size(), 2u);
  });
}

TEST_P(ProductStore, SubscriptionsArePutReplacedAndFoundByProviderId) {
  Read([&](Tx& tx) { EXPECT_FALSE(Ok(tx.FindSubscription("prd_1"))); });
  Subscription s{"prd_1", "trial", SubscriptionStatus::kInTrial, "local", "", 500, 0, 10};
  Write([&](Tx& tx) {
    Ok(tx.PutSubscription(s));
    Ok(tx.PutSubscription({"prd_2", "standard", SubscriptionStatus::kActive, "chargebee", "cb_2"}));
  });
  s = {"prd_1", "enterprise", SubscriptionStatus::kNonRenewing, "chargebee", "cb_1", 900, 40, 41};
  Write([&](Tx& tx) { Ok(tx.PutSubscription(s)); });  // replaces every field
  Read([&](Tx& tx) {
    auto got = Ok(tx.FindSubscription("prd_1"));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->product_id, "prd_1");
    EXPECT_EQ(got->plan_key, "enterprise");
    EXPECT_EQ(got->status, SubscriptionStatus::kNonRenewing);
    EXPECT_EQ(got->provider, "chargebee");
    EXPECT_EQ(got->external_id, "cb_1");
    EXPECT_EQ(got->period_end, 900);
    EXPECT_EQ(got->last_event_at, 40);
    EXPECT_EQ(got->updated_at, 41);
    EXPECT_EQ(Ok(tx.FindSubscriptionByExternal("chargebee", "cb_1"))->product_id, "prd_1");
    EXPECT_EQ(Ok(tx.FindSubscriptionByExternal("chargebee", "cb_2"))->product_id, "prd_2");
    EXPECT_FALSE(Ok(tx.FindSubscriptionByExternal("local", "cb_1")));  // provider is part of it
    EXPECT_FALSE(Ok(tx.FindSubscriptionByExternal("chargebee", "cb_9")));
    auto ws1 = Ok(tx.ListSubscriptions("ws_1"));
    ASSERT_EQ(ws1.size(), 1u);
    EXPECT_EQ(ws1[0].product_id, "prd_1");
    EXPECT_EQ(ws1[0].plan_key, "enterprise");
    EXPECT_EQ(Ok(tx.ListSubscriptions("ws_2")).size(), 1u);
    auto billed = Ok(tx.ListSubscriptionsByProvider("chargebee"));  // by product id
    ASSERT_EQ(billed.size(), 2u);
    EXPECT_EQ(billed[0].product_id, "prd_1");
    EXPECT_EQ(billed[0].external_id, "cb_1");
    EXPECT_EQ(billed[1].product_id, "prd_2");
    EXPECT_TRUE(Ok(tx.ListSubscriptionsByProvider("local")).empty());
  });
  Write([&](Tx& tx) {
    Ok(tx.PutSubscription({"prd_2", "standard", SubscriptionStatus::kActive, "local", ""}));
  });
  Read([&](Tx& tx) {  // a product moved to local billing leaves the provider's list
    auto billed = Ok(tx.ListSubscriptionsByProvider("chargebee"));
    ASSERT_EQ(billed.size(), 1u);
    EXPECT_EQ(billed[0].product_id, "prd_1");
    EXPECT_EQ(Ok(tx.ListSubscriptionsByProvider("local")).size(), 1u);
  });
  for (auto status : {SubscriptionStatus::kActive, SubscriptionStatus::kPaused,
                      SubscriptionStatus::kCancelled, SubscriptionStatus::kInTrial}) {
    s.status = status;
    Write([&](Tx& tx) { Ok(tx.PutSubscription(s)); });
    Read([&](Tx& tx) { EXPECT_EQ(Ok(tx.FindSubscription("prd_1"))->status, status); });
  }
}

TEST_P(ProductStore, ProductConfigsArePutReplacedListedPerWorkspaceAndGoWithTheProduct) {
  Read([&](Tx& tx) {
    EXPECT_FALSE(Ok(tx.FindProductConfig("prd_1")));
    EXPECT_TRUE(Ok(tx.ListProductConfigs("ws_1")).empty());
  });
  const std::string doc =
      "{\"theme\":\"dark\",\"name\":\"\xC3\x9C"
      "ber \xE2\x9C\x93\"}";
  Write([&](Tx& tx) {
    Ok(tx.PutProductConfig({"prd_1", doc, 1, 10, "acc_1"}));
    Ok(tx.PutProductConfig({"prd_2", "{}", 1, 11, "acc_2"}));
  });
  Write([&](Tx& tx) { Ok(tx.PutProductConfig({"prd_1", doc + " ", 2, 12, "acc_3"})); });
  Read([&](Tx& tx) {
    auto got = Ok(tx.FindProductConfig("prd_1"));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->config, doc + " ");  // stored byte for byte
    EXPECT_EQ(got->version, 2);
    EXPECT_EQ(got->updated_at, 12);
    EXPECT_EQ(got->updated_by, "acc_3");
    auto ws1 = Ok(tx.ListProductConfigs("ws_1"));
    ASSERT_EQ(ws1.size(), 1u);
    EXPECT_EQ(ws1[0].product_id, "prd_1");
    EXPECT_EQ(Ok(tx.ListProductConfigs("ws_2")).size(), 1u);
  });
  Write([&](Tx& tx) { Ok(tx.DeleteProduct("prd_1")); });
  Read([&](Tx& tx) {
    EXPECT_FALSE(Ok(tx.FindProductConfig("prd_1")));
    EXPECT_TRUE(Ok(tx.ListProductConfigs("ws_1")).empty());
    EXPECT_TRUE(Ok(tx.FindProductConfig("prd_2")));
  });
}

TEST_P(ProductStore, GroupNamesAreUniquePerWorkspaceInAnyCase) {
  core::Group g{"grp_1", "ws_1", "Design Team", "design team", "Makes 'things'", 5};
  Write([&](Tx& tx) {
    Ok(tx.InsertGroup(g));
    Ok(tx.InsertGroup(MakeGroup("grp_2", "ws_1", "admins")));
    Ok(tx.InsertGroup(MakeGroup("grp_3", "ws_2", "Design team")));  // another workspace
  });
  auto dup = store_->Write(
      [&](Tx& tx) { return tx.InsertGroup(MakeGroup("grp_4", "ws_1", "DESIGN TEAM")); });
  EXPECT_EQ(ErrorId(dup), "group.name_taken");
  EXPECT_EQ(ErrorCode(dup), core::Code::kAlreadyExists);
  Read([&](Tx& tx) {
    auto got = Ok(tx.FindGroup("ws_1", "grp_1"));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->workspace_id, "ws_1");
    EXPECT_EQ(got->name, "Design Team");
    EXPECT_EQ(got->name_norm, "design team");
    EXPECT_EQ(got->description, "Makes 'things'");
    EXPECT_EQ(got->created_at, 5);
    EXPECT_FALSE(Ok(tx.FindGroup("ws_2", "grp_1")));  // not across workspaces
    EXPECT_EQ(Ids(Ok(tx.ListGroups("ws_1")), [](const core::Group& x) { return x.id; }),
              (std::vector<std::string>{"grp_2", "grp_1"}));  // by name, any case
  });
  core::Group renamed = MakeGroup("grp_1", "ws_1", "Designers");
  renamed.description = "new";
  Write([&](Tx& tx) { Ok(tx.UpdateGroup(renamed)); });
  Read([&](Tx& tx) {
    auto got = Ok(tx.FindGroup("ws_1", "grp_1"));
    EXPECT_EQ(got->name, "Designers");
    EXPECT_EQ(got->description, "new");
  });
  auto taken =
      store_->Write([&](Tx& tx) { return tx.UpdateGroup(MakeGroup("grp_1", "ws_1", "Admins")); });
  EXPECT_EQ(ErrorId(taken), "group.name_taken");
}

TEST_P(ProductStore, GroupMembersAreAddedAndRemovedOnceAndGoWithTheGroup) {
  Write([&](Tx& tx) {
    Ok(tx.InsertGroup(MakeGroup("grp_1", "ws_1", "One")));
    Ok(tx.InsertGroup(MakeGroup("grp_2", "ws_1", "Two")));
    Ok(tx.InsertGroup(MakeGroup("grp_x", "ws_2", "Other")));
  });
  Write([&](Tx& tx) {
    EXPECT_TRUE(Ok(tx.AddGroupMember("ws_1", "grp_1", "acc_1")));
    EXPECT_FALSE(Ok(tx.AddGroupMember("ws_1", "grp_1", "acc_1")));  // already a member
    EXPECT_TRUE(Ok(tx.AddGroupMember("ws_1", "grp_1", "acc_2")));
    EXPECT_TRUE(Ok(tx.AddGroupMember("ws_1", "grp_2", "acc_1")));
    EXPECT_TRUE(Ok(tx.AddGroupMember("ws_2", "grp_x", "acc_3")));
    EXPECT_TRUE(Ok(tx.RemoveGroupMember("grp_1", "acc_2")));
    EXPECT_FALSE(Ok(tx.RemoveGroupMember("grp_1", "acc_2")));
    EXPECT_FALSE(Ok(tx.RemoveGroupMember("grp_2", "acc_3")));
    EXPECT_EQ(Sorted(Ok(tx.ListGroupMembers("ws_1"))),
              (Pairs{{"grp_1", "acc_1"}, {"grp_2", "acc_1"}}));
    EXPECT_EQ(Ok(tx.ListGroupMembers("ws_2")), (Pairs{{"grp_x", "acc_3"}}));
    Ok(tx.PutGrant(MakeGrant("prd_1", "ws_1", PrincipalType::kGroup, "grp_1")));
    Ok(tx.PutGrant(MakeGrant("prd_1", "ws_1", PrincipalType::kGroup, "grp_2")));
  });
  Write([&](Tx& tx) { Ok(tx.DeleteGroup("grp_1")); });
  Read([&](Tx& tx) {
    EXPECT_FALSE(Ok(tx.FindGroup("ws_1", "grp_1")));
    EXPECT_EQ(Ok(tx.ListGroupMembers("ws_1")), (Pairs{{"grp_2", "acc_1"}}));
    EXPECT_EQ(Principals(Ok(tx.ListGrants("prd_1"))), (std::vector<std::string>{"group:grp_2"}));
  });
}

TEST_P(ProductStore, AGrantIsPutOncePerPrincipalAndItsRoleChanged) {
  Write([&](Tx& tx) {
    Ok(tx.InsertGroup(MakeGroup("acc_1", "ws_1", "Named like an account")));  // same id, other type
    Ok(tx.PutGrant(MakeGrant("prd_1", "ws_1", PrincipalType::kAccount, "acc_2", "viewer")));
    Ok(tx.PutGrant(MakeGrant("prd_1", "ws_1", PrincipalType::kAccount, "acc_1", "viewer")));
    Ok(tx.PutGrant(MakeGrant("prd_1", "ws_1", PrincipalType::kGroup, "acc_1", "viewer")));
    Ok(tx.PutGrant(MakeGrant("prd_1", "ws_1", PrincipalType::kAccount, "acc_1", "admin")));
    Ok(tx.PutGrant(MakeGrant("prd_2", "ws_2", PrincipalType::kAccount, "acc_3", "editor")));
  });
  Write([&](Tx& tx) {
    auto grants = Ok(tx.ListGrants("prd_1"));
    EXPECT_EQ(Principals(grants),
              (std::vector<std::string>{"account:acc_1", "account:acc_2", "group:acc_1"}));
    ASSERT_EQ(grants.size(), 3u);
    EXPECT_EQ(grants[0].role, "admin");  // changed in place
    EXPECT_EQ(grants[0].product_id, "prd_1");
    EXPECT_EQ(grants[0].workspace_id, "ws_1");
    EXPECT_EQ(grants[0].created_at, 1);
    EXPECT_EQ(grants[2].role, "viewer");
    EXPECT_EQ(Sorted(Principals(Ok(tx.ListWorkspaceGrants("ws_1")))),
              (std::vector<std::string>{"account:acc_1", "account:acc_2", "group:acc_1"}));
    EXPECT_EQ(Principals(Ok(tx.ListWorkspaceGrants("ws_2"))),
              (std::vector<std::string>{"account:acc_3"}));
    EXPECT_TRUE(Ok(tx.DeleteGrant("prd_1", PrincipalType::kGroup, "acc_1")));
    EXPECT_FALSE(Ok(tx.DeleteGrant("prd_1", PrincipalType::kGroup, "acc_1")));
    EXPECT_FALSE(Ok(tx.DeleteGrant("prd_2", PrincipalType::kAccount, "acc_1")));
    EXPECT_EQ(Principals(Ok(tx.ListGrants("prd_1"))),
              (std::vector<std::string>{"account:acc_1", "account:acc_2"}));
  });
}

TEST_P(ProductStore, SeatsCountDistinctAccountsDirectOrThroughGroups) {
  EXPECT_EQ(Seats("prd_1"), 0);
  Write([&](Tx& tx) {
    Ok(tx.InsertGroup(MakeGroup("grp_1", "ws_1", "One")));
    Ok(tx.InsertGroup(MakeGroup("grp_2", "ws_1", "Two")));
    Ok(tx.InsertGroup(MakeGroup("grp_empty", "ws_1", "Empty")));
    EXPECT_TRUE(Ok(tx.AddGroupMember("ws_1", "grp_1", "acc_1")));
    EXPECT_TRUE(Ok(tx.AddGroupMember("ws_1", "grp_1", "acc_2")));
    EXPECT_TRUE(Ok(tx.AddGroupMember("ws_1", "grp_2", "acc_2")));
    Ok(tx.PutGrant(MakeGrant("prd_1", "ws_1", PrincipalType::kAccount, "acc_1")));
    Ok(tx.PutGrant(MakeGrant("prd_1", "ws_1", PrincipalType::kGroup, "grp_empty")));
  });
  EXPECT_EQ(Seats("prd_1"), 1);
  Write(
      [&](Tx& tx) { Ok(tx.PutGrant(MakeGrant("prd_1", "ws_1", PrincipalType::kGroup, "grp_1"))); });
  EXPECT_EQ(Seats("prd_1"), 2);  // acc_1 directly and through grp_1 counts once
  Write(
      [&](Tx& tx) { Ok(tx.PutGrant(MakeGrant("prd_1", "ws_1", PrincipalType::kGroup, "grp_2"))); });
  EXPECT_EQ(Seats("prd_1"), 2);  // acc_2 through two groups counts once
  Write([&](Tx& tx) {
    Ok(tx.PutGrant(MakeGrant("prd_1", "ws_1", PrincipalType::kAccount, "acc_3")));
  });
  EXPECT_EQ(Seats("prd_1"), 3);
  EXPECT_EQ(Seats("prd_2"), 0);  // per product
}

// Six grants racing for the last seat: with the product lock taken first, those after the
// first see its seat and stop.
TEST_P(ProductStore, TheProductLockSerialisesSeatCounting) {
  auto granted = Concurrently<bool>(6, [](Tx& tx, int i) -> Result<bool> {
    VAULT_TRY(tx.LockProduct("prd_1"));
    VAULT_ASSIGN_OR_RETURN(int seats, tx.CountSeats("prd_1"));
    if (seats >= 1) return false;
    VAULT_TRY(tx.PutGrant(
        MakeGrant("prd_1", "ws_1", PrincipalType::kAccount, "acc_" + std::to_string(i + 1))));
    return true;
  });
  EXPECT_EQ(std::count(granted.begin(), granted.end(), true), 1);
  EXPECT_EQ(Seats("prd_1"), 1);
}

TEST_P(ProductStore, TheProductLockHoldsUntilCommit) {
  EXPECT_TRUE(SecondLockWaitsForTheFirstCommit([](Tx& tx) { return tx.LockProduct("prd_1"); }));
}

TEST_P(ProductStore, ServiceClientsKeepTheirRedirectUrisAndPublicFlag) {
  core::ServiceClient pub{"svc_p",
                          "pty_manage",
                          "SPA",
                          "",
                          10,
                          0,
                          {"https://app.example/cb", "http://localhost:3000/cb?x=1&y=2"},
                          true};
  Write([&](Tx& tx) {
    Ok(tx.InsertServiceClient(pub));
    Ok(tx.InsertServiceClient({"svc_c", "pty_manage", "Backend", "hash-c", 11, 0}));
  });
  Read([&](Tx& tx) {
    auto got = Ok(tx.FindServiceClient("svc_p"));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->redirect_uris, pub.redirect_uris);
    EXPECT_TRUE(got->is_public);
    EXPECT_EQ(got->secret_hash, "");
    auto confidential = Ok(tx.FindServiceClient("svc_c"));
    EXPECT_TRUE(confidential->redirect_uris.empty());
    EXPECT_FALSE(confidential->is_public);
    auto all = Ok(tx.ListServiceClients());
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1].redirect_uris, pub.redirect_uris);  // listed in id order: svc_c, svc_p
  });
}

TEST_P(ProductStore, ServiceClientsAreListedByIdAndRevokedOnce) {
  Write([&](Tx& tx) {
    Ok(tx.InsertServiceClient({"svc_b", "pty_submit", "Submit backend", "hash-b", 10, 0}));
    Ok(tx.InsertServiceClient({"svc_a", "pty_manage", "Manage backend", "hash-a", 11, 0}));
  });
  Write([&](Tx& tx) {
    auto got = Ok(tx.FindServiceClient("svc_b"));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->type_id, "pty_submit");
    EXPECT_EQ(got->name, "Submit backend");
    EXPECT_EQ(got->secret_hash, "hash-b");
    EXPECT_EQ(got->created_at, 10);
    EXPECT_EQ(got->revoked_at, 0);
    EXPECT_FALSE(Ok(tx.FindServiceClient("svc_none")));
    EXPECT_EQ(Ids(Ok(tx.ListServiceClients()), [](const core::ServiceClient& c) { return c.id; }),
              (std::vector<std::string>{"svc_a", "svc_b"}));
    EXPECT_TRUE(Ok(tx.RevokeServiceClient("svc_b", 50)));
    EXPECT_FALSE(Ok(tx.RevokeServiceClient("svc_b", 60)));
    EXPECT_FALSE(Ok(tx.RevokeServiceClient("svc_none", 60)));
    EXPECT_EQ(Ok(tx.FindServiceClient("svc_b"))->revoked_at, 50);
    EXPECT_EQ(Ok(tx.FindServiceClient("svc_a"))->revoked_at, 0);
    EXPECT_EQ(Ok(tx.ListServiceClients()).size(), 2u);  // revoked ones are listed too
    // a new secret only for a live confidential client
    EXPECT_TRUE(Ok(tx.SetServiceClientSecret("svc_a", "hash-a2", "hash-a", 500)));
    auto a = Ok(tx.FindServiceClient("svc_a"));
    EXPECT_EQ(a->secret_hash, "hash-a2");
    EXPECT_EQ(a->previous_secret_hash, "hash-a");  // kept for the grace period
    EXPECT_EQ(a->previous_secret_expires_at, 500);
    EXPECT_TRUE(Ok(tx.SetServiceClientSecret("svc_a", "hash-a3", "", 0)));  // without grace
    a = Ok(tx.FindServiceClient("svc_a"));
    EXPECT_EQ(a->secret_hash, "hash-a3");
    EXPECT_EQ(a->previous_secret_hash, "");
    EXPECT_EQ(a->previous_secret_expires_at, 0);
    EXPECT_FALSE(Ok(tx.SetServiceClientSecret("svc_b", "hash-b2", "hash-b", 500)));  // revoked
    EXPECT_EQ(Ok(tx.FindServiceClient("svc_b"))->secret_hash, "hash-b");
    EXPECT_EQ(Ok(tx.FindServiceClient("svc_b"))->previous_secret_hash, "");
    EXPECT_FALSE(Ok(tx.SetServiceClientSecret("svc_none", "hash", "", 0)));
    core::ServiceClient pub{"svc_p", "pty_submit", "Web app", "", 13, 0};
    pub.is_public = true;
    pub.redirect_uris = {"https://app.example/cb"};
    Ok(tx.InsertServiceClient(pub));
    EXPECT_FALSE(Ok(tx.SetServiceClientSecret("svc_p", "hash-p", "", 0)));  // public: no secret
    EXPECT_EQ(Ok(tx.FindServiceClient("svc_p"))->secret_hash, "");
  });
  auto dup = store_->Write([&](Tx& tx) {
    return tx.InsertServiceClient({"svc_a", "pty_manage", "Again", "hash", 12, 0});
  });
  EXPECT_FALSE(dup);
}

TEST_P(ProductStore, RedirectUrisAreReplacedOnlyOnALiveClient) {
  core::ServiceClient pub{"svc_p", "pty_manage", "SPA", "", 10, 0, {"https://app.example/cb"},
                          true};
  Write([&](Tx& tx) {
    Ok(tx.InsertServiceClient(pub));
    Ok(tx.InsertServiceClient({"svc_c", "pty_manage", "Backend", "hash-c", 11, 0}));
    Ok(tx.InsertServiceClient({"svc_r", "pty_manage", "Gone", "hash-r", 12, 0}));
    EXPECT_TRUE(Ok(tx.RevokeServiceClient("svc_r", 20)));
  });
  const std::vector<std::string> next = {"http://127.0.0.1:8080/cb?a=1&b=2",
                                         "https://app.example/other"};
  Write([&](Tx& tx) {
    EXPECT_TRUE(Ok(tx.SetServiceClientRedirectUris("svc_p", next)));
    EXPECT_TRUE(Ok(tx.SetServiceClientRedirectUris("svc_c", {"https://c.example/cb"})));
    EXPECT_FALSE(Ok(tx.SetServiceClientRedirectUris("svc_r", {"https://r.example/cb"})));
    EXPECT_FALSE(Ok(tx.SetServiceClientRedirectUris("svc_none", {"https://n.example/cb"})));
  });
  Read([&](Tx& tx) {
    auto p = Ok(tx.FindServiceClient("svc_p"));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->redirect_uris, next);
    // nothing else moves: the public flag, the (empty) secret, the name
    EXPECT_TRUE(p->is_public);
    EXPECT_EQ(p->secret_hash, "");
    EXPECT_EQ(p->name, "SPA");
    auto c = Ok(tx.FindServiceClient("svc_c"));
    EXPECT_EQ(c->redirect_uris, (std::vector<std::string>{"https://c.example/cb"}));
    EXPECT_EQ(c->secret_hash, "hash-c");
    EXPECT_TRUE(Ok(tx.FindServiceClient("svc_r"))->redirect_uris.empty());
  });
  // a confidential client may go back to none (a back end that only verifies keys)
  Write([&](Tx& tx) { EXPECT_TRUE(Ok(tx.SetServiceClientRedirectUris("svc_c", {}))); });
  Read([&](Tx& tx) { EXPECT_TRUE(Ok(tx.FindServiceClient("svc_c"))->redirect_uris.empty()); });
}

VAULT_STORE_BACKENDS(ProductStore);

}  // namespace
}  // namespace vault::storage
