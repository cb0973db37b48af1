// AccountsApi: the thin handlers of the account endpoints (sign-up, sessions, profile,
// password, email, 2FA, own audit, deletion). Registered once; thread-safe (state is the
// thread-safe account services; the per-IP bucket is the Routes' own).
#pragma once

#include <string>

#include "app/account_service.hpp"
#include "app/mfa_service.hpp"
#include "app/profile_service.hpp"
#include "http/api.hpp"
#include "http/auth.hpp"
#include "http/endpoint.hpp"

namespace vault::http {

// Input size limits of the account endpoints (characters).
inline constexpr std::size_t kMaxEmail = 254;
inline constexpr std::size_t kMaxName = 100;
inline constexpr std::size_t kMaxPasswordInput = 1024;  // the policy answers too_long above 256
inline constexpr std::size_t kMaxToken = 128;
inline constexpr std::size_t kMaxCode = 32;

class AccountsApi {
 public:
  AccountsApi(app::AccountService& accounts, app::ProfileService& profile, app::MfaService& mfa,
              ApiOptions options);
  void Register(Routes& routes);

 private:
  Response SignedInResponse(int status, const app::SignedIn& s) const;

  // accounts_api.cpp
  core::Result<Response> SignUp(Call& c);
  core::Result<Response> CompleteSignUp(Call& c);
  core::Result<Response> SignIn(Call& c);
  core::Result<Response> CurrentSession(Call& c);
  core::Result<Response> SignOut(Call& c);
  core::Result<Response> GetMe(Call& c);
  core::Result<Response> PatchMe(Call& c);
  core::Result<Response> ChangePassword(Call& c);
  core::Result<Response> ChangeEmail(Call& c);
  core::Result<Response> ConfirmEmail(Call& c);
  core::Result<Response> Forgot(Call& c);
  core::Result<Response> Reset(Call& c);
  core::Result<Response> ListSessions(Call& c);
  core::Result<Response> RevokeSession(Call& c);
  core::Result<Response> RevokeOthers(Call& c);

  // security_api.cpp
  core::Result<Response> CompleteMfa(Call& c);
  core::Result<Response> StartTotp(Call& c);
  core::Result<Response> ConfirmTotp(Call& c);
  core::Result<Response> DisableTotp(Call& c);
  core::Result<Response> RegenerateCodes(Call& c);
  core::Result<Response> MyAudit(Call& c);
  core::Result<Response> ExportMyData(Call& c);
  core::Result<Response> DeleteMe(Call& c);

  app::AccountService& accounts_;
  app::ProfileService& profile_;
  app::MfaService& mfa_;
  ApiOptions options_;
};

}  // namespace vault::http
