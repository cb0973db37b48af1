// AccountService use cases for a signed-in person (profile, password, email, sessions,
// deletion, own audit) and the password-recovery flow.
#include "app/account_service.hpp"
#include "app/emails.hpp"
#include "app/invitation_authority.hpp"
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

Result<Account> Load(core::Tx& tx, const std::string& id) {
  auto a = tx.FindAccountById(id);
  if (!a) return Fail(a.error());
  if (!*a) return Fail(Code::kNotFound, "account.not_found", "the account no longer exists");
  return std::move(**a);
}

}  // namespace

Result<Account> AccountService::UpdateProfile(const AuthContext& ctx, const ProfilePatch& patch) {
  Account updated;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto a = Load(tx, ctx.account.id);
    if (!a) return Fail(a.error());
    updated = std::move(*a);
    std::string changed;
    auto apply = [&](const std::optional<std::string>& value, auto validate, const char* field,
                     std::string& dst) -> Result<void> {
      if (!value) return {};
      auto v = validate(*value, field);
      if (!v) return Fail(v.error());
      if (*v != dst) changed += (changed.empty() ? "" : ",") + std::string(field);
      dst = *v;
      return {};
    };
    if (auto e = apply(patch.name, core::ValidateName, "name", updated.name); !e) return e;
    if (auto e = apply(patch.locale, core::ValidateLocale, "locale", updated.locale); !e) return e;
    if (auto e = apply(patch.time_zone, core::ValidateTimeZone, "time_zone", updated.time_zone); !e)
      return e;
    updated.updated_at = p_.clock.Now();
    if (auto u = tx.UpdateAccount(updated); !u) return u;
    return audit_.Record(tx, ActorOf(ctx), {"account.profile_updated", "account", updated.id,
                                            JsonSummary({{"fields", changed}})});
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
    auto a = Load(tx, ctx.account.id);
    if (!a) return Fail(a.error());
    a->password_hash = *hash;
    a->updated_at = p_.clock.Now();
    if (auto u = tx.UpdateAccount(*a); !u) return u;
    auto d = tx.DeleteSessionsOfAccount(ctx.account.id, ctx.session.id);
    if (!d) return Fail(d.error());
    return audit_.Record(tx, ActorOf(ctx), {"account.password_changed", "account", a->id,
                                            JsonSummary({{"sessions_revoked", std::to_string(*d)}})});
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
    return audit_.Record(tx, ActorOf(ctx), {"account.email_change_requested", "account", ctx.account.id});
  });
  if (!r) return r;
  Mail(ConfirmNewEmailMessage(*valid, settings_.public_url + "/email/confirm?token=" + secret));
  Mail(EmailChangingMessage(ctx.account.email, *valid));
  return {};
}

Result<Account> AccountService::ConfirmEmailChange(const std::string& token, const ClientInfo& client) {
  Account updated;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto t = TakeToken(tx, token, TokenPurpose::kEmailChange);
    if (!t) return Fail(t.error());
    auto a = Load(tx, t->account_id);
    if (!a) return Fail(Code::kInvalidArgument, "token.invalid", "this link is not valid", "token");
    updated = std::move(*a);
    updated.email = t->email;
    updated.email_norm = core::NormalizeEmail(t->email);
    updated.email_verified = true;
    updated.updated_at = p_.clock.Now();
    if (auto u = tx.UpdateAccount(updated); !u) return u;
    return audit_.Record(tx, Actor{"account", updated.id, client.ip, client.user_agent},
                         {"account.email_changed", "account", updated.id});
  });
  if (!r) return Fail(r.error());
  return updated;
}

Result<void> AccountService::ForgotPassword(const std::string& email, const ClientInfo& client) {
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
    return audit_.Record(tx, Actor{"anonymous", "", client.ip, client.user_agent},
                         {"account.password_reset_requested", "account", (*a)->id});
  });
  if (!r) return r;
  if (mail) Mail(*mail);
  return {};
}

Result<void> AccountService::ResetPassword(const std::string& token, const std::string& password,
                                           const ClientInfo& client) {
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
    auto a = Load(tx, t->account_id);
    if (!a) return Fail(Code::kInvalidArgument, "token.invalid", "this link is not valid", "token");
    a->password_hash = *hash;
    a->email_verified = true;  // the reset link proved control of the address
    a->updated_at = p_.clock.Now();
    if (auto u = tx.UpdateAccount(*a); !u) return u;
    auto d = tx.DeleteSessionsOfAccount(a->id, "");
    if (!d) return Fail(d.error());
    if (auto rt = tx.ResetThrottle("signin:" + a->email_norm); !rt) return rt;
    email = a->email;
    return audit_.Record(tx, Actor{"account", a->id, client.ip, client.user_agent},
                         {"account.password_reset", "account", a->id,
                          JsonSummary({{"sessions_revoked", std::to_string(*d)}})});
  });
  if (!r) return r;
  Mail(PasswordChangedMessage(email));
  return {};
}

Result<void> AccountService::DeleteAccount(const AuthContext& ctx, const std::string& password) {
  if (password.size() > 1024 || !p_.hasher.Verify(ctx.account.password_hash, password))
    return Fail(WrongPassword("password"));
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto sole = tx.SoleOwnerWorkspaces(ctx.account.id);
    if (!sole) return Fail(sole.error());
    if (!sole->empty())
      return Fail(Code::kFailedPrecondition, "account.sole_owner",
                  "you are the only Owner of workspace " + sole->front().shortname +
                      "; make someone else an Owner or delete the workspace first");
    // Invitations sent on this account's authority go with it.
    auto memberships = tx.ListWorkspacesOf(ctx.account.id);
    if (!memberships) return Fail(memberships.error());
    for (const auto& card : *memberships)
      if (auto v = RevokeInvitationsBeyondAuthority(tx, audit_, ActorOf(ctx), card.workspace.id,
                                                    ctx.account.id, std::nullopt, p_.clock.Now());
          !v)
        return Fail(v.error());
    // The event keeps only the opaque id: once the row is gone it is a pseudonym.
    if (auto e = audit_.Record(tx, ActorOf(ctx), {"account.deleted", "account", ctx.account.id}); !e)
      return e;
    return tx.DeleteAccount(ctx.account.id);
  });
  if (r && p_.changes) p_.changes->AccountChanged(ctx.account.id);
  return r;
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
    return audit_.Record(tx, ActorOf(ctx), {"session.revoked", "session", session_id});
  });
}

Result<int> AccountService::RevokeOtherSessions(const AuthContext& ctx) {
  int n = 0;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto d = tx.DeleteSessionsOfAccount(ctx.account.id, ctx.session.id);
    if (!d) return Fail(d.error());
    n = *d;
    return audit_.Record(tx, ActorOf(ctx), {"session.revoked_others", "account", ctx.account.id,
                                            JsonSummary({{"count", std::to_string(n)}})});
  });
  if (!r) return Fail(r.error());
  return n;
}

Result<std::vector<core::AuditEvent>> AccountService::MyAudit(const AuthContext& ctx,
                                                              core::AuditQuery query) {
  query.subject_id = ctx.account.id;
  query.workspace_id.clear();
  std::vector<core::AuditEvent> out;
  auto r = p_.store.Read([&](core::Tx& tx) -> Result<void> {
    auto events = tx.QueryAudit(query);
    if (!events) return Fail(events.error());
    out = std::move(*events);
    return {};
  });
  if (!r) return Fail(r.error());
  return out;
}

}  // namespace vault::app
