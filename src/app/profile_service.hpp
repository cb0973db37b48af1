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

struct PersonalData {
  core::Account account;
  bool mfa_enabled = false;
  std::vector<core::Session> sessions;
  std::vector<core::WorkspaceCard> workspaces;
  std::vector<core::Invitation> invitations;
  std::vector<core::AuditEvent> activity;
  bool activity_truncated = false;  // more than kMaxExportEvents
  core::Timestamp exported_at = 0;
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

  // Everything Vault holds about the caller, for a self-service export (GDPR art. 15/20):
  // the account, 2FA status (never the seed), sessions (never their tokens), workspaces and
  // roles, pending invitations to them, and their own activity (up to kMaxExportEvents,
  // newest first). Audited as account.data_exported.
  static constexpr int kMaxExportEvents = 10000;
  core::Result<PersonalData> ExportMyData(const AuthContext& ctx);

  // The caller's own security events, newest first (cursor = seq to continue below).
  core::Result<std::vector<core::AuditEvent>> MyAudit(const AuthContext& ctx,
                                                      core::AuditQuery query);

 private:
  AccountDeps d_;
};

}  // namespace vault::app
