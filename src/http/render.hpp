// JSON renderings of API objects. Pure; thread-safe.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/account_service.hpp"
#include "app/mfa_service.hpp"
#include "app/paging.hpp"
#include "app/platform_service.hpp"
#include "app/profile_service.hpp"
#include "core/account.hpp"
#include "core/security.hpp"

namespace vault::http {

// null for an empty string.
boost::json::value StringOrNull(const std::string& s);
// RFC 3339, or null for 0 (no such time).
boost::json::value TimeOrNull(core::Timestamp t);

// mfa_enabled is rendered when known (the caller's own account).
boost::json::object RenderAccount(const core::Account& a, std::optional<bool> mfa_enabled = {});
// The same object serialized, written directly without a JSON value (GET /api/v1/me answers
// every page of the console and every script's identity probe).
std::string RenderAccountText(const core::Account& a, std::optional<bool> mfa_enabled = {});
boost::json::object RenderAuditEvent(const core::AuditEvent& e);
// One quoted CSV cell (RFC 4180): a cell a spreadsheet would run as a formula (starting with
// = + - @, a tab or a carriage return) is prefixed with an apostrophe.
std::string CsvCell(const std::string& v);
// One CSV line (RFC 4180 quoting; cells that a spreadsheet would run as a formula are prefixed
// with an apostrophe).
std::string AuditCsvLine(const core::AuditEvent& e);
std::string AuditCsvHeader();
// csrf_token is included when non-empty; current marks the caller's own session.
boost::json::object RenderSession(const core::Session& s, bool current,
                                  const std::string& csrf_token);
// {items:[session…]}, current_id marking the caller's own.
boost::json::object RenderSessions(const std::vector<core::Session>& sessions,
                                   const std::string& current_id);

// An account as the Super Admin sees it (with disabled), alone and with its workspaces.
// The self-service export (GET /api/v1/me/export): no secret, token or hash in it.
boost::json::object RenderPersonalData(const app::PersonalData& d,
                                       const std::string& current_session);
boost::json::object RenderAdminAccount(const core::Account& a);
// A row of the mail outbox as the Super Admin sees it: id, recipient, state, attempts,
// last_error, created_at, next_attempt_at; never the sealed message.
boost::json::object RenderOutboxMail(const core::OutboxMail& m);
boost::json::object RenderAccountDetail(const app::AccountDetail& d);

// The answer of a sign-in that needs the second factor.
boost::json::object RenderMfaChallenge(const std::string& mfa_token, core::Timestamp expires_in);
// A TOTP enrolment: the secret, its otpauth URI and that URI as a QR code (SVG).
boost::json::object RenderTotpEnrolment(const app::TotpEnrolment& e);
// {recovery_codes:[…]}: shown once, when made.
boost::json::object RenderRecoveryCodes(const std::vector<std::string>& codes);

// {items:[render(item)…]}: a whole list.
template <typename T, typename Render>
boost::json::object RenderItems(const std::vector<T>& items, Render render) {
  boost::json::array out;
  for (const auto& item : items) out.push_back(render(item));
  return boost::json::object{{"items", std::move(out)}};
}

// {items:[render(item)…], next_cursor}: a page of a keyset-paged list (null on the last page).
template <typename T, typename Render>
boost::json::object RenderPaged(const app::Paged<T>& page, Render render) {
  boost::json::object o = RenderItems(page.items, render);
  o["next_cursor"] =
      page.next_cursor.empty() ? boost::json::value(nullptr) : boost::json::value(page.next_cursor);
  return o;
}

// The cursor of a list paged by id.
template <typename T>
std::string IdOf(const T& item) {
  return item.id;
}

// {items:[render(item)…], next_cursor}: one page of a keyset-paged list. next_cursor is the
// cursor of the last item when the page is full (there may be more), else null.
template <typename T, typename Render, typename Cursor>
boost::json::object RenderPage(const std::vector<T>& items, std::size_t limit, Render render,
                               Cursor cursor) {
  boost::json::object o = RenderItems(items, render);
  o["next_cursor"] = items.size() == limit ? boost::json::value(cursor(items.back()))
                                           : boost::json::value(nullptr);
  return o;
}

}  // namespace vault::http
