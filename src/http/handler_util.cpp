#include "http/handler_util.hpp"

#include <boost/json.hpp>
#include <cstdlib>

#include "http/auth.hpp"
#include "http/log.hpp"
#include "http/render.hpp"
#include "http/streamed_export.hpp"

namespace vault::http {
namespace {

core::Error BadQuery(const char* field, std::string detail) {
  return core::Error{core::Code::kInvalidArgument, "validation.query", field, std::move(detail)};
}

}  // namespace

Response SignedInResponse(int status, boost::json::object o, const app::SignedIn& s,
                          const std::string& csrf_token, bool dev) {
  o["account"] = RenderAccount(s.account);
  o["session"] = RenderSession(s.session, true, csrf_token);
  o["session_token"] = s.token;
  Response r = JsonOk(status, o);
  r.headers.emplace_back("Set-Cookie",
                         SessionCookie(s.token, s.session.expires_at - s.session.created_at, dev));
  return r;
}

Response SignedOutResponse(bool dev) {
  Response res = Response::NoContent();
  res.headers.emplace_back("Set-Cookie", SessionCookie("", 0, dev));
  return res;
}

Response JsonOk(int status, const boost::json::value& v) {
  return Response::Json(status, boost::json::serialize(v));
}

Response SecretResponse(const boost::json::object& o) {
  Response r = JsonOk(201, o);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

core::Result<int> QueryLimit(const Request& req, int fallback, int max) {
  auto limit = req.Query("limit");
  if (!limit) return fallback;
  char* end = nullptr;
  long n = std::strtol(limit->c_str(), &end, 10);
  if (limit->empty() || *end != '\0' || n < 1 || n > max)
    return core::Fail(
        BadQuery("limit", "limit must be a whole number from 1 to " + std::to_string(max)));
  return static_cast<int>(n);
}

app::PageRequest QueryPage(const Request& req) {
  return app::PageRequest{req.Query("limit"), req.Query("cursor").value_or("")};
}

core::Result<core::AuditQuery> ParseAuditQuery(const Request& req, std::string* format) {
  core::AuditQuery q;
  VAULT_ASSIGN_OR_RETURN(auto limit, QueryLimit(req, 50, 1000));
  q.limit = limit;
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
  for (auto [name, field] : {std::pair{"actor", &q.actor_id}, std::pair{"target", &q.target_id}})
    if (auto v = req.Query(name)) {
      if (v->empty() || v->size() > 100)
        return core::Fail(
            BadQuery(name, std::string(name) + " must be an id of 1 to 100 characters"));
      *field = *v;
    }
  for (auto [name, field] : {std::pair{"from", &q.from}, std::pair{"to", &q.to}})
    if (auto v = req.Query(name)) {
      auto t = core::ParseRfc3339(*v);
      if (!t || *t <= 0)
        return core::Fail(BadQuery(
            name, std::string(name) + " must be an RFC 3339 time, e.g. 2026-11-29T12:00:00Z"));
      *field = *t;
    }
  if (q.from > 0 && q.to > 0 && q.to <= q.from)
    return core::Fail(BadQuery("to", "to must be later than from"));
  *format = req.Query("format").value_or("json");
  if (*format != "json" && *format != "ndjson" && *format != "csv")
    return core::Fail(BadQuery("format", "format must be json, ndjson or csv"));
  return q;
}

core::Result<Response> AuditAnswer(const Request& req, const core::AuditQuery& query,
                                   const std::string& format, AuditReader read) {
  const bool ndjson = format == "ndjson";
  const char* type = ndjson ? "application/x-ndjson" : "text/csv; charset=utf-8";
  auto append = [ndjson](std::string& out, const core::AuditEvent& e) {
    if (ndjson)
      out += boost::json::serialize(RenderAuditEvent(e)) + "\n";
    else
      out += AuditCsvLine(e);
  };
  if (format != "json" && !req.Query("limit"))
    return StreamedExport<core::AuditEvent>(
        type, ndjson ? "" : AuditCsvHeader(),
        [read = std::move(read), query](const core::AuditEvent* last) {
          core::AuditQuery q = query;
          q.limit = static_cast<int>(kExportPage);
          if (last) q.before_seq = last->seq;  // keyset: seq descending
          return read(q);
        },
        append);
  VAULT_ASSIGN_OR_RETURN(auto events, read(query));
  if (format == "json")
    return JsonOk(200, RenderPage(events, static_cast<std::size_t>(query.limit), RenderAuditEvent,
                                  [](const core::AuditEvent& e) { return std::to_string(e.seq); }));
  Response res;
  res.content_type = type;
  if (!ndjson) res.body = AuditCsvHeader();
  for (const auto& e : events) append(res.body, e);
  if (events.size() == static_cast<std::size_t>(query.limit))
    res.headers.emplace_back("X-Next-Cursor", std::to_string(events.back().seq));
  return res;
}

}  // namespace vault::http
