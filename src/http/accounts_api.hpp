// AccountsApi: the thin handlers of the account endpoints (sign-up, sessions, profile,
// password, email, 2FA, own audit, deletion). Registered once; thread-safe (state is the
// thread-safe AccountService and an internally locked rate limiter).
#pragma once

#include <string>

#include "app/account_service.hpp"
#include "http/api.hpp"
#include "http/auth.hpp"
#include "http/rate_limiter.hpp"
#include "http/router.hpp"

namespace vault::http {

// Input size limits of the account endpoints (characters).
inline constexpr std::size_t kMaxEmail = 254;
inline constexpr std::size_t kMaxName = 100;
inline constexpr std::size_t kMaxPasswordInput = 1024;  // the policy answers too_long above 256
inline constexpr std::size_t kMaxToken = 128;
inline constexpr std::size_t kMaxCode = 32;

class AccountsApi {
 public:
  AccountsApi(app::AccountService& accounts, ApiOptions options);
  void Register(Router& r);

 private:
  using Method = core::Result<Response> (AccountsApi::*)(Request&);
  // Adds a route; `limited` routes pass the per-IP rate limiter first.
  void Add(Router& r, const char* method, const char* pattern, Executor ex, Method m,
           bool limited = false);

  Response SignedInResponse(int status, const app::SignedIn& s) const;
  core::Result<AuthResult> Auth(const Request& req);

  // accounts_api.cpp
  core::Result<Response> SignUp(Request& req);
  core::Result<Response> CompleteSignUp(Request& req);
  core::Result<Response> SignIn(Request& req);
  core::Result<Response> CurrentSession(Request& req);
  core::Result<Response> SignOut(Request& req);
  core::Result<Response> GetMe(Request& req);
  core::Result<Response> PatchMe(Request& req);
  core::Result<Response> ChangePassword(Request& req);
  core::Result<Response> ChangeEmail(Request& req);
  core::Result<Response> ConfirmEmail(Request& req);
  core::Result<Response> Forgot(Request& req);
  core::Result<Response> Reset(Request& req);
  core::Result<Response> ListSessions(Request& req);
  core::Result<Response> RevokeSession(Request& req);
  core::Result<Response> RevokeOthers(Request& req);

  // security_api.cpp
  core::Result<Response> CompleteMfa(Request& req);
  core::Result<Response> StartTotp(Request& req);
  core::Result<Response> ConfirmTotp(Request& req);
  core::Result<Response> DisableTotp(Request& req);
  core::Result<Response> RegenerateCodes(Request& req);
  core::Result<Response> MyAudit(Request& req);
  core::Result<Response> DeleteMe(Request& req);

  app::AccountService& accounts_;
  ApiOptions options_;
  std::string origin_;
  RateLimiter limiter_;
};

}  // namespace vault::http
