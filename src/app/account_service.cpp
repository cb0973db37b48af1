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

constexpr std::string_view kSessionHashPurpose = "session";

std::string TokenHashPurpose(TokenPurpose p) { return "ott:" + std::string(core::TokenPurposeName(p)); }

core::Error InvalidCredentials() {
  return core::Error{Code::kUnauthenticated, "auth.invalid_credentials", "",
                     "the email address or password is not correct"};
}

}  // namespace

AccountService::AccountService(Ports ports, AccountSettings settings)
    : p_(ports), settings_(std::move(settings)) {
  // A hash with the current parameters, so an unknown email costs the same argon2id work.
  dummy_hash_ = p_.hasher.Hash(core::Base64Url(p_.random.Bytes(16))).value_or("");
}

void AccountService::Mail(const core::MailMessage& m) {
  // Delivery failures are the mailer's to log; the use case has already committed.
  (void)p_.mailer.Send(m);
}

Result<std::string> AccountService::IssueToken(core::Tx& tx, core::OneTimeToken t,
                                               core::Timestamp lifetime) {
  std::string secret = core::NewToken(p_.random);
  t.token_hash = p_.secrets.KeyedHash(TokenHashPurpose(t.purpose), secret);
  t.created_at = p_.clock.Now();
  t.expires_at = t.created_at + lifetime;
  if (auto r = tx.InsertToken(t); !r) return Fail(r.error());
  return secret;
}

Result<core::OneTimeToken> AccountService::CheckToken(core::Tx& tx, const std::string& token,
                                                      TokenPurpose purpose) {
  auto invalid = [] {
    return Fail(Code::kInvalidArgument, "token.invalid", "this link is not valid", "token");
  };
  if (token.size() != 43) return invalid();
  auto found = tx.FindToken(p_.secrets.KeyedHash(TokenHashPurpose(purpose), token), purpose);
  if (!found) return Fail(found.error());
  if (!*found) return invalid();
  if ((*found)->consumed_at)
    return Fail(Code::kInvalidArgument, "token.used", "this link has already been used", "token");
  if ((*found)->expires_at <= p_.clock.Now())
    return Fail(Code::kInvalidArgument, "token.expired", "this link has expired; ask for a new one",
                "token");
  return **found;
}

Result<core::OneTimeToken> AccountService::TakeToken(core::Tx& tx, const std::string& token,
                                                     TokenPurpose purpose) {
  auto t = CheckToken(tx, token, purpose);
  if (!t) return t;
  auto consumed = tx.ConsumeToken(t->token_hash, purpose, p_.clock.Now());
  if (!consumed) return Fail(consumed.error());
  if (!*consumed)  // a concurrent request consumed it between our read and our update
    return Fail(Code::kInvalidArgument, "token.used", "this link has already been used", "token");
  return t;
}

Result<SignedIn> AccountService::OpenSession(core::Tx& tx, const Account& account,
                                             const ClientInfo& client) {
  SignedIn out;
  out.account = account;
  out.token = core::NewToken(p_.random);  // 256-bit bearer secret from the OS CSPRNG
  core::Session& s = out.session;
  s.id = core::NewId(p_.random, "ses");
  s.account_id = account.id;
  s.token_hash = p_.secrets.KeyedHash(kSessionHashPurpose, out.token);
  s.created_at = s.last_seen_at = p_.clock.Now();
  s.expires_at = s.created_at + settings_.session_absolute_seconds;
  s.ip = client.ip;
  s.user_agent = client.user_agent.substr(0, 512);
  if (auto r = tx.InsertSession(s); !r) return Fail(r.error());
  return out;
}

Result<void> AccountService::SignUp(const std::string& name, const std::string& email) {
  auto valid_name = core::ValidateName(name, "name");
  if (!valid_name) return Fail(valid_name.error());
  auto valid_email = core::ValidateEmail(email, "email");
  if (!valid_email) return Fail(valid_email.error());
  std::string norm = core::NormalizeEmail(*valid_email);
  std::optional<core::MailMessage> mail;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto existing = tx.FindAccountByEmail(norm);
    if (!existing) return Fail(existing.error());
    if (*existing && !(*existing)->password_hash.empty()) {
      mail = SignupAttemptMessage((*existing)->email, settings_.public_url + "/password/forgot");
      return {};
    }
    core::OneTimeToken t;
    t.purpose = TokenPurpose::kSignup;
    t.email = *valid_email;
    t.name = *valid_name;
    auto secret = IssueToken(tx, t, settings_.signup_token_seconds);
    if (!secret) return Fail(secret.error());
    mail = VerifyEmailMessage(*valid_email, *valid_name,
                              settings_.public_url + "/signup/complete?token=" + *secret);
    return {};
  });
  if (!r) return r;
  if (mail) Mail(*mail);
  return {};
}

Result<SignedIn> AccountService::CompleteSignUp(const std::string& token,
                                                const std::string& password,
                                                const ClientInfo& client) {
  SignedIn out;
  // Check the token and the policy before any hashing or writing, so a bad request costs little
  // and leaves the token usable.
  auto peek = p_.store.Read([&](core::Tx& tx) -> Result<void> {
    auto t = CheckToken(tx, token, TokenPurpose::kSignup);
    if (!t) return Fail(t.error());
    return p_.policy.Check(password, t->email, "password");
  });
  if (!peek) return Fail(peek.error());
  // Hash outside the transaction: argon2id must not hold a database write lock.
  auto hash = p_.hasher.Hash(password);
  if (!hash) return Fail(hash.error());
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto t = TakeToken(tx, token, TokenPurpose::kSignup);
    if (!t) return Fail(t.error());
    if (auto ok = p_.policy.Check(password, t->email, "password"); !ok) return Fail(ok.error());
    core::Timestamp now = p_.clock.Now();
    Account a;
    a.id = core::NewId(p_.random, "acc");
    a.email = t->email;
    a.email_norm = core::NormalizeEmail(t->email);
    a.name = t->name;
    a.email_verified = true;
    a.password_hash = *hash;
    a.created_at = a.updated_at = now;
    if (auto ins = tx.InsertAccount(a); !ins) return Fail(ins.error());
    auto s = OpenSession(tx, a, client);
    if (!s) return Fail(s.error());
    out = std::move(*s);
    return {};
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<SignedIn> AccountService::SignIn(const std::string& email, const std::string& password,
                                        const ClientInfo& client) {
  if (email.size() > 254 || password.size() > 1024) return Fail(InvalidCredentials());
  std::string norm = core::NormalizeEmail(email);
  std::optional<Account> account;
  auto r = p_.store.Read([&](core::Tx& tx) -> Result<void> {
    auto a = tx.FindAccountByEmail(norm);
    if (!a) return Fail(a.error());
    account = std::move(*a);
    return {};
  });
  if (!r) return Fail(r.error());
  bool ok;
  if (account && !account->password_hash.empty()) {
    ok = p_.hasher.Verify(account->password_hash, password);
  } else {
    (void)p_.hasher.Verify(dummy_hash_, password);  // same work as a real verification
    ok = false;
  }
  if (!ok) return Fail(InvalidCredentials());
  if (account->disabled)
    return Fail(Code::kPermissionDenied, "account.disabled", "this account has been disabled");
  std::optional<std::string> rehash;
  if (p_.hasher.NeedsRehash(account->password_hash)) {
    auto h = p_.hasher.Hash(password);
    if (h) rehash = *h;
  }
  SignedIn out;
  auto w = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    if (rehash) {
      account->password_hash = *rehash;
      account->updated_at = p_.clock.Now();
      if (auto u = tx.UpdateAccount(*account); !u) return u;
    }
    auto s = OpenSession(tx, *account, client);
    if (!s) return Fail(s.error());
    out = std::move(*s);
    return {};
  });
  if (!w) return Fail(w.error());
  return out;
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
  bool found = false, touch = false;
  auto r = p_.store.Read([&](core::Tx& tx) -> Result<void> {
    auto s = tx.FindSessionByTokenHash(hash);
    if (!s) return Fail(s.error());
    if (!*s) return {};
    if ((*s)->expires_at <= now || (*s)->last_seen_at + settings_.session_idle_seconds <= now)
      return {};
    auto a = tx.FindAccountById((*s)->account_id);
    if (!a) return Fail(a.error());
    if (!*a || (*a)->disabled) return {};
    ctx.session = std::move(**s);
    ctx.account = std::move(**a);
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
    auto w = p_.store.Write([&](core::Tx& tx) { return tx.TouchSession(ctx.session.id, now, client.ip); });
    if (!w) return Fail(w.error());
  }
  return ctx;
}

Result<void> AccountService::SignOut(const AuthContext& ctx) {
  return p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto d = tx.DeleteSession(ctx.account.id, ctx.session.id);
    if (!d) return Fail(d.error());
    return {};
  });
}

std::string AccountService::CsrfToken(const core::Session& session) const {
  return p_.secrets.KeyedHash("csrf", session.id);
}

}  // namespace vault::app
