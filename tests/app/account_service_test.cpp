// Account use cases against a real store with a fake clock and a recording mailer.
#include <gtest/gtest.h>

#include "support/account_fixture.hpp"

namespace vault::app {
namespace {

using testing::AccountServiceTest;
using testing::kPassword;
using testing::RecordingMailer;

TEST_P(AccountServiceTest, SignUpVerifiesEmailSetsPasswordAndOpensSession) {
  SignedIn s = Register("ada@example.com");
  EXPECT_TRUE(s.account.email_verified);
  EXPECT_EQ(s.token.size(), 43u);
  EXPECT_NE(s.session.token_hash, s.token);  // only a keyed hash is stored
  auto ctx = service_->Authenticate(s.token, {"127.0.0.1", "test"});
  ASSERT_TRUE(ctx);
  EXPECT_EQ(ctx->account.id, s.account.id);
  auto in = service_->SignIn("ADA@example.com", kPassword, {"127.0.0.1", "test"});
  ASSERT_TRUE(in);
}

TEST_P(AccountServiceTest, SignUpWithAnExistingEmailSendsANoticeNotAToken) {
  Register("ada@example.com");
  ASSERT_TRUE(service_->SignUp("Someone", "Ada@Example.com"));
  auto notice = mailer_.Last("ada@example.com", "Someone tried to sign up");
  ASSERT_TRUE(notice);
  EXPECT_EQ(RecordingMailer::TokenIn(*notice), "");
  EXPECT_FALSE(notice->html.empty());
}

TEST_P(AccountServiceTest, SignUpLinkExpiresAfter24HoursAndIsSingleUse) {
  std::string token = SignUpToken("Ada", "ada@example.com");
  clock_.Advance(24 * 3600);
  auto late = service_->CompleteSignUp(token, kPassword, {});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().id, "token.expired");
  std::string fresh = SignUpToken("Ada", "ada@example.com");
  ASSERT_TRUE(service_->CompleteSignUp(fresh, kPassword, {}));
  auto again = service_->CompleteSignUp(fresh, kPassword, {});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().id, "token.used");
  auto bogus = service_->CompleteSignUp(std::string(43, 'A'), kPassword, {});
  EXPECT_EQ(bogus.error().id, "token.invalid");
}

TEST_P(AccountServiceTest, AWeakPasswordLeavesTheSignUpTokenUsable) {
  std::string token = SignUpToken("Ada", "ada@example.com");
  auto weak = service_->CompleteSignUp(token, "password123", {});
  ASSERT_FALSE(weak);
  EXPECT_EQ(weak.error().id, "password.common");
  EXPECT_EQ(weak.error().field, "password");
  EXPECT_TRUE(service_->CompleteSignUp(token, kPassword, {}));
}

TEST_P(AccountServiceTest, WrongPasswordAndUnknownEmailFailAlike) {
  Register("ada@example.com");
  auto wrong = service_->SignIn("ada@example.com", "not the password", {});
  auto unknown = service_->SignIn("nobody@example.com", kPassword, {});
  ASSERT_FALSE(wrong);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(wrong.error().id, unknown.error().id);
  EXPECT_EQ(wrong.error().detail, unknown.error().detail);
  EXPECT_EQ(wrong.error().code, core::Code::kUnauthenticated);
}

TEST_P(AccountServiceTest, SessionsExpireWhenIdleAndAtTheAbsoluteLimit) {
  SignedIn s = Register("ada@example.com");
  clock_.Advance(6 * 24 * 3600);
  ASSERT_TRUE(service_->Authenticate(s.token, {}));  // refreshes last_seen
  clock_.Advance(6 * 24 * 3600);
  ASSERT_TRUE(service_->Authenticate(s.token, {}));
  clock_.Advance(7 * 24 * 3600 + 1);
  EXPECT_FALSE(service_->Authenticate(s.token, {}));  // idle for more than 7 days

  SignedIn t = *service_->SignIn("ada@example.com", kPassword, {})->signed_in;
  for (int day = 0; day < 29; ++day) {
    clock_.Advance(24 * 3600);
    ASSERT_TRUE(service_->Authenticate(t.token, {})) << day;
  }
  clock_.Advance(24 * 3600);
  EXPECT_FALSE(service_->Authenticate(t.token, {}));  // 30 days absolute
}

TEST_P(AccountServiceTest, SignInRehashesWhenParametersChange) {
  SignedIn s = Register("ada@example.com");
  crypto::Argon2idHasher stronger({16, 2});
  auto service = MakeService(stronger);
  ASSERT_TRUE(service->SignIn("ada@example.com", kPassword, {}));
  std::string stored;
  ASSERT_TRUE(opened_.store->Read([&](core::Tx& tx) -> core::Result<void> {
    stored = (*tx.FindAccountById(s.account.id))->password_hash;
    return {};
  }));
  EXPECT_NE(stored.find("m=16,t=2"), std::string::npos) << stored;
  EXPECT_FALSE(stronger.NeedsRehash(stored));
  EXPECT_TRUE(service->SignIn("ada@example.com", kPassword, {}));
}

TEST_P(AccountServiceTest, PasswordChangeKeepsOnlyTheCurrentSession) {
  SignedIn a = Register("ada@example.com");
  SignedIn b = *service_->SignIn("ada@example.com", kPassword, {})->signed_in;
  auto ctx = *service_->Authenticate(a.token, {});
  auto wrong = profile_->ChangePassword(ctx, "nope nope nope", "another good passphrase");
  EXPECT_EQ(wrong.error().field, "current_password");
  ASSERT_TRUE(profile_->ChangePassword(ctx, kPassword, "another good passphrase"));
  EXPECT_TRUE(service_->Authenticate(a.token, {}));
  EXPECT_FALSE(service_->Authenticate(b.token, {}));
  EXPECT_FALSE(service_->SignIn("ada@example.com", kPassword, {}));
  EXPECT_TRUE(service_->SignIn("ada@example.com", "another good passphrase", {}));
  EXPECT_TRUE(mailer_.Last("ada@example.com", "Your password was changed"));
}

TEST_P(AccountServiceTest, ResetLinkLastsOneHourAndRevokesEverySession) {
  SignedIn a = Register("ada@example.com");
  ASSERT_TRUE(profile_->ForgotPassword("ada@example.com", {}));
  std::string late = RecordingMailer::TokenIn(*mailer_.Last("ada@example.com", "Reset"));
  clock_.Advance(3600);
  EXPECT_EQ(profile_->ResetPassword(late, "brand new passphrase", {}).error().id, "token.expired");
  ASSERT_TRUE(profile_->ForgotPassword("ada@example.com", {}));
  std::string token = RecordingMailer::TokenIn(*mailer_.Last("ada@example.com", "Reset"));
  ASSERT_TRUE(profile_->ResetPassword(token, "brand new passphrase", {}));
  EXPECT_FALSE(service_->Authenticate(a.token, {}));
  EXPECT_TRUE(service_->SignIn("ada@example.com", "brand new passphrase", {}));
  EXPECT_EQ(profile_->ResetPassword(token, "yet another passphrase", {}).error().id, "token.used");
}

TEST_P(AccountServiceTest, ForgotPasswordForAnUnknownEmailSendsNothing) {
  std::size_t before = mailer_.sent().size();
  ASSERT_TRUE(profile_->ForgotPassword("nobody@example.com", {}));
  EXPECT_EQ(mailer_.sent().size(), before);
}

TEST_P(AccountServiceTest, EmailChangeIsConfirmedByTheNewAddressAndNotifiesTheOld) {
  SignedIn a = Register("ada@example.com");
  Register("taken@example.com");
  auto ctx = *service_->Authenticate(a.token, {});
  // A taken address is not revealed: the same answer, no link to it, and its owner is told.
  ASSERT_TRUE(profile_->RequestEmailChange(ctx, "taken@example.com", kPassword));
  EXPECT_TRUE(mailer_.Last("taken@example.com", "Someone tried to use your address"));
  EXPECT_FALSE(mailer_.Last("taken@example.com", "Confirm your new email"));
  EXPECT_EQ(profile_->RequestEmailChange(ctx, "new@example.com", "wrong password!").error().field,
            "password");
  ASSERT_TRUE(profile_->RequestEmailChange(ctx, "New@Example.com", kPassword));
  EXPECT_TRUE(mailer_.Last("ada@example.com", "is being changed"));
  auto confirm = mailer_.Last("New@Example.com", "Confirm your new email");
  ASSERT_TRUE(confirm);
  auto updated = profile_->ConfirmEmailChange(RecordingMailer::TokenIn(*confirm), {});
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->email, "New@Example.com");
  EXPECT_TRUE(service_->SignIn("new@example.com", kPassword, {}));
  EXPECT_FALSE(service_->SignIn("ada@example.com", kPassword, {}));
}

TEST_P(AccountServiceTest, ProfileUpdatesValidateEveryField) {
  SignedIn a = Register("ada@example.com");
  auto ctx = *service_->Authenticate(a.token, {});
  auto ok = profile_->UpdateProfile(ctx, {"Ada Lovelace", "en-GB", "Europe/London"});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->time_zone, "Europe/London");
  auto bad = profile_->UpdateProfile(ctx, {"Ada", "en", "../../etc/passwd"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "time_zone");
  auto unchanged = *service_->Authenticate(a.token, {});
  EXPECT_EQ(unchanged.account.name, "Ada Lovelace");  // the failed patch wrote nothing
}

TEST_P(AccountServiceTest, SessionsCanBeListedAndRevoked) {
  SignedIn a = Register("ada@example.com");
  SignedIn b = *service_->SignIn("ada@example.com", kPassword, {"10.0.0.2", "phone"})->signed_in;
  SignedIn c = *service_->SignIn("ada@example.com", kPassword, {"10.0.0.3", "tablet"})->signed_in;
  auto ctx = *service_->Authenticate(a.token, {"127.0.0.1", "test"});
  EXPECT_EQ(service_->ListSessions(ctx, {})->items.size(), 3u);
  EXPECT_EQ(service_->RevokeSession(ctx, "ses_nope").error().id, "session.not_found");
  ASSERT_TRUE(service_->RevokeSession(ctx, b.session.id));
  EXPECT_FALSE(service_->Authenticate(b.token, {}));
  EXPECT_EQ(*service_->RevokeOtherSessions(ctx), 1);
  EXPECT_FALSE(service_->Authenticate(c.token, {}));
  EXPECT_TRUE(service_->Authenticate(a.token, {}));
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountServiceTest, ::testing::ValuesIn(testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vault::app
