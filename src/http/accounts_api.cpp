// Handlers for sign-up, sessions, profile, password and email endpoints (SPEC §13 "sign-up",
// "sessions", "password", "me").
#include "http/accounts_api.hpp"

#include "http/handler_util.hpp"
#include "http/render.hpp"

namespace vault::http {

AccountsApi::AccountsApi(app::AccountService& accounts, app::ProfileService& profile,
                         app::MfaService& mfa, ApiOptions options)
    : accounts_(accounts), profile_(profile), mfa_(mfa), options_(std::move(options)) {}

void AccountsApi::Register(Routes& routes) {
  using E = Executor;
  using A = AccountsApi;
  // Credential routes take a password, token or code: per-IP bucket and Origin check first.
  const Access Cred = Access::kCredential, S = Access::kSession;
  const Rate Limited = Rate::kCredential;
  routes.Add({"POST", "/api/v1/signup", E::kBlocking, Cred, Limited}, this, &A::SignUp);
  routes.Add({"POST", "/api/v1/signup/complete", E::kHash, Cred, Limited}, this,
             &A::CompleteSignUp);
  routes.Add({"POST", "/api/v1/sessions", E::kHash, Cred, Limited}, this, &A::SignIn);
  routes.Add({"POST", "/api/v1/sessions/mfa", E::kBlocking, Cred, Limited}, this, &A::CompleteMfa);
  routes.Add({"GET", "/api/v1/sessions/current", E::kBlocking, S}, this, &A::CurrentSession);
  routes.Add({"DELETE", "/api/v1/sessions/current", E::kBlocking, S}, this, &A::SignOut);
  // Inline first: on SQLite a session whose last use needs no update is read on the network
  // thread (PooledStore: reads never block there); otherwise it is re-run on the blocking pool.
  routes.Add({"GET", "/api/v1/me", E::kInlineFirst, S}, this, &A::GetMe);
  routes.Add({"PATCH", "/api/v1/me", E::kBlocking, S}, this, &A::PatchMe);
  // Password re-checks share the per-IP bucket of sign-in (and its lockout, in the use case).
  // Rate-limited routes are never inline-first.
  routes.Add({"DELETE", "/api/v1/me", E::kHash, S, Limited}, this, &A::DeleteMe);
  routes.Add({"POST", "/api/v1/me/password", E::kHash, S, Limited}, this, &A::ChangePassword);
  routes.Add({"POST", "/api/v1/me/email", E::kHash, S, Limited}, this, &A::ChangeEmail);
  routes.Add({"POST", "/api/v1/email/confirm", E::kBlocking, Cred, Limited}, this,
             &A::ConfirmEmail);
  routes.Add({"POST", "/api/v1/password/forgot", E::kBlocking, Cred, Limited}, this, &A::Forgot);
  routes.Add({"POST", "/api/v1/password/reset", E::kHash, Cred, Limited}, this, &A::Reset);
  routes.Add({"GET", "/api/v1/me/sessions", E::kBlocking, S}, this, &A::ListSessions);
  routes.Add({"DELETE", "/api/v1/me/sessions/{id}", E::kBlocking, S}, this, &A::RevokeSession);
  routes.Add({"DELETE", "/api/v1/me/sessions", E::kBlocking, S}, this, &A::RevokeOthers);
  routes.Add({"POST", "/api/v1/me/mfa/totp", E::kHash, S, Limited}, this, &A::StartTotp);
  routes.Add({"POST", "/api/v1/me/mfa/totp/confirm", E::kBlocking, S}, this, &A::ConfirmTotp);
  routes.Add({"DELETE", "/api/v1/me/mfa/totp", E::kHash, S, Limited}, this, &A::DisableTotp);
  routes.Add({"POST", "/api/v1/me/mfa/recovery-codes", E::kBlocking, S}, this, &A::RegenerateCodes);
  routes.Add({"GET", "/api/v1/me/audit", E::kBlocking, S}, this, &A::MyAudit);
  routes.Add({"GET", "/api/v1/me/export", E::kBlocking, S}, this, &A::ExportMyData);
}

Response AccountsApi::SignedInResponse(int status, const app::SignedIn& s) const {
  return http::SignedInResponse(status, {}, s, accounts_.CsrfToken(s.session), options_.dev);
}

namespace {

struct SignUpInput {
  std::string name, email;
  void Fields(BodyReader& r) {
    r.Field("name", name, kMaxName);
    r.Field("email", email, kMaxEmail);
  }
};

struct TokenPasswordInput {  // completing a sign-up, resetting a password
  std::string token, password;
  void Fields(BodyReader& r) {
    r.Field("token", token, kMaxToken);
    r.Field("password", password, kMaxPasswordInput);
  }
};

struct SignInInput {
  std::string email, password;
  void Fields(BodyReader& r) {
    r.Field("email", email, kMaxEmail);
    r.Field("password", password, kMaxPasswordInput);
  }
};

struct ProfileInput {
  std::optional<std::string> name, locale, time_zone;
  void Fields(BodyReader& r) {
    r.Field("name", name, kMaxName);
    r.Field("locale", locale, 35);
    r.Field("time_zone", time_zone, 64);
  }
};

struct ChangePasswordInput {
  std::string current_password, new_password;
  void Fields(BodyReader& r) {
    r.Field("current_password", current_password, kMaxPasswordInput);
    r.Field("new_password", new_password, kMaxPasswordInput);
  }
};

struct ChangeEmailInput {
  std::string new_email, password;
  void Fields(BodyReader& r) {
    r.Field("new_email", new_email, kMaxEmail);
    r.Field("password", password, kMaxPasswordInput);
  }
};

struct TokenInput {
  std::string token;
  void Fields(BodyReader& r) { r.Field("token", token, kMaxToken); }
};

struct EmailInput {
  std::string email;
  void Fields(BodyReader& r) { r.Field("email", email, kMaxEmail); }
};

}  // namespace

core::Result<Response> AccountsApi::SignUp(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto in, c.Body<SignUpInput>());
  VAULT_TRY(accounts_.SignUp(in.name, in.email));
  return Response::Json(202, R"({"status":"verification_sent"})");
}

core::Result<Response> AccountsApi::CompleteSignUp(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto in, c.Body<TokenPasswordInput>());
  VAULT_ASSIGN_OR_RETURN(auto s, accounts_.CompleteSignUp(in.token, in.password, ClientOf(c.req)));
  return SignedInResponse(201, s);
}

core::Result<Response> AccountsApi::SignIn(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto in, c.Body<SignInInput>());
  VAULT_ASSIGN_OR_RETURN(auto s, accounts_.SignIn(in.email, in.password, ClientOf(c.req)));
  if (!s.signed_in)
    return JsonOk(200, RenderMfaChallenge(s.mfa_token, accounts_.settings().mfa_token_seconds));
  return SignedInResponse(201, *s.signed_in);
}

core::Result<Response> AccountsApi::CurrentSession(Call& c) {
  return JsonOk(200, RenderSession(c.ctx.session, true, accounts_.CsrfToken(c.ctx.session)));
}

core::Result<Response> AccountsApi::SignOut(Call& c) {
  VAULT_TRY(accounts_.SignOut(c.ctx));
  return SignedOutResponse(options_.dev);
}

core::Result<Response> AccountsApi::GetMe(Call& c) {
  return Response::Json(200, RenderAccountText(c.ctx.account, c.ctx.mfa_enabled));
}

core::Result<Response> AccountsApi::PatchMe(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto in, c.Body<ProfileInput>());
  VAULT_ASSIGN_OR_RETURN(auto a, profile_.UpdateProfile(c.ctx, {in.name, in.locale, in.time_zone}));
  return JsonOk(200, RenderAccount(a));
}

core::Result<Response> AccountsApi::ChangePassword(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto in, c.Body<ChangePasswordInput>());
  VAULT_TRY(profile_.ChangePassword(c.ctx, in.current_password, in.new_password));
  return Response::NoContent();
}

core::Result<Response> AccountsApi::ChangeEmail(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto in, c.Body<ChangeEmailInput>());
  VAULT_TRY(profile_.RequestEmailChange(c.ctx, in.new_email, in.password));
  return Response::Json(202, R"({"status":"confirmation_sent"})");
}

core::Result<Response> AccountsApi::ConfirmEmail(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto in, c.Body<TokenInput>());
  VAULT_ASSIGN_OR_RETURN(auto a, profile_.ConfirmEmailChange(in.token, ClientOf(c.req)));
  return JsonOk(200, RenderAccount(a));
}

core::Result<Response> AccountsApi::Forgot(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto in, c.Body<EmailInput>());
  VAULT_TRY(profile_.ForgotPassword(in.email, ClientOf(c.req)));
  return Response::Json(202, R"({"status":"reset_sent"})");
}

core::Result<Response> AccountsApi::Reset(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto in, c.Body<TokenPasswordInput>());
  VAULT_TRY(profile_.ResetPassword(in.token, in.password, ClientOf(c.req)));
  return Response::NoContent();
}

core::Result<Response> AccountsApi::ListSessions(Call& c) {
  const auto page = QueryPage(c.req);
  VAULT_ASSIGN_OR_RETURN(auto sessions, accounts_.ListSessions(c.ctx, page));
  boost::json::object o = RenderSessions(sessions.items, c.ctx.session.id);
  o["next_cursor"] = sessions.next_cursor.empty() ? boost::json::value(nullptr)
                                                  : boost::json::value(sessions.next_cursor);
  return JsonOk(200, o);
}

core::Result<Response> AccountsApi::RevokeSession(Call& c) {
  VAULT_TRY(accounts_.RevokeSession(c.ctx, c.param("id")));
  return Response::NoContent();
}

core::Result<Response> AccountsApi::RevokeOthers(Call& c) {
  VAULT_TRY(accounts_.RevokeOtherSessions(c.ctx));
  return Response::NoContent();
}

void RegisterAccountRoutes(Router& router, app::AccountService& accounts,
                           app::ProfileService& profile, app::MfaService& mfa,
                           const ApiOptions& options) {
  // The API object lives as long as the process (the router's handlers point into it).
  static std::vector<std::unique_ptr<AccountsApi>> apis;
  apis.push_back(std::make_unique<AccountsApi>(accounts, profile, mfa, options));
  Routes routes(router, &accounts, nullptr, options);
  apis.back()->Register(routes);
}

}  // namespace vault::http
