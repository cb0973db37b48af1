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
    : accounts_(accounts),
      options_(std::move(options)),
      origin_(OriginOf(options_.public_url)),
      limiter_(options_.ip_rate_per_second, options_.ip_burst) {}

void AccountsApi::Register(Router& r) {
  using E = Executor;
  Add(r, "POST", "/api/v1/signup", E::kBlocking, &AccountsApi::SignUp, true);
  Add(r, "POST", "/api/v1/signup/complete", E::kHash, &AccountsApi::CompleteSignUp, true);
  Add(r, "POST", "/api/v1/sessions", E::kHash, &AccountsApi::SignIn, true);
  Add(r, "POST", "/api/v1/sessions/mfa", E::kBlocking, &AccountsApi::CompleteMfa, true);
  Add(r, "GET", "/api/v1/sessions/current", E::kBlocking, &AccountsApi::CurrentSession);
  Add(r, "DELETE", "/api/v1/sessions/current", E::kBlocking, &AccountsApi::SignOut);
  // Inline first: on SQLite a session whose last use needs no update is read on the network
  // thread (PooledStore: reads never block there); otherwise it is re-run on the blocking pool.
  Add(r, "GET", "/api/v1/me", E::kInlineFirst, &AccountsApi::GetMe);
  Add(r, "PATCH", "/api/v1/me", E::kBlocking, &AccountsApi::PatchMe);
  // Password re-checks share the per-IP bucket of sign-in (and its lockout, in the use case).
  Add(r, "DELETE", "/api/v1/me", E::kHash, &AccountsApi::DeleteMe, true);
  Add(r, "POST", "/api/v1/me/password", E::kHash, &AccountsApi::ChangePassword, true);
  Add(r, "POST", "/api/v1/me/email", E::kHash, &AccountsApi::ChangeEmail, true);
  Add(r, "POST", "/api/v1/email/confirm", E::kBlocking, &AccountsApi::ConfirmEmail, true);
  Add(r, "POST", "/api/v1/password/forgot", E::kBlocking, &AccountsApi::Forgot, true);
  Add(r, "POST", "/api/v1/password/reset", E::kHash, &AccountsApi::Reset, true);
  Add(r, "GET", "/api/v1/me/sessions", E::kBlocking, &AccountsApi::ListSessions);
  Add(r, "DELETE", "/api/v1/me/sessions/{id}", E::kBlocking, &AccountsApi::RevokeSession);
  Add(r, "DELETE", "/api/v1/me/sessions", E::kBlocking, &AccountsApi::RevokeOthers);
  Add(r, "POST", "/api/v1/me/mfa/totp", E::kHash, &AccountsApi::StartTotp, true);
  Add(r, "POST", "/api/v1/me/mfa/totp/confirm", E::kBlocking, &AccountsApi::ConfirmTotp);
  Add(r, "DELETE", "/api/v1/me/mfa/totp", E::kHash, &AccountsApi::DisableTotp, true);
  Add(r, "POST", "/api/v1/me/mfa/recovery-codes", E::kBlocking, &AccountsApi::RegenerateCodes);
  Add(r, "GET", "/api/v1/me/audit", E::kBlocking, &AccountsApi::MyAudit);
}

void AccountsApi::Add(Router& r, const char* method, const char* pattern, Executor ex, Method m,
                      bool limited) {
  r.Add(method, pattern, ex, [this, m, limited](Request& req) {
    long retry = 0;
    if (limited && !limiter_.Allow(req.remote_ip, &retry)) {
      core::Error e{core::Code::kResourceExhausted, "rate_limited", "",
                    "too many requests from this address; slow down"};
      e.retry_after = retry;
      return Problem(e, req.request_id);
    }
    // Every rate-limited route takes a credential (password, token or code).
    if (limited)
      if (auto o = CheckOrigin(req, origin_); !o) return Problem(o.error(), req.request_id);
    return Finish((this->*m)(req), req);  // rate-limited routes are never inline-first
  });
}

Response AccountsApi::SignedInResponse(int status, const app::SignedIn& s) const {
  boost::json::object o;
  o["account"] = RenderAccount(s.account);
  o["session"] = RenderSession(s.session, true, accounts_.CsrfToken(s.session));
  o["session_token"] = s.token;
  Response r = Response::Json(status, boost::json::serialize(o));
  r.headers.emplace_back(
      "Set-Cookie",
      SessionCookie(s.token, s.session.expires_at - s.session.created_at, options_.dev));
  return r;
}

core::Result<AuthResult> AccountsApi::Auth(const Request& req) {
  return Authenticate(req, accounts_, origin_);
}

core::Result<Response> AccountsApi::SignUp(Request& req) {
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
  VAULT_ASSIGN_OR_RETURN(auto name, body.String("name", kMaxName));
  VAULT_ASSIGN_OR_RETURN(auto email, body.String("email", kMaxEmail));
  VAULT_TRY(accounts_.SignUp(name, email));
  return Response::Json(202, R"({"status":"verification_sent"})");
}

core::Result<Response> AccountsApi::CompleteSignUp(Request& req) {
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
  VAULT_ASSIGN_OR_RETURN(auto token, body.String("token", kMaxToken));
  VAULT_ASSIGN_OR_RETURN(auto password, body.String("password", kMaxPasswordInput));
  VAULT_ASSIGN_OR_RETURN(auto s, accounts_.CompleteSignUp(token, password, ClientOf(req)));
  return SignedInResponse(201, s);
}

core::Result<Response> AccountsApi::SignIn(Request& req) {
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
  VAULT_ASSIGN_OR_RETURN(auto email, body.String("email", kMaxEmail));
  VAULT_ASSIGN_OR_RETURN(auto password, body.String("password", kMaxPasswordInput));
  VAULT_ASSIGN_OR_RETURN(auto s, accounts_.SignIn(email, password, ClientOf(req)));
  if (!s.signed_in) {
    boost::json::object o;
    o["mfa_required"] = true;
    o["mfa_token"] = s.mfa_token;
    o["expires_in"] = accounts_.settings().mfa_token_seconds;
    return Response::Json(200, boost::json::serialize(o));
  }
  return SignedInResponse(201, *s.signed_in);
}

core::Result<Response> AccountsApi::CurrentSession(Request& req) {
  VAULT_ASSIGN_OR_RETURN(auto auth, Auth(req));
  return Response::Json(200, boost::json::serialize(RenderSession(
                                 auth.ctx.session, true, accounts_.CsrfToken(auth.ctx.session))));
}

core::Result<Response> AccountsApi::SignOut(Request& req) {
  VAULT_ASSIGN_OR_RETURN(auto auth, Auth(req));
  VAULT_TRY(accounts_.SignOut(auth.ctx));
  Response res = Response::NoContent();
  res.headers.emplace_back("Set-Cookie", SessionCookie("", 0, options_.dev));
  return res;
}

core::Result<Response> AccountsApi::GetMe(Request& req) {
  VAULT_ASSIGN_OR_RETURN(auto auth, Auth(req));
  return Response::Json(
      200, boost::json::serialize(RenderAccount(auth.ctx.account, auth.ctx.mfa_enabled)));
}

core::Result<Response> AccountsApi::PatchMe(Request& req) {
  VAULT_ASSIGN_OR_RETURN(auto auth, Auth(req));
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
  app::ProfilePatch patch;
  VAULT_ASSIGN_OR_RETURN(auto name, body.OptString("name", kMaxName));
  VAULT_ASSIGN_OR_RETURN(auto locale, body.OptString("locale", 35));
  VAULT_ASSIGN_OR_RETURN(auto tz, body.OptString("time_zone", 64));
  patch.name = name;
  patch.locale = locale;
  patch.time_zone = tz;
  VAULT_ASSIGN_OR_RETURN(auto a, accounts_.UpdateProfile(auth.ctx, patch));
  return Response::Json(200, boost::json::serialize(RenderAccount(a)));
}

core::Result<Response> AccountsApi::ChangePassword(Request& req) {
  VAULT_ASSIGN_OR_RETURN(auto auth, Auth(req));
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
  VAULT_ASSIGN_OR_RETURN(auto current, body.String("current_password", kMaxPasswordInput));
  VAULT_ASSIGN_OR_RETURN(auto next, body.String("new_password", kMaxPasswordInput));
  VAULT_TRY(accounts_.ChangePassword(auth.ctx, current, next));
  return Response::NoContent();
}

core::Result<Response> AccountsApi::ChangeEmail(Request& req) {
  VAULT_ASSIGN_OR_RETURN(auto auth, Auth(req));
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
  VAULT_ASSIGN_OR_RETURN(auto email, body.String("new_email", kMaxEmail));
  VAULT_ASSIGN_OR_RETURN(auto password, body.String("password", kMaxPasswordInput));
  VAULT_TRY(accounts_.RequestEmailChange(auth.ctx, email, password));
  return Response::Json(202, R"({"status":"confirmation_sent"})");
}

core::Result<Response> AccountsApi::ConfirmEmail(Request& req) {
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
  VAULT_ASSIGN_OR_RETURN(auto token, body.String("token", kMaxToken));
  VAULT_ASSIGN_OR_RETURN(auto a, accounts_.ConfirmEmailChange(token, ClientOf(req)));
  return Response::Json(200, boost::json::serialize(RenderAccount(a)));
}

core::Result<Response> AccountsApi::Forgot(Request& req) {
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
  VAULT_ASSIGN_OR_RETURN(auto email, body.String("email", kMaxEmail));
  VAULT_TRY(accounts_.ForgotPassword(email, ClientOf(req)));
  return Response::Json(202, R"({"status":"reset_sent"})");
}

core::Result<Response> AccountsApi::Reset(Request& req) {
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
  VAULT_ASSIGN_OR_RETURN(auto token, body.String("token", kMaxToken));
  VAULT_ASSIGN_OR_RETURN(auto password, body.String("password", kMaxPasswordInput));
  VAULT_TRY(accounts_.ResetPassword(token, password, ClientOf(req)));
  return Response::NoContent();
}

core::Result<Response> AccountsApi::ListSessions(Request& req) {
  VAULT_ASSIGN_OR_RETURN(auto auth, Auth(req));
  VAULT_ASSIGN_OR_RETURN(auto sessions, accounts_.ListSessions(auth.ctx));
  boost::json::array items;
  for (const auto& s : sessions) items.push_back(RenderSession(s, s.id == auth.ctx.session.id, ""));
  boost::json::object o;
  o["items"] = std::move(items);
  return Response::Json(200, boost::json::serialize(o));
}

core::Result<Response> AccountsApi::RevokeSession(Request& req) {
  VAULT_ASSIGN_OR_RETURN(auto auth, Auth(req));
  VAULT_TRY(accounts_.RevokeSession(auth.ctx, req.params["id"]));
  return Response::NoContent();
}

core::Result<Response> AccountsApi::RevokeOthers(Request& req) {
  VAULT_ASSIGN_OR_RETURN(auto auth, Auth(req));
  VAULT_TRY(accounts_.RevokeOtherSessions(auth.ctx));
  return Response::NoContent();
}

void RegisterAccountRoutes(Router& router, app::AccountService& accounts,
                           const ApiOptions& options) {
  // The API object lives as long as the process (the router's handlers point into it).
  static std::vector<std::unique_ptr<AccountsApi>> apis;
  apis.push_back(std::make_unique<AccountsApi>(accounts, options));
  apis.back()->Register(router);
}

}  // namespace vault::http
