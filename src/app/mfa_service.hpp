// MfaService: the second factor (SPEC §2) — TOTP enrolment (RFC 6238), recovery codes, and the
// second step of a sign-in. Each use case runs in one store transaction that also appends its
// audit event; mail goes out after the commit. Thread-safe: holds only references to
// thread-safe ports.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/account_deps.hpp"

namespace vault::app {

struct TotpEnrolment {
  std::string secret_base32;
  std::string otpauth_uri;
};

class MfaService {
 public:
  MfaService(Ports ports, AccountSettings settings);

  // Second step of a sign-in: exactly one of code (TOTP) and recovery_code. Fails
  // unauthenticated "mfa.invalid_code" (field code/recovery_code), "token.*" for the pending
  // token, or resource_exhausted "auth.locked".
  core::Result<SignedIn> CompleteMfa(const std::string& mfa_token, const std::string& code,
                                     const std::string& recovery_code, const ClientInfo& client);

  // TOTP. Start fails already_exists "mfa.already_enabled"; Confirm fails failed_precondition
  // "mfa.not_started" or unauthenticated "mfa.invalid_code" and returns 10 recovery codes.
  // Start needs the password (a stolen session alone cannot add a factor); fails like
  // AccountDeps::RecheckPassword.
  core::Result<TotpEnrolment> StartTotp(const AuthContext& ctx, const std::string& password);
  core::Result<std::vector<std::string>> ConfirmTotp(const AuthContext& ctx,
                                                     const std::string& code);
  // Needs the password and a current TOTP or recovery code.
  core::Result<void> DisableTotp(const AuthContext& ctx, const std::string& password,
                                 const std::string& code);
  // Needs a current TOTP code; replaces every recovery code.
  core::Result<std::vector<std::string>> RegenerateRecoveryCodes(const AuthContext& ctx,
                                                                 const std::string& code);

 private:
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
  // Marks the account's unused recovery code used, found under any keyring key; false if none.
  core::Result<bool> UseRecoveryCode(core::Tx& tx, const std::string& account_id,
                                     const std::string& code) const;

  AccountDeps d_;
};

}  // namespace vault::app
