#include "app/account_service.hpp"

#include "app/emails.hpp"
#include "app/tokens.hpp"
#include "core/encoding.hpp"

namespace vault::app {

using core::Account;
using core::Code;
using core::Fail;
using core::Result;
using core::TokenPurpose;

namespace {

constexpr std::string_view kSessionHashPurpose = "session";

core::Error InvalidCredentials() {
  return core::Error{Code::kUnauthenticated, "auth.invalid_credentials", "",
                     "the email address or password is not correct"};
}

}  // namespace

AccountService::AccountService(Ports ports, AccountSettings settings)
    : p_(ports), settings_(std::move(settings)), audit_(ports.secrets, ports.random, ports.clock) {
  // A hash with the current parameters, so an unknown email costs the same argon2id work.
  dummy_hash_ = p_.hasher.Hash(core::Base64Url(p_.random.Bytes(16))).value_or("");
}

void AccountService::Mail(const core::MailMessage& m) {
  // Delivery failures are the mailer's to log; the use case has already committed.
  (void)p_.mailer.Send(m);
}

Result<std::string> AccountService::IssueToken(core::Tx& tx, core::OneTimeToken t,
                                               core::Timestamp lifetime) {
  return IssueOneTimeToken(tx, p_.random, p_.secrets, p_.clock, std::move(t), lifetime);
}

Result<core::OneTimeToken> AccountService::CheckToken(core::Tx& tx, const std::string& token,
                                                      TokenPurpose purpose) {
  const char* field = purpose == TokenPurpose::kMfa ? "mfa_token" : "token";
  auto invalid = [&] {
    return Fail(Code::kInvalidArgument, "token.invalid", "this link is not valid", field);
  };
  if (token.size() != 43) return invalid();
  VAULT_ASSIGN_OR_RETURN(
      auto found, tx.FindToken(p_.secrets.KeyedHash(TokenHashPurpose(purpose), token), purpose));
  if (!found) return invalid();
  if ((found)->consumed_at)
    return Fail(Code::kInvalidArgument, "token.used", "this link has already been used", field);
  if ((found)->expires_at <= p_.clock.Now())
    return Fail(Code::kInvalidArgument, "token.expired", "this link has expired; ask for a new one",
                field);
  return *found;
}

Result<core::OneTimeToken> AccountService::TakeToken(core::Tx& tx, const std::string& token,
                                                     TokenPurpose purpose) {
  VAULT_ASSIGN_OR_RETURN(auto t, CheckToken(tx, token, purpose));
  VAULT_ASSIGN_OR_RETURN(auto consumed, tx.ConsumeToken(t.token_hash, purpose, p_.clock.Now()));
  if (!consumed)  // a concurrent request consumed it between our read and our update
    return Fail(Code::kInvalidArgument, "token.used", "this link has already been used",
                purpose == TokenPurpose::kMfa ? "mfa_token" : "token");
  return t;
}

Result<core::ThrottleState> AccountService::Reserve(core::Tx& tx, const std::string& key) {
  core::Timestamp now = p_.clock.Now();
  VAULT_ASSIGN_OR_RETURN(auto state, tx.ReserveAttempt(key, now, settings_.failure_window_seconds));
  if (state.locked_until > now || state.attempts > settings_.max_failures) {
    core::Timestamp until = state.locked_until > now
                                ? state.locked_until
                                : state.window_start + settings_.failure_window_seconds;
    core::Error e{Code::kResourceExhausted, "auth.locked", "",
                  "too many failed attempts; try again later"};
    e.retry_after = std::max<core::Timestamp>(1, until - now);
    return Fail(e);
  }
  return state;
}

Result<bool> AccountService::LockIfExhausted(core::Tx& tx, const std::string& key,
                                             const core::ThrottleState& state) {
  if (state.attempts < settings_.max_failures) return false;
  VAULT_TRY(tx.LockThrottle(key, p_.clock.Now() + settings_.lockout_seconds));
  return true;
}

Result<SignedIn> AccountService::OpenSession(core::Tx& tx, Account account,
                                             const ClientInfo& client, const std::string& method) {
  SignedIn out;
  out.token = core::NewToken(p_.random);  // 256-bit bearer secret from the OS CSPRNG
  core::Session& s = out.session;
  s.id = core::NewId(p_.random, "ses");
  s.account_id = account.id;
  s.token_hash = p_.secrets.KeyedHash(kSessionHashPurpose, out.token);
  s.created_at = s.last_seen_at = p_.clock.Now();
  s.expires_at = s.created_at + settings_.session_absolute_seconds;
  s.ip = client.ip;
  s.user_agent = client.user_agent.substr(0, 512);
  VAULT_TRY(tx.InsertSession(s));
  account.last_sign_in_at = s.created_at;
  VAULT_TRY(tx.UpdateAccount(account));
  if (!method.empty())
    if (auto r = audit_.Record(
            tx, AccountActor(account.id, client),
            {"session.signed_in", "session", s.id, JsonSummary({{"method", method}})});
        !r)
      return Fail(r.error());
  out.account = std::move(account);
  return out;
}

Result<void> AccountService::SignUp(const std::string& name, const std::string& email) {
  VAULT_ASSIGN_OR_RETURN(auto valid_name, core::ValidateName(name, "name"));
  VAULT_ASSIGN_OR_RETURN(auto valid_email, core::ValidateEmail(email, "email"));
  std::string norm = core::NormalizeEmail(valid_email);
  std::optional<core::MailMessage> mail;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto existing, tx.FindAccountByEmail(norm));
    // Both paths store a token and commit, so the answer takes as long for a known address as
    // for a new one (no enumeration by timing). The known address's token is never sent and
    // could not complete a sign-up (the address is taken).
    core::OneTimeToken t;
    t.purpose = TokenPurpose::kSignup;
    t.email = valid_email;
    t.name = valid_name;
    VAULT_ASSIGN_OR_RETURN(auto secret, IssueToken(tx, t, settings_.signup_token_seconds));
    if (existing)
      mail = SignupAttemptMessage((existing)->email, settings_.public_url + "/password/forgot");
    else
      mail = VerifyEmailMessage(valid_email, valid_name,
                                settings_.public_url + "/signup/complete?token=" + secret);
    return {};
  });
  if (!r) return r;
  if (mail) Mail(*mail);
  return {};
}

Result<SignedIn> AccountService::CompleteSignUp(const std::string& token,
                                                const std::string& password,
                                                const ClientInfo& client) {
  // Check the token and the policy before any hashing or writing, so a bad request costs little
  // and leaves the token usable.
  auto peek = p_.store.Read([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto t, CheckToken(tx, token, TokenPurpose::kSignup));
    return p_.policy.Check(password, t.email, "password");
  });
  if (!peek) return Fail(peek.error());
  // Hash outside the transaction: argon2id must not hold a database write lock.
  VAULT_ASSIGN_OR_RETURN(auto hash, p_.hasher.Hash(password));
  return p_.store.Write([&](core::Tx& tx) -> Result<SignedIn> {
    VAULT_ASSIGN_OR_RETURN(auto t, TakeToken(tx, token, TokenPurpose::kSignup));
    return CreateVerifiedAccount(tx, t.email, t.name, hash, client);
  });
}

Result<SignedIn> AccountService::CreateVerifiedAccount(core::Tx& tx, const std::string& email,
                                                       const std::string& name,
                                                       const std::string& password_hash,
                                                       const ClientInfo& client) {
  Account a;
  a.id = core::NewId(p_.random, "acc");
  a.email = email;
  a.email_norm = core::NormalizeEmail(email);
  a.name = name;
  a.email_verified = true;
  a.password_hash = password_hash;
  a.created_at = a.updated_at = p_.clock.Now();
  VAULT_TRY(tx.InsertAccount(a));
  if (auto ev = audit_.Record(tx, AccountActor(a.id, client), {"account.created", "account", a.id});
      !ev)
    return Fail(ev.error());
  return OpenSession(tx, a, client, "");
}

Result<SignInOutcome> AccountService::SignIn(const std::string& email, const std::string& password,
                                             const ClientInfo& client) {
  if (email.size() > 254 || password.size() > 1024) return Fail(InvalidCredentials());
  std::string norm = core::NormalizeEmail(email);
  std::string key = "signin:" + norm;  // per address, whether or not an account exists
  std::optional<Account> account;
  core::ThrottleState state;
  // Reserve the attempt before verifying: parallel guesses on any node cannot exceed the limit.
  auto reserved = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto a, tx.FindAccountByEmail(norm));
    account = std::move(a);
    VAULT_ASSIGN_OR_RETURN(auto s, Reserve(tx, key));
    state = s;
    return {};
  });
  if (!reserved) {
    // One event per lockout period, not one per refused attempt: a flood on a locked address
    // must not bury the owner's own activity page. A throttle row of its own counts them (the
    // reservation above was rolled back with the refusal).
    if (reserved.error().id == "auth.locked")
      (void)p_.store.Write([&](core::Tx& tx) -> Result<void> {
        VAULT_ASSIGN_OR_RETURN(
            auto seen,
            tx.ReserveAttempt("signin-refused:" + norm, p_.clock.Now(), settings_.lockout_seconds));
        if (seen.attempts > 1) return {};
        return audit_.Record(tx, AnonymousActor(client),
                             {"session.sign_in_failed", account ? "account" : "",
                              account ? account->id : "", JsonSummary({{"reason", "locked"}})});
      });
    return Fail(reserved.error());
  }
  bool ok;
  if (account && !account->password_hash.empty()) {
    ok = p_.hasher.Verify(account->password_hash, password);
  } else {
    (void)p_.hasher.Verify(dummy_hash_, password);  // same work as a real verification
    ok = false;
  }
  if (!ok) {
    bool locked = false;
    auto w = p_.store.Write([&](core::Tx& tx) -> Result<void> {
      std::string target = account ? account->id : "";
      if (auto r = audit_.Record(tx, AnonymousActor(client),
                                 {"session.sign_in_failed", account ? "account" : "", target,
                                  JsonSummary({{"reason", "invalid_credentials"}})});
          !r)
        return r;
      VAULT_ASSIGN_OR_RETURN(auto l, LockIfExhausted(tx, key, state));
      locked = l;
      if (locked && account)
        return audit_.Record(tx, AnonymousActor(client), {"account.locked_out", "account", target});
      return {};
    });
    if (!w) return Fail(w.error());
    if (locked && account) Mail(LockedOutMessage(account->email));
    return Fail(InvalidCredentials());
  }
  if (account->disabled) {
    // The right password for a disabled account: worth an event (a leaked password in use).
    (void)p_.store.Write([&](core::Tx& tx) {
      return audit_.Record(tx, AnonymousActor(client),
                           {"session.sign_in_failed", "account", account->id,
                            JsonSummary({{"reason", "account_disabled"}})});
    });
    return Fail(Code::kPermissionDenied, "account.disabled", "this account has been disabled");
  }
  std::optional<std::string> rehash;
  if (p_.hasher.NeedsRehash(account->password_hash)) {
    auto h = p_.hasher.Hash(password);
    if (h) rehash = *h;
  }
  return p_.store.Write([&](core::Tx& tx) -> Result<SignInOutcome> {
    SignInOutcome out;
    VAULT_TRY(tx.ResetThrottle(key));
    if (rehash) {
      account->password_hash = *rehash;
      account->updated_at = p_.clock.Now();
      VAULT_TRY(tx.UpdateAccount(*account));
    }
    VAULT_ASSIGN_OR_RETURN(auto totp, tx.FindTotp(account->id));
    if (totp && (totp)->confirmed) {
      core::OneTimeToken t;
      t.purpose = TokenPurpose::kMfa;
      t.account_id = account->id;
      t.email = account->email;
      VAULT_ASSIGN_OR_RETURN(auto secret, IssueToken(tx, t, settings_.mfa_token_seconds));
      out.mfa_token = secret;
      VAULT_TRY(audit_.Record(tx, AccountActor(account->id, client),
                              {"session.mfa_challenged", "account", account->id}));
      return out;
    }
    VAULT_ASSIGN_OR_RETURN(auto s, OpenSession(tx, *account, client, "password"));
    out.signed_in = std::move(s);
    return out;
  });
}

Result<AuthContext> AccountService::Authenticate(const std::string& token,
                                                 const ClientInfo& client) {
  auto required = [] {
    return Fail(Code::kUnauthenticated, "auth.required", "sign in to continue");
  };
  if (token.size() != 43) return required();
  std::string hash = p_.secrets.KeyedHash(kSessionHashPurpose, token);
  core::Timestamp now = p_.clock.Now();
  AuthContext ctx;
  ctx.client = client;
  bool found = false, touch = false;
  auto r = p_.store.Read([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto s, tx.FindSessionByTokenHash(hash));
    if (!s) return {};
    if ((s)->expires_at <= now || (s)->last_seen_at + settings_.session_idle_seconds <= now)
      return {};
    VAULT_ASSIGN_OR_RETURN(auto a, tx.FindAccountById((s)->account_id));
    if (!a || (a)->disabled) return {};
    VAULT_ASSIGN_OR_RETURN(auto totp, tx.FindTotp((a)->id));
    ctx.mfa_enabled = totp && (totp)->confirmed;
    ctx.session = std::move(*s);
    ctx.account = std::move(*a);
    found = true;
    touch = ctx.session.last_seen_at + settings_.touch_interval_seconds <= now ||
            ctx.session.ip != client.ip;
    return {};
  });
  if (!r) return Fail(r.error());
  if (!found) return required();
  if (touch) {
    ctx.session.last_seen_at = now;
    ctx.session.ip = client.ip;
    auto w = p_.store.Write(
        [&](core::Tx& tx) { return tx.TouchSession(ctx.session.id, now, client.ip); });
    if (!w) return Fail(w.error());
  }
  return ctx;
}

Result<void> AccountService::SignOut(const AuthContext& ctx) {
  return p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_TRY(tx.DeleteSession(ctx.account.id, ctx.session.id));
    return audit_.Record(tx, ActorOf(ctx), {"session.signed_out", "session", ctx.session.id});
  });
}

Result<void> AccountService::RecheckPassword(const AuthContext& ctx, const std::string& password,
                                             const char* field) {
  std::string key = "signin:" + ctx.account.email_norm;  // the sign-in lockout's own counter
  core::ThrottleState state;
  auto reserved = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto s, Reserve(tx, key));
    state = s;
    return {};
  });
  if (!reserved) return reserved;
  if (password.size() <= 1024 && p_.hasher.Verify(ctx.account.password_hash, password))
    return p_.store.Write([&](core::Tx& tx) { return tx.ResetThrottle(key); });  // as sign-in does
  bool locked = false;
  auto w = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    if (auto r = audit_.Record(tx, ActorOf(ctx),
                               {"account.password_recheck_failed", "account", ctx.account.id,
                                JsonSummary({{"field", field}})});
        !r)
      return r;
    VAULT_ASSIGN_OR_RETURN(auto l, LockIfExhausted(tx, key, state));
    locked = l;
    if (locked)
      return audit_.Record(tx, ActorOf(ctx), {"account.locked_out", "account", ctx.account.id});
    return {};
  });
  if (!w) return w;
  if (locked) Mail(LockedOutMessage(ctx.account.email));
  return Fail(Code::kUnauthenticated, "auth.invalid_credentials", "the password is not correct",
              field);
}

Result<void> AccountService::VoidOutstanding(core::Tx& tx, const std::string& account_id) {
  VAULT_TRY(tx.VoidTokensOfAccount(account_id, std::nullopt, p_.clock.Now()));
  VAULT_ASSIGN_OR_RETURN(auto totp, tx.FindTotp(account_id));
  if (totp && !(totp)->confirmed) return tx.DeleteTotp(account_id);  // a pending enrolment
  return {};
}

std::string AccountService::CsrfToken(const core::Session& session) const {
  return p_.secrets.KeyedHash("csrf", session.id);
}

}  // namespace vault::app
