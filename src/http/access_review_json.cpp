#include "http/access_review_json.hpp"

#include "http/render.hpp"

namespace vault::http {

boost::json::object RenderReviewRow(const app::AccessReviewRow& row) {
  boost::json::array sources;
  for (const auto& s : row.sources) {
    boost::json::object o{{"type", s.type}, {"role", s.role}};
    if (s.type == "group") {
      o["group_id"] = s.group_id;
      o["group_name"] = s.group_name;
    }
    sources.push_back(std::move(o));
  }
  const auto& a = row.account;
  return {{"account_id", a.id},
          {"email", a.email},
          {"name", a.name},
          {"workspace_role", std::string(core::RoleName(row.workspace_role))},
          {"last_sign_in_at", a.last_sign_in_at
                                  ? boost::json::value(core::FormatRfc3339(a.last_sign_in_at))
                                  : boost::json::value(nullptr)},
          {"mfa_enabled", row.mfa_enabled},
          {"disabled", row.disabled},
          {"product_id", row.product.id},
          {"product_name", row.product.name},
          {"product_shortname", row.product.shortname},
          {"product_type", row.type_key},
          {"product_type_name", row.type_name},
          {"effective_role", StringOrNull(row.decision.role)},
          {"allowed", row.decision.allowed},
          {"reason", row.decision.reason},
          {"sources", std::move(sources)}};
}

std::string ReviewCsvHeader() {
  return "account_id,email,name,workspace_role,last_sign_in_at,mfa_enabled,disabled,product_id,"
         "product_name,product_type,effective_role,reason,sources\r\n";
}

std::string ReviewCsvLine(const app::AccessReviewRow& row) {
  std::string sources;
  for (const auto& s : row.sources) {
    if (!sources.empty()) sources += "; ";
    sources += s.type == "group" ? "group:" + s.group_name + ":" + s.role : "direct:" + s.role;
  }
  const auto& a = row.account;
  std::string out;
  for (const std::string& v :
       {a.id, a.email, a.name, std::string(core::RoleName(row.workspace_role)),
        a.last_sign_in_at ? core::FormatRfc3339(a.last_sign_in_at) : std::string(),
        std::string(row.mfa_enabled ? "true" : "false"),
        std::string(row.disabled ? "true" : "false"), row.product.id, row.product.name,
        row.type_key, row.decision.role, row.decision.reason, sources}) {
    if (!out.empty()) out += ',';
    out += CsvCell(v);
  }
  return out + "\r\n";
}

}  // namespace vault::http
