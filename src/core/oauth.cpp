#include "core/oauth.hpp"

#include <algorithm>
#include <cctype>

namespace vault::core {

namespace {

Error BadUri(std::string field, std::string detail) {
  return Error{Code::kInvalidArgument, "validation.redirect_uri", std::move(field),
               std::move(detail)};
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The host of an authority ("host", "host:port", "[v6]:port"); empty when malformed.
std::string HostOf(std::string_view authority) {
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return {};
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return {};
    return std::string(authority.substr(0, close + 1));
  }
  return std::string(authority.substr(0, authority.find(':')));
}

bool ValidPort(std::string_view authority) {
  auto colon = authority.rfind(':');
  auto close = authority.rfind(']');
  if (colon == std::string_view::npos || (close != std::string_view::npos && colon < close))
    return true;
  std::string_view port = authority.substr(colon + 1);
  if (port.empty() || port.size() > 5) return false;
  return std::all_of(port.begin(), port.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) &&
         std::stoi(std::string(port)) <= 65535;
}

Result<void> CheckOne(std::string_view uri, const std::string& field) {
  if (uri.empty()) return Fail(BadUri(field, "a redirect URI may not be empty"));
  if (uri.size() > kMaxRedirectUriChars)
    return Fail(BadUri(field, "a redirect URI has at most 2000 characters"));
  for (char c : uri) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || u >= 0x80)
      return Fail(BadUri(field,
                         "a redirect URI may not hold spaces, control or non-ASCII "
                         "characters (percent-encode them)"));
  }
  if (uri.find('#') != std::string_view::npos)
    return Fail(BadUri(field, "a redirect URI may not have a fragment (RFC 6749 §3.1.2)"));
  auto sep = uri.find("://");
  if (sep == std::string_view::npos)
    return Fail(BadUri(field, "a redirect URI must be absolute (https://host/path)"));
  std::string scheme = Lower(uri.substr(0, sep));
  std::string_view rest = uri.substr(sep + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  if (authority.find('@') != std::string_view::npos)
    return Fail(BadUri(field, "a redirect URI may not carry user information"));
  std::string host = Lower(HostOf(authority));
  if (host.empty() || !ValidPort(authority))
    return Fail(BadUri(field, "a redirect URI needs a host (and a port of 1-65535 digits)"));
  if (scheme == "https") return {};
  // Plain http only where the traffic never leaves the machine (RFC 8252 §7.3 loopback).
  if (scheme == "http" && (host == "localhost" || host == "127.0.0.1" || host == "[::1]"))
    return {};
  return Fail(BadUri(field,
                     "a redirect URI must use https (http only for localhost, "
                     "127.0.0.1 or [::1])"));
}

}  // namespace

Result<void> ValidateRedirectUris(const std::vector<std::string>& uris, std::string_view field) {
  if (uris.size() > kMaxRedirectUris)
    return Fail(BadUri(std::string(field), "at most 10 redirect URIs"));
  for (std::size_t i = 0; i < uris.size(); ++i) {
    std::string name = std::string(field) + "[" + std::to_string(i) + "]";
    VAULT_TRY(CheckOne(uris[i], name));
    for (std::size_t j = 0; j < i; ++j)
      if (uris[j] == uris[i]) return Fail(BadUri(name, "this redirect URI is listed twice"));
  }
  return {};
}

const std::vector<std::string>& ClientCredentialScopes() {
  static const std::vector<std::string> scopes = {"keys:verify", "access:check"};
  return scopes;
}

}  // namespace vault::core
