// AdminService: platform operations run from the command line by an operator (SPEC §10
// `atomyx-vault admin …`): create the first Super Admin, issue a password-reset link, disable
// or enable an account. Every action is audited with the "system" actor. Thread-safe.
#pragma once

#include <string>

#include "app/audit_log.hpp"
#include "core/clock.hpp"
#include "core/ports.hpp"
#include "core/store.hpp"

namespace vault::app {

struct AdminOutcome {
  std::string account_id;
  std::string link;  // a set-password link when one was issued (printed, never logged)
  bool created = false;
};

class AdminService {
 public:
  // Accounts whose access changed are noted in the write (app/change_store.hpp): a store
  // wrapped in a ChangeStore tells running servers through the change feed.
  AdminService(core::Store& store, core::Clock& clock, core::Random& random,
               core::SecretHasher& secrets, std::string public_url);

  // Marks the account a Super Admin, creating it (verified, no password yet, with a 24 h
  // set-password link) when the email is new. Fails invalid_argument for a bad email.
  core::Result<AdminOutcome> CreateSuperAdmin(const std::string& email, const std::string& name);
  // Issues a 1 h password-reset link. Fails not_found "account.not_found".
  core::Result<AdminOutcome> ResetPassword(const std::string& email);
  // Disables (ending every session) or re-enables the account. Fails not_found.
  core::Result<AdminOutcome> SetDisabled(const std::string& email, bool disabled);

 private:
  core::Store& store_;
  core::Clock& clock_;
  core::Random& random_;
  core::SecretHasher& secrets_;
  std::string public_url_;
  AuditLog audit_;
};

}  // namespace vault::app
