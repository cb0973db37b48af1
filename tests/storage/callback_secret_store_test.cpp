// The storage contract for callback signing secrets, on every backend: every field round trips,
// the product's list pages newest first, the valid list keeps unrevoked secrets without an
// expiry or with a later one, a roll marks only an active secret once, a revoke happens once,
// the rows go with their product and their workspace, and retention purges ended ones.
#include <gtest/gtest.h>

#include "core/store.hpp"
#include "storage/store_fixture.hpp"

namespace vault::storage {
namespace {

using core::CallbackSecret;
using core::Tx;

class CallbackSecretStore : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    SeedWorkspaces({{"ws_a", "short-a"}, {"ws_b", "short-b"}});
    Write([&](Tx& tx) {
      Ok(tx.InsertProduct(MakeProduct("prd_1", "ws_a", "p-1")));
      Ok(tx.InsertProduct(MakeProduct("prd_2", "ws_a", "p-2")));
      Ok(tx.InsertProduct(MakeProduct("prd_3", "ws_b", "p-3")));
    });
  }

  static CallbackSecret Secret(const std::string& id, const std::string& ws,
                               const std::string& product, core::Timestamp created_at) {
    CallbackSecret s;
    s.id = id;
    s.workspace_id = ws;
    s.product_id = product;
    s.label = "Label 'quoted' \xE2\x9C\x93";
    s.sealed = "c2VhbGVk+/==";
    s.last_four = "Zz-_";
    s.created_by = "acc_1";
    s.created_at = created_at;
    return s;
  }

  void Insert(const CallbackSecret& s) {
    Write([&](Tx& tx) { Ok(tx.InsertCallbackSecret(s)); });
  }
  std::optional<CallbackSecret> Find(const std::string& id) {
    std::optional<CallbackSecret> out;
    Read([&](Tx& tx) { out = Ok(tx.FindCallbackSecret(id)); });
    return out;
  }
  std::vector<std::string> Valid(const std::string& product, core::Timestamp now) {
    std::vector<std::string> out;
    Read([&](Tx& tx) {
      out = Ids(Ok(tx.ListValidCallbackSecrets(product, now)),
                [](const CallbackSecret& s) { return s.id; });
    });
    return out;
  }
};

TEST_P(CallbackSecretStore, RoundTripsEveryFieldAndAnUnknownIdIsAbsent) {
  CallbackSecret s = Secret("cbs_1", "ws_a", "prd_1", 100);
  s.expires_at = 5000;
  s.revoked_at = 4000;
  s.replaced_by = "cbs_2";
  Insert(s);
  auto got = Find("cbs_1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, s.id);
  EXPECT_EQ(got->workspace_id, s.workspace_id);
  EXPECT_EQ(got->product_id, s.product_id);
  EXPECT_EQ(got->label, s.label);
  EXPECT_EQ(got->sealed, s.sealed);
  EXPECT_EQ(got->last_four, s.last_four);
  EXPECT_EQ(got->created_by, s.created_by);
  EXPECT_EQ(got->created_at, 100);
  EXPECT_EQ(got->expires_at, 5000);
  EXPECT_EQ(got->revoked_at, 4000);
  EXPECT_EQ(got->replaced_by, "cbs_2");
  EXPECT_FALSE(Find("cbs_none"));
  // An id is taken once.
  auto again = store_->Write([&](Tx& tx) { return tx.InsertCallbackSecret(s); });
  EXPECT_FALSE(again);
}

TEST_P(CallbackSecretStore, ListPagesOneProductNewestFirstThroughTies) {
  Insert(Secret("cbs_a", "ws_a", "prd_1", 100));
  Insert(Secret("cbs_c", "ws_a", "prd_1", 200));
  Insert(Secret("cbs_b", "ws_a", "prd_1", 200));
  Insert(Secret("cbs_x", "ws_a", "prd_2", 300));  // another product
  auto id = [](const CallbackSecret& s) { return s.id; };
  std::vector<std::string> first, second, all;
  Read([&](Tx& tx) {
    all = Ids(Ok(tx.ListCallbackSecrets("prd_1", core::Page{})), id);
    auto page = Ok(tx.ListCallbackSecrets("prd_1", core::Page{2}));
    first = Ids(page, id);
    core::Page next{2, page.back().id, "", page.back().created_at};
    second = Ids(Ok(tx.ListCallbackSecrets("prd_1", next)), id);
  });
  EXPECT_EQ(all, (std::vector<std::string>{"cbs_b", "cbs_c", "cbs_a"}));
  EXPECT_EQ(first, (std::vector<std::string>{"cbs_b", "cbs_c"}));
  EXPECT_EQ(second, (std::vector<std::string>{"cbs_a"}));
}

TEST_P(CallbackSecretStore, ValidSecretsAreUnrevokedAndNotPastTheirExpiry) {
  Insert(Secret("cbs_active", "ws_a", "prd_1", 300));
  CallbackSecret grace = Secret("cbs_grace", "ws_a", "prd_1", 200);
  grace.expires_at = 1000;
  Insert(grace);
  CallbackSecret revoked = Secret("cbs_revoked", "ws_a", "prd_1", 100);
  revoked.revoked_at = 150;
  Insert(revoked);
  Insert(Secret("cbs_other", "ws_a", "prd_2", 400));
  EXPECT_EQ(Valid("prd_1", 999), (std::vector<std::string>{"cbs_active", "cbs_grace"}));
  EXPECT_EQ(Valid("prd_1", 1000), (std::vector<std::string>{"cbs_active"}));  // grace over
  EXPECT_TRUE(Valid("prd_3", 0).empty());
}

TEST_P(CallbackSecretStore, ARollMarksOnlyAnActiveSecretOnce) {
  Insert(Secret("cbs_1", "ws_a", "prd_1", 100));
  Write([&](Tx& tx) {
    EXPECT_TRUE(Ok(tx.RollCallbackSecret("cbs_1", "cbs_2", 900)));
    EXPECT_FALSE(Ok(tx.RollCallbackSecret("cbs_1", "cbs_3", 950)));  // already rolled
    EXPECT_FALSE(Ok(tx.RollCallbackSecret("cbs_none", "cbs_3", 950)));
  });
  auto got = Find("cbs_1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->replaced_by, "cbs_2");
  EXPECT_EQ(got->expires_at, 900);
  Insert(Secret("cbs_r", "ws_a", "prd_1", 100));
  Write([&](Tx& tx) {
    EXPECT_TRUE(Ok(tx.RevokeCallbackSecret("cbs_r", 500)));
    EXPECT_FALSE(Ok(tx.RollCallbackSecret("cbs_r", "cbs_3", 950)));  // revoked
  });
}

TEST_P(CallbackSecretStore, ARevokeHappensOnceAndKeepsItsTime) {
  Insert(Secret("cbs_1", "ws_a", "prd_1", 100));
  Write([&](Tx& tx) {
    EXPECT_TRUE(Ok(tx.RevokeCallbackSecret("cbs_1", 500)));
    EXPECT_FALSE(Ok(tx.RevokeCallbackSecret("cbs_1", 600)));
    EXPECT_FALSE(Ok(tx.RevokeCallbackSecret("cbs_none", 600)));
  });
  auto got = Find("cbs_1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->revoked_at, 500);
}

TEST_P(CallbackSecretStore, SecretsGoWithTheirProductAndTheirWorkspace) {
  Insert(Secret("cbs_1", "ws_a", "prd_1", 100));
  Insert(Secret("cbs_2", "ws_a", "prd_2", 100));
  Insert(Secret("cbs_3", "ws_b", "prd_3", 100));
  Write([&](Tx& tx) { Ok(tx.DeleteProduct("prd_1")); });
  EXPECT_FALSE(Find("cbs_1"));
  EXPECT_TRUE(Find("cbs_2"));
  Write([&](Tx& tx) { Ok(tx.DeleteWorkspace("ws_a")); });
  EXPECT_FALSE(Find("cbs_2"));
  EXPECT_TRUE(Find("cbs_3"));
}

TEST_P(CallbackSecretStore, RetentionPurgesSecretsThatEndedBeforeTheCutoffInBatches) {
  CallbackSecret active = Secret("cbs_active", "ws_a", "prd_1", 100);
  CallbackSecret grace = Secret("cbs_grace", "ws_a", "prd_1", 100);
  grace.expires_at = 900;  // its grace ends after the cutoff
  CallbackSecret expired = Secret("cbs_expired", "ws_a", "prd_1", 100);
  expired.expires_at = 300;
  CallbackSecret revoked = Secret("cbs_revoked", "ws_a", "prd_2", 100);
  revoked.revoked_at = 200;
  CallbackSecret late = Secret("cbs_late", "ws_b", "prd_3", 100);
  late.revoked_at = 600;  // revoked after the cutoff
  CallbackSecret both = Secret("cbs_both", "ws_b", "prd_3", 100);
  both.expires_at = 400;
  both.revoked_at = 150;
  for (const auto& s : {active, grace, expired, revoked, late, both}) Insert(s);
  std::vector<int> counts;
  for (int i = 0; i < 5; ++i) {
    int n = 0;
    Write([&](Tx& tx) { n = Ok(tx.PurgeCallbackSecrets(500, 2)); });
    counts.push_back(n);
    if (n == 0) break;
  }
  EXPECT_EQ(counts, (std::vector<int>{2, 1, 0}));
  for (const char* gone : {"cbs_expired", "cbs_revoked", "cbs_both"}) EXPECT_FALSE(Find(gone));
  for (const char* kept : {"cbs_active", "cbs_grace", "cbs_late"}) EXPECT_TRUE(Find(kept));
}

VAULT_STORE_BACKENDS(CallbackSecretStore);

}  // namespace
}  // namespace vault::storage
