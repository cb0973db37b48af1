#include "http/render.hpp"

#include <boost/json.hpp>

namespace vault::http {

boost::json::object RenderAccount(const core::Account& a) {
  boost::json::object o;
  o["id"] = a.id;
  o["email"] = a.email;
  o["name"] = a.name;
  o["locale"] = a.locale;
  o["time_zone"] = a.time_zone;
  o["email_verified"] = a.email_verified;
  o["created_at"] = core::FormatRfc3339(a.created_at);
  o["updated_at"] = core::FormatRfc3339(a.updated_at);
  return o;
}

boost::json::object RenderSession(const core::Session& s, bool current, const std::string& csrf_token) {
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

}  // namespace vault::http
