#include "http/render.hpp"

#include <boost/json.hpp>

#include "http/handler_util.hpp"
#include "http/qr_svg.hpp"
#include "http/workspace_json.hpp"

namespace vault::http {

boost::json::value StringOrNull(const std::string& s) {
  return s.empty() ? boost::json::value(nullptr) : boost::json::value(s);
}

boost::json::value TimeOrNull(core::Timestamp t) {
  return t ? boost::json::value(core::FormatRfc3339(t)) : boost::json::value(nullptr);
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

std::string RenderAccountText(const core::Account& a, std::optional<bool> mfa_enabled) {
  std::string out;
  out.reserve(256 + a.email.size() + a.name.size());
  auto field = [&out](const char* name, std::string_view value) {
    out += out.empty() ? "{\"" : ",\"";
    out += name;
    out += "\":";
    AppendJsonString(out, value);
  };
  field("id", a.id);
  field("email", a.email);
  field("name", a.name);
  field("locale", a.locale);
  field("time_zone", a.time_zone);
  out += a.email_verified ? ",\"email_verified\":true" : ",\"email_verified\":false";
  field("created_at", core::FormatRfc3339(a.created_at));
  field("updated_at", core::FormatRfc3339(a.updated_at));
  if (a.last_sign_in_at) field("last_sign_in_at", core::FormatRfc3339(a.last_sign_in_at));
  if (mfa_enabled) out += *mfa_enabled ? ",\"mfa_enabled\":true" : ",\"mfa_enabled\":false";
  if (a.super_admin) out += ",\"super_admin\":true";
  out += '}';
  return out;
}

boost::json::object RenderAdminAccount(const core::Account& a) {
  boost::json::object o = RenderAccount(a);
  o["disabled"] = a.disabled;
  return o;
}

boost::json::object RenderOutboxMail(const core::OutboxMail& m) {
  boost::json::object o;
  o["id"] = m.id;
  o["recipient"] = m.recipient;
  o["state"] = core::MailStateName(m.state);
  o["attempts"] = m.attempts;
  o["last_error"] = StringOrNull(m.last_error);
  o["created_at"] = core::FormatRfc3339(m.created_at);
  o["next_attempt_at"] = core::FormatRfc3339(m.next_attempt_at);
  return o;
}

boost::json::object RenderAccountDetail(const app::AccountDetail& d) {
  boost::json::object o = RenderAdminAccount(d.account);
  boost::json::array ws;
  for (const auto& card : d.workspaces)
    ws.push_back(RenderWorkspace(card.workspace, card.role, card.has_logo));
  o["workspaces"] = std::move(ws);
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

boost::json::object RenderSessions(const std::vector<core::Session>& sessions,
                                   const std::string& current_id) {
  boost::json::array items;
  for (const auto& s : sessions) items.push_back(RenderSession(s, s.id == current_id, ""));
  boost::json::object o;
  o["items"] = std::move(items);
  return o;
}

boost::json::object RenderMfaChallenge(const std::string& mfa_token, core::Timestamp expires_in) {
  boost::json::object o;
  o["mfa_required"] = true;
  o["mfa_token"] = mfa_token;
  o["expires_in"] = expires_in;
  return o;
}

boost::json::object RenderTotpEnrolment(const app::TotpEnrolment& e) {
  boost::json::object o;
  o["secret"] = e.secret_base32;
  o["otpauth_uri"] = e.otpauth_uri;
  o["qr_svg"] = QrSvg(e.otpauth_uri);
  return o;
}

boost::json::object RenderRecoveryCodes(const std::vector<std::string>& codes) {
  boost::json::array arr;
  for (const auto& c : codes) arr.emplace_back(c);
  boost::json::object o;
  o["recovery_codes"] = std::move(arr);
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

boost::json::object RenderPersonalData(const app::PersonalData& d,
                                       const std::string& current_session) {
  boost::json::object o;
  o["format"] = "atomyx-vault-personal-data/1";
  o["exported_at"] = core::FormatRfc3339(d.exported_at);
  o["account"] = RenderAccount(d.account, d.mfa_enabled);
  o["sessions"] = RenderSessions(d.sessions, current_session)["items"];
  boost::json::array workspaces, invitations, activity;
  for (const auto& card : d.workspaces)
    workspaces.push_back(RenderWorkspace(card.workspace, card.role, card.has_logo));
  for (const auto& i : d.invitations) invitations.push_back(RenderInvitation(i));
  for (const auto& e : d.activity) activity.push_back(RenderAuditEvent(e));
  o["workspaces"] = std::move(workspaces);
  o["invitations"] = std::move(invitations);
  o["activity"] = std::move(activity);
  o["activity_truncated"] = d.activity_truncated;
  return o;
}

}  // namespace vault::http
