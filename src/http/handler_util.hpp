// Small helpers shared by the handler files: finishing a handler's result, paging query
// parameters, and rendering audit pages. Thread-safe (stateless).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <string>
#include <vector>

#include "app/account_service.hpp"
#include "core/blocking.hpp"
#include "core/encoding.hpp"
#include "core/security.hpp"
#include "http/message.hpp"
#include "http/problem.hpp"

namespace vault::http {

// A handler's result as the response: an error becomes problem+json. (Work that would block on
// a network thread is re-run by the server, which asks its NoBlockingScope, not the error.)
inline Response Finish(core::Result<Response> res, const Request& req) {
  return res ? std::move(*res) : Problem(res.error(), req.request_id);
}

// o with the account, the session (with its CSRF token) and the session token, and the session
// cookie: the answer of every request that signs somebody in.
Response SignedInResponse(int status, boost::json::object o, const app::SignedIn& s,
                          const std::string& csrf_token, bool dev);

// 204 with the session cookie cleared: the answer of signing out and of deleting the account.
Response SignedOutResponse(bool dev);

// A JSON response with the serialised value.
Response JsonOk(int status, const boost::json::value& v);

// 201 with a secret shown in this one response only (API keys, signing secrets): no cache may
// keep it (Cache-Control: no-store).
Response SecretResponse(const boost::json::object& o);

// Appends s as a JSON string literal (core/encoding.hpp), for the few hot responses written
// without building a boost::json value.
using core::AppendJsonString;

// ?limit=: 1..max, default when absent. Fails "validation.query" (field limit).
core::Result<int> QueryLimit(const Request& req, int fallback, int max);

// ?limit= and ?cursor= of a keyset-paged list (docs/api.md "Paging"), checked by the service
// after the caller's access.
app::PageRequest QueryPage(const Request& req);

// Reads limit, cursor, action, format into an AuditQuery; format is json, ndjson or csv.
core::Result<core::AuditQuery> ParseAuditQuery(const Request& req, std::string* format);

// Reads one page of audit events for a query (the caller's use case, which checks access).
using AuditReader =
    std::function<core::Result<std::vector<core::AuditEvent>>(const core::AuditQuery&)>;

// The answer to an audit query (docs/api.md "Audit"): format json → one page with next_cursor;
// csv or ndjson with ?limit= → that page with X-Next-Cursor; csv or ndjson without ?limit= →
// every matching event from the cursor (or the newest) on, streamed in pages of kExportPage.
// `read` must own what it uses (it runs after the handler returned). Fails as `read`'s first
// call.
core::Result<Response> AuditAnswer(const Request& req, const core::AuditQuery& query,
                                   const std::string& format, AuditReader read);

}  // namespace vault::http
