// AccountService: the account use cases of SPEC §2 (sign-up, sign-in, sessions, profile,
// password change/reset, email change). Each use case runs in one store transaction; mail goes
// out after the commit. Thread-safe: holds only references to thread-safe ports.
#pragma once

#include <optional>
#include <string>
#include <vector>

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
  // last_seen_at is written at most this often per session, not on every request.
  core::Timestamp touch_interval_seconds = 60;
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

struct AuthContext {
  core::Account account;
  core::Session session;
};

struct ProfilePatch {
  std::optional<std::string> name, locale, time_zone;
};

struct Ports {
  core::Store& store;
  core::Clock& clock;
  core::Random& random;
  core::SecretHasher& secrets;
  core::PasswordHasher& hasher;
  core::Mailer& mailer;
  const core::PasswordPolicy& policy;
};

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
  // Fails unauthenticated "auth.invalid_credentials" for an unknown email or a wrong password,
  // after the same amount of hashing work; permission_denied "account.disabled".
  core::Result<SignedIn> SignIn(const std::string& email, const std::string& password,
                                const ClientInfo& client);
  // Resolves a bearer token to its live session; fails unauthenticated "auth.required".
  core::Result<AuthContext> Authenticate(const std::string& token, const ClientInfo& client);
  core::Result<void> SignOut(const AuthContext& ctx);

  core::Result<core::Account> UpdateProfile(const AuthContext& ctx, const ProfilePatch& patch);
  // Fails unauthenticated "auth.invalid_credentials" (field current_password) or a policy error.
  core::Result<void> ChangePassword(const AuthContext& ctx, const std::string& current_password,
                                    const std::string& new_password);
  core::Result<void> RequestEmailChange(const AuthContext& ctx, const std::string& new_email,
                                        const std::string& password);
  core::Result<core::Account> ConfirmEmailChange(const std::string& token);
  core::Result<void> ForgotPassword(const std::string& email);
  core::Result<void> ResetPassword(const std::string& token, const std::string& password);

  core::Result<std::vector<core::Session>> ListSessions(const AuthContext& ctx);
  // Fails not_found "session.not_found" for an id that is not one of the caller's sessions.
  core::Result<void> RevokeSession(const AuthContext& ctx, const std::string& session_id);
  core::Result<int> RevokeOtherSessions(const AuthContext& ctx);

  // The per-session CSRF token (keyed hash of the session id; nothing stored).
  std::string CsrfToken(const core::Session& session) const;

  const AccountSettings& settings() const { return settings_; }

 private:
  core::Result<SignedIn> OpenSession(core::Tx& tx, const core::Account& account,
                                     const ClientInfo& client);
  // Finds a live one-time token, distinguishing invalid, expired and used; consumes nothing.
  core::Result<core::OneTimeToken> CheckToken(core::Tx& tx, const std::string& token,
                                              core::TokenPurpose purpose);
  // CheckToken, then consumes it atomically (exactly one of concurrent callers succeeds).
  core::Result<core::OneTimeToken> TakeToken(core::Tx& tx, const std::string& token,
                                             core::TokenPurpose purpose);
  // Stores a new one-time token (hashed) and returns the secret for the emailed link.
  core::Result<std::string> IssueToken(core::Tx& tx, core::OneTimeToken t,
                                       core::Timestamp lifetime);
  void Mail(const core::MailMessage& m);

  Ports p_;
  AccountSettings settings_;
  std::string dummy_hash_;  // verified against for unknown emails, to equalise timing
};

}  // namespace vault::app
