// The storage contract for the OpenID Connect provider's signing keys, on every backend: every
// field round-trips, keys list newest first, retiring keeps exactly the named key live and
// happens once, only retired keys past their window are deleted, a kid is unique. Authorization
// codes and refresh tokens round-trip, are used once (one winner), revoke by family and by
// session; revoked access-token ids list until they expire; expired grants are purged.
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

core::OAuthSubject Subject(const std::string& session) {
  return core::OAuthSubject{"svc_c", "acc_a",        session, "wsp_w",
                            "prd_p", "openid email", 1000,    "pwd otp"};
}

core::RefreshToken Refresh(const std::string& id, const std::string& family,
                           const std::string& session, core::Timestamp expires) {
  return core::RefreshToken{id, family, "h-" + id, Subject(session), 1000, expires, 5000, 0, 0};
}

TEST_P(OAuthStore, ACodeRoundTripsAndIsUsedOnce) {
  core::AuthorizationCode code{
      "hash-1", Subject("ses_1"), "https://app.example/cb", "challenge", "nonce-1", 1000, 1060, 0,
      ""};
  Write([&](Tx& tx) { Ok(tx.InsertAuthorizationCode(code)); });
  Read([&](Tx& tx) {
    auto got = Ok(tx.FindAuthorizationCode("hash-1"));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->subject.client_id, "svc_c");
    EXPECT_EQ(got->subject.account_id, "acc_a");
    EXPECT_EQ(got->subject.session_id, "ses_1");
    EXPECT_EQ(got->subject.workspace_id, "wsp_w");
    EXPECT_EQ(got->subject.product_id, "prd_p");
    EXPECT_EQ(got->subject.scope, "openid email");
    EXPECT_EQ(got->subject.auth_time, 1000);
    EXPECT_EQ(got->subject.amr, "pwd otp");
    EXPECT_EQ(got->redirect_uri, "https://app.example/cb");
    EXPECT_EQ(got->code_challenge, "challenge");
    EXPECT_EQ(got->nonce, "nonce-1");
    EXPECT_EQ(got->created_at, 1000);
    EXPECT_EQ(got->expires_at, 1060);
    EXPECT_EQ(got->used_at, 0);
    EXPECT_FALSE(Ok(tx.FindAuthorizationCode("hash-2")));
  });
  Write([&](Tx& tx) { EXPECT_TRUE(Ok(tx.UseAuthorizationCode("hash-1", 1010, "fam_1"))); });
  Write([&](Tx& tx) { EXPECT_FALSE(Ok(tx.UseAuthorizationCode("hash-1", 1011, "fam_2"))); });
  Read([&](Tx& tx) {
    auto got = Ok(tx.FindAuthorizationCode("hash-1"));
    EXPECT_EQ(got->used_at, 1010);
    EXPECT_EQ(got->family_id, "fam_1");  // the first exchange's family, for reuse revocation
  });
  auto dup = store_->Write([&](Tx& tx) { return tx.InsertAuthorizationCode(code); });
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, core::Code::kAlreadyExists);
}

TEST_P(OAuthStore, RefreshTokensAreUsedOnceAndRevokedByFamilyOrSession) {
  Write([&](Tx& tx) {
    Ok(tx.InsertRefreshToken(Refresh("rt_1", "fam_a", "ses_1", 2000)));
    Ok(tx.InsertRefreshToken(Refresh("rt_2", "fam_a", "ses_1", 2000)));
    Ok(tx.InsertRefreshToken(Refresh("rt_3", "fam_b", "ses_1", 2000)));
    Ok(tx.InsertRefreshToken(Refresh("rt_4", "fam_c", "ses_2", 2000)));
  });
  Read([&](Tx& tx) {
    auto got = Ok(tx.FindRefreshToken("h-rt_1"));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->id, "rt_1");
    EXPECT_EQ(got->family_id, "fam_a");
    EXPECT_EQ(got->subject.session_id, "ses_1");
    EXPECT_EQ(got->subject.amr, "pwd otp");
    EXPECT_EQ(got->created_at, 1000);
    EXPECT_EQ(got->expires_at, 2000);
    EXPECT_EQ(got->family_expires_at, 5000);
    EXPECT_EQ(got->used_at, 0);
    EXPECT_EQ(got->revoked_at, 0);
    EXPECT_FALSE(Ok(tx.FindRefreshToken("h-rt_9")));
  });
  Write([&](Tx& tx) { EXPECT_TRUE(Ok(tx.UseRefreshToken("rt_1", 1100))); });
  Write([&](Tx& tx) { EXPECT_FALSE(Ok(tx.UseRefreshToken("rt_1", 1101))); });
  Write([&](Tx& tx) { EXPECT_EQ(Ok(tx.RevokeRefreshFamily("fam_a", 1200)), 2); });
  Write([&](Tx& tx) { EXPECT_EQ(Ok(tx.RevokeRefreshFamily("fam_a", 1300)), 0); });
  Write([&](Tx& tx) { EXPECT_FALSE(Ok(tx.UseRefreshToken("rt_2", 1301))); });  // revoked
  Write([&](Tx& tx) { EXPECT_EQ(Ok(tx.RevokeRefreshTokensOfSession("ses_1", 1400)), 1); });
  Write([&](Tx& tx) {
    Ok(tx.InsertRefreshToken(Refresh("rt_5", "fam_d", "ses_3", 2000)));
    Ok(tx.InsertRefreshToken(Refresh("rt_6", "fam_e", "ses_4", 2000)));
    // Everything of acc_a but what ses_4 holds: rt_4 (ses_2) and rt_5 (ses_3).
    EXPECT_EQ(Ok(tx.RevokeRefreshTokensOfAccount("acc_a", "ses_4", 1500)), 2);
  });
  Read([&](Tx& tx) {
    EXPECT_EQ(Ok(tx.FindRefreshToken("h-rt_1"))->used_at, 1100);
    EXPECT_EQ(Ok(tx.FindRefreshToken("h-rt_2"))->revoked_at, 1200);
    EXPECT_EQ(Ok(tx.FindRefreshToken("h-rt_3"))->revoked_at, 1400);
    EXPECT_EQ(Ok(tx.FindRefreshToken("h-rt_4"))->revoked_at, 1500);  // by account, not session
    EXPECT_EQ(Ok(tx.FindRefreshToken("h-rt_5"))->revoked_at, 1500);
    EXPECT_EQ(Ok(tx.FindRefreshToken("h-rt_6"))->revoked_at, 0);  // the session kept
  });
  auto dup = store_->Write(
      [&](Tx& tx) { return tx.InsertRefreshToken(Refresh("rt_1", "fam_z", "ses_9", 9)); });
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, core::Code::kAlreadyExists);
}

TEST_P(OAuthStore, RevokedAccessTokensListUntilTheyExpireAndExpiredGrantsArePurged) {
  Write([&](Tx& tx) {
    Ok(tx.InsertRevokedAccessToken("at_1", 1500));
    Ok(tx.InsertRevokedAccessToken("at_2", 3000));
    Ok(tx.InsertRevokedAccessToken("at_2", 3000));  // again: no-op
    Ok(tx.InsertAuthorizationCode(
        core::AuthorizationCode{"c-old", Subject("s"), "u", "x", "", 1000, 1060, 0, ""}));
    Ok(tx.InsertAuthorizationCode(
        core::AuthorizationCode{"c-new", Subject("s"), "u", "x", "", 1900, 1960, 0, ""}));
    Ok(tx.InsertRefreshToken(Refresh("rt_old", "f", "s", 1500)));
    Ok(tx.InsertRefreshToken(Refresh("rt_new", "f", "s", 4000)));
  });
  Read([&](Tx& tx) {
    auto live = Ok(tx.ListRevokedAccessTokens(1400));
    ASSERT_EQ(live.size(), 2u);
    EXPECT_EQ(live[0], (std::pair<std::string, core::Timestamp>{"at_1", 1500}));
    EXPECT_EQ(Ok(tx.ListRevokedAccessTokens(1500)).size(), 1u);
  });
  Write([&](Tx& tx) { EXPECT_EQ(Ok(tx.DeleteExpiredOAuthGrants(1500, 100)), 3); });
  Read([&](Tx& tx) {
    EXPECT_FALSE(Ok(tx.FindAuthorizationCode("c-old")));
    EXPECT_TRUE(Ok(tx.FindAuthorizationCode("c-new")));
    EXPECT_FALSE(Ok(tx.FindRefreshToken("h-rt_old")));
    EXPECT_TRUE(Ok(tx.FindRefreshToken("h-rt_new")));
    EXPECT_EQ(Ok(tx.ListRevokedAccessTokens(0)).size(), 1u);
  });
  Write([&](Tx& tx) { EXPECT_EQ(Ok(tx.DeleteExpiredOAuthGrants(1500, 100)), 0); });
}

VAULT_STORE_BACKENDS(OAuthStore);

}  // namespace
}  // namespace vault::storage
