// Reading and writing JWT claims for the OpenID Connect provider (ADR 0010): scopes, audiences,
// string claims and the person's profile claims by scope. Thread-safe (stateless).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "core/account.hpp"

namespace vault::oidc {

// Whether the space-separated `scope` holds `s`.
bool HasScope(const std::string& scope, std::string_view s);
// Whether `aud` (a string or an array of strings) names `who`.
bool Audience(const boost::json::object& claims, std::string_view who);
// The string claim `name`, or empty when absent or not a string.
std::string StringClaim(const boost::json::object& claims, const char* name);
// The person's claims by scope (OIDC Core §5.4): profile → name, locale, zoneinfo, updated_at;
// email → email, email_verified.
void AddProfileClaims(boost::json::object& claims, const core::Account& a,
                      const std::string& scope);
// The stored space-separated amr as the claim's array.
boost::json::array AmrOf(const std::string& amr);

}  // namespace vault::oidc
