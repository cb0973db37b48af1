// AccountService: the account use cases of SPEC §2 that open and keep sessions — sign-up,
// sign-in with brute-force protection, authentication of a session, sign-out and the caller's
// sessions. The signed-in person's own changes are ProfileService's, the second factor
// MfaService's (app/profile_service.hpp, app/mfa_service.hpp). Each use case runs in one store
// transaction that also appends its audit event; mail goes out after the commit. Thread-safe:
// holds only references to thread-safe ports.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/account_deps.hpp"
#include "app/paging.hpp"

namespace vault::app {

class SessionCache;

// A sign-in either opens a session or, with 2FA, asks for the second factor.
struct SignInOutcome {
  std::optional<SignedIn> signed_in;
  std::string mfa_token;  // set when a second factor is required
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
  // Fails unauthenticated "auth.invalid_credentials" for an unknown email or a wrong password
  // (after the same hashing work), resource_exhausted "auth.locked" (retry_after set) while the
  // address is locked, permission_denied "account.disabled".
  core::Result<SignInOutcome> SignIn(const std::string& email, const std::string& password,
                                     const ClientInfo& client);
  // Resolves a bearer token to its live session; fails unauthenticated "auth.required".
  core::Result<AuthContext> Authenticate(const std::string& token, const ClientInfo& client);
  core::Result<void> SignOut(const AuthContext& ctx);

  // A page of the caller's live sessions, newest first: (created_at DESC, id).
  core::Result<Paged<core::Session>> ListSessions(const AuthContext& ctx, const PageRequest& page);
  // Fails not_found "session.not_found" for an id that is not one of the caller's sessions.
  core::Result<void> RevokeSession(const AuthContext& ctx, const std::string& session_id);
  core::Result<int> RevokeOtherSessions(const AuthContext& ctx);

  // For sibling services (invitation sign-up): creates a verified account with the given
  // password hash and opens its session, in the caller's transaction (audited).
  core::Result<SignedIn> CreateVerifiedAccount(core::Tx& tx, const std::string& email,
                                               const std::string& name,
                                               const std::string& password_hash,
                                               const ClientInfo& client);

  // The per-session CSRF token (keyed hash of the session id; nothing stored).
  std::string CsrfToken(const core::Session& session) const;
  // True when `sent` is the session's CSRF token under any keyring key (constant time).
  bool CsrfTokenMatches(const core::Session& session, std::string_view sent) const;

  // Verify sessions from memory (ADR 0016): Authenticate asks cache first and storage only on a
  // miss; ListSessions flushes its buffered last-seen updates first. Call before serving.
  void UseSessionCache(SessionCache* cache) { cache_ = cache; }

  const AccountSettings& settings() const { return d_.settings; }
  const AuditLog& audit() const { return d_.audit; }

 private:
  AccountDeps d_;
  SessionCache* cache_ = nullptr;
  std::string dummy_hash_;  // verified against for unknown emails, to equalise timing
};

}  // namespace vault::app
