// MfaService: TOTP second factor (RFC 6238, SHA-1, 6 digits, 30 s, ±1 step, no step used
// twice), recovery codes, and the second step of sign-in.
#include "app/mfa_service.hpp"

#include <algorithm>

#include "app/change_store.hpp"
#include "app/emails.hpp"
#include "core/encoding.hpp"
#include "core/otp_code.hpp"

namespace vault::app {

using core::Code;
using core::Fail;
using core::Result;
using core::TokenPurpose;

namespace {

constexpr int kRecoveryCodes = 10;
constexpr std::int64_t kStep = 30;

core::Error InvalidCode(const char* field) {
  return core::Error{Code::kUnauthenticated, "mfa.invalid_code", field,
                     "the code is not correct or was already used"};
}

}  // namespace
MfaService::MfaService(Ports ports, AccountSettings settings) : d_(ports, std::move(settings)) {}

std::string MfaService::RecoveryHash(const std::string& account_id, const std::string& code) const {
  return d_.p.secrets.KeyedHash("recovery", account_id + ":" + core::NormalizeRecoveryCode(code));
}

Result<bool> MfaService::UseRecoveryCode(core::Tx& tx, const std::string& account_id,
                                         const std::string& code) const {
  // Under every keyring key: codes handed out before a rotation stay usable.
  return core::FindUnderAnyKey(d_.p.secrets, "recovery",
                               account_id + ":" + core::NormalizeRecoveryCode(code),
                               [&](const std::string& hash) {
                                 return tx.UseRecoveryCode(account_id, hash, d_.p.clock.Now());
                               });
}

Result<bool> MfaService::CheckTotp(core::Tx& tx, const core::TotpCredential& credential,
                                   const std::string& code) {
  if (!core::IsTotpCode(code)) return false;
  VAULT_ASSIGN_OR_RETURN(auto secret, d_.p.box.Open(credential.secret_enc));
  std::int64_t now_step = d_.p.clock.Now() / kStep;
  for (std::int64_t step = now_step - 1; step <= now_step + 1; ++step) {
    if (!core::ConstantTimeEquals(d_.p.otp.Hotp(secret, static_cast<std::uint64_t>(step)), code))
      continue;
    // Burn the step (and every older one): a code cannot be replayed, even concurrently.
    return tx.AdvanceTotpStep(credential.account_id, step);
  }
  return false;
}

Result<bool> MfaService::GuardedCodeCheck(core::Tx& tx, const std::string& key,
                                          const std::function<Result<bool>()>& check,
                                          const char* field, std::optional<core::Error>* failure) {
  VAULT_ASSIGN_OR_RETURN(auto state, d_.Reserve(tx, key));
  VAULT_ASSIGN_OR_RETURN(bool ok, check());
  if (ok) return true;
  *failure = InvalidCode(field);
  VAULT_TRY(d_.LockIfExhausted(tx, key, state));
  return false;
}

Result<std::vector<std::string>> MfaService::NewRecoveryCodes(core::Tx& tx,
                                                              const std::string& account_id) {
  std::vector<std::string> codes, hashes;
  for (int i = 0; i < kRecoveryCodes; ++i) {
    // 10 base32 characters = 50 random bits; only a keyed hash is stored, and guesses are
    // throttled like TOTP codes.
    std::string code = core::FormatRecoveryCode(d_.p.random.Bytes(7));
    hashes.push_back(RecoveryHash(account_id, code));
    codes.push_back(std::move(code));
  }
  VAULT_TRY(tx.ReplaceRecoveryCodes(account_id, hashes));
  return codes;
}

Result<SignedIn> MfaService::CompleteMfa(const std::string& mfa_token, const std::string& code,
                                         const std::string& recovery_code,
                                         const ClientInfo& client) {
  if (code.empty() == recovery_code.empty())
    return Fail(Code::kInvalidArgument, "validation.required",
                "send either code (from the authenticator app) or recovery_code", "code");
  const char* field = code.empty() ? "recovery_code" : "code";
  struct Outcome {
    std::optional<SignedIn> signed_in;
    std::optional<core::Error> error;
  } out;
  VAULT_TRY(d_.p.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto pending, d_.CheckToken(tx, mfa_token, TokenPurpose::kMfa));
    std::string key = "mfa:" + pending.account_id;
    VAULT_ASSIGN_OR_RETURN(auto account, tx.FindAccountById(pending.account_id));
    VAULT_ASSIGN_OR_RETURN(auto totp, tx.FindTotp(pending.account_id));
    if (!account || !totp || !(totp)->confirmed)
      return Fail(Code::kInvalidArgument, "token.invalid",
                  "this sign-in can no longer be completed", "mfa_token");
    auto check = [&]() -> Result<bool> {
      if (!code.empty()) return CheckTotp(tx, *totp, code);
      return UseRecoveryCode(tx, pending.account_id, recovery_code);
    };
    VAULT_ASSIGN_OR_RETURN(bool ok, GuardedCodeCheck(tx, key, check, field, &out.error));
    Actor actor = AccountActor(pending.account_id, client);
    // A wrong code: commit the counted attempt with the event, then answer with the error.
    if (!ok)
      return d_.audit.Record(tx, actor, {"session.mfa_failed", "account", pending.account_id});
    VAULT_TRY(d_.TakeToken(tx, mfa_token, TokenPurpose::kMfa));
    VAULT_TRY(tx.ResetThrottle(key));
    VAULT_ASSIGN_OR_RETURN(
        auto s, d_.OpenSession(tx, *account, client,
                               code.empty() ? "password+recovery_code" : "password+totp"));
    out.signed_in = std::move(s);
    if (code.empty())
      return d_.audit.Record(tx, actor, {"mfa.recovery_code_used", "account", pending.account_id});
    return {};
  }));
  if (out.error) return Fail(*out.error);
  return std::move(*out.signed_in);
}

Result<TotpEnrolment> MfaService::StartTotp(const AuthContext& ctx, const std::string& password) {
  VAULT_TRY(d_.RecheckPassword(ctx, password, "password"));
  TotpEnrolment out;
  VAULT_TRY(d_.p.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto existing, tx.FindTotp(ctx.account.id));
    if (existing && (existing)->confirmed)
      return Fail(Code::kAlreadyExists, "mfa.already_enabled",
                  "two-factor authentication is already on; turn it off first to re-enrol");
    // 20-byte (160-bit) secret, the size RFC 4226 recommends and every authenticator accepts.
    std::string secret = d_.p.random.Bytes(20);
    core::TotpCredential c{ctx.account.id, d_.p.box.Seal(secret), false, 0, d_.p.clock.Now()};
    VAULT_TRY(tx.PutTotp(c));
    out.secret_base32 = core::Base32(secret);
    std::string label =
        core::UrlEncode(d_.settings.issuer) + ":" + core::UrlEncode(ctx.account.email);
    out.otpauth_uri = "otpauth://totp/" + label + "?secret=" + out.secret_base32 +
                      "&issuer=" + core::UrlEncode(d_.settings.issuer) +
                      "&algorithm=SHA1&digits=6&period=30";
    return d_.audit.Record(tx, ActorOf(ctx),
                           {"mfa.totp_enrolment_started", "account", ctx.account.id});
  }));
  return out;
}

Result<std::vector<std::string>> MfaService::ConfirmTotp(const AuthContext& ctx,
                                                         const std::string& code) {
  std::vector<std::string> codes;
  std::optional<core::Error> failure;
  std::string key = "mfa:" + ctx.account.id;
  VAULT_TRY(d_.p.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto totp, tx.FindTotp(ctx.account.id));
    if (!totp)
      return Fail(Code::kFailedPrecondition, "mfa.not_started", "start the enrolment first");
    if ((totp)->confirmed)
      return Fail(Code::kAlreadyExists, "mfa.already_enabled",
                  "two-factor authentication is already on");
    VAULT_ASSIGN_OR_RETURN(
        bool ok, GuardedCodeCheck(
                     tx, key, [&] { return CheckTotp(tx, *totp, code); }, "code", &failure));
    if (!ok) return {};
    // Re-read: CheckTotp moved last_step.
    VAULT_ASSIGN_OR_RETURN(auto burned, tx.FindTotp(ctx.account.id));
    core::TotpCredential c = *burned;
    c.confirmed = true;
    c.created_at = d_.p.clock.Now();  // enrolled now (a reset's grace window counts from here)
    VAULT_TRY(tx.PutTotp(c));
    VAULT_TRY(d_.VoidOutstanding(tx, ctx.account.id));
    VAULT_ASSIGN_OR_RETURN(auto fresh, NewRecoveryCodes(tx, ctx.account.id));
    codes = std::move(fresh);
    VAULT_TRY(tx.ResetThrottle(key));
    VAULT_TRY(d_.audit.Record(tx, ActorOf(ctx), {"mfa.totp_enabled", "account", ctx.account.id}));
    NoteAccountChanged(tx, ctx.account.id);
    NoteSessionsChanged(tx, ctx.account.id);  // they now carry 2FA enrolled
    return d_.Mail(
        tx, SecondFactorChangedMessage(ctx.account.email, "was turned on for your Atomyx account"));
  }));
  if (failure) return Fail(*failure);
  return codes;
}

Result<void> MfaService::DisableTotp(const AuthContext& ctx, const std::string& password,
                                     const std::string& code) {
  VAULT_TRY(d_.RecheckPassword(ctx, password, "password"));
  std::optional<core::Error> failure;
  std::string key = "mfa:" + ctx.account.id;
  auto r = d_.p.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto totp, tx.FindTotp(ctx.account.id));
    if (!totp || !(totp)->confirmed)
      return Fail(Code::kFailedPrecondition, "mfa.not_enabled", "two-factor authentication is off");
    auto check = [&]() -> Result<bool> {
      if (core::IsTotpCode(code)) return CheckTotp(tx, *totp, code);
      return UseRecoveryCode(tx, ctx.account.id, code);
    };
    VAULT_ASSIGN_OR_RETURN(bool ok, GuardedCodeCheck(tx, key, check, "code", &failure));
    if (!ok) return {};
    VAULT_TRY(tx.DeleteTotp(ctx.account.id));
    VAULT_TRY(d_.VoidOutstanding(tx, ctx.account.id));
    VAULT_TRY(tx.ResetThrottle(key));
    VAULT_TRY(d_.audit.Record(tx, ActorOf(ctx), {"mfa.totp_disabled", "account", ctx.account.id}));
    NoteAccountChanged(tx, ctx.account.id);
    NoteSessionsChanged(tx, ctx.account.id);
    return d_.Mail(tx, SecondFactorChangedMessage(ctx.account.email,
                                                  "was turned off for your Atomyx account"));
  });
  if (!r) return r;
  if (failure) return Fail(*failure);
  return {};
}

Result<std::vector<std::string>> MfaService::RegenerateRecoveryCodes(const AuthContext& ctx,
                                                                     const std::string& code) {
  std::vector<std::string> codes;
  std::optional<core::Error> failure;
  std::string key = "mfa:" + ctx.account.id;
  VAULT_TRY(d_.p.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto totp, tx.FindTotp(ctx.account.id));
    if (!totp || !(totp)->confirmed)
      return Fail(Code::kFailedPrecondition, "mfa.not_enabled", "two-factor authentication is off");
    VAULT_ASSIGN_OR_RETURN(
        bool ok, GuardedCodeCheck(
                     tx, key, [&] { return CheckTotp(tx, *totp, code); }, "code", &failure));
    if (!ok) return {};
    VAULT_ASSIGN_OR_RETURN(auto fresh, NewRecoveryCodes(tx, ctx.account.id));
    codes = std::move(fresh);
    VAULT_TRY(d_.VoidOutstanding(tx, ctx.account.id));
    VAULT_TRY(tx.ResetThrottle(key));
    VAULT_TRY(d_.audit.Record(tx, ActorOf(ctx),
                              {"mfa.recovery_codes_regenerated", "account", ctx.account.id}));
    return d_.Mail(tx, SecondFactorChangedMessage(
                           ctx.account.email,
                           "recovery codes were replaced for your Atomyx account; the old ones no "
                           "longer work"));
  }));
  if (failure) return Fail(*failure);
  return codes;
}

}  // namespace vault::app
