// ProfileService: the use cases of a signed-in person on their own account (SPEC §2) — profile,
// password change, email change, deletion, their own audit trail — and password recovery.
// Each runs in one store transaction that also appends its audit event; mail goes out after the
// commit. Thread-safe: holds only references to thread-safe ports.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/account_deps.hpp"

namespace vault::app {

struct ProfilePatch {
  std::optional<std::string> name, locale, time_zone;
};

class ProfileService {
 public:
  ProfileService(Ports ports, AccountSettings settings);

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

  // The caller's own security events, newest first (cursor = seq to continue below).
  core::Result<std::vector<core::AuditEvent>> MyAudit(const AuthContext& ctx,
                                                      core::AuditQuery query);

 private:
  AccountDeps d_;
};

}  // namespace vault::app
