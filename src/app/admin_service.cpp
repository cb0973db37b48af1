#include "app/admin_service.hpp"

#include "app/change_store.hpp"
#include "app/tokens.hpp"
#include "core/encoding.hpp"

namespace vault::app {

using core::Fail;
using core::Result;

namespace {
const Actor kSystem{"system", "cli", "", "atomyx-vault admin"};

Result<core::Account> Find(core::Tx& tx, const std::string& email) {
  VAULT_ASSIGN_OR_RETURN(auto a, tx.FindAccountByEmail(core::NormalizeEmail(email)));
  if (!a)
    return Fail(core::Code::kNotFound, "account.not_found", "no account has this email address");
  return std::move(*a);
}
}  // namespace

AdminService::AdminService(core::Store& store, core::Clock& clock, core::Random& random,
                           core::SecretHasher& secrets, std::string public_url)
    : store_(store),
      clock_(clock),
      random_(random),
      secrets_(secrets),
      public_url_(std::move(public_url)),
      audit_(secrets, random, clock) {}

Result<AdminOutcome> AdminService::CreateSuperAdmin(const std::string& email,
                                                    const std::string& name) {
  VAULT_ASSIGN_OR_RETURN(auto valid, core::ValidateEmail(email, "email"));
  VAULT_ASSIGN_OR_RETURN(auto valid_name, core::ValidateName(name, "name"));
  VAULT_ASSIGN_OR_RETURN(auto out, store_.Write([&](core::Tx& tx) -> Result<AdminOutcome> {
    AdminOutcome out;
    VAULT_ASSIGN_OR_RETURN(auto existing, tx.FindAccountByEmail(core::NormalizeEmail(valid)));
    core::Account a;
    if (existing) {
      a = *existing;
      a.super_admin = true;
      a.updated_at = clock_.Now();
      VAULT_TRY(tx.UpdateAccount(a));
    } else {
      a.id = core::NewId(random_, "acc");
      a.email = valid;
      a.email_norm = core::NormalizeEmail(valid);
      a.name = valid_name;
      a.email_verified = true;
      a.super_admin = true;
      a.created_at = a.updated_at = clock_.Now();
      VAULT_TRY(tx.InsertAccount(a));
      core::OneTimeToken t;
      t.purpose = core::TokenPurpose::kPasswordReset;
      t.account_id = a.id;
      t.email = a.email;
      VAULT_ASSIGN_OR_RETURN(auto secret,
                             IssueOneTimeToken(tx, random_, secrets_, clock_, t, 24 * 3600));
      out.link = public_url_ + "/password/reset?token=" + secret;
      out.created = true;
    }
    out.account_id = a.id;
    NoteAccountChanged(tx, a.id);
    VAULT_TRY(audit_.Record(tx, kSystem,
                            {"admin.super_admin_granted", "account", a.id,
                             JsonSummary({{"created", out.created ? "true" : "false"}})}));
    return out;
  }));
  return out;
}

Result<AdminOutcome> AdminService::ResetPassword(const std::string& email) {
  return store_.Write([&](core::Tx& tx) -> Result<AdminOutcome> {
    AdminOutcome out;
    VAULT_ASSIGN_OR_RETURN(auto a, Find(tx, email));
    core::OneTimeToken t;
    t.purpose = core::TokenPurpose::kPasswordReset;
    t.account_id = a.id;
    t.email = a.email;
    VAULT_ASSIGN_OR_RETURN(auto secret, IssueOneTimeToken(tx, random_, secrets_, clock_, t, 3600));
    out.account_id = a.id;
    out.link = public_url_ + "/password/reset?token=" + secret;
    VAULT_TRY(audit_.Record(tx, kSystem, {"admin.password_reset_issued", "account", a.id}));
    return out;
  });
}

Result<AdminOutcome> AdminService::SetDisabled(const std::string& email, bool disabled) {
  VAULT_ASSIGN_OR_RETURN(auto out, store_.Write([&](core::Tx& tx) -> Result<AdminOutcome> {
    AdminOutcome out;
    VAULT_ASSIGN_OR_RETURN(auto a, Find(tx, email));
    a.disabled = disabled;
    a.updated_at = clock_.Now();
    VAULT_TRY(tx.UpdateAccount(a));
    int ended = 0;
    if (disabled) {
      VAULT_ASSIGN_OR_RETURN(auto d, tx.DeleteSessionsOfAccount(a.id, ""));
      NoteSessionsChanged(tx, a.id);
      ended = d;
    }
    out.account_id = a.id;
    NoteAccountChanged(tx, a.id);
    VAULT_TRY(
        audit_.Record(tx, kSystem,
                      {disabled ? "admin.account_disabled" : "admin.account_enabled", "account",
                       a.id, JsonSummary({{"sessions_ended", std::to_string(ended)}})}));
    return out;
  }));
  return out;
}

}  // namespace vault::app
