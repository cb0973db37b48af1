// Handlers for the second factor, the caller's own audit trail and account deletion
// (SPEC §13 "2FA", "sessions/mfa", "me/audit", "DELETE /me").
#include <boost/json.hpp>

#include "http/accounts_api.hpp"
#include "http/handler_util.hpp"
#include "http/json_body.hpp"
#include "http/qr_svg.hpp"
#include "http/render.hpp"

namespace vault::http {
namespace {

Response CodesResponse(const std::vector<std::string>& codes) {
  boost::json::array arr;
  for (const auto& c : codes) arr.emplace_back(c);
  boost::json::object o;
  o["recovery_codes"] = std::move(arr);
  return Response::Json(200, boost::json::serialize(o));
}

}  // namespace

core::Result<Response> AccountsApi::CompleteMfa(Request& req) {
  auto body = JsonBody::Parse(req);
  if (!body) return core::Fail(body.error());
  auto token = body->String("mfa_token", kMaxToken);
  if (!token) return core::Fail(token.error());
  auto code = body->OptString("code", kMaxCode);
  if (!code) return core::Fail(code.error());
  auto recovery = body->OptString("recovery_code", kMaxCode);
  if (!recovery) return core::Fail(recovery.error());
  auto s = accounts_.CompleteMfa(*token, code->value_or(""), recovery->value_or(""), ClientOf(req));
  if (!s) return core::Fail(s.error());
  return SignedInResponse(201, *s);
}

core::Result<Response> AccountsApi::StartTotp(Request& req) {
  auto auth = Auth(req);
  if (!auth) return core::Fail(auth.error());
  auto body = JsonBody::Parse(req);
  if (!body) return core::Fail(body.error());
  auto password = body->String("password", kMaxPasswordInput);
  if (!password) return core::Fail(password.error());
  auto e = accounts_.StartTotp(auth->ctx, *password);
  if (!e) return core::Fail(e.error());
  boost::json::object o;
  o["secret"] = e->secret_base32;
  o["otpauth_uri"] = e->otpauth_uri;
  o["qr_svg"] = QrSvg(e->otpauth_uri);
  return Response::Json(200, boost::json::serialize(o));
}

core::Result<Response> AccountsApi::ConfirmTotp(Request& req) {
  auto auth = Auth(req);
  if (!auth) return core::Fail(auth.error());
  auto body = JsonBody::Parse(req);
  if (!body) return core::Fail(body.error());
  auto code = body->String("code", kMaxCode);
  if (!code) return core::Fail(code.error());
  auto codes = accounts_.ConfirmTotp(auth->ctx, *code);
  if (!codes) return core::Fail(codes.error());
  return CodesResponse(*codes);
}

core::Result<Response> AccountsApi::DisableTotp(Request& req) {
  auto auth = Auth(req);
  if (!auth) return core::Fail(auth.error());
  auto body = JsonBody::Parse(req);
  if (!body) return core::Fail(body.error());
  auto password = body->String("password", kMaxPasswordInput);
  if (!password) return core::Fail(password.error());
  auto code = body->String("code", kMaxCode);
  if (!code) return core::Fail(code.error());
  if (auto r = accounts_.DisableTotp(auth->ctx, *password, *code); !r) return core::Fail(r.error());
  return Response::NoContent();
}

core::Result<Response> AccountsApi::RegenerateCodes(Request& req) {
  auto auth = Auth(req);
  if (!auth) return core::Fail(auth.error());
  auto body = JsonBody::Parse(req);
  if (!body) return core::Fail(body.error());
  auto code = body->String("code", kMaxCode);
  if (!code) return core::Fail(code.error());
  auto codes = accounts_.RegenerateRecoveryCodes(auth->ctx, *code);
  if (!codes) return core::Fail(codes.error());
  return CodesResponse(*codes);
}

core::Result<Response> AccountsApi::DeleteMe(Request& req) {
  auto auth = Auth(req);
  if (!auth) return core::Fail(auth.error());
  auto body = JsonBody::Parse(req);
  if (!body) return core::Fail(body.error());
  auto password = body->String("password", kMaxPasswordInput);
  if (!password) return core::Fail(password.error());
  if (auto r = accounts_.DeleteAccount(auth->ctx, *password); !r) return core::Fail(r.error());
  Response res = Response::NoContent();
  res.headers.emplace_back("Set-Cookie", SessionCookie("", 0, options_.dev));
  return res;
}

core::Result<Response> AccountsApi::MyAudit(Request& req) {
  auto auth = Auth(req);
  if (!auth) return core::Fail(auth.error());
  std::string format;
  auto q = ParseAuditQuery(req, &format);
  if (!q) return core::Fail(q.error());
  auto events = accounts_.MyAudit(auth->ctx, *q);
  if (!events) return core::Fail(events.error());
  return AuditPage(*events, *q, format);
}

}  // namespace vault::http
