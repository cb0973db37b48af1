// A keyring rotation seen by the use cases (ADR 0011): what was made under the older key — a
// session, a recovery code, a sealed TOTP seed, audit events — keeps working under the new
// primary, and the start-up check refuses a keyring that differs from the database's.
#include <gtest/gtest.h>

#include "app/keyring_check.hpp"
#include "crypto/keyring.hpp"
#include "support/account_fixture.hpp"

namespace vault::app {
namespace {

using testing::kPassword;

class KeyringRotationTest : public testing::AccountServiceTest {
 protected:
  // The fixture's single secret as k0, plus a new primary k1.
  crypto::Keyring rotated_ =
      crypto::Keyring::Single("k0", std::string(32, 'k')).With(std::string(64, 'r'));
  crypto::KeyringHasher rotated_secrets_{rotated_};
  crypto::SodiumSecretBox rotated_box_{rotated_, "totp"};

  void Rotate() {
    MakeServices(Ports{Mailed(*opened_.store), clock_, random_, rotated_secrets_, hasher_, outbox(),
                       policy_, rotated_box_, otp_});
  }

  std::vector<KeyringKeyCheck> Checks(const crypto::Keyring& ring) {
    std::vector<KeyringKeyCheck> out;
    for (const auto& k : ring.keys()) out.push_back({k.id, crypto::CheckValue(k)});
    return out;
  }

  core::Result<std::vector<std::string>> Check(const crypto::Keyring& ring) {
    crypto::KeyringHasher h(ring);
    AuditLog audit(h, random_, clock_);
    return CheckKeyring(*opened_.store, clock_, audit, Checks(ring));
  }
};

TEST_P(KeyringRotationTest, WhatTheOlderKeyMadeKeepsWorkingAfterARotation) {
  SignedIn old_session = Register("ada@example.com");
  std::vector<std::string> recovery;
  std::string seed = EnableTotp(old_session, &recovery);
  ASSERT_GE(recovery.size(), 2u);
  Rotate();
  // The session opened under k0 still authenticates, and its CSRF token still counts.
  auto ctx = service_->Authenticate(old_session.token, {"127.0.0.1", "test"});
  ASSERT_TRUE(ctx) << ErrorId(ctx);
  EXPECT_TRUE(
      service_->CsrfTokenMatches(ctx->session, secrets_.KeyedHash("csrf", ctx->session.id)));
  EXPECT_FALSE(service_->CsrfTokenMatches(ctx->session, "forged"));
  // The TOTP seed sealed under k0 opens: a code signs in; a recovery code made under k0 works.
  auto first = service_->SignIn("ada@example.com", kPassword, {});
  ASSERT_TRUE(first && !first->mfa_token.empty());
  clock_.Advance(60);
  auto by_totp = mfa_->CompleteMfa(first->mfa_token, Oathtool(seed, clock_.Now()), "", {});
  ASSERT_TRUE(by_totp) << ErrorId(by_totp);
  // New sessions are stored under the primary, k1.
  EXPECT_NE(rotated_secrets_.KeyedHash("session", by_totp->token), Hash(by_totp->token));
  EXPECT_TRUE(service_->Authenticate(by_totp->token, {"127.0.0.1", "test"}));
  auto second = service_->SignIn("ada@example.com", kPassword, {});
  ASSERT_TRUE(second && !second->mfa_token.empty());
  auto by_code = mfa_->CompleteMfa(second->mfa_token, "", recovery[0], {});
  ASSERT_TRUE(by_code) << ErrorId(by_code);
  // The chain holds events of both keys and verifies across the rotation.
  auto events = Events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().key_id, "k0");
  EXPECT_EQ(events.back().key_id, "k1");
  auto report = service_->audit().Verify(*opened_.store);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->problem;
  // A keyring without k1 cannot verify the newer events and names the key it lacks.
  auto old_report = AuditLog(secrets_, random_, clock_).Verify(*opened_.store);
  ASSERT_TRUE(old_report);
  EXPECT_FALSE(old_report->ok);
  EXPECT_NE(old_report->problem.find("key k1"), std::string::npos) << old_report->problem;
}

TEST_P(KeyringRotationTest, ARetentionAnchorMadeUnderTheOlderKeyStillVerifies) {
  Register("ada@example.com");
  clock_.Advance(10 * 86400);
  Register("bob@example.com");
  auto pruned = opened_.store->Write([&](core::Tx& tx) {
    return service_->audit().Prune(tx, clock_.Now() - 86400, 500);  // anchor MAC under k0
  });
  ASSERT_TRUE(pruned);
  ASSERT_GT(*pruned, 0);
  Rotate();
  auto report = service_->audit().Verify(*opened_.store);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_GT(report->pruned_through, 0);
}

TEST_P(KeyringRotationTest, TheStartCheckRegistersNewKeysAndRefusesAnotherKeyring) {
  crypto::Keyring one = crypto::Keyring::Single("k0", std::string(32, 'k'));
  auto first = Check(one);  // a fresh database registers every key
  ASSERT_TRUE(first) << first.error().detail;
  EXPECT_EQ(*first, std::vector<std::string>{"k0"});
  EXPECT_TRUE(Check(one)->empty());  // the same keyring again: nothing to register
  // Another key under the same id: refused, naming it.
  auto other = Check(crypto::Keyring::Single("k0", std::string(32, 'x')));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().id, "keyring.mismatch");
  EXPECT_NE(other.error().detail.find("key k0 differs"), std::string::npos);
  // After a rotation the new key is registered (and audited) by the first node to start.
  auto added = Check(rotated_);
  ASSERT_TRUE(added) << added.error().detail;
  EXPECT_EQ(*added, std::vector<std::string>{"k1"});
  EXPECT_EQ(Actions().back(), "keyring.key_added");
  // A node still on the old keyring now refuses: the database was written with k1.
  auto stale = Check(one);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().id, "keyring.missing_key");
  EXPECT_NE(stale.error().detail.find("written with key k1, which this node's keyring does not "
                                      "have"),
            std::string::npos);
  // Nothing was registered by the refused checks.
  EXPECT_EQ(Check(rotated_)->size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, KeyringRotationTest, ::testing::ValuesIn(testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vault::app
