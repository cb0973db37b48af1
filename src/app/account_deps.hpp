// What the account services (AccountService, ProfileService, MfaService) share: the account
// types every use case sees (AuthContext, SignedIn, ClientInfo, Ports, AccountSettings) and
// AccountDeps, the ports, settings and audit log of one service with the steps more than one of
// them takes inside its transaction (one-time tokens, the attempt throttle, opening a session,
// re-checking the password, voiding what a credential change voids). Thread-safe: ports are
// references to thread-safe objects, and AccountDeps keeps no state of its own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/audit_log.hpp"
#include "app/mail_outbox.hpp"
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

struct Ports {
  core::Store& store;
  core::Clock& clock;
  core::Random& random;
  core::SecretHasher& secrets;
  core::PasswordHasher& hasher;
  MailOutbox& mail;  // queues mail in the caller's transaction (the durable outbox)
  const core::PasswordPolicy& policy;
  core::SecretBox& box;
  core::Otp& otp;
};

// Fails permission_denied "admin.required" unless the caller is a Super Admin.
inline core::Result<void> RequireSuperAdmin(const AuthContext& ctx) {
  if (!ctx.account.super_admin)
    return core::Fail(core::Code::kPermissionDenied, "admin.required", "this needs a Super Admin");
  return {};
}

struct AccountDeps {
  AccountDeps(Ports ports, AccountSettings settings);

  Ports p;
  AccountSettings settings;
  AuditLog audit;

  // Queues m in tx's outbox: sent after, and only if, tx commits (issue 16).
  core::Result<void> Mail(core::Tx& tx, const core::MailMessage& m) const;
  // The keyed hash under which a session's bearer token is stored.
  std::string SessionHash(const std::string& token) const;
  // Opens a session for account (recording its sign-in time); audits session.signed_in with
  // `method` unless it is empty.
  core::Result<SignedIn> OpenSession(core::Tx& tx, core::Account account, const ClientInfo& client,
                                     const std::string& method) const;
  // Stores a new one-time token (hashed) and returns the secret for the emailed link.
  core::Result<std::string> IssueToken(core::Tx& tx, core::OneTimeToken t,
                                       core::Timestamp lifetime) const;
  // Finds a live one-time token, distinguishing invalid, expired and used; consumes nothing.
  core::Result<core::OneTimeToken> CheckToken(core::Tx& tx, const std::string& token,
                                              core::TokenPurpose purpose) const;
  // CheckToken, then consumes it atomically (exactly one of concurrent callers succeeds).
  core::Result<core::OneTimeToken> TakeToken(core::Tx& tx, const std::string& token,
                                             core::TokenPurpose purpose) const;
  // Counts one attempt against `key`; fails resource_exhausted "auth.locked" when over limit.
  core::Result<core::ThrottleState> Reserve(core::Tx& tx, const std::string& key) const;
  // After a failed attempt: locks the key when the window's limit is reached; true if it did.
  core::Result<bool> LockIfExhausted(core::Tx& tx, const std::string& key,
                                     const core::ThrottleState& state) const;
  // Re-checks the signed-in person's password before a sensitive change: the attempt counts
  // toward the same per-address lockout as sign-in, a wrong password is audited (and mails the
  // owner when it locks the address). Fails unauthenticated "auth.invalid_credentials" (field)
  // or resource_exhausted "auth.locked".
  core::Result<void> RecheckPassword(const AuthContext& ctx, const std::string& password,
                                     const char* field) const;
  // A change of password, email or second factor: voids every outstanding token of the account
  // and any unconfirmed TOTP enrolment, in the caller's transaction.
  core::Result<void> VoidOutstanding(core::Tx& tx, const std::string& account_id) const;
};

}  // namespace vault::app
