// API key verification from the in-memory index (KeyIndex, ADR 0006) against the database: a
// seeded random sequence of creates, revokes, rolls with grace, clock ticks, product
// deactivation and deletion and product-type permission changes, with every key's Verify answer
// compared after each step with the answer computed from a plain database read (the key's row
// and a fresh AccessModel). Runs on every backend the fixtures offer (SQLite, and PostgreSQL
// when VAULT_TEST_PG_URL is set).
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "app/access_model.hpp"
#include "app/api_key_service.hpp"
#include "app/product_service.hpp"
#include "app/workspace_service.hpp"
#include "core/encoding.hpp"
#include "support/account_fixture.hpp"

namespace vault::app {
namespace {

const std::vector<std::string> kPermissions = {"submissions:read", "submissions:create",
                                               "submissions:update", "files:read", "files:write"};

// Hears every change, as the server's listeners do.
class Fanout : public core::ChangeListener {
 public:
  std::vector<core::ChangeListener*> to;
  void WorkspaceChanged(const std::string& id) override {
    for (auto* l : to) l->WorkspaceChanged(id);
  }
  void AccountChanged(const std::string& id) override {
    for (auto* l : to) l->AccountChanged(id);
  }
  void CatalogChanged() override {
    for (auto* l : to) l->CatalogChanged();
  }
  void ApiKeyChanged(const std::string& id) override {
    for (auto* l : to) l->ApiKeyChanged(id);
  }
};

struct Issued {
  std::string id, text;
  core::Environment env;
};

class ApiKeyIndexTest : public testing::AccountServiceTest {
 protected:
  void SetUp() override {
    AccountServiceTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    model_ = std::make_unique<AccessModel>(*opened_.store, clock_);
    Ports ports = MailedPorts(&fanout_);
    MakeServices(ports);
    workspaces_ = std::make_unique<WorkspaceService>(ports, *service_);
    products_ = std::make_unique<ProductService>(ports, *workspaces_);
    // The index as the server has it (bound far away), and one bounded at 4 keys, so most of
    // its answers take the database fallback.
    keys_ = std::make_unique<ApiKeyService>(ports, *workspaces_, *model_);
    tiny_ = std::make_unique<ApiKeyService>(ports, *workspaces_, *model_, 4);
    fanout_.to = {model_.get(), keys_.get(), tiny_.get()};
    owner_ = Register("owner@example.com");
    admin_ = Ctx(owner_);
    admin_.account.super_admin = true;
    ASSERT_TRUE(workspaces_->Create(Ctx(owner_), "Acme", "acme", ""));
    ASSERT_TRUE(products_->Create(Ctx(owner_), "acme", "submit", "Submit", "submit", "standard"));
    ASSERT_TRUE(
        products_->Create(Ctx(owner_), "acme", "submit", "Submit 2", "submit2", "standard"));
    client_.type_id = "pty_submit";
  }

  // What a verification answers, as plain values.
  struct Answer {
    std::string reason, key_id, workspace_id, product_id, name;
    core::Environment environment = core::Environment::kProduction;
    std::vector<std::string> permissions;
    core::Timestamp expires_at = 0;
    std::vector<std::string> features;
  };

  // The answer from a plain database read: the key's row, a fresh model's product facts.
  Answer Expected(const std::string& text, const core::KeyCheck& check) {
    Answer v;
    auto parsed = core::ParseApiKey(text);
    if (!parsed) {
      v.reason = "malformed";
      return v;
    }
    std::optional<core::ApiKey> row;
    EXPECT_TRUE(opened_.store->Read([&](core::Tx& tx) -> core::Result<void> {
      VAULT_ASSIGN_OR_RETURN(auto k, tx.FindApiKey(parsed->id));
      row = std::move(k);
      return {};
    }));
    bool known = row &&
                 core::ConstantTimeEquals(secrets_.KeyedHash("api_key", text), row->secret_hash) &&
                 row->environment == parsed->environment;
    core::KeyProductFacts facts;
    core::KeyState state;
    if (known) {
      AccessModel fresh(*opened_.store, clock_);
      auto f = fresh.KeyProduct(row->product_id, check.permission);
      EXPECT_TRUE(f);
      facts = *f;
      if (facts.type_id != client_.type_id) facts.exists = false;
      state = core::KeyState{row->environment, row->expires_at, row->revoked_at, row->permissions,
                             core::KeyNetworks(*row)};
    }
    v.reason = core::DecideKey(known ? &state : nullptr, facts, check, clock_.Now());
    if (v.reason.empty()) {
      v.key_id = row->id;
      v.workspace_id = row->workspace_id;
      v.product_id = row->product_id;
      v.name = row->name;
      v.environment = row->environment;
      v.permissions = row->permissions;
      v.expires_at = row->expires_at;
      if (facts.features) v.features = *facts.features;
    }
    return v;
  }

  void ExpectSame(ApiKeyService& keys, const std::string& text, const core::KeyCheck& check,
                  const std::string& where) {
    Answer want = Expected(text, check);
    auto got = keys.Verify(client_, text, check);
    ASSERT_TRUE(got) << where << ": " << got.error().id;
    ASSERT_EQ(got->reason, want.reason) << where;
    seen_[want.reason.empty() ? "valid" : want.reason]++;
    if (!want.reason.empty()) return;
    EXPECT_EQ(got->key_id, want.key_id) << where;
    EXPECT_EQ(got->workspace_id, want.workspace_id) << where;
    EXPECT_EQ(got->product_id, want.product_id) << where;
    EXPECT_EQ(got->name, want.name) << where;
    EXPECT_EQ(got->environment, want.environment) << where;
    ASSERT_TRUE(got->permissions) << where;
    EXPECT_EQ(*got->permissions, want.permissions) << where;
    EXPECT_EQ(got->expires_at, want.expires_at) << where;
    // Read before anything else asks the model: the plan's features live in its catalogue.
    EXPECT_EQ(got->features ? *got->features : std::vector<std::string>{}, want.features) << where;
  }

  std::unique_ptr<AccessModel> model_;
  std::unique_ptr<WorkspaceService> workspaces_;
  std::unique_ptr<ProductService> products_;
  std::unique_ptr<ApiKeyService> keys_, tiny_;
  Fanout fanout_;
  SignedIn owner_;
  AuthContext admin_;
  core::ServiceClient client_;
  std::map<std::string, int> seen_;  // answers compared, by reason
};

TEST_P(ApiKeyIndexTest, EveryAnswerMatchesTheDatabaseThroughRandomChanges) {
  std::mt19937 rng(20261130);
  auto pick = [&](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  auto chance = [&](int percent) { return static_cast<int>(pick(100)) < percent; };
  auto some_of = [&](const std::vector<std::string>& from) {
    std::vector<std::string> out;
    for (const auto& p : from)
      if (chance(50)) out.push_back(p);
    if (out.empty()) out.push_back(from[pick(from.size())]);
    return out;
  };
  std::vector<std::string> offered = kPermissions;  // by the product type now
  const core::Environment envs[] = {core::Environment::kProduction, core::Environment::kStaging,
                                    core::Environment::kDevelopment};
  std::vector<Issued> issued;
  std::vector<std::string> products = {"submit", "submit2"};
  std::map<std::string, bool> disabled;
  auto create = [&] {
    NewKey k;
    k.product = products[pick(products.size())];
    k.environment = std::string(core::EnvironmentName(envs[pick(3)]));
    k.name = "key " + std::to_string(issued.size()) + (chance(30) ? " with a longer name" : "");
    k.permissions = some_of(offered);
    if (chance(40)) k.expires_at = clock_.Now() + 1 + static_cast<core::Timestamp>(pick(4000));
    if (chance(15)) k.allowed_ips = {chance(50) ? "10.0.0.0/8" : "192.168.0.1"};
    auto r = keys_->Create(Ctx(owner_), "acme", k);
    ASSERT_TRUE(r) << r.error().id;
    issued.push_back({r->key.id, r->text, r->key.environment});
  };
  for (int i = 0; i < 6; ++i) create();
  // Loaded in bulk, as at start; the index is then complete.
  ASSERT_TRUE(keys_->WarmUp());
  ASSERT_TRUE(tiny_->WarmUp());

  core::Random& random = random_;
  bool deleted = false;
  const int kSteps = 160;
  for (int step = 0; step < kSteps; ++step) {
    std::string what;
    const std::size_t op = pick(100);
    if (op < 25 || issued.empty()) {
      what = "create";
      create();
    } else if (op < 37) {
      what = "revoke";
      const auto& k = issued[pick(issued.size())];
      auto r = keys_->Revoke(Ctx(owner_), "acme", k.id);
      ASSERT_TRUE(r || r.error().id == "api_key.not_found") << r.error().id;
    } else if (op < 52) {
      what = "roll";
      const auto& k = issued[pick(issued.size())];
      const core::Timestamp graces[] = {0, 30, 600, 5000};
      auto r = keys_->Roll(Ctx(owner_), "acme", k.id, {graces[pick(4)], std::nullopt});
      if (r)
        issued.push_back({r->key.key.id, r->key.text, r->key.key.environment});
      else
        ASSERT_TRUE(r.error().id == "api_key.revoked" || r.error().id == "api_key.already_rolled" ||
                    r.error().id == "api_key.not_found")
            << r.error().id;
    } else if (op < 72) {
      what = "tick";
      clock_.Advance(1 + static_cast<core::Timestamp>(pick(900)));
    } else if (op < 84) {
      what = "toggle product";
      const auto& p = products[pick(products.size())];
      disabled[p] = !disabled[p];
      ASSERT_TRUE(products_->Update(Ctx(owner_), "acme", p, {.disabled = disabled[p]}));
    } else if (op < 97) {
      what = "type permissions";
      offered = some_of(kPermissions);
      ASSERT_TRUE(products_->UpdateProductType(admin_, "pty_submit", {.api_permissions = offered}));
    } else if (!deleted && step > kSteps / 2) {
      what = "delete product";
      deleted = true;
      ASSERT_TRUE(products_->Delete(Ctx(owner_), "acme", "submit2"));
      products = {"submit"};
    } else {
      what = "nothing";
    }
    const std::string where = "step " + std::to_string(step) + " (" + what + ")";
    for (const auto& k : issued) {
      core::KeyCheck check{chance(85) ? k.env : envs[pick(3)],
                           chance(30) ? "" : kPermissions[pick(kPermissions.size())],
                           chance(50) ? "10.1.2.3" : "192.168.0.1"};
      ExpectSame(*keys_, k.text, check, where + " " + k.id);
      ExpectSame(*tiny_, k.text, check, where + " (bounded) " + k.id);
      if (HasFatalFailure()) return;
    }
    // A wrong secret for a known id, and an id never issued: "unknown" either way.
    const auto& k = issued[pick(issued.size())];
    std::string wrong = core::FormatApiKey(k.env, k.id, core::NewApiKeySecret(random));
    std::string stranger =
        core::FormatApiKey(k.env, core::NewApiKeyId(random), core::NewApiKeySecret(random));
    const core::KeyCheck any{k.env, "", ""};
    ExpectSame(*keys_, wrong, any, where + " wrong secret");
    ExpectSame(*tiny_, wrong, any, where + " (bounded) wrong secret");
    // The complete index answers an unknown id without reading the database.
    const auto reads = keys_->lookup_db_reads();
    ExpectSame(*keys_, stranger, any, where + " unknown id");
    EXPECT_EQ(keys_->lookup_db_reads(), reads) << where;
    ExpectSame(*tiny_, stranger, any, where + " (bounded) unknown id");
    if (HasFatalFailure()) return;
  }
  // The sequence reached every answer a key can get.
  for (const char* reason : {"valid", "unknown", "revoked", "expired", "wrong_environment",
                             "ip_not_allowed", "product_inactive", "permission_denied"})
    EXPECT_GT(seen_[reason], 0) << reason;
  // Last use is buffered per key and written in one transaction.
  auto flushed = keys_->FlushUsage();
  ASSERT_TRUE(flushed);
  EXPECT_GT(*flushed, 0);
  EXPECT_GT(keys_->cached_keys(), 0u);
  EXPECT_GT(keys_->lookup_db_reads(), 0u);  // re-reads after each change
}

// Last use: buffered per verification, written per key with the newest time and address.
// tiny_ holds 4 keys, so the other keys are read from the database on every verification and
// record a use each time (no per-key guard): the flush must still write one row per key.
TEST_P(ApiKeyIndexTest, UsageIsFlushedOncePerKeyWithTheNewestUse) {
  std::vector<std::pair<std::string, std::string>> keys;  // id, text
  for (int i = 0; i < 8; ++i) {
    NewKey k;
    k.product = "submit";
    k.environment = "production";
    k.name = "k" + std::to_string(i);
    k.permissions = {kPermissions[0]};
    auto r = keys_->Create(Ctx(owner_), "acme", k);
    ASSERT_TRUE(r) << r.error().id;
    keys.emplace_back(r->key.id, r->text);
  }
  ASSERT_TRUE(tiny_->WarmUp());
  const core::Timestamp start = clock_.Now();
  for (int round = 0; round < 3; ++round) {
    clock_.Advance(ApiKeyService::kUsageResolution);  // each round's use is a new one to record
    const std::string ip = "198.51.100." + std::to_string(round + 1);
    for (const auto& [id, text] : keys)
      for (int again = 0; again < 2; ++again) {
        auto v = tiny_->Verify(client_, text, {core::Environment::kProduction, "", ip});
        ASSERT_TRUE(v);
        ASSERT_EQ(v->reason, "") << id;
      }
  }
  auto flushed = tiny_->FlushUsage();
  ASSERT_TRUE(flushed);
  EXPECT_EQ(*flushed, 8);  // one record per key, however often it was used
  for (const auto& [id, text] : keys) {
    std::optional<core::ApiKey> row;
    ASSERT_TRUE(opened_.store->Read([&](core::Tx& tx) -> core::Result<void> {
      VAULT_ASSIGN_OR_RETURN(auto k, tx.FindApiKey(id));
      row = std::move(k);
      return {};
    }));
    ASSERT_TRUE(row);
    EXPECT_EQ(row->last_used_at, start + 3 * ApiKeyService::kUsageResolution) << id;
    EXPECT_EQ(row->last_used_ip, "198.51.100.3") << id;
  }
  auto again = tiny_->FlushUsage();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);  // nothing left buffered
}

// The index alone: a bulk load past several batches and table growths, the bound, and the
// stale / absent states with the generation check.
TEST(KeyIndexTest, LoadsFindsInvalidatesAndKeepsItsBound) {
  std::mt19937_64 rng(7);
  auto id_text = [&] {
    std::string s = "ak_";
    for (int i = 0; i < 20; ++i) s += "abcdefghijklmnopqrstuvwxyz234567"[rng() % 32];
    return s;
  };
  auto key = [&](int i) {
    core::ApiKey k;
    k.id = id_text();
    k.workspace_id = "ws_" + std::to_string(i % 7);
    k.product_id = "prd_" + std::to_string(i % 7);
    // Names inline in the record (up to 59 bytes) and in the arena: the longest inline, the
    // shortest outside, and 100 characters of Cyrillic (200 bytes).
    const std::string n = "key " + std::to_string(i);
    std::string cyrillic;
    for (int j = 0; j < 25; ++j) cyrillic += "ключ";
    const std::string names[] = {n, n + std::string(59 - n.size(), 'x'),
                                 n + std::string(60 - n.size(), 'y'), cyrillic};
    k.name = names[i % 4];
    k.secret_hash = std::string(63, 'a') + "0123456789abcdef"[i % 16];
    k.permissions = {i % 2 ? "files:read" : "files:write"};
    k.expires_at = i % 3 ? 0 : 2000000000;
    return k;
  };
  KeyIndex index(5000);
  index.Prefetch(*KeyIndex::Pack(id_text()));  // no table yet: a hint with nothing to aim at
  std::vector<core::ApiKey> keys;
  for (int i = 0; i < 4000; ++i) keys.push_back(key(i));
  ASSERT_TRUE(index.LoadPage(keys));
  std::vector<std::string> ids = {keys[0].id, id_text()};  // one loaded, one only known
  ASSERT_TRUE(index.AddIds(ids));
  index.SetComplete(true);
  EXPECT_EQ(index.loaded(), 4000u);
  EXPECT_EQ(index.records(), 4001u);
  for (int i = 0; i < 4000; ++i) {
    KeyIndex::View v;
    index.Prefetch(*KeyIndex::Pack(keys[i].id));  // as Verify does before its HMAC
    ASSERT_EQ(index.Find(*KeyIndex::Pack(keys[i].id), &v), KeyIndex::Probe::kHit) << i;
    EXPECT_EQ(v.name, keys[i].name);
    EXPECT_EQ(v.product->product_id, keys[i].product_id);
    EXPECT_EQ(v.profile->permissions, keys[i].permissions);
    EXPECT_EQ(v.expires_at, keys[i].expires_at);
    EXPECT_EQ(v.hash[31], static_cast<std::uint8_t>(0xa0 + i % 16));
  }
  KeyIndex::View v;
  EXPECT_EQ(index.Find(*KeyIndex::Pack(ids[1]), &v), KeyIndex::Probe::kMiss);  // read it
  EXPECT_EQ(index.Find(*KeyIndex::Pack(id_text()), &v), KeyIndex::Probe::kUnknown);
  // A change makes the key stale; a fill read before the change is not kept, one after is.
  const auto id = *KeyIndex::Pack(keys[5].id);
  const auto before = index.generation();
  index.MarkStale(id);
  EXPECT_EQ(index.Find(id, &v), KeyIndex::Probe::kMiss);
  core::ApiKey revoked = keys[5];
  revoked.revoked_at = 1;
  index.Fill(id, revoked, before);
  EXPECT_EQ(index.Find(id, &v), KeyIndex::Probe::kMiss);
  KeyIndex::View held;  // a view copied out before the reloads below: its name stays as it was
  ASSERT_EQ(index.Find(*KeyIndex::Pack(keys[4].id), &held), KeyIndex::Probe::kHit);
  index.Fill(id, revoked, index.generation());
  ASSERT_EQ(index.Find(id, &v), KeyIndex::Probe::kHit);
  EXPECT_TRUE(v.revoked);
  EXPECT_EQ(v.name, keys[5].name);
  // Reloads keep a name's bytes where a view may point at them; another name is stored anew.
  const auto id4 = *KeyIndex::Pack(keys[4].id);
  for (const std::string& name : {keys[4].name, std::string("renamed"), keys[4].name}) {
    core::ApiKey again = keys[4];
    again.name = name;
    index.MarkStale(id4);
    index.Fill(id4, again, index.generation());
    ASSERT_EQ(index.Find(id4, &v), KeyIndex::Probe::kHit);
    EXPECT_EQ(v.name, name);
    EXPECT_EQ(held.name, keys[4].name);
  }
  index.MarkAbsent(id, index.generation());
  EXPECT_EQ(index.Find(id, &v), KeyIndex::Probe::kUnknown);
  // Past the bound: refused, and the index is no longer complete (misses read the database).
  std::vector<core::ApiKey> more;
  for (int i = 0; i < 1200; ++i) more.push_back(key(i));
  EXPECT_FALSE(index.LoadPage(more));
  EXPECT_EQ(index.records(), 5000u);
  EXPECT_GT(index.refused(), 0u);
  EXPECT_FALSE(index.complete());
  EXPECT_EQ(index.Find(*KeyIndex::Pack(id_text()), &v), KeyIndex::Probe::kMiss);
  EXPECT_LT(index.bytes(), std::size_t{16} << 20);
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiKeyIndexTest, ::testing::ValuesIn(testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vault::app
