// Second factor, brute-force protection, deletion and the audit trail of every account operation.
#include <gtest/gtest.h>

#include "support/account_fixture.hpp"

namespace vault::app {
namespace {

using testing::kPassword;
using testing::RecordingMailer;

class SecurityTest : public testing::AccountServiceTest {};

TEST_P(SecurityTest, TotpSignInWithCodesFromOathtool) {
  SignedIn s = Register("ada@example.com");
  std::vector<std::string> recovery;
  std::string secret = EnableTotp(s, &recovery);
  EXPECT_EQ(secret.size(), 32u);  // 20 bytes in base32
  ASSERT_EQ(recovery.size(), 10u);
  EXPECT_TRUE(Ctx(s).mfa_enabled);

  clock_.Advance(60);
  auto first = service_->SignIn("ada@example.com", kPassword, {});
  ASSERT_TRUE(first);
  ASSERT_FALSE(first->signed_in);
  ASSERT_EQ(first->mfa_token.size(), 43u);
  std::string code = Oathtool(secret, clock_.Now());
  auto done = mfa_->CompleteMfa(first->mfa_token, code, "", {});
  ASSERT_TRUE(done) << done.error().id;

  // The same code again (same step) is refused, even on a fresh pending sign-in.
  auto second = service_->SignIn("ada@example.com", kPassword, {});
  auto replay = mfa_->CompleteMfa(second->mfa_token, code, "", {});
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().id, "mfa.invalid_code");
  // A code two steps away is outside the ±1 window (both ends on fresh accounts:
  // SecurityFindingsTest.TotpAccepts*). ErrorId fails cleanly where a bug lets the code in.
  EXPECT_EQ(
      ErrorId(mfa_->CompleteMfa(second->mfa_token, Oathtool(secret, clock_.Now() + 60), "", {})),
      "mfa.invalid_code");
  EXPECT_EQ(
      ErrorId(mfa_->CompleteMfa(second->mfa_token, Oathtool(secret, clock_.Now() - 90), "", {})),
      "mfa.invalid_code");
  // The next step's code works (clock skew of one step is allowed).
  EXPECT_TRUE(mfa_->CompleteMfa(second->mfa_token, Oathtool(secret, clock_.Now() + 30), "", {}));
  // The pending token is single use.
  EXPECT_EQ(
      ErrorId(mfa_->CompleteMfa(second->mfa_token, Oathtool(secret, clock_.Now() + 30), "", {})),
      "token.used");
}

TEST_P(SecurityTest, RecoveryCodesWorkOnceAndPendingTokensExpire) {
  SignedIn s = Register("ada@example.com");
  std::vector<std::string> recovery;
  EnableTotp(s, &recovery);
  auto pending = service_->SignIn("ada@example.com", kPassword, {});
  std::string typed = recovery[3];
  for (auto& c : typed) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ASSERT_TRUE(mfa_->CompleteMfa(pending->mfa_token, "", typed, {}));  // case-insensitive
  auto again = service_->SignIn("ada@example.com", kPassword, {});
  auto reused = mfa_->CompleteMfa(again->mfa_token, "", recovery[3], {});
  ASSERT_FALSE(reused);
  EXPECT_EQ(reused.error().field, "recovery_code");
  clock_.Advance(301);
  EXPECT_EQ(mfa_->CompleteMfa(again->mfa_token, "", recovery[4], {}).error().id, "token.expired");
}

TEST_P(SecurityTest, TotpSecretIsSealedAtRest) {
  SignedIn s = Register("ada@example.com");
  std::string secret = EnableTotp(s);
  auto raw = Raw();
  auto rows = raw->Query("SELECT secret_enc FROM totp_credentials", {});
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  std::string stored = rows->front().Str(0);
  EXPECT_EQ(stored.find(secret), std::string::npos);
  auto codes = raw->Query("SELECT code_hash FROM recovery_codes", {});
  EXPECT_EQ(codes->size(), 10u);
}

TEST_P(SecurityTest, DisablingNeedsPasswordAndCodeAndRegenerationVoidsOldCodes) {
  SignedIn s = Register("ada@example.com");
  std::vector<std::string> recovery;
  std::string secret = EnableTotp(s, &recovery);
  auto ctx = Ctx(s);
  EXPECT_EQ(mfa_->StartTotp(ctx, kPassword).error().id, "mfa.already_enabled");
  clock_.Advance(30);
  auto fresh = mfa_->RegenerateRecoveryCodes(ctx, Oathtool(secret, clock_.Now()));
  ASSERT_TRUE(fresh);
  EXPECT_EQ(mfa_->DisableTotp(ctx, "wrong password!!", recovery[0]).error().field, "password");
  EXPECT_EQ(mfa_->DisableTotp(ctx, kPassword, recovery[0]).error().id, "mfa.invalid_code");
  ASSERT_TRUE(mfa_->DisableTotp(ctx, kPassword, (*fresh)[0]));
  auto plain = service_->SignIn("ada@example.com", kPassword, {});
  ASSERT_TRUE(plain) << plain.error().id;
  EXPECT_TRUE(plain->signed_in);  // no second factor any more
}

TEST_P(SecurityTest, FiveFailuresLockTheAddressForFifteenMinutes) {
  Register("ada@example.com");
  for (int i = 0; i < 5; ++i) {
    auto r = service_->SignIn("ada@example.com", "wrong password " + std::to_string(i), {});
    EXPECT_EQ(r.error().id, "auth.invalid_credentials") << i;
  }
  EXPECT_TRUE(mailer_.Last("ada@example.com", "Sign-in to your account was paused"));
  auto locked = service_->SignIn("ada@example.com", kPassword, {});  // even the right password
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().id, "auth.locked");
  EXPECT_GT(locked.error().retry_after, 0);
  EXPECT_LE(locked.error().retry_after, 900);
  clock_.Advance(899);
  EXPECT_EQ(service_->SignIn("ada@example.com", kPassword, {}).error().id, "auth.locked");
  clock_.Advance(2);
  EXPECT_TRUE(service_->SignIn("ada@example.com", kPassword, {}));
}

TEST_P(SecurityTest, UnknownAddressesLockExactlyLikeKnownOnes) {
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(service_->SignIn("ghost@example.com", "whatever pass", {}).error().id,
              "auth.invalid_credentials");
  EXPECT_EQ(service_->SignIn("ghost@example.com", "whatever pass", {}).error().id, "auth.locked");
  EXPECT_TRUE(mailer_.sent().empty());  // nobody to notify
}

TEST_P(SecurityTest, FailuresOutsideTheWindowDoNotAccumulate) {
  Register("ada@example.com");
  for (int i = 0; i < 4; ++i) (void)service_->SignIn("ada@example.com", "wrong password!", {});
  clock_.Advance(15 * 60 + 1);
  for (int i = 0; i < 4; ++i) (void)service_->SignIn("ada@example.com", "wrong password!", {});
  EXPECT_TRUE(service_->SignIn("ada@example.com", kPassword, {}));
}

TEST_P(SecurityTest, ParallelGuessesNeverExceedTheLimit) {
  Register("ada@example.com");
  std::atomic<int> wrong{0}, locked{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        auto r = service_->SignIn("ada@example.com", "not the password", {});
        if (r.error().id == "auth.invalid_credentials") wrong++;
        if (r.error().id == "auth.locked") locked++;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 5);
  EXPECT_EQ(locked.load(), 35);
}

TEST_P(SecurityTest, DeletionRemovesEverythingPersonalButKeepsAPseudonymousTrail) {
  SignedIn s = Register("ada@example.com");
  EnableTotp(s);
  auto ctx = Ctx(s);
  EXPECT_EQ(profile_->DeleteAccount(ctx, "wrong password!!").error().field, "password");
  ASSERT_TRUE(profile_->DeleteAccount(ctx, kPassword));
  EXPECT_FALSE(service_->Authenticate(s.token, {}));
  auto raw = Raw();
  for (const char* table : {"accounts", "sessions", "totp_credentials", "recovery_codes"})
    EXPECT_EQ(raw->Query(std::string("SELECT COUNT(*) FROM ") + table, {})->front().Int(0), 0)
        << table;
  EXPECT_EQ(raw->Query("SELECT COUNT(*) FROM one_time_tokens WHERE account_id = $1", {s.account.id})
                ->front()
                .Int(0),
            0);
  auto events = Events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().action, "account.deleted");
  for (const auto& e : events) EXPECT_EQ(e.summary.find("ada@example.com"), std::string::npos);
  // The address can sign up again as a new person.
  EXPECT_TRUE(service_->CompleteSignUp(SignUpToken("Ada", "ada@example.com"), kPassword, {}));
}

TEST_P(SecurityTest, EveryAccountOperationLeavesExactlyItsEvent) {
  SignedIn s = Register("ada@example.com");
  auto ctx = Ctx(s);
  std::vector<std::string> expected = {"account.created"};
  EXPECT_EQ(Actions(), expected);
  auto step = [&](const char* action, auto&& op) {
    ASSERT_TRUE(op()) << action;
    expected.push_back(action);
    EXPECT_EQ(Actions(), expected) << action;
  };
  step("session.signed_in", [&] { return service_->SignIn("ada@example.com", kPassword, {}); });
  step("account.profile_updated", [&] { return profile_->UpdateProfile(ctx, {"Ada L", {}, {}}); });
  step("account.password_reset_requested",
       [&] { return profile_->ForgotPassword("ada@example.com", {}); });
  // An unknown address leaves the same event (so the request costs the same), tied to no account.
  step("account.password_reset_requested",
       [&] { return profile_->ForgotPassword("nobody@example.com", {}); });
  EXPECT_EQ(Events().back().target_id, "");
  step("account.email_change_requested",
       [&] { return profile_->RequestEmailChange(ctx, "ada2@example.com", kPassword); });
  step("account.email_changed", [&] {
    return profile_->ConfirmEmailChange(
        RecordingMailer::TokenIn(*mailer_.Last("ada2@example.com", "Confirm")), {});
  });
  step("account.password_changed",
       [&] { return profile_->ChangePassword(ctx, kPassword, "second good passphrase"); });
  SignedIn other = *service_->SignIn("ada2@example.com", "second good passphrase", {})->signed_in;
  expected.push_back("session.signed_in");
  step("session.revoked", [&] { return service_->RevokeSession(ctx, other.session.id); });
  step("session.revoked_others", [&] { return service_->RevokeOtherSessions(ctx); });
  // The re-check reads the stored hash: the new password, even through a context made before.
  step("mfa.totp_enrolment_started",
       [&] { return mfa_->StartTotp(ctx, "second good passphrase"); });
  EXPECT_FALSE(service_->SignIn("ada2@example.com", "wrong password!!", {}));
  expected.push_back("session.sign_in_failed");
  EXPECT_EQ(Actions(), expected);
  step("session.signed_out", [&] { return service_->SignOut(ctx); });
  // Every event of this account is visible to it, newest first.
  auto mine = profile_->MyAudit(
      Ctx(*service_->SignIn("ada2@example.com", "second good passphrase", {})->signed_in),
      {.limit = 100});
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->front().action, "session.signed_in");
  // + the sign-in just made, - the unknown address's reset request (tied to no account).
  EXPECT_EQ(mine->size(), expected.size() + 1 - 1);
}

TEST_P(SecurityTest, AuditVerifyFindsEditedDeletedAndReorderedEvents) {
  SignedIn s = Register("ada@example.com");
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(service_->SignIn("ada@example.com", kPassword, {}));
  auto ok = service_->audit().Verify(*opened_.store);
  ASSERT_TRUE(ok);
  EXPECT_TRUE(ok->ok);
  EXPECT_EQ(ok->events, 5);
  auto raw = Raw();

  ASSERT_TRUE(raw->Query("UPDATE audit_events SET ip = '6.6.6.6' WHERE seq = 3", {}));
  auto edited = service_->audit().Verify(*opened_.store);
  EXPECT_FALSE(edited->ok);
  EXPECT_EQ(edited->first_broken_seq, 3);
  ASSERT_TRUE(raw->Query("UPDATE audit_events SET ip = '' WHERE seq = 3", {}));
  ASSERT_TRUE(service_->audit().Verify(*opened_.store)->ok);

  // Swap the contents of events 2 and 4 (a reordering).
  ASSERT_TRUE(raw->Query("UPDATE audit_events SET seq = 100 WHERE seq = 2", {}));
  ASSERT_TRUE(raw->Query("UPDATE audit_events SET seq = 2 WHERE seq = 4", {}));
  ASSERT_TRUE(raw->Query("UPDATE audit_events SET seq = 4 WHERE seq = 100", {}));
  auto reordered = service_->audit().Verify(*opened_.store);
  EXPECT_FALSE(reordered->ok);
  EXPECT_EQ(reordered->first_broken_seq, 2);
  ASSERT_TRUE(raw->Query("UPDATE audit_events SET seq = 100 WHERE seq = 2", {}));
  ASSERT_TRUE(raw->Query("UPDATE audit_events SET seq = 2 WHERE seq = 4", {}));
  ASSERT_TRUE(raw->Query("UPDATE audit_events SET seq = 4 WHERE seq = 100", {}));
  ASSERT_TRUE(service_->audit().Verify(*opened_.store)->ok);

  ASSERT_TRUE(raw->Query("DELETE FROM audit_events WHERE seq = 5", {}));  // the newest
  auto tail = service_->audit().Verify(*opened_.store);
  EXPECT_FALSE(tail->ok);
  EXPECT_EQ(tail->first_broken_seq, 5);
  ASSERT_TRUE(raw->Query("DELETE FROM audit_events WHERE seq = 2", {}));
  auto middle = service_->audit().Verify(*opened_.store);
  EXPECT_FALSE(middle->ok);
  EXPECT_EQ(middle->first_broken_seq, 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, SecurityTest, ::testing::ValuesIn(testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vault::app
