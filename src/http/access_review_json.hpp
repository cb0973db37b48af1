// Renderings of the access review (GET /api/v1/workspaces/{ws}/access-review): a row as JSON
// (the JSON pages and NDJSON lines) and as a CSV line. Pure; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "app/access_review.hpp"

namespace vault::http {

// {account_id, email, name, workspace_role, last_sign_in_at (or null), mfa_enabled, disabled,
//  product_id, product_name, product_shortname, product_type, product_type_name,
//  effective_role (or null), allowed, reason, sources:[{type:"direct", role} |
//  {type:"group", group_id, group_name, role}]}.
boost::json::object RenderReviewRow(const app::AccessReviewRow& row);

// The CSV header line and one row's line (RFC 4180, CRLF, formula cells neutralised); the
// sources cell lists "direct:<role>" and "group:<name>:<role>" joined by "; ".
std::string ReviewCsvHeader();
std::string ReviewCsvLine(const app::AccessReviewRow& row);

}  // namespace vault::http
