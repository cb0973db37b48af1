#include "oidc/claims.hpp"

#include <boost/json.hpp>

#include "core/product.hpp"

namespace vault::oidc {

bool HasScope(const std::string& scope, std::string_view s) {
  for (const auto& w : core::SplitWords(scope))
    if (w == s) return true;
  return false;
}

bool Audience(const boost::json::object& claims, std::string_view who) {
  const auto* aud = claims.if_contains("aud");
  if (!aud) return false;
  if (aud->is_string()) return aud->get_string() == who;
  if (aud->is_array())
    for (const auto& a : aud->get_array())
      if (a.is_string() && a.get_string() == who) return true;
  return false;
}

std::string StringClaim(const boost::json::object& claims, const char* name) {
  const auto* v = claims.if_contains(name);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

void AddProfileClaims(boost::json::object& claims, const core::Account& a,
                      const std::string& scope) {
  if (HasScope(scope, "profile")) {
    claims["name"] = a.name;
    claims["locale"] = a.locale;
    claims["zoneinfo"] = a.time_zone;
    claims["updated_at"] = a.updated_at;
  }
  if (HasScope(scope, "email")) {
    claims["email"] = a.email;
    claims["email_verified"] = a.email_verified;
  }
}

boost::json::array AmrOf(const std::string& amr) {
  boost::json::array out;
  for (const auto& m : core::SplitWords(amr)) out.emplace_back(m);
  return out;
}

}  // namespace vault::oidc
