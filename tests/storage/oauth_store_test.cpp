// The storage contract for the OpenID Connect provider's signing keys, on every backend: every
// field round-trips, keys list newest first, retiring keeps exactly the named key live and
// happens once, only retired keys past their window are deleted, a kid is unique.
#include <gtest/gtest.h>

#include "core/store.hpp"
#include "storage/store_fixture.hpp"

namespace vault::storage {
namespace {

using core::Result;
using core::SigningKey;
using core::Tx;

class OAuthStore : public StoreTest {
 protected:
  static SigningKey Key(std::string kid, core::Timestamp created) {
    return SigningKey{std::move(kid),
                      "EdDSA",
                      "pub-" + std::to_string(created),
                      "sealed-" + std::to_string(created),
                      created,
                      0,
                      0};
  }
  std::vector<std::string> Kids() {
    std::vector<std::string> out;
    Read([&](Tx& tx) {
      for (const auto& k : Ok(tx.ListSigningKeys())) out.push_back(k.kid);
    });
    return out;
  }
};

TEST_P(OAuthStore, KeysRoundTripAndListNewestFirst) {
  SigningKey full{
      "sk_a", "EdDSA", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "c2VhbGVk+/==", 100,
      150,    900};
  Write([&](Tx& tx) {
    Ok(tx.InsertSigningKey(full));
    Ok(tx.InsertSigningKey(Key("sk_c", 200)));
    Ok(tx.InsertSigningKey(Key("sk_b", 200)));  // same second: kid breaks the tie
  });
  EXPECT_EQ(Kids(), (std::vector<std::string>{"sk_c", "sk_b", "sk_a"}));
  Read([&](Tx& tx) {
    auto all = Ok(tx.ListSigningKeys());
    const SigningKey& a = all.back();
    EXPECT_EQ(a.alg, full.alg);
    EXPECT_EQ(a.public_key, full.public_key);
    EXPECT_EQ(a.sealed_private_key, full.sealed_private_key);
    EXPECT_EQ(a.created_at, 100);
    EXPECT_EQ(a.retired_at, 150);
    EXPECT_EQ(a.verify_until, 900);
  });
  auto dup = store_->Write([&](Tx& tx) { return tx.InsertSigningKey(Key("sk_a", 300)); });
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, core::Code::kAlreadyExists);
  EXPECT_EQ(dup.error().id, "signing_key.kid_taken");
}

TEST_P(OAuthStore, RetiringKeepsOnlyTheNamedKeyLiveAndHappensOnce) {
  Write([&](Tx& tx) {
    for (auto [kid, t] : {std::pair{"sk_1", 10}, {"sk_2", 20}, {"sk_3", 30}})
      Ok(tx.InsertSigningKey(Key(kid, t)));
  });
  Write([&](Tx& tx) { EXPECT_EQ(Ok(tx.RetireSigningKeys("sk_3", 40, 1000)), 2); });
  Write([&](Tx& tx) {
    EXPECT_EQ(Ok(tx.RetireSigningKeys("sk_3", 50, 2000)), 0);  // already retired: unchanged
    for (const auto& k : Ok(tx.ListSigningKeys())) {
      if (k.kid == "sk_3") {
        EXPECT_EQ(k.retired_at, 0);
        EXPECT_EQ(k.verify_until, 0);
      } else {
        EXPECT_EQ(k.retired_at, 40) << k.kid;
        EXPECT_EQ(k.verify_until, 1000) << k.kid;
      }
    }
  });
}

TEST_P(OAuthStore, OnlyRetiredKeysPastTheirWindowAreDeleted) {
  Write([&](Tx& tx) {
    Ok(tx.InsertSigningKey(Key("sk_old", 10)));
    Ok(tx.InsertSigningKey(Key("sk_mid", 20)));
    Ok(tx.InsertSigningKey(Key("sk_live", 30)));
    EXPECT_EQ(Ok(tx.RetireSigningKeys("sk_mid", 25, 100)), 2);  // sk_old and sk_live
  });
  Write([&](Tx& tx) { EXPECT_EQ(Ok(tx.DeleteExpiredSigningKeys(99)), 0); });
  Write([&](Tx& tx) { EXPECT_EQ(Ok(tx.DeleteExpiredSigningKeys(100)), 2); });
  EXPECT_EQ(Kids(), (std::vector<std::string>{"sk_mid"}));
  // A live key is never deleted, however old.
  Write([&](Tx& tx) { EXPECT_EQ(Ok(tx.DeleteExpiredSigningKeys(1'000'000)), 0); });
  EXPECT_EQ(Kids(), (std::vector<std::string>{"sk_mid"}));
}

VAULT_STORE_BACKENDS(OAuthStore);

}  // namespace
}  // namespace vault::storage
