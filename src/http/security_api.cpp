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

core::Result<Response> AccountsApi::CompleteMfa(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
  VAULT_ASSIGN_OR_RETURN(auto token, body.String("mfa_token", kMaxToken));
  VAULT_ASSIGN_OR_RETURN(auto code, body.OptString("code", kMaxCode));
  VAULT_ASSIGN_OR_RETURN(auto recovery, body.OptString("recovery_code", kMaxCode));
  VAULT_ASSIGN_OR_RETURN(auto s, accounts_.CompleteMfa(token, code.value_or(""),
                                                       recovery.value_or(""), ClientOf(c.req)));
  return SignedInResponse(201, s);
}

core::Result<Response> AccountsApi::StartTotp(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
  VAULT_ASSIGN_OR_RETURN(auto password, body.String("password", kMaxPasswordInput));
  VAULT_ASSIGN_OR_RETURN(auto e, accounts_.StartTotp(c.ctx, password));
  boost::json::object o;
  o["secret"] = e.secret_base32;
  o["otpauth_uri"] = e.otpauth_uri;
  o["qr_svg"] = QrSvg(e.otpauth_uri);
  return Response::Json(200, boost::json::serialize(o));
}

core::Result<Response> AccountsApi::ConfirmTotp(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
  VAULT_ASSIGN_OR_RETURN(auto code, body.String("code", kMaxCode));
  VAULT_ASSIGN_OR_RETURN(auto codes, accounts_.ConfirmTotp(c.ctx, code));
  return CodesResponse(codes);
}

core::Result<Response> AccountsApi::DisableTotp(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
  VAULT_ASSIGN_OR_RETURN(auto password, body.String("password", kMaxPasswordInput));
  VAULT_ASSIGN_OR_RETURN(auto code, body.String("code", kMaxCode));
  VAULT_TRY(accounts_.DisableTotp(c.ctx, password, code));
  return Response::NoContent();
}

core::Result<Response> AccountsApi::RegenerateCodes(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
  VAULT_ASSIGN_OR_RETURN(auto code, body.String("code", kMaxCode));
  VAULT_ASSIGN_OR_RETURN(auto codes, accounts_.RegenerateRecoveryCodes(c.ctx, code));
  return CodesResponse(codes);
}

core::Result<Response> AccountsApi::DeleteMe(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
  VAULT_ASSIGN_OR_RETURN(auto password, body.String("password", kMaxPasswordInput));
  VAULT_TRY(accounts_.DeleteAccount(c.ctx, password));
  Response res = Response::NoContent();
  res.headers.emplace_back("Set-Cookie", SessionCookie("", 0, options_.dev));
  return res;
}

core::Result<Response> AccountsApi::MyAudit(Call& c) {
  std::string format;
  VAULT_ASSIGN_OR_RETURN(auto q, ParseAuditQuery(c.req, &format));
  VAULT_ASSIGN_OR_RETURN(auto events, accounts_.MyAudit(c.ctx, q));
  return AuditPage(events, q, format);
}

}  // namespace vault::http
