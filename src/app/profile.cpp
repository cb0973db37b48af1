// AccountService use cases for a signed-in person (profile, password, email, sessions) and the
// password-recovery flow.
#include "app/account_service.hpp"
#include "app/emails.hpp"
#include "core/encoding.hpp"

namespace vault::app {

using core::Account;
using core::Code;
using core::Fail;
using core::Result;
using core::TokenPurpose;

namespace {

core::Error WrongPassword(const char* field) {
  return core::Error{Code::kUnauthenticated, "auth.invalid_credentials", field,
                     "the password is not correct"};
}

}  // namespace

Result<Account> AccountService::UpdateProfile(const AuthContext& ctx, const ProfilePatch& patch) {
  Account updated;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto a = tx.FindAccountById(ctx.account.id);
    if (!a) return Fail(a.error());
    if (!*a) return Fail(Code::kNotFound, "account.not_found", "the account no longer exists");
    updated = **a;
    if (patch.name) {
      auto v = core::ValidateName(*patch.name, "name");
      if (!v) return Fail(v.error());
      updated.name = *v;
    }
    if (patch.locale) {
      auto v = core::ValidateLocale(*patch.locale, "locale");
      if (!v) return Fail(v.error());
      updated.locale = *v;
    }
    if (patch.time_zone) {
      auto v = core::ValidateTimeZone(*patch.time_zone, "time_zone");
      if (!v) return Fail(v.error());
      updated.time_zone = *v;
    }
    updated.updated_at = p_.clock.Now();
    return tx.UpdateAccount(updated);
  });
  if (!r) return Fail(r.error());
  return updated;
}

Result<void> AccountService::ChangePassword(const AuthContext& ctx,
                                            const std::string& current_password,
                                            const std::string& new_password) {
  if (current_password.size() > 1024 || !p_.hasher.Verify(ctx.account.password_hash, current_password))
    return Fail(WrongPassword("current_password"));
  if (auto ok = p_.policy.Check(new_password, ctx.account.email, "new_password"); !ok) return ok;
  auto hash = p_.hasher.Hash(new_password);
  if (!hash) return Fail(hash.error());
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto a = tx.FindAccountById(ctx.account.id);
    if (!a) return Fail(a.error());
    if (!*a) return Fail(Code::kNotFound, "account.not_found", "the account no longer exists");
    Account updated = **a;
    updated.password_hash = *hash;
    updated.updated_at = p_.clock.Now();
    if (auto u = tx.UpdateAccount(updated); !u) return u;
    auto d = tx.DeleteSessionsOfAccount(ctx.account.id, ctx.session.id);
    if (!d) return Fail(d.error());
    return {};
  });
  if (!r) return r;
  Mail(PasswordChangedMessage(ctx.account.email));
  return {};
}

Result<void> AccountService::RequestEmailChange(const AuthContext& ctx, const std::string& new_email,
                                                const std::string& password) {
  auto valid = core::ValidateEmail(new_email, "new_email");
  if (!valid) return Fail(valid.error());
  if (password.size() > 1024 || !p_.hasher.Verify(ctx.account.password_hash, password))
    return Fail(WrongPassword("password"));
  std::string norm = core::NormalizeEmail(*valid);
  if (norm == ctx.account.email_norm)
    return Fail(Code::kInvalidArgument, "validation.same_email",
                "this is already your email address", "new_email");
  std::string secret;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto taken = tx.FindAccountByEmail(norm);
    if (!taken) return Fail(taken.error());
    if (*taken)
      return Fail(Code::kAlreadyExists, "account.email_taken",
                  "another account uses this email address", "new_email");
    core::OneTimeToken t;
    t.purpose = TokenPurpose::kEmailChange;
    t.account_id = ctx.account.id;
    t.email = *valid;
    auto s = IssueToken(tx, t, settings_.email_change_token_seconds);
    if (!s) return Fail(s.error());
    secret = *s;
    return {};
  });
  if (!r) return r;
  Mail(ConfirmNewEmailMessage(*valid, settings_.public_url + "/email/confirm?token=" + secret));
  Mail(EmailChangingMessage(ctx.account.email, *valid));
  return {};
}

Result<Account> AccountService::ConfirmEmailChange(const std::string& token) {
  Account updated;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto t = TakeToken(tx, token, TokenPurpose::kEmailChange);
    if (!t) return Fail(t.error());
    auto a = tx.FindAccountById(t->account_id);
    if (!a) return Fail(a.error());
    if (!*a) return Fail(Code::kInvalidArgument, "token.invalid", "this link is not valid", "token");
    updated = **a;
    updated.email = t->email;
    updated.email_norm = core::NormalizeEmail(t->email);
    updated.email_verified = true;
    updated.updated_at = p_.clock.Now();
    return tx.UpdateAccount(updated);
  });
  if (!r) return Fail(r.error());
  return updated;
}

Result<void> AccountService::ForgotPassword(const std::string& email) {
  auto valid = core::ValidateEmail(email, "email");
  if (!valid) return Fail(valid.error());
  std::optional<core::MailMessage> mail;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto a = tx.FindAccountByEmail(core::NormalizeEmail(*valid));
    if (!a) return Fail(a.error());
    if (!*a || (*a)->disabled) return {};
    core::OneTimeToken t;
    t.purpose = TokenPurpose::kPasswordReset;
    t.account_id = (*a)->id;
    t.email = (*a)->email;
    auto s = IssueToken(tx, t, settings_.reset_token_seconds);
    if (!s) return Fail(s.error());
    mail = ResetPasswordMessage((*a)->email, settings_.public_url + "/password/reset?token=" + *s);
    return {};
  });
  if (!r) return r;
  if (mail) Mail(*mail);
  return {};
}

Result<void> AccountService::ResetPassword(const std::string& token, const std::string& password) {
  auto peek = p_.store.Read([&](core::Tx& tx) -> Result<void> {
    auto t = CheckToken(tx, token, TokenPurpose::kPasswordReset);
    if (!t) return Fail(t.error());
    return p_.policy.Check(password, t->email, "password");
  });
  if (!peek) return peek;
  auto hash = p_.hasher.Hash(password);
  if (!hash) return Fail(hash.error());
  std::string email;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto t = TakeToken(tx, token, TokenPurpose::kPasswordReset);
    if (!t) return Fail(t.error());
    auto a = tx.FindAccountById(t->account_id);
    if (!a) return Fail(a.error());
    if (!*a) return Fail(Code::kInvalidArgument, "token.invalid", "this link is not valid", "token");
    Account updated = **a;
    updated.password_hash = *hash;
    updated.email_verified = true;  // the reset link proved control of the address
    updated.updated_at = p_.clock.Now();
    if (auto u = tx.UpdateAccount(updated); !u) return u;
    auto d = tx.DeleteSessionsOfAccount(updated.id, "");
    if (!d) return Fail(d.error());
    email = updated.email;
    return {};
  });
  if (!r) return r;
  Mail(PasswordChangedMessage(email));
  return {};
}

Result<std::vector<core::Session>> AccountService::ListSessions(const AuthContext& ctx) {
  std::vector<core::Session> out;
  auto r = p_.store.Read([&](core::Tx& tx) -> Result<void> {
    auto s = tx.ListSessions(ctx.account.id);
    if (!s) return Fail(s.error());
    core::Timestamp now = p_.clock.Now();
    for (auto& session : *s)
      if (session.expires_at > now && session.last_seen_at + settings_.session_idle_seconds > now)
        out.push_back(std::move(session));
    return {};
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<void> AccountService::RevokeSession(const AuthContext& ctx, const std::string& session_id) {
  return p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto d = tx.DeleteSession(ctx.account.id, session_id);
    if (!d) return Fail(d.error());
    if (!*d) return Fail(Code::kNotFound, "session.not_found", "no such session");
    return {};
  });
}

Result<int> AccountService::RevokeOtherSessions(const AuthContext& ctx) {
  int n = 0;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto d = tx.DeleteSessionsOfAccount(ctx.account.id, ctx.session.id);
    if (!d) return Fail(d.error());
    n = *d;
    return {};
  });
  if (!r) return Fail(r.error());
  return n;
}

}  // namespace vault::app
