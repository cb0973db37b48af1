#include "http/render.hpp"

#include <boost/json.hpp>

namespace vault::http {

boost::json::value StringOrNull(const std::string& s) {
  return s.empty() ? boost::json::value(nullptr) : boost::json::value(s);
}

boost::json::object RenderAccount(const core::Account& a, std::optional<bool> mfa_enabled) {
  boost::json::object o;
  o["id"] = a.id;
  o["email"] = a.email;
  o["name"] = a.name;
  o["locale"] = a.locale;
  o["time_zone"] = a.time_zone;
  o["email_verified"] = a.email_verified;
  o["created_at"] = core::FormatRfc3339(a.created_at);
  o["updated_at"] = core::FormatRfc3339(a.updated_at);
  if (a.last_sign_in_at) o["last_sign_in_at"] = core::FormatRfc3339(a.last_sign_in_at);
  if (mfa_enabled) o["mfa_enabled"] = *mfa_enabled;
  if (a.super_admin) o["super_admin"] = true;
  return o;
}

boost::json::object RenderSession(const core::Session& s, bool current,
                                  const std::string& csrf_token) {
  boost::json::object o;
  o["id"] = s.id;
  o["created_at"] = core::FormatRfc3339(s.created_at);
  o["last_seen_at"] = core::FormatRfc3339(s.last_seen_at);
  o["expires_at"] = core::FormatRfc3339(s.expires_at);
  o["ip"] = s.ip;
  o["user_agent"] = s.user_agent;
  o["current"] = current;
  if (!csrf_token.empty()) o["csrf_token"] = csrf_token;
  return o;
}

boost::json::object RenderAuditEvent(const core::AuditEvent& e) {
  boost::json::object o;
  o["id"] = e.id;
  o["seq"] = e.seq;
  o["occurred_at"] = core::FormatRfc3339(e.occurred_at);
  o["actor"] = {
      {"type", e.actor_type}, {"id", e.actor_id}, {"ip", e.ip}, {"user_agent", e.user_agent}};
  o["workspace_id"] =
      e.workspace_id.empty() ? boost::json::value(nullptr) : boost::json::value(e.workspace_id);
  o["action"] = e.action;
  o["target"] = {{"type", e.target_type}, {"id", e.target_id}};
  boost::system::error_code ec;
  boost::json::value summary = boost::json::parse(e.summary, ec);
  o["summary"] = ec ? boost::json::value(e.summary) : summary;
  o["hash"] = e.hash;
  return o;
}

namespace {
std::string CsvCell(const std::string& v) {
  std::string cell = v;
  if (!cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' ||
                        cell[0] == '\t' || cell[0] == '\r'))
    cell = "'" + cell;
  std::string out = "\"";
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}
}  // namespace

std::string AuditCsvHeader() {
  return "seq,id,occurred_at,actor_type,actor_id,ip,user_agent,workspace_id,action,target_type,"
         "target_id,summary\r\n";
}

std::string AuditCsvLine(const core::AuditEvent& e) {
  std::string out = std::to_string(e.seq);
  for (const std::string& v :
       {e.id, core::FormatRfc3339(e.occurred_at), e.actor_type, e.actor_id, e.ip, e.user_agent,
        e.workspace_id, e.action, e.target_type, e.target_id, e.summary})
    out += "," + CsvCell(v);
  return out + "\r\n";
}

}  // namespace vault::http
