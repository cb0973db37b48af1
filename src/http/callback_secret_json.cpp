#include "http/callback_secret_json.hpp"

#include <boost/json.hpp>

#include "http/render.hpp"

namespace vault::http {

boost::json::object RenderCallbackSecret(const core::CallbackSecret& s, core::Timestamp now) {
  return boost::json::object{{"id", s.id},
                             {"workspace_id", s.workspace_id},
                             {"product_id", s.product_id},
                             {"label", StringOrNull(s.label)},
                             {"last_four", s.last_four},
                             {"state", core::CallbackSecretStateName(core::StateOf(s, now))},
                             {"created_by", s.created_by},
                             {"created_at", core::FormatRfc3339(s.created_at)},
                             {"expires_at", TimeOrNull(s.expires_at)},
                             {"revoked_at", TimeOrNull(s.revoked_at)},
                             {"replaced_by", StringOrNull(s.replaced_by)}};
}

boost::json::object RenderIssuedCallbackSecret(const app::IssuedCallbackSecret& issued,
                                               core::Timestamp now) {
  boost::json::object o = RenderCallbackSecret(issued.secret, now);
  o["secret"] = issued.text;
  return o;
}

boost::json::object RenderRolledCallbackSecret(const app::RolledCallbackSecret& rolled,
                                               core::Timestamp now) {
  boost::json::object o = RenderIssuedCallbackSecret(rolled.issued, now);
  o["previous"] = RenderCallbackSecret(rolled.previous, now);
  return o;
}

boost::json::object RenderSignedCallback(const app::SignedCallback& sc) {
  std::string header;
  boost::json::array ids;
  for (const auto& s : sc.signatures) {
    if (!header.empty()) header += ' ';
    header += "v1=" + s.hex;
    ids.emplace_back(s.secret_id);
  }
  return boost::json::object{
      {"headers", boost::json::object{{"X-Atomyx-Timestamp", std::to_string(sc.timestamp)},
                                      {"X-Atomyx-Signature", header}}},
      {"timestamp", sc.timestamp},
      {"secret_ids", std::move(ids)}};
}

boost::json::object RenderCallbackVerdict(const app::CallbackVerdict& v) {
  return boost::json::object{{"valid", v.valid},
                             {"secret_id", StringOrNull(v.secret_id)},
                             {"reason", StringOrNull(v.reason)}};
}

}  // namespace vault::http
