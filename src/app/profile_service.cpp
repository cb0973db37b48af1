// ProfileService: a signed-in person's own account (profile, password, email, deletion, own
// audit) and the password-recovery flow.
#include "app/profile_service.hpp"

#include <algorithm>

#include "app/change_store.hpp"
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

Result<Account> Load(core::Tx& tx, const std::string& id) {
  VAULT_ASSIGN_OR_RETURN(auto a, tx.FindAccountById(id));
  if (!a) return Fail(Code::kNotFound, "account.not_found", "the account no longer exists");
  return std::move(*a);
}

}  // namespace

ProfileService::ProfileService(Ports ports, AccountSettings settings)
    : d_(ports, std::move(settings)) {}

Result<Account> ProfileService::UpdateProfile(const AuthContext& ctx, const ProfilePatch& patch) {
  Account updated;
  VAULT_TRY(d_.p.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto a, Load(tx, ctx.account.id));
    updated = std::move(a);
    std::string changed;
    auto apply = [&](const std::optional<std::string>& value, auto validate, const char* field,
                     std::string& dst) -> Result<void> {
      if (!value) return {};
      VAULT_ASSIGN_OR_RETURN(auto v, validate(*value, field));
      if (v != dst) changed += (changed.empty() ? "" : ",") + std::string(field);
      dst = v;
      return {};
    };
    VAULT_TRY(apply(patch.name, core::ValidateName, "name", updated.name));
    VAULT_TRY(apply(patch.locale, core::ValidateLocale, "locale", updated.locale));
    VAULT_TRY(apply(patch.time_zone, core::ValidateTimeZone, "time_zone", updated.time_zone));
    updated.updated_at = d_.p.clock.Now();
    VAULT_TRY(tx.UpdateAccount(updated));
    NoteSessionsChanged(tx, updated.id);  // sessions carry the profile (ADR 0016)
    return d_.audit.Record(
        tx, ActorOf(ctx),
        {"account.profile_updated", "account", updated.id, JsonSummary({{"fields", changed}})});
  }));
  return updated;
}

Result<void> ProfileService::ChangePassword(const AuthContext& ctx,
                                            const std::string& current_password,
                                            const std::string& new_password) {
  VAULT_TRY(d_.p.policy.Check(new_password, ctx.account.email, "new_password"));
  VAULT_TRY(d_.RecheckPassword(ctx, current_password, "current_password"));
  VAULT_ASSIGN_OR_RETURN(auto hash, d_.p.hasher.Hash(new_password));
  auto r = d_.p.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto a, Load(tx, ctx.account.id));
    a.password_hash = hash;
    a.updated_at = d_.p.clock.Now();
    VAULT_TRY(tx.UpdateAccount(a));
    VAULT_ASSIGN_OR_RETURN(auto d, tx.DeleteSessionsOfAccount(ctx.account.id, ctx.session.id));
    NoteSessionsChanged(tx, a.id);
    VAULT_TRY(d_.VoidOutstanding(tx, a.id));
    VAULT_TRY(d_.audit.Record(tx, ActorOf(ctx),
                              {"account.password_changed", "account", a.id,
                               JsonSummary({{"sessions_revoked", std::to_string(d)}})}));
    return d_.Mail(tx, PasswordChangedMessage(ctx.account.email));
  });
  return r;
}

Result<void> ProfileService::RequestEmailChange(const AuthContext& ctx,
                                                const std::string& new_email,
                                                const std::string& password) {
  VAULT_ASSIGN_OR_RETURN(auto valid, core::ValidateEmail(new_email, "new_email"));
  std::string norm = core::NormalizeEmail(valid);
  if (norm == ctx.account.email_norm)
    return Fail(Code::kInvalidArgument, "validation.same_email",
                "this is already your email address", "new_email");
  VAULT_TRY(d_.RecheckPassword(ctx, password, "password"));
  return d_.p.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto taken, tx.FindAccountByEmail(norm));
    // Only the newest request's link works.
    VAULT_TRY(tx.VoidTokensOfAccount(ctx.account.id, TokenPurpose::kEmailChange, d_.p.clock.Now()));
    // The same writes whether or not the address is taken, and the same answer: a taken
    // address is not revealed (its owner is told instead, and the token is never sent; it
    // could not complete anyway, the address being taken).
    core::OneTimeToken t;
    t.purpose = TokenPurpose::kEmailChange;
    t.account_id = ctx.account.id;
    t.email = valid;
    VAULT_ASSIGN_OR_RETURN(auto s, d_.IssueToken(tx, t, d_.settings.email_change_token_seconds));
    VAULT_TRY(d_.audit.Record(tx, ActorOf(ctx),
                              {"account.email_change_requested", "account", ctx.account.id}));
    VAULT_TRY(d_.Mail(tx, taken ? EmailChangeAttemptMessage(valid)
                                : ConfirmNewEmailMessage(valid, d_.settings.public_url +
                                                                    "/email/confirm?token=" + s)));
    return d_.Mail(tx, EmailChangingMessage(ctx.account.email, valid));
  });
}

Result<Account> ProfileService::ConfirmEmailChange(const std::string& token,
                                                   const ClientInfo& client) {
  VAULT_ASSIGN_OR_RETURN(auto updated, d_.p.store.Write([&](core::Tx& tx) -> Result<Account> {
    VAULT_ASSIGN_OR_RETURN(auto t, d_.TakeToken(tx, token, TokenPurpose::kEmailChange));
    auto a = Load(tx, t.account_id);
    if (!a) return Fail(Code::kInvalidArgument, "token.invalid", "this link is not valid", "token");
    Account updated = std::move(*a);
    const std::string old_email = updated.email;
    // Reset links sent to the old address, other email-change links and pending sign-in steps
    // die with the old address.
    VAULT_TRY(d_.VoidOutstanding(tx, updated.id));
    updated.email = t.email;
    updated.email_norm = core::NormalizeEmail(t.email);
    updated.email_verified = true;
    updated.updated_at = d_.p.clock.Now();
    VAULT_TRY(tx.UpdateAccount(updated));
    VAULT_TRY(d_.audit.Record(tx, Actor{"account", updated.id, client.ip, client.user_agent},
                              {"account.email_changed", "account", updated.id}));
    VAULT_TRY(d_.Mail(tx, EmailChangedMessage(old_email, updated.email)));
    NoteAccountChanged(tx, updated.id);
    return updated;
  }));
  return updated;
}

Result<void> ProfileService::ForgotPassword(const std::string& email, const ClientInfo& client) {
  VAULT_ASSIGN_OR_RETURN(auto valid, core::ValidateEmail(email, "email"));
  return d_.p.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto a, tx.FindAccountByEmail(core::NormalizeEmail(valid)));
    // The same writes (a token and an audit event) whether or not the address has a live
    // account, so the answer's timing reveals nothing; an unknown address's token belongs to no
    // account, is never sent and cannot reset anything.
    bool live = a && !(a)->disabled;
    core::OneTimeToken t;
    t.purpose = TokenPurpose::kPasswordReset;
    t.account_id = live ? (a)->id : "";
    t.email = live ? (a)->email : valid;
    VAULT_ASSIGN_OR_RETURN(auto s, d_.IssueToken(tx, t, d_.settings.reset_token_seconds));
    VAULT_TRY(d_.audit.Record(
        tx, AnonymousActor(client),
        {"account.password_reset_requested", live ? "account" : "", live ? (a)->id : ""}));
    auto mail = ResetPasswordMessage(live ? (a)->email : valid,
                                     d_.settings.public_url + "/password/reset?token=" + s);
    if (live) return d_.Mail(tx, mail);
    // Sealed, inserted and deleted: the same work as queueing it, so the answer's timing does
    // not tell an address without an account (SPEC §12). Nothing is sent.
    return d_.p.mail.EnqueueDecoy(tx, mail);
  });
}

Result<void> ProfileService::ResetPassword(const std::string& token, const std::string& password,
                                           const ClientInfo& client) {
  auto peek = d_.p.store.Read([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto t, d_.CheckToken(tx, token, TokenPurpose::kPasswordReset));
    return d_.p.policy.Check(password, t.email, "password");
  });
  if (!peek) return peek;
  VAULT_ASSIGN_OR_RETURN(auto hash, d_.p.hasher.Hash(password));
  return d_.p.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto t, d_.TakeToken(tx, token, TokenPurpose::kPasswordReset));
    // A link is good only for the address it was sent to (belt and braces: an email change
    // also voids it).
    auto a = t.account_id.empty() ? Result<Account>(Fail(Code::kNotFound, "", ""))
                                  : Load(tx, t.account_id);
    if (!a || a->email_norm != core::NormalizeEmail(t.email))
      return Fail(Code::kInvalidArgument, "token.invalid", "this link is not valid", "token");
    a->password_hash = hash;
    a->email_verified = true;  // the reset link proved control of the address
    a->updated_at = d_.p.clock.Now();
    VAULT_TRY(tx.UpdateAccount(*a));
    VAULT_ASSIGN_OR_RETURN(auto d, tx.DeleteSessionsOfAccount(a->id, ""));
    NoteSessionsChanged(tx, a->id);
    VAULT_TRY(tx.ResetThrottle("signin:" + a->email_norm));
    VAULT_TRY(d_.VoidOutstanding(tx, a->id));
    Actor actor{"account", a->id, client.ip, client.user_agent};
    VAULT_ASSIGN_OR_RETURN(auto totp, tx.FindTotp(a->id));
    bool mfa_removed = totp && d_.settings.mfa_reset_grace_seconds > 0 &&
                       (totp)->created_at + d_.settings.mfa_reset_grace_seconds > d_.p.clock.Now();
    if (mfa_removed) {
      VAULT_TRY(tx.DeleteTotp(a->id));
      VAULT_TRY(d_.audit.Record(tx, actor, {"mfa.totp_removed_by_reset", "account", a->id}));
      NoteAccountChanged(tx, a->id);
    }
    VAULT_TRY(d_.audit.Record(tx, actor,
                              {"account.password_reset", "account", a->id,
                               JsonSummary({{"sessions_revoked", std::to_string(d)}})}));
    VAULT_TRY(d_.Mail(tx, PasswordChangedMessage(a->email)));
    if (!mfa_removed) return {};
    VAULT_TRY(d_.Mail(
        tx, SecondFactorChangedMessage(
                a->email,
                "was turned off for your Atomyx account by a password reset, because it had been "
                "turned on only recently; turn it on again from your security settings")));
    return {};
  });
}

Result<void> ProfileService::DeleteAccount(const AuthContext& ctx, const std::string& password) {
  // Cheap refusal first: a sole Owner learns it without spending a password attempt.
  auto sole_owner = [&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto sole, tx.SoleOwnerWorkspaces(ctx.account.id));
    if (!sole.empty())
      return Fail(Code::kFailedPrecondition, "account.sole_owner",
                  "you are the only Owner of workspace " + sole.front().shortname +
                      "; make someone else an Owner or delete the workspace first");
    return {};
  };
  VAULT_TRY(d_.p.store.Read(sole_owner));
  VAULT_TRY(d_.RecheckPassword(ctx, password, "password"));
  std::vector<std::string> left;
  auto r = d_.p.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto cards, tx.ListWorkspacesOf(ctx.account.id));
    // The Owners are counted under each workspace's lock, as a demotion or a leave counts them:
    // without it two last Owners deleting their accounts at once (PostgreSQL, READ COMMITTED)
    // each see the other and leave the workspace with none. Locks in id order: no deadlock
    // between two deletions sharing workspaces.
    std::vector<std::string> ids;
    for (const auto& c : cards) ids.push_back(c.workspace.id);
    std::sort(ids.begin(), ids.end());
    for (const auto& id : ids) VAULT_TRY(tx.LockWorkspace(id));
    VAULT_TRY(sole_owner(tx));
    VAULT_ASSIGN_OR_RETURN(cards, tx.ListWorkspacesOf(ctx.account.id));  // as of the locks
    // Each workspace's own log records that the member left (its admins read that log, not
    // the account's).
    for (const auto& c : cards) {
      if (auto e = d_.audit.Record(tx, ActorOf(ctx),
                                   {"member.left", "account", ctx.account.id,
                                    JsonSummary({{"reason", "account_deleted"}}), c.workspace.id});
          !e)
        return e;
      left.push_back(c.workspace.id);
      // Invitations sent on this account's authority go with it.
      VAULT_TRY(RevokeInvitationsBeyondAuthority(tx, d_.audit, ActorOf(ctx), c.workspace.id,
                                                 ctx.account.id, std::nullopt, d_.p.clock.Now()));
    }
    // The event keeps only the opaque id: once the row is gone it is a pseudonym.
    if (auto e = d_.audit.Record(tx, ActorOf(ctx), {"account.deleted", "account", ctx.account.id});
        !e)
      return e;
    NoteAccountChanged(tx, ctx.account.id);
    NoteSessionsChanged(tx, ctx.account.id);  // deleted with the account (cascade)
    for (const auto& w : left) NoteWorkspaceChanged(tx, w);
    return tx.DeleteAccount(ctx.account.id);
  });
  return r;
}

namespace {
// Where someone else acted on this account (an administrator, an operator), the person sees
// what was done and by whom, not that actor's address and browser.
void MaskOthers(std::vector<core::AuditEvent>& events, const std::string& account_id) {
  for (auto& e : events)
    if (e.actor_type == "account" && e.actor_id != account_id) e.ip = e.user_agent = "";
}
}  // namespace

Result<PersonalData> ProfileService::ExportMyData(const AuthContext& ctx) {
  return d_.p.store.Write([&](core::Tx& tx) -> Result<PersonalData> {
    PersonalData out;
    out.exported_at = d_.p.clock.Now();
    VAULT_ASSIGN_OR_RETURN(auto account, tx.FindAccountById(ctx.account.id));
    if (!account) return Fail(Code::kUnauthenticated, "auth.required", "sign in again");
    out.account = *account;
    VAULT_ASSIGN_OR_RETURN(auto totp, tx.FindTotp(account->id));
    out.mfa_enabled = totp && totp->confirmed;
    VAULT_ASSIGN_OR_RETURN(out.sessions, tx.ListSessions(account->id));
    VAULT_ASSIGN_OR_RETURN(out.workspaces, tx.ListWorkspacesOf(account->id));
    VAULT_ASSIGN_OR_RETURN(out.invitations, tx.ListInvitationsForEmail(account->email_norm));
    core::AuditQuery q;
    q.subject_id = account->id;
    q.limit = 1000;
    while (static_cast<int>(out.activity.size()) < kMaxExportEvents) {
      VAULT_ASSIGN_OR_RETURN(auto page, tx.QueryAudit(q));
      if (page.empty()) break;
      q.before_seq = page.back().seq;
      for (auto& e : page) out.activity.push_back(std::move(e));
      if (static_cast<int>(page.size()) < q.limit) break;
    }
    if (static_cast<int>(out.activity.size()) > kMaxExportEvents)
      out.activity.resize(kMaxExportEvents);
    if (static_cast<int>(out.activity.size()) == kMaxExportEvents) {
      q.limit = 1;
      VAULT_ASSIGN_OR_RETURN(auto more, tx.QueryAudit(q));
      out.activity_truncated = !more.empty();
    }
    MaskOthers(out.activity, account->id);
    VAULT_TRY(d_.audit.Record(tx, ActorOf(ctx), {"account.data_exported", "account", account->id}));
    return out;
  });
}

Result<std::vector<core::AuditEvent>> ProfileService::MyAudit(const AuthContext& ctx,
                                                              core::AuditQuery query) {
  query.subject_id = ctx.account.id;
  query.workspace_id.clear();
  return d_.p.store.Read([&](core::Tx& tx) -> Result<std::vector<core::AuditEvent>> {
    std::vector<core::AuditEvent> out;
    VAULT_ASSIGN_OR_RETURN(auto events, tx.QueryAudit(query));
    out = std::move(events);
    MaskOthers(out, ctx.account.id);
    return out;
  });
}

}  // namespace vault::app
