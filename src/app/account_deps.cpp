#include "app/account_deps.hpp"

#include "app/change_store.hpp"
#include "app/emails.hpp"
#include "app/tokens.hpp"
#include "core/encoding.hpp"

namespace vault::app {

using core::Account;
using core::Code;
using core::Fail;
using core::Result;
using core::TokenPurpose;

AccountDeps::AccountDeps(Ports ports, AccountSettings settings)
    : p(ports), settings(std::move(settings)), audit(ports.secrets, ports.random, ports.clock) {}

std::string AccountDeps::SessionHash(const std::string& token) const {
  return p.secrets.KeyedHash("session", token);
}

Result<void> AccountDeps::Mail(core::Tx& tx, const core::MailMessage& m) const {
  return p.mail.Enqueue(tx, m);
}

Result<std::string> AccountDeps::IssueToken(core::Tx& tx, core::OneTimeToken t,
                                            core::Timestamp lifetime) const {
  return IssueOneTimeToken(tx, p.random, p.secrets, p.clock, std::move(t), lifetime);
}

Result<core::OneTimeToken> AccountDeps::CheckToken(core::Tx& tx, const std::string& token,
                                                   TokenPurpose purpose) const {
  const char* field = purpose == TokenPurpose::kMfa ? "mfa_token" : "token";
  auto invalid = [&] {
    return Fail(Code::kInvalidArgument, "token.invalid", "this link is not valid", field);
  };
  if (token.size() != 43) return invalid();
  // Under every keyring key: a link mailed before a rotation still works.
  VAULT_ASSIGN_OR_RETURN(auto found, core::FindUnderAnyKey(p.secrets, TokenHashPurpose(purpose),
                                                           token, [&](const std::string& hash) {
                                                             return tx.FindToken(hash, purpose);
                                                           }));
  if (!found) return invalid();
  if ((found)->consumed_at)
    return Fail(Code::kInvalidArgument, "token.used", "this link has already been used", field);
  if ((found)->expires_at <= p.clock.Now())
    return Fail(Code::kInvalidArgument, "token.expired", "this link has expired; ask for a new one",
                field);
  return *found;
}

Result<core::OneTimeToken> AccountDeps::TakeToken(core::Tx& tx, const std::string& token,
                                                  TokenPurpose purpose) const {
  VAULT_ASSIGN_OR_RETURN(auto t, CheckToken(tx, token, purpose));
  VAULT_ASSIGN_OR_RETURN(auto consumed, tx.ConsumeToken(t.token_hash, purpose, p.clock.Now()));
  if (!consumed)  // a concurrent request consumed it between our read and our update
    return Fail(Code::kInvalidArgument, "token.used", "this link has already been used",
                purpose == TokenPurpose::kMfa ? "mfa_token" : "token");
  return t;
}

Result<core::ThrottleState> AccountDeps::Reserve(core::Tx& tx, const std::string& key) const {
  core::Timestamp now = p.clock.Now();
  VAULT_ASSIGN_OR_RETURN(auto state, tx.ReserveAttempt(key, now, settings.failure_window_seconds));
  if (state.locked_until > now || state.attempts > settings.max_failures) {
    core::Timestamp until = state.locked_until > now
                                ? state.locked_until
                                : state.window_start + settings.failure_window_seconds;
    core::Error e{Code::kResourceExhausted, "auth.locked", "",
                  "too many failed attempts; try again later"};
    e.retry_after = std::max<core::Timestamp>(1, until - now);
    return Fail(e);
  }
  return state;
}

Result<bool> AccountDeps::LockIfExhausted(core::Tx& tx, const std::string& key,
                                          const core::ThrottleState& state) const {
  if (state.attempts < settings.max_failures) return false;
  VAULT_TRY(tx.LockThrottle(key, p.clock.Now() + settings.lockout_seconds));
  return true;
}

Result<SignedIn> AccountDeps::OpenSession(core::Tx& tx, Account account, const ClientInfo& client,
                                          const std::string& method) const {
  SignedIn out;
  out.token = core::NewToken(p.random);  // 256-bit bearer secret from the OS CSPRNG
  core::Session& s = out.session;
  s.id = core::NewId(p.random, "ses");
  s.account_id = account.id;
  s.token_hash = SessionHash(out.token);
  s.created_at = s.last_seen_at = p.clock.Now();
  s.expires_at = s.created_at + settings.session_absolute_seconds;
  s.ip = client.ip;
  s.user_agent = client.user_agent.substr(0, 512);
  VAULT_TRY(tx.InsertSession(s));
  NoteSessionsChanged(tx, account.id);  // other nodes' session caches (ADR 0016)
  account.last_sign_in_at = s.created_at;
  VAULT_TRY(tx.UpdateAccount(account));
  if (!method.empty())
    VAULT_TRY(
        audit.Record(tx, AccountActor(account.id, client),
                     {"session.signed_in", "session", s.id, JsonSummary({{"method", method}})}));
  out.account = std::move(account);
  return out;
}

Result<void> AccountDeps::RecheckPassword(const AuthContext& ctx, const std::string& password,
                                          const char* field) const {
  std::string key = "signin:" + ctx.account.email_norm;  // the sign-in lockout's own counter
  core::ThrottleState state;
  std::string hash;
  auto reserved = p.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto s, Reserve(tx, key));
    state = s;
    // The stored hash, not the context's: a context from memory carries none (ADR 0016).
    VAULT_ASSIGN_OR_RETURN(auto a, tx.FindAccountById(ctx.account.id));
    if (a) hash = std::move(a->password_hash);
    return {};
  });
  if (!reserved) return reserved;
  if (password.size() <= 1024 && !hash.empty() && p.hasher.Verify(hash, password))
    return p.store.Write([&](core::Tx& tx) { return tx.ResetThrottle(key); });  // as sign-in does
  auto w = p.store.Write([&](core::Tx& tx) -> Result<void> {
    if (auto r = audit.Record(tx, ActorOf(ctx),
                              {"account.password_recheck_failed", "account", ctx.account.id,
                               JsonSummary({{"field", field}})});
        !r)
      return r;
    VAULT_ASSIGN_OR_RETURN(auto locked, LockIfExhausted(tx, key, state));
    if (!locked) return {};
    VAULT_TRY(audit.Record(tx, ActorOf(ctx), {"account.locked_out", "account", ctx.account.id}));
    return Mail(tx, LockedOutMessage(ctx.account.email));
  });
  if (!w) return w;
  return Fail(Code::kUnauthenticated, "auth.invalid_credentials", "the password is not correct",
              field);
}

Result<void> AccountDeps::VoidOutstanding(core::Tx& tx, const std::string& account_id) const {
  VAULT_TRY(tx.VoidTokensOfAccount(account_id, std::nullopt, p.clock.Now()));
  VAULT_ASSIGN_OR_RETURN(auto totp, tx.FindTotp(account_id));
  if (totp && !(totp)->confirmed) return tx.DeleteTotp(account_id);  // a pending enrolment
  return {};
}

}  // namespace vault::app
