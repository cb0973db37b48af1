// The storage contract for API keys, on every backend: round trip, listing with filters and a
// (created_at, id) cursor, revoke and roll-marking only once, batched last-use that never goes
// back in time, the warm-up scan, and cascade with the product.
#include <gtest/gtest.h>

#include "core/store.hpp"
#include "storage/store_fixture.hpp"

namespace vault::storage {
namespace {

using core::ApiKey;
using core::Result;
using core::Tx;

class ApiKeyStore : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(store_->Write([&](Tx& tx) -> Result<void> {
      for (const char* ws : {"ws_a", "ws_b"}) {
        core::Workspace w{ws, "W", std::string("short-") + (ws + 3), "", false, 1, 1};
        if (auto r = tx.InsertWorkspace(w); !r) return r;
      }
      for (auto [id, ws] : {std::pair{"prd_1", "ws_a"}, {"prd_2", "ws_a"}, {"prd_3", "ws_b"}}) {
        core::Product p{id, ws, "pty_submit", "P", std::string("p-") + (id + 4), false, 1, 1};
        if (auto r = tx.InsertProduct(p); !r) return r;
      }
      return {};
    }));
  }

  static ApiKey Key(const std::string& id, const std::string& ws, const std::string& product,
                    core::Timestamp created_at) {
    ApiKey k;
    k.id = id;
    k.workspace_id = ws;
    k.product_id = product;
    k.environment = core::Environment::kStaging;
    k.name = "Name 'quoted' \xE2\x9C\x93";
    k.secret_hash = std::string(64, 'a');
    k.last_four = "Zz09";
    k.permissions = {"files:read", "files:write"};
    k.allowed_ips = {"10.0.0.0/8", "2001:db8::/32"};
    k.created_by = "acc_1";
    k.created_at = created_at;
    return k;
  }

  Result<void> Insert(const ApiKey& k) {
    return store_->Write([&](Tx& tx) { return tx.InsertApiKey(k); });
  }
  std::optional<ApiKey> Find(const std::string& id) {
    std::optional<ApiKey> out;
    EXPECT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
      auto k = tx.FindApiKey(id);
      if (!k) return core::Fail(k.error());
      out = *k;
      return {};
    }));
    return out;
  }
  std::vector<std::string> Listed(const core::ApiKeyQuery& q) {
    std::vector<std::string> out;
    EXPECT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
      auto l = tx.ListApiKeys(q);
      if (!l) return core::Fail(l.error());
      for (const auto& k : *l) out.push_back(k.id);
      return {};
    }));
    return out;
  }
};

TEST_P(ApiKeyStore, RoundTripsEveryField) {
  ApiKey k = Key("ak_1", "ws_a", "prd_1", 100);
  k.expires_at = 5000;
  k.rolled_from = "ak_0";
  ASSERT_TRUE(Insert(k));
  auto got = Find("ak_1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->workspace_id, "ws_a");
  EXPECT_EQ(got->product_id, "prd_1");
  EXPECT_EQ(got->environment, core::Environment::kStaging);
  EXPECT_EQ(got->name, k.name);
  EXPECT_EQ(got->secret_hash, k.secret_hash);
  EXPECT_EQ(got->last_four, "Zz09");
  EXPECT_EQ(got->permissions, k.permissions);
  EXPECT_EQ(got->allowed_ips, k.allowed_ips);
  EXPECT_EQ(got->created_by, "acc_1");
  EXPECT_EQ(got->created_at, 100);
  EXPECT_EQ(got->expires_at, 5000);
  EXPECT_EQ(got->revoked_at, 0);
  EXPECT_EQ(got->rolled_from, "ak_0");
  EXPECT_EQ(got->replaced_by, "");
  EXPECT_FALSE(Find("ak_missing"));
  EXPECT_FALSE(Insert(k));  // the id is unique
}

TEST_P(ApiKeyStore, ListsNewestFirstWithFiltersAndCursor) {
  ASSERT_TRUE(Insert(Key("ak_1", "ws_a", "prd_1", 100)));
  ASSERT_TRUE(Insert(Key("ak_2", "ws_a", "prd_2", 200)));
  ASSERT_TRUE(Insert(Key("ak_3", "ws_a", "prd_1", 200)));
  ASSERT_TRUE(Insert(Key("ak_4", "ws_b", "prd_3", 300)));
  ApiKey prod = Key("ak_5", "ws_a", "prd_1", 50);
  prod.environment = core::Environment::kProduction;
  ASSERT_TRUE(Insert(prod));
  core::ApiKeyQuery q;
  q.workspace_id = "ws_a";
  EXPECT_EQ(Listed(q), (std::vector<std::string>{"ak_3", "ak_2", "ak_1", "ak_5"}));
  q.product_ids = {"prd_1"};
  EXPECT_EQ(Listed(q), (std::vector<std::string>{"ak_3", "ak_1", "ak_5"}));
  q.environment = "production";
  EXPECT_EQ(Listed(q), (std::vector<std::string>{"ak_5"}));
  q = {};
  q.workspace_id = "ws_a";
  q.limit = 2;
  EXPECT_EQ(Listed(q), (std::vector<std::string>{"ak_3", "ak_2"}));
  q.before_created_at = 200;
  q.before_id = "ak_2";
  EXPECT_EQ(Listed(q), (std::vector<std::string>{"ak_1", "ak_5"}));
}

TEST_P(ApiKeyStore, RevokeAndRollMarkOnlyOnce) {
  ASSERT_TRUE(Insert(Key("ak_1", "ws_a", "prd_1", 100)));
  ASSERT_TRUE(Insert(Key("ak_2", "ws_a", "prd_1", 100)));
  ASSERT_TRUE(store_->Write([&](Tx& tx) -> Result<void> {
    EXPECT_TRUE(*tx.MarkApiKeyRolled("ak_1", "ak_9", 700));
    EXPECT_FALSE(*tx.MarkApiKeyRolled("ak_1", "ak_8", 800));  // already rolled
    EXPECT_TRUE(*tx.RevokeApiKey("ak_2", 300));
    EXPECT_FALSE(*tx.RevokeApiKey("ak_2", 400));              // already revoked
    EXPECT_FALSE(*tx.MarkApiKeyRolled("ak_2", "ak_8", 800));  // revoked keys do not roll
    EXPECT_FALSE(*tx.RevokeApiKey("ak_missing", 400));
    return {};
  }));
  EXPECT_EQ(Find("ak_1")->replaced_by, "ak_9");
  EXPECT_EQ(Find("ak_1")->expires_at, 700);
  EXPECT_EQ(Find("ak_2")->revoked_at, 300);
}

TEST_P(ApiKeyStore, UsageKeepsTheNewestAndScanSkipsRevoked) {
  ASSERT_TRUE(Insert(Key("ak_1", "ws_a", "prd_1", 100)));
  ASSERT_TRUE(Insert(Key("ak_2", "ws_a", "prd_1", 100)));
  ASSERT_TRUE(Insert(Key("ak_3", "ws_b", "prd_3", 100)));
  ASSERT_TRUE(store_->Write([&](Tx& tx) -> Result<void> {
    if (auto r = tx.RecordApiKeyUsage({{"ak_1", 500, "10.0.0.1"}, {"ak_2", 400, "::1"}}); !r)
      return r;
    if (auto r = tx.RecordApiKeyUsage({{"ak_1", 450, "10.0.0.2"}}); !r) return r;  // older: ignored
    // The same key twice in one batch: its newest record is the one kept.
    if (auto r = tx.RecordApiKeyUsage({{"ak_2", 420, "::2"}, {"ak_2", 410, "::3"}}); !r) return r;
    // A key deleted since its use (with its product) is skipped; the rest of the batch is kept.
    if (auto r = tx.RecordApiKeyUsage({{"ak_gone", 800, "10.0.0.3"}, {"ak_3", 800, "10.0.0.4"}});
        !r)
      return r;
    return tx.RevokeApiKey("ak_2", 600).has_value() ? Result<void>{}
                                                    : core::Fail(core::Code::kInternal, "x", "x");
  }));
  EXPECT_EQ(Find("ak_1")->last_used_at, 500);
  EXPECT_EQ(Find("ak_1")->last_used_ip, "10.0.0.1");
  EXPECT_EQ(Find("ak_2")->last_used_at, 420);
  EXPECT_EQ(Find("ak_2")->last_used_ip, "::2");
  EXPECT_EQ(Find("ak_3")->last_used_at, 800);
  EXPECT_FALSE(Find("ak_gone"));
  std::vector<std::string> scanned;
  ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
    std::string after;
    while (true) {
      auto page = tx.ScanLiveApiKeys(after, 1);
      if (!page) return core::Fail(page.error());
      if (page->empty()) return {};
      scanned.push_back(page->front().id);
      after = page->front().id;
    }
  }));
  EXPECT_EQ(scanned, (std::vector<std::string>{"ak_1", "ak_3"}));
  std::vector<std::string> ids;  // every id, the revoked one too
  ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
    auto first = tx.ScanApiKeyIds("", 2);
    if (!first) return core::Fail(first.error());
    auto rest = tx.ScanApiKeyIds(first->back(), 2);
    if (!rest) return core::Fail(rest.error());
    ids = *first;
    ids.insert(ids.end(), rest->begin(), rest->end());
    return {};
  }));
  EXPECT_EQ(ids, (std::vector<std::string>{"ak_1", "ak_2", "ak_3"}));
}

TEST_P(ApiKeyStore, KeysGoWithTheirProduct) {
  ASSERT_TRUE(Insert(Key("ak_1", "ws_a", "prd_1", 100)));
  // Its last use (kept in a table of its own) goes with it, and does not hold the delete up.
  ASSERT_TRUE(store_->Write([&](Tx& tx) {
    return tx.RecordApiKeyUsage({{"ak_1", 500, "10.0.0.1"}});
  }));
  ASSERT_TRUE(store_->Write([&](Tx& tx) { return tx.DeleteProduct("prd_1"); }));
  EXPECT_FALSE(Find("ak_1"));
  ASSERT_TRUE(Insert(Key("ak_1", "ws_a", "prd_2", 100)));  // the same id again: no old use
  EXPECT_EQ(Find("ak_1")->last_used_at, 0);
}

VAULT_STORE_BACKENDS(ApiKeyStore);

}  // namespace
}  // namespace vault::storage
