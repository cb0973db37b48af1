// Handlers for the second factor, the caller's own audit trail and account deletion
// (SPEC §13 "2FA", "sessions/mfa", "me/audit", "DELETE /me").
#include <boost/json.hpp>

#include "http/accounts_api.hpp"
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

core::Error BadQuery(const char* field, std::string detail) {
  return core::Error{core::Code::kInvalidArgument, "validation.query", field, std::move(detail)};
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
  auto e = accounts_.StartTotp(auth->ctx);
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
  res.headers.emplace_back("Set-Cookie", SessionCookie("", 0));
  return res;
}

core::Result<Response> AccountsApi::MyAudit(Request& req) {
  auto auth = Auth(req);
  if (!auth) return core::Fail(auth.error());
  core::AuditQuery q;
  if (auto limit = req.Query("limit")) {
    char* end = nullptr;
    long n = std::strtol(limit->c_str(), &end, 10);
    if (limit->empty() || *end != '\0' || n < 1 || n > 1000)
      return core::Fail(BadQuery("limit", "limit must be a whole number from 1 to 1000"));
    q.limit = static_cast<int>(n);
  }
  if (auto cursor = req.Query("cursor")) {
    char* end = nullptr;
    long long n = std::strtoll(cursor->c_str(), &end, 10);
    if (cursor->empty() || *end != '\0' || n < 1)
      return core::Fail(BadQuery("cursor", "cursor must be a next_cursor from an earlier page"));
    q.before_seq = n;
  }
  if (auto action = req.Query("action")) {
    if (action->size() > 100) return core::Fail(BadQuery("action", "action is too long"));
    q.action = *action;
  }
  std::string format = req.Query("format").value_or("json");
  if (format != "json" && format != "ndjson" && format != "csv")
    return core::Fail(BadQuery("format", "format must be json, ndjson or csv"));
  auto events = accounts_.MyAudit(auth->ctx, q);
  if (!events) return core::Fail(events.error());
  std::string next = events->size() == static_cast<std::size_t>(q.limit)
                         ? std::to_string(events->back().seq)
                         : std::string();
  Response res;
  if (format == "json") {
    boost::json::array items;
    for (const auto& e : *events) items.push_back(RenderAuditEvent(e));
    boost::json::object o;
    o["items"] = std::move(items);
    o["next_cursor"] = next.empty() ? boost::json::value(nullptr) : boost::json::value(next);
    res = Response::Json(200, boost::json::serialize(o));
  } else if (format == "ndjson") {
    for (const auto& e : *events) res.body += boost::json::serialize(RenderAuditEvent(e)) + "\n";
    res.content_type = "application/x-ndjson";
  } else {
    res.body = AuditCsvHeader();
    for (const auto& e : *events) res.body += AuditCsvLine(e);
    res.content_type = "text/csv; charset=utf-8";
  }
  if (!next.empty()) res.headers.emplace_back("X-Next-Cursor", next);
  return res;
}

}  // namespace vault::http
