#include "http/api_key_json.hpp"

#include <boost/json.hpp>

#include "core/api_key.hpp"
#include "http/handler_util.hpp"
#include "http/render.hpp"

namespace vault::http {
namespace {

boost::json::array Strings(const std::vector<std::string>& v) {
  boost::json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

}  // namespace

std::string RenderVerdict(const app::KeyVerdict& v, bool include_config) {
  std::string out;
  out.reserve(256 + v.name.size());
  if (!v.reason.empty()) {
    out = "{\"valid\":false,\"reason\":";
    AppendJsonString(out, v.reason);
    out += '}';
    return out;
  }
  auto field = [&out](const char* name, std::string_view value) {
    out += ",\"";
    out += name;
    out += "\":";
    AppendJsonString(out, value);
  };
  out = "{\"valid\":true";
  field("key_id", v.key_id);
  field("name", v.name);
  field("workspace_id", v.workspace_id);
  field("product_id", v.product_id);
  field("environment", core::EnvironmentName(v.environment));
  auto strings = [&out](const char* name, const std::vector<std::string>& values) {
    out += ",\"";
    out += name;
    out += "\":[";
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i) out += ',';
      AppendJsonString(out, values[i]);
    }
    out += ']';
  };
  strings("permissions", *v.permissions);
  if (v.expires_at) {
    field("expires_at", core::FormatRfc3339(v.expires_at));
  } else {
    out += ",\"expires_at\":null";
  }
  static const std::vector<std::string> kNone;  // a plan without features, or no plan
  strings("features", v.features ? *v.features : kNone);
  if (include_config && v.config) {
    out += ",\"config\":";
    out += *v.config;
  }
  out += '}';
  return out;
}

boost::json::object RenderKey(const core::ApiKey& k, core::Timestamp now) {
  std::string prefix =
      "avk_" + std::string(core::EnvironmentTag(k.environment)) + "_" + k.id.substr(3);
  return {{"id", k.id},
          {"name", k.name},
          {"workspace_id", k.workspace_id},
          {"product_id", k.product_id},
          {"environment", core::EnvironmentName(k.environment)},
          {"permissions", Strings(k.permissions)},
          {"allowed_ips", Strings(k.allowed_ips)},
          {"prefix", prefix},
          {"last_four", k.last_four},
          {"redacted", prefix + "_…" + k.last_four},
          {"status", core::ApiKeyStatus(k, now)},
          {"created_by", k.created_by},
          {"created_at", core::FormatRfc3339(k.created_at)},
          {"expires_at", TimeOrNull(k.expires_at)},
          {"revoked_at", TimeOrNull(k.revoked_at)},
          {"last_used_at", TimeOrNull(k.last_used_at)},
          {"last_used_ip", StringOrNull(k.last_used_ip)},
          {"rolled_from", StringOrNull(k.rolled_from)},
          {"replaced_by", StringOrNull(k.replaced_by)}};
}

boost::json::object RenderKeyPage(const app::KeyPage& page, core::Timestamp now) {
  boost::json::array items;
  for (const auto& k : page.items) items.push_back(RenderKey(k, now));
  return {{"items", std::move(items)}, {"next_cursor", StringOrNull(page.next_cursor)}};
}

boost::json::object RenderIssuedKey(const app::IssuedKey& issued, core::Timestamp now) {
  boost::json::object o = RenderKey(issued.key, now);
  o["key"] = issued.text;
  return o;
}

boost::json::object RenderRolledKey(const app::RolledKey& rolled, core::Timestamp now) {
  boost::json::object o = RenderIssuedKey(rolled.key, now);
  o["previous"] = RenderKey(rolled.old, now);
  return o;
}

}  // namespace vault::http
