// Regression tests for the account findings of the security review (issue 12): every change of
// password, email or second factor voids every outstanding link; password re-checks count
// toward the lockout and are audited; a stolen session cannot add a second factor; TOTP's ±1
// step window at both ends. Each runs on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <algorithm>

#include "support/account_fixture.hpp"

namespace vault::app {
namespace {

using testing::kPassword;
using testing::RecordingMailer;

class SecurityFindingsTest : public testing::AccountServiceTest {
 protected:
  std::string ResetToken(const std::string& email) {
    EXPECT_TRUE(profile_->ForgotPassword(email, {}));
    auto m = mailer_.Last(email, "Reset your password");
    EXPECT_TRUE(m);
    return m ? RecordingMailer::TokenIn(*m) : "";
  }
  std::string EmailChangeToken(const AuthContext& ctx, const std::string& to) {
    EXPECT_TRUE(profile_->RequestEmailChange(ctx, to, kPassword));
    auto m = mailer_.Last(to, "Confirm your new email");
    EXPECT_TRUE(m);
    return m ? RecordingMailer::TokenIn(*m) : "";
  }
  int CountEvents(const std::string& action) {
    auto events = Events();
    return static_cast<int>(std::count_if(events.begin(), events.end(),
                                          [&](const auto& e) { return e.action == action; }));
  }
};

// H1: a thief with a session and the password asks for an email change to their address; the
// owner resets the password; the thief's confirmation link must be dead.
TEST_P(SecurityFindingsTest, AnEmailChangeLinkDiesWithAPasswordReset) {
  SignedIn a = Register("ada@example.com");
  std::string change = EmailChangeToken(Ctx(a), "thief@example.com");
  ASSERT_TRUE(profile_->ResetPassword(ResetToken("ada@example.com"), "owner's new passphrase", {}));
  auto confirmed = profile_->ConfirmEmailChange(change, {});
  ASSERT_FALSE(confirmed);
  EXPECT_EQ(confirmed.error().id, "token.used");
  EXPECT_TRUE(service_->SignIn("ada@example.com", "owner's new passphrase", {}));
}

TEST_P(SecurityFindingsTest, AnEmailChangeLinkDiesWithAPasswordChangeAndANewerRequest) {
  SignedIn a = Register("ada@example.com");
  auto ctx = Ctx(a);
  std::string first = EmailChangeToken(ctx, "one@example.com");
  std::string second = EmailChangeToken(ctx, "two@example.com");
  EXPECT_EQ(profile_->ConfirmEmailChange(first, {}).error().id, "token.used");  // only the newest
  ASSERT_TRUE(profile_->ChangePassword(ctx, kPassword, "another good passphrase"));
  EXPECT_EQ(profile_->ConfirmEmailChange(second, {}).error().id, "token.used");
}

// M1: a reset link dies with a later reset, a password change and an email change (a link sent
// to the old address must not work once the address changed).
TEST_P(SecurityFindingsTest, AResetLinkDiesWithALaterResetPasswordChangeOrEmailChange) {
  SignedIn a = Register("ada@example.com");
  std::string old_link = ResetToken("ada@example.com");
  ASSERT_TRUE(profile_->ResetPassword(ResetToken("ada@example.com"), "second good passphrase", {}));
  EXPECT_EQ(profile_->ResetPassword(old_link, "thief's passphrase!", {}).error().id, "token.used");

  SignedIn b = Register("bob@example.com");
  std::string before_change = ResetToken("bob@example.com");
  ASSERT_TRUE(profile_->ChangePassword(Ctx(b), kPassword, "quite another passphrase"));
  EXPECT_EQ(profile_->ResetPassword(before_change, "thief's passphrase!", {}).error().id,
            "token.used");

  SignedIn c = Register("cy@example.com");
  std::string to_old_address = ResetToken("cy@example.com");
  ASSERT_TRUE(profile_->ConfirmEmailChange(EmailChangeToken(Ctx(c), "cy2@example.com"), {}));
  EXPECT_EQ(profile_->ResetPassword(to_old_address, "thief's passphrase!", {}).error().id,
            "token.used");
  EXPECT_TRUE(mailer_.Last("cy@example.com", "Your email address was changed"));
  EXPECT_TRUE(service_->SignIn("cy2@example.com", kPassword, {}));
}

// A pending second step of sign-in dies with a password change too (every kind of token).
TEST_P(SecurityFindingsTest, APendingSignInStepDiesWithAPasswordChange) {
  SignedIn a = Register("ada@example.com");
  std::string secret = EnableTotp(a);
  auto pending = service_->SignIn("ada@example.com", kPassword, {});
  ASSERT_TRUE(pending);
  ASSERT_FALSE(pending->mfa_token.empty());
  ASSERT_TRUE(profile_->ChangePassword(Ctx(a), kPassword, "another good passphrase"));
  clock_.Advance(30);
  EXPECT_EQ(
      mfa_->CompleteMfa(pending->mfa_token, Oathtool(secret, clock_.Now()), "", {}).error().id,
      "token.used");
}

// M2: enrolling a factor needs the password and tells the owner; a factor enrolled recently
// does not survive a password reset, an established one does.
TEST_P(SecurityFindingsTest, EnrolmentNeedsThePasswordAndAFreshFactorDoesNotSurviveAReset) {
  SignedIn a = Register("ada@example.com");
  auto ctx = Ctx(a);
  auto stolen = mfa_->StartTotp(ctx, "a guessed password");
  ASSERT_FALSE(stolen);
  EXPECT_EQ(stolen.error().id, "auth.invalid_credentials");
  EXPECT_EQ(stolen.error().field, "password");
  EXPECT_EQ(CountEvents("account.password_recheck_failed"), 1);

  EnableTotp(a);
  EXPECT_TRUE(mailer_.Last("ada@example.com", "Two-factor authentication changed"));
  clock_.Advance(3600);  // within the grace window
  ASSERT_TRUE(profile_->ResetPassword(ResetToken("ada@example.com"), "owner's new passphrase", {}));
  auto plain = service_->SignIn("ada@example.com", "owner's new passphrase", {});
  ASSERT_TRUE(plain);
  EXPECT_TRUE(plain->signed_in) << "the recently enrolled factor should be gone";
  EXPECT_EQ(CountEvents("mfa.totp_removed_by_reset"), 1);

  SignedIn b = Register("bob@example.com");
  EnableTotp(b);
  clock_.Advance(8 * 24 * 3600);  // past the grace window: an established factor
  ASSERT_TRUE(
      profile_->ResetPassword(ResetToken("bob@example.com"), "quite another passphrase", {}));
  auto second_step = service_->SignIn("bob@example.com", "quite another passphrase", {});
  ASSERT_TRUE(second_step);
  EXPECT_FALSE(second_step->signed_in);
  EXPECT_FALSE(second_step->mfa_token.empty());
}

// M6: wrong passwords on re-checks count toward the sign-in lockout, are audited, and the
// lockout then refuses the re-check even with the right password.
TEST_P(SecurityFindingsTest, PasswordRechecksCountTowardTheLockoutAndAreAudited) {
  SignedIn a = Register("ada@example.com");
  auto ctx = Ctx(a);
  EXPECT_EQ(profile_->ChangePassword(ctx, "wrong password 1", "new good passphrase").error().field,
            "current_password");
  EXPECT_EQ(profile_->RequestEmailChange(ctx, "n@example.com", "wrong password 2").error().field,
            "password");
  EXPECT_EQ(profile_->DeleteAccount(ctx, "wrong password 3").error().field, "password");
  EXPECT_EQ(mfa_->StartTotp(ctx, "wrong password 4").error().field, "password");
  EXPECT_EQ(service_->SignIn("ada@example.com", "wrong password 5", {}).error().id,
            "auth.invalid_credentials");
  EXPECT_TRUE(mailer_.Last("ada@example.com", "Sign-in to your account was paused"));
  EXPECT_EQ(CountEvents("account.password_recheck_failed"), 4);
  auto locked = profile_->ChangePassword(ctx, kPassword, "new good passphrase");
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().id, "auth.locked");
  EXPECT_EQ(service_->SignIn("ada@example.com", kPassword, {}).error().id, "auth.locked");
  clock_.Advance(901);
  EXPECT_TRUE(profile_->ChangePassword(ctx, kPassword, "new good passphrase"));
}

// L4: a flood on a locked address leaves one event, not one per attempt; the right password of
// a disabled account is recorded.
TEST_P(SecurityFindingsTest, AttemptsOnALockedAddressAreCoalesced) {
  Register("ada@example.com");
  for (int i = 0; i < 5; ++i) (void)service_->SignIn("ada@example.com", "wrong password!", {});
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(service_->SignIn("ada@example.com", kPassword, {}).error().id, "auth.locked");
  auto events = Events();
  long locked_events = std::count_if(events.begin(), events.end(), [](const auto& e) {
    return e.action == "session.sign_in_failed" && e.summary.find("locked") != std::string::npos;
  });
  EXPECT_EQ(locked_events, 1);
}

// L4: the right password of a disabled account is refused and recorded (a leaked password in
// use), a wrong one only as the usual failure.
TEST_P(SecurityFindingsTest, TheRightPasswordOfADisabledAccountIsRecorded) {
  SignedIn a = Register("ada@example.com");
  ASSERT_TRUE(opened_.store->Write([&](core::Tx& tx) -> core::Result<void> {
    auto acc = tx.FindAccountById(a.account.id);
    if (!acc) return core::Fail(acc.error());
    (*acc)->disabled = true;
    return tx.UpdateAccount(**acc);
  }));
  EXPECT_EQ(ErrorId(service_->SignIn("ada@example.com", kPassword, {})), "account.disabled");
  auto events = Events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().action, "session.sign_in_failed");
  EXPECT_EQ(events.back().target_id, a.account.id);
  EXPECT_NE(events.back().summary.find("account_disabled"), std::string::npos);
}

// The signup and forgot-password requests do the same writes for a known address as for an
// unknown one (M5): the same number of tokens and audit events.
TEST_P(SecurityFindingsTest, PublicEmailEndpointsWriteTheSameForKnownAndUnknownAddresses) {
  Register("ada@example.com");
  auto counts = [&] {
    auto raw = Raw();
    return std::make_pair(raw->Query("SELECT COUNT(*) FROM one_time_tokens", {})->front().Int(0),
                          raw->Query("SELECT COUNT(*) FROM audit_events", {})->front().Int(0));
  };
  std::vector<std::function<core::Result<void>(const std::string&)>> ops = {
      [&](const std::string& e) { return service_->SignUp("X", e); },
      [&](const std::string& e) { return profile_->ForgotPassword(e, {}); }};
  for (const auto& op : ops) {
    auto start = counts();
    ASSERT_TRUE(op("ada@example.com"));
    auto known = counts();
    ASSERT_TRUE(op("nobody@example.com"));
    auto unknown = counts();
    EXPECT_EQ(known.first - start.first, unknown.first - known.first);
    EXPECT_EQ(known.second - start.second, unknown.second - known.second);
  }
  // The unknown address's reset token belongs to no account and resets nothing.
  EXPECT_FALSE(mailer_.Last("nobody@example.com", "Reset your password"));
}

// Mutation gap: the lower end of the ±1 step window, on a fresh account so that the replay
// guard cannot hide a wider window. One step back is accepted, two are refused.
TEST_P(SecurityFindingsTest, TotpAcceptsOneStepBackAndRefusesTwo) {
  for (int back : {1, 2}) {
    std::string email = "t" + std::to_string(back) + "@example.com";
    SignedIn a = Register(email);
    std::string secret = EnableTotp(a);
    clock_.Advance(300);  // well past the step used to enrol
    auto pending = service_->SignIn(email, kPassword, {});
    ASSERT_TRUE(pending);
    auto done =
        mfa_->CompleteMfa(pending->mfa_token, Oathtool(secret, clock_.Now() - 30 * back), "", {});
    if (back == 1) {
      EXPECT_TRUE(done) << done.error().id;
    } else {
      ASSERT_FALSE(done);
      EXPECT_EQ(done.error().id, "mfa.invalid_code");
    }
  }
}

// The upper end: one step ahead is accepted, two are refused (fresh accounts again).
TEST_P(SecurityFindingsTest, TotpAcceptsOneStepAheadAndRefusesTwo) {
  for (int ahead : {1, 2}) {
    std::string email = "u" + std::to_string(ahead) + "@example.com";
    SignedIn a = Register(email);
    std::string secret = EnableTotp(a);
    clock_.Advance(300);
    auto pending = service_->SignIn(email, kPassword, {});
    ASSERT_TRUE(pending);
    auto done =
        mfa_->CompleteMfa(pending->mfa_token, Oathtool(secret, clock_.Now() + 30 * ahead), "", {});
    if (ahead == 1) {
      EXPECT_TRUE(done) << done.error().id;
    } else {
      ASSERT_FALSE(done);
      EXPECT_EQ(done.error().id, "mfa.invalid_code");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, SecurityFindingsTest, ::testing::ValuesIn(testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vault::app
