// AccountService: the account use cases of SPEC §2 — sign-up, sign-in with brute-force
// protection and the second factor, sessions, profile, password change/reset, email change,
// TOTP enrolment, recovery codes, deletion. Each use case runs in one store transaction that
// also appends its audit event; mail goes out after the commit. Thread-safe: holds only
// references to thread-safe ports.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/audit_log.hpp"
#include "core/account.hpp"
#include "core/clock.hpp"
#include "core/password_policy.hpp"
#include "core/ports.hpp"
#include "core/store.hpp"

namespace vault::app {

struct AccountSettings {
  std::string public_url = "http://localhost:8080";
  core::Timestamp session_idle_seconds = 7 * 24 * 3600;
  core::Timestamp session_absolute_seconds = 30 * 24 * 3600;
  core::Timestamp signup_token_seconds = 24 * 3600;
  core::Timestamp reset_token_seconds = 3600;
  core::Timestamp email_change_token_seconds = 24 * 3600;
  core::Timestamp mfa_token_seconds = 300;
  // last_seen_at is written at most this often per session, not on every request.
  core::Timestamp touch_interval_seconds = 60;
  // Brute force: this many failures within the window lock the account (or address) for
  // lockout_seconds.
  int max_failures = 5;
  core::Timestamp failure_window_seconds = 15 * 60;
  core::Timestamp lockout_seconds = 15 * 60;
  // A password reset removes a second factor enrolled less than this long ago (0: never). The
  // reset proves only the mailbox, so an established factor survives it; but a factor that a
  // thief with a stolen session and the password just enrolled must not lock the owner out.
  core::Timestamp mfa_reset_grace_seconds = 7 * 24 * 3600;
  std::string issuer = "Atomyx Vault";  // shown in authenticator apps
};

struct ClientInfo {
  std::string ip;
  std::string user_agent;
};

struct SignedIn {
  core::Account account;
  core::Session session;
  std::string token;  // the bearer secret; returned to the client once, never stored
};

// A sign-in either opens a session or, with 2FA, asks for the second factor.
struct SignInOutcome {
  std::optional<SignedIn> signed_in;
  std::string mfa_token;  // set when a second factor is required
};

struct AuthContext {
  core::Account account;
  core::Session session;
  ClientInfo client;
  bool mfa_enabled = false;
};

// Who acted, for audit events: the signed-in person of a request, an account acting from a
// client, or somebody not (yet) known.
inline Actor ActorOf(const AuthContext& ctx) {
  return Actor{"account", ctx.account.id, ctx.client.ip, ctx.client.user_agent};
}
inline Actor AccountActor(const std::string& id, const ClientInfo& c) {
  return Actor{"account", id, c.ip, c.user_agent};
}
inline Actor AnonymousActor(const ClientInfo& c) {
  return Actor{"anonymous", "", c.ip, c.user_agent};
}

struct ProfilePatch {
  std::optional<std::string> name, locale, time_zone;
};

struct TotpEnrolment {
  std::string secret_base32;
  std::string otpauth_uri;
};

struct Ports {
  core::Store& store;
  core::Clock& clock;
  core::Random& random;
  core::SecretHasher& secrets;
  core::PasswordHasher& hasher;
  core::Mailer& mailer;
  const core::PasswordPolicy& policy;
  core::SecretBox& box;
  core::Otp& otp;
  core::ChangeListener* changes = nullptr;  // access model to notify after commits (optional)
};

// Fails permission_denied "admin.required" unless the caller is a Super Admin.
inline core::Result<void> RequireSuperAdmin(const AuthContext& ctx) {
  if (!ctx.account.super_admin)
    return core::Fail(core::Code::kPermissionDenied, "admin.required", "this needs a Super Admin");
  return {};
}

class AccountService {
 public:
  AccountService(Ports ports, AccountSettings settings);

  // Always succeeds the same way for a valid request whether or not the email has an account
  // (no enumeration). Fails invalid_argument for a bad name/email.
  core::Result<void> SignUp(const std::string& name, const std::string& email);
  // Fails invalid_argument "token.invalid"/"token.expired"/"token.used" (field token) or a
  // password policy error; already_exists "account.email_taken" if the address got an account.
  core::Result<SignedIn> CompleteSignUp(const std::string& token, const std::string& password,
                                        const ClientInfo& client);
  // Fails unauthenticated "auth.invalid_credentials" for an unknown email or a wrong password
  // (after the same hashing work), resource_exhausted "auth.locked" (retry_after set) while the
  // address is locked, permission_denied "account.disabled".
  core::Result<SignInOutcome> SignIn(const std::string& email, const std::string& password,
                                     const ClientInfo& client);
  // Second step: exactly one of code (TOTP) and recovery_code. Fails unauthenticated
  // "mfa.invalid_code" (field code/recovery_code), "token.*" for the pending token, or
  // resource_exhausted "auth.locked".
  core::Result<SignedIn> CompleteMfa(const std::string& mfa_token, const std::string& code,
                                     const std::string& recovery_code, const ClientInfo& client);
  // Resolves a bearer token to its live session; fails unauthenticated "auth.required".
  core::Result<AuthContext> Authenticate(const std::string& token, const ClientInfo& client);
  core::Result<void> SignOut(const AuthContext& ctx);

  core::Result<core::Account> UpdateProfile(const AuthContext& ctx, const ProfilePatch& patch);
  // Fails unauthenticated "auth.invalid_credentials" (field current_password) or a policy error.
  core::Result<void> ChangePassword(const AuthContext& ctx, const std::string& current_password,
                                    const std::string& new_password);
  core::Result<void> RequestEmailChange(const AuthContext& ctx, const std::string& new_email,
                                        const std::string& password);
  core::Result<core::Account> ConfirmEmailChange(const std::string& token,
                                                 const ClientInfo& client);
  core::Result<void> ForgotPassword(const std::string& email, const ClientInfo& client);
  core::Result<void> ResetPassword(const std::string& token, const std::string& password,
                                   const ClientInfo& client);
  // Deletes the caller's account (password required). Fails unauthenticated (field password).
  core::Result<void> DeleteAccount(const AuthContext& ctx, const std::string& password);

  core::Result<std::vector<core::Session>> ListSessions(const AuthContext& ctx);
  // Fails not_found "session.not_found" for an id that is not one of the caller's sessions.
  core::Result<void> RevokeSession(const AuthContext& ctx, const std::string& session_id);
  core::Result<int> RevokeOtherSessions(const AuthContext& ctx);

  // TOTP. Start fails already_exists "mfa.already_enabled"; Confirm fails failed_precondition
  // "mfa.not_started" or unauthenticated "mfa.invalid_code" and returns 10 recovery codes.
  // Start needs the password (a stolen session alone cannot add a factor); fails like
  // RecheckPassword.
  core::Result<TotpEnrolment> StartTotp(const AuthContext& ctx, const std::string& password);
  core::Result<std::vector<std::string>> ConfirmTotp(const AuthContext& ctx,
                                                     const std::string& code);
  // Needs the password and a current TOTP or recovery code.
  core::Result<void> DisableTotp(const AuthContext& ctx, const std::string& password,
                                 const std::string& code);
  // Needs a current TOTP code; replaces every recovery code.
  core::Result<std::vector<std::string>> RegenerateRecoveryCodes(const AuthContext& ctx,
                                                                 const std::string& code);

  // The caller's own security events, newest first (cursor = seq to continue below).
  core::Result<std::vector<core::AuditEvent>> MyAudit(const AuthContext& ctx,
                                                      core::AuditQuery query);

  // For sibling services (invitation sign-up): creates a verified account with the given
  // password hash and opens its session, in the caller's transaction (audited).
  core::Result<SignedIn> CreateVerifiedAccount(core::Tx& tx, const std::string& email,
                                               const std::string& name,
                                               const std::string& password_hash,
                                               const ClientInfo& client);

  // The per-session CSRF token (keyed hash of the session id; nothing stored).
  std::string CsrfToken(const core::Session& session) const;

  const AccountSettings& settings() const { return settings_; }
  const AuditLog& audit() const { return audit_; }

 private:
  core::Result<SignedIn> OpenSession(core::Tx& tx, core::Account account, const ClientInfo& client,
                                     const std::string& method);
  // Finds a live one-time token, distinguishing invalid, expired and used; consumes nothing.
  core::Result<core::OneTimeToken> CheckToken(core::Tx& tx, const std::string& token,
                                              core::TokenPurpose purpose);
  // CheckToken, then consumes it atomically (exactly one of concurrent callers succeeds).
  core::Result<core::OneTimeToken> TakeToken(core::Tx& tx, const std::string& token,
                                             core::TokenPurpose purpose);
  // Re-checks the signed-in person's password before a sensitive change: the attempt counts
  // toward the same per-address lockout as sign-in, a wrong password is audited (and mails the
  // owner when it locks the address). Fails unauthenticated "auth.invalid_credentials" (field)
  // or resource_exhausted "auth.locked".
  core::Result<void> RecheckPassword(const AuthContext& ctx, const std::string& password,
                                     const char* field);
  // A change of password, email or second factor: voids every outstanding token of the account
  // and any unconfirmed TOTP enrolment, in the caller's transaction.
  core::Result<void> VoidOutstanding(core::Tx& tx, const std::string& account_id);
  // Stores a new one-time token (hashed) and returns the secret for the emailed link.
  core::Result<std::string> IssueToken(core::Tx& tx, core::OneTimeToken t,
                                       core::Timestamp lifetime);
  // Counts one attempt against `key`; fails resource_exhausted "auth.locked" when over limit.
  core::Result<core::ThrottleState> Reserve(core::Tx& tx, const std::string& key);
  // After a failed attempt: locks the key when the window's limit is reached; true if it did.
  core::Result<bool> LockIfExhausted(core::Tx& tx, const std::string& key,
                                     const core::ThrottleState& state);
  // Checks a TOTP code against the sealed secret for steps now-1..now+1 and burns the step.
  core::Result<bool> CheckTotp(core::Tx& tx, const core::TotpCredential& credential,
                               const std::string& code);
  // The guard around every second-factor code check: counts an attempt on `key` (failing
  // resource_exhausted "auth.locked" past the limit), runs `check`, and on a wrong code sets
  // *failure to mfa.invalid_code (field) and locks the key when exhausted, so the caller commits
  // the counted attempt and answers *failure. Returns whether the code was right.
  core::Result<bool> GuardedCodeCheck(core::Tx& tx, const std::string& key,
                                      const std::function<core::Result<bool>()>& check,
                                      const char* field, std::optional<core::Error>* failure);
  core::Result<std::vector<std::string>> NewRecoveryCodes(core::Tx& tx,
                                                          const std::string& account_id);
  std::string RecoveryHash(const std::string& account_id, const std::string& code) const;
  void Mail(const core::MailMessage& m);

  Ports p_;
  AccountSettings settings_;
  AuditLog audit_;
  std::string dummy_hash_;  // verified against for unknown emails, to equalise timing
};

}  // namespace vault::app
