// Handlers for sign-up, sessions, profile, password and email endpoints (SPEC §13 "sign-up",
// "sessions", "password", "me").
#include "http/accounts_api.hpp"

#include <boost/json.hpp>

#include "http/handler_util.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"
#include "http/render.hpp"

namespace vault::http {

AccountsApi::AccountsApi(app::AccountService& accounts, ApiOptions options)
    : accounts_(accounts), options_(std::move(options)) {}

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
}

Response AccountsApi::SignedInResponse(int status, const app::SignedIn& s) const {
  return http::SignedInResponse(status, {}, s, accounts_.CsrfToken(s.session), options_.dev);
}

core::Result<Response> AccountsApi::SignUp(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
  VAULT_ASSIGN_OR_RETURN(auto name, body.String("name", kMaxName));
  VAULT_ASSIGN_OR_RETURN(auto email, body.String("email", kMaxEmail));
  VAULT_TRY(accounts_.SignUp(name, email));
  return Response::Json(202, R"({"status":"verification_sent"})");
}

core::Result<Response> AccountsApi::CompleteSignUp(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
  VAULT_ASSIGN_OR_RETURN(auto token, body.String("token", kMaxToken));
  VAULT_ASSIGN_OR_RETURN(auto password, body.String("password", kMaxPasswordInput));
  VAULT_ASSIGN_OR_RETURN(auto s, accounts_.CompleteSignUp(token, password, ClientOf(c.req)));
  return SignedInResponse(201, s);
}

core::Result<Response> AccountsApi::SignIn(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
  VAULT_ASSIGN_OR_RETURN(auto email, body.String("email", kMaxEmail));
  VAULT_ASSIGN_OR_RETURN(auto password, body.String("password", kMaxPasswordInput));
  VAULT_ASSIGN_OR_RETURN(auto s, accounts_.SignIn(email, password, ClientOf(c.req)));
  if (!s.signed_in) {
    boost::json::object o;
    o["mfa_required"] = true;
    o["mfa_token"] = s.mfa_token;
    o["expires_in"] = accounts_.settings().mfa_token_seconds;
    return Response::Json(200, boost::json::serialize(o));
  }
  return SignedInResponse(201, *s.signed_in);
}

core::Result<Response> AccountsApi::CurrentSession(Call& c) {
  return Response::Json(200, boost::json::serialize(RenderSession(
                                 c.ctx.session, true, accounts_.CsrfToken(c.ctx.session))));
}

core::Result<Response> AccountsApi::SignOut(Call& c) {
  VAULT_TRY(accounts_.SignOut(c.ctx));
  Response res = Response::NoContent();
  res.headers.emplace_back("Set-Cookie", SessionCookie("", 0, options_.dev));
  return res;
}

core::Result<Response> AccountsApi::GetMe(Call& c) {
  return Response::Json(200,
                        boost::json::serialize(RenderAccount(c.ctx.account, c.ctx.mfa_enabled)));
}

core::Result<Response> AccountsApi::PatchMe(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
  app::ProfilePatch patch;
  VAULT_ASSIGN_OR_RETURN(auto name, body.OptString("name", kMaxName));
  VAULT_ASSIGN_OR_RETURN(auto locale, body.OptString("locale", 35));
  VAULT_ASSIGN_OR_RETURN(auto tz, body.OptString("time_zone", 64));
  patch.name = name;
  patch.locale = locale;
  patch.time_zone = tz;
  VAULT_ASSIGN_OR_RETURN(auto a, accounts_.UpdateProfile(c.ctx, patch));
  return Response::Json(200, boost::json::serialize(RenderAccount(a)));
}

core::Result<Response> AccountsApi::ChangePassword(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
  VAULT_ASSIGN_OR_RETURN(auto current, body.String("current_password", kMaxPasswordInput));
  VAULT_ASSIGN_OR_RETURN(auto next, body.String("new_password", kMaxPasswordInput));
  VAULT_TRY(accounts_.ChangePassword(c.ctx, current, next));
  return Response::NoContent();
}

core::Result<Response> AccountsApi::ChangeEmail(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
  VAULT_ASSIGN_OR_RETURN(auto email, body.String("new_email", kMaxEmail));
  VAULT_ASSIGN_OR_RETURN(auto password, body.String("password", kMaxPasswordInput));
  VAULT_TRY(accounts_.RequestEmailChange(c.ctx, email, password));
  return Response::Json(202, R"({"status":"confirmation_sent"})");
}

core::Result<Response> AccountsApi::ConfirmEmail(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
  VAULT_ASSIGN_OR_RETURN(auto token, body.String("token", kMaxToken));
  VAULT_ASSIGN_OR_RETURN(auto a, accounts_.ConfirmEmailChange(token, ClientOf(c.req)));
  return Response::Json(200, boost::json::serialize(RenderAccount(a)));
}

core::Result<Response> AccountsApi::Forgot(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
  VAULT_ASSIGN_OR_RETURN(auto email, body.String("email", kMaxEmail));
  VAULT_TRY(accounts_.ForgotPassword(email, ClientOf(c.req)));
  return Response::Json(202, R"({"status":"reset_sent"})");
}

core::Result<Response> AccountsApi::Reset(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
  VAULT_ASSIGN_OR_RETURN(auto token, body.String("token", kMaxToken));
  VAULT_ASSIGN_OR_RETURN(auto password, body.String("password", kMaxPasswordInput));
  VAULT_TRY(accounts_.ResetPassword(token, password, ClientOf(c.req)));
  return Response::NoContent();
}

core::Result<Response> AccountsApi::ListSessions(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto sessions, accounts_.ListSessions(c.ctx));
  boost::json::array items;
  for (const auto& s : sessions) items.push_back(RenderSession(s, s.id == c.ctx.session.id, ""));
  boost::json::object o;
  o["items"] = std::move(items);
  return Response::Json(200, boost::json::serialize(o));
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
                           const ApiOptions& options) {
  // The API object lives as long as the process (the router's handlers point into it).
  static std::vector<std::unique_ptr<AccountsApi>> apis;
  apis.push_back(std::make_unique<AccountsApi>(accounts, options));
  Routes routes(router, &accounts, nullptr, options);
  apis.back()->Register(routes);
}

}  // namespace vault::http
