#include "app/account_service.hpp"

#include "app/change_store.hpp"
#include "app/emails.hpp"
#include "app/session_cache.hpp"
#include "core/encoding.hpp"

namespace vault::app {

using core::Account;
using core::Code;
using core::Fail;
using core::Result;
using core::TokenPurpose;

namespace {

core::Error InvalidCredentials() {
  return core::Error{Code::kUnauthenticated, "auth.invalid_credentials", "",
                     "the email address or password is not correct"};
}

}  // namespace

AccountService::AccountService(Ports ports, AccountSettings settings)
    : d_(ports, std::move(settings)) {
  // A hash with the current parameters, so an unknown email costs the same argon2id work.
  dummy_hash_ = d_.p.hasher.Hash(core::Base64Url(d_.p.random.Bytes(16))).value_or("");
}

Result<void> AccountService::SignUp(const std::string& name, const std::string& email) {
  VAULT_ASSIGN_OR_RETURN(auto valid_name, core::ValidateName(name, "name"));
  VAULT_ASSIGN_OR_RETURN(auto valid_email, core::ValidateEmail(email, "email"));
  std::string norm = core::NormalizeEmail(valid_email);
  return d_.p.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto existing, tx.FindAccountByEmail(norm));
    // Both paths store a token, queue one mail and commit, so the answer takes as long for a
    // known address as for a new one (no enumeration by timing). The known address's token is
    // never sent and could not complete a sign-up (the address is taken).
    core::OneTimeToken t;
    t.purpose = TokenPurpose::kSignup;
    t.email = valid_email;
    t.name = valid_name;
    VAULT_ASSIGN_OR_RETURN(auto secret, d_.IssueToken(tx, t, d_.settings.signup_token_seconds));
    if (existing)
      return d_.Mail(
          tx, SignupAttemptMessage((existing)->email, d_.settings.public_url + "/password/forgot"));
    return d_.Mail(tx,
                   VerifyEmailMessage(valid_email, valid_name,
                                      d_.settings.public_url + "/signup/complete?token=" + secret));
  });
}

Result<SignedIn> AccountService::CompleteSignUp(const std::string& token,
                                                const std::string& password,
                                                const ClientInfo& client) {
  // Check the token and the policy before any hashing or writing, so a bad request costs little
  // and leaves the token usable.
  VAULT_TRY(d_.p.store.Read([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto t, d_.CheckToken(tx, token, TokenPurpose::kSignup));
    return d_.p.policy.Check(password, t.email, "password");
  }));
  // Hash outside the transaction: argon2id must not hold a database write lock.
  VAULT_ASSIGN_OR_RETURN(auto hash, d_.p.hasher.Hash(password));
  return d_.p.store.Write([&](core::Tx& tx) -> Result<SignedIn> {
    VAULT_ASSIGN_OR_RETURN(auto t, d_.TakeToken(tx, token, TokenPurpose::kSignup));
    return CreateVerifiedAccount(tx, t.email, t.name, hash, client);
  });
}

Result<SignedIn> AccountService::CreateVerifiedAccount(core::Tx& tx, const std::string& email,
                                                       const std::string& name,
                                                       const std::string& password_hash,
                                                       const ClientInfo& client) {
  Account a;
  a.id = core::NewId(d_.p.random, "acc");
  a.email = email;
  a.email_norm = core::NormalizeEmail(email);
  a.name = name;
  a.email_verified = true;
  a.password_hash = password_hash;
  a.created_at = a.updated_at = d_.p.clock.Now();
  VAULT_TRY(tx.InsertAccount(a));
  VAULT_TRY(d_.audit.Record(tx, AccountActor(a.id, client), {"account.created", "account", a.id}));
  return d_.OpenSession(tx, a, client, "");
}

Result<SignInOutcome> AccountService::SignIn(const std::string& email, const std::string& password,
                                             const ClientInfo& client) {
  if (email.size() > 254 || password.size() > 1024) return Fail(InvalidCredentials());
  std::string norm = core::NormalizeEmail(email);
  std::string key = "signin:" + norm;  // per address, whether or not an account exists
  std::optional<Account> account;
  core::ThrottleState state;
  // Reserve the attempt before verifying: parallel guesses on any node cannot exceed the limit.
  auto reserved = d_.p.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto a, tx.FindAccountByEmail(norm));
    account = std::move(a);
    VAULT_ASSIGN_OR_RETURN(auto s, d_.Reserve(tx, key));
    state = s;
    return {};
  });
  if (!reserved) {
    // One event per lockout period, not one per refused attempt: a flood on a locked address
    // must not bury the owner's own activity page. A throttle row of its own counts them (the
    // reservation above was rolled back with the refusal).
    if (reserved.error().id == "auth.locked")
      (void)d_.p.store.Write([&](core::Tx& tx) -> Result<void> {
        VAULT_ASSIGN_OR_RETURN(auto seen,
                               tx.ReserveAttempt("signin-refused:" + norm, d_.p.clock.Now(),
                                                 d_.settings.lockout_seconds));
        if (seen.attempts > 1) return {};
        return d_.audit.Record(tx, AnonymousActor(client),
                               {"session.sign_in_failed", account ? "account" : "",
                                account ? account->id : "", JsonSummary({{"reason", "locked"}})});
      });
    return Fail(reserved.error());
  }
  bool ok;
  if (account && !account->password_hash.empty()) {
    ok = d_.p.hasher.Verify(account->password_hash, password);
  } else {
    (void)d_.p.hasher.Verify(dummy_hash_, password);  // same work as a real verification
    ok = false;
  }
  if (!ok) {
    VAULT_TRY(d_.p.store.Write([&](core::Tx& tx) -> Result<void> {
      std::string target = account ? account->id : "";
      if (auto r = d_.audit.Record(tx, AnonymousActor(client),
                                   {"session.sign_in_failed", account ? "account" : "", target,
                                    JsonSummary({{"reason", "invalid_credentials"}})});
          !r)
        return r;
      VAULT_ASSIGN_OR_RETURN(auto locked, d_.LockIfExhausted(tx, key, state));
      if (!locked || !account) return {};
      VAULT_TRY(
          d_.audit.Record(tx, AnonymousActor(client), {"account.locked_out", "account", target}));
      return d_.Mail(tx, LockedOutMessage(account->email));
    }));
    return Fail(InvalidCredentials());
  }
  if (account->disabled) {
    // The right password for a disabled account: worth an event (a leaked password in use).
    (void)d_.p.store.Write([&](core::Tx& tx) {
      return d_.audit.Record(tx, AnonymousActor(client),
                             {"session.sign_in_failed", "account", account->id,
                              JsonSummary({{"reason", "account_disabled"}})});
    });
    return Fail(Code::kPermissionDenied, "account.disabled", "this account has been disabled");
  }
  std::optional<std::string> rehash;
  if (d_.p.hasher.NeedsRehash(account->password_hash)) {
    auto h = d_.p.hasher.Hash(password);
    if (h) rehash = *h;
  }
  return d_.p.store.Write([&](core::Tx& tx) -> Result<SignInOutcome> {
    SignInOutcome out;
    VAULT_TRY(tx.ResetThrottle(key));
    if (rehash) {
      account->password_hash = *rehash;
      account->updated_at = d_.p.clock.Now();
      VAULT_TRY(tx.UpdateAccount(*account));
    }
    VAULT_ASSIGN_OR_RETURN(auto totp, tx.FindTotp(account->id));
    if (totp && (totp)->confirmed) {
      core::OneTimeToken t;
      t.purpose = TokenPurpose::kMfa;
      t.account_id = account->id;
      t.email = account->email;
      VAULT_ASSIGN_OR_RETURN(auto secret, d_.IssueToken(tx, t, d_.settings.mfa_token_seconds));
      out.mfa_token = secret;
      VAULT_TRY(d_.audit.Record(tx, AccountActor(account->id, client),
                                {"session.mfa_challenged", "account", account->id}));
      return out;
    }
    VAULT_ASSIGN_OR_RETURN(auto s, d_.OpenSession(tx, *account, client, "password"));
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
  if (cache_) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, cache_->Authenticate(token, client));
    if (!ctx) return required();
    return std::move(*ctx);
  }
  core::Timestamp now = d_.p.clock.Now();
  AuthContext ctx;
  ctx.client = client;
  bool found = false, touch = false;
  VAULT_TRY(d_.p.store.Read([&](core::Tx& tx) -> Result<void> {
    // Under every keyring key: sessions opened before a rotation stay signed in (ADR 0011).
    VAULT_ASSIGN_OR_RETURN(
        auto s, core::FindUnderAnyKey(d_.p.secrets, "session", token, [&](const std::string& hash) {
          return tx.FindSessionByTokenHash(hash);
        }));
    if (!s) return {};
    if ((s)->expires_at <= now || (s)->last_seen_at + d_.settings.session_idle_seconds <= now)
      return {};
    VAULT_ASSIGN_OR_RETURN(auto a, tx.FindAccountById((s)->account_id));
    if (!a || (a)->disabled) return {};
    VAULT_ASSIGN_OR_RETURN(auto totp, tx.FindTotp((a)->id));
    ctx.mfa_enabled = totp && (totp)->confirmed;
    ctx.session = std::move(*s);
    ctx.account = std::move(*a);
    found = true;
    touch = ctx.session.last_seen_at + d_.settings.touch_interval_seconds <= now ||
            ctx.session.ip != client.ip;
    return {};
  }));
  if (!found) return required();
  if (touch) {
    ctx.session.last_seen_at = now;
    ctx.session.ip = client.ip;
    VAULT_TRY(d_.p.store.Write([&](core::Tx& tx) {
      return tx.TouchSessions({{ctx.session.id, now, client.ip}});
    }));
  }
  return ctx;
}

Result<void> AccountService::SignOut(const AuthContext& ctx) {
  return d_.p.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_TRY(tx.DeleteSession(ctx.account.id, ctx.session.id));
    NoteSessionsChanged(tx, ctx.account.id);
    // The products' sign-ins made through this session end with it (OIDC refresh tokens).
    VAULT_TRY(tx.RevokeRefreshTokensOfSession(ctx.session.id, d_.p.clock.Now()));
    return d_.audit.Record(tx, ActorOf(ctx), {"session.signed_out", "session", ctx.session.id});
  });
}

Result<Paged<core::Session>> AccountService::ListSessions(const AuthContext& ctx,
                                                          const PageRequest& page) {
  const PagedList list{"sessions", ctx.account.id, true};
  VAULT_ASSIGN_OR_RETURN(auto after, OpenPage(page, list));
  // Last-seen updates wait in memory (ADR 0016): written first, the list shows them.
  if (cache_) VAULT_TRY(cache_->FlushTouches());
  core::Timestamp now = d_.p.clock.Now();
  return d_.p.store.Read([&](core::Tx& tx) -> Result<Paged<core::Session>> {
    // Ended sessions stay in storage until retention purges them: read on past them, in pages,
    // until the page (plus the one row telling whether more follow) is full of live ones.
    std::vector<core::Session> live;
    core::Page at = after;
    while (live.size() < static_cast<std::size_t>(after.limit)) {
      VAULT_ASSIGN_OR_RETURN(auto rows, tx.ListSessions(ctx.account.id, at));
      for (auto& s : rows)
        if (s.expires_at > now && s.last_seen_at + d_.settings.session_idle_seconds > now &&
            live.size() < static_cast<std::size_t>(after.limit))
          live.push_back(s);
      if (rows.size() < static_cast<std::size_t>(at.limit)) break;
      at.after_time = rows.back().created_at;
      at.after_id = rows.back().id;
    }
    return ClosePage(std::move(live), after, list, [](const core::Session& s) {
      return std::pair{std::to_string(s.created_at), s.id};
    });
  });
}

Result<void> AccountService::RevokeSession(const AuthContext& ctx, const std::string& session_id) {
  return d_.p.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto d, tx.DeleteSession(ctx.account.id, session_id));
    if (!d) return Fail(Code::kNotFound, "session.not_found", "no such session");
    NoteSessionsChanged(tx, ctx.account.id);
    VAULT_TRY(tx.RevokeRefreshTokensOfSession(session_id, d_.p.clock.Now()));
    return d_.audit.Record(tx, ActorOf(ctx), {"session.revoked", "session", session_id});
  });
}

Result<int> AccountService::RevokeOtherSessions(const AuthContext& ctx) {
  return d_.p.store.Write([&](core::Tx& tx) -> Result<int> {
    int n = 0;
    VAULT_ASSIGN_OR_RETURN(auto d, tx.DeleteSessionsOfAccount(ctx.account.id, ctx.session.id));
    n = d;
    NoteSessionsChanged(tx, ctx.account.id);
    VAULT_TRY(tx.RevokeRefreshTokensOfAccount(ctx.account.id, ctx.session.id, d_.p.clock.Now()));
    VAULT_TRY(d_.audit.Record(tx, ActorOf(ctx),
                              {"session.revoked_others", "account", ctx.account.id,
                               JsonSummary({{"count", std::to_string(n)}})}));
    return n;
  });
}

std::string AccountService::CsrfToken(const core::Session& session) const {
  return d_.p.secrets.KeyedHash("csrf", session.id);
}

bool AccountService::CsrfTokenMatches(const core::Session& session, std::string_view sent) const {
  // A console tab keeps the token it got at sign-in: the one of an older key still counts.
  bool match = false;
  for (const auto& token : d_.p.secrets.KeyedHashes("csrf", session.id))
    match = core::ConstantTimeEquals(sent, token) || match;  // every key compared, no early exit
  return match;
}

}  // namespace vault::app
