// JSON renderings of API objects. Pure; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "core/account.hpp"
#include "core/security.hpp"

namespace vault::http {

// null for an empty string.
boost::json::value StringOrNull(const std::string& s);

// mfa_enabled is rendered when known (the caller's own account).
boost::json::object RenderAccount(const core::Account& a, std::optional<bool> mfa_enabled = {});
boost::json::object RenderAuditEvent(const core::AuditEvent& e);
// One CSV line (RFC 4180 quoting; cells that a spreadsheet would run as a formula are prefixed
// with an apostrophe).
std::string AuditCsvLine(const core::AuditEvent& e);
std::string AuditCsvHeader();
// csrf_token is included when non-empty; current marks the caller's own session.
boost::json::object RenderSession(const core::Session& s, bool current,
                                  const std::string& csrf_token);

}  // namespace vault::http
