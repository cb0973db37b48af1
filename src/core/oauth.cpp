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

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// RFC 3986 §2.3 unreserved and §2.2 sub-delims.
bool IsUnreservedOrSubDelim(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("-._~!$&'()*+,;=").find(c) != std::string_view::npos;
}

// Whether s is made of unreserved, sub-delims, the characters of `extra` and well-formed
// percent-escapes ("%" HEXDIG HEXDIG).
bool AllUriChars(std::string_view s, std::string_view extra) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size() || !IsHex(s[i + 1]) || !IsHex(s[i + 2])) return false;
      i += 2;
    } else if (!IsUnreservedOrSubDelim(s[i]) && extra.find(s[i]) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// RFC 4291 §2.2 text form: eight groups of 1-4 hex digits, "::" once for a run of zero groups,
// the last two groups possibly a dotted IPv4 address. No zone id (RFC 3986 has none).
bool IsIpv6(std::string_view s) {
  auto dots = std::count(s.begin(), s.end(), '.');
  int groups = 0;
  bool elided = false;
  if (s.starts_with("::")) {
    elided = true;
    s.remove_prefix(2);
  }
  while (!s.empty()) {
    auto colon = s.find(':');
    std::string_view g = s.substr(0, colon);
    if (colon == std::string_view::npos && dots == 3) {  // trailing IPv4 address
      int parts = 0;
      for (std::size_t i = 0; i <= g.size(); ++parts) {
        auto dot = std::min(g.find('.', i), g.size());
        std::string_view p = g.substr(i, dot - i);
        if (p.empty() || p.size() > 3 || (p.size() > 1 && p[0] == '0') ||
            !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
            std::stoi(std::string(p)) > 255)
          return false;
        i = dot + 1;
      }
      if (parts != 4) return false;
      groups += 2;
      break;
    }
    if (g.empty() || g.size() > 4 || !std::all_of(g.begin(), g.end(), IsHex)) return false;
    ++groups;
    if (colon == std::string_view::npos) break;
    s.remove_prefix(colon + 1);
    if (s.starts_with(':')) {  // "::" inside
      if (elided) return false;
      elided = true;
      s.remove_prefix(1);
    } else if (s.empty()) {
      return false;  // a trailing single ':'
    }
  }
  return elided ? groups <= 7 : groups == 8;
}

// The host of an authority ("host", "host:port", "[v6]:port") in RFC 3986 syntax: an IPv6
// literal or a reg-name (an IPv4 address is one); empty when malformed.
std::string HostOf(std::string_view authority) {
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos || !IsIpv6(authority.substr(1, close - 1))) return {};
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return {};
    return std::string(authority.substr(0, close + 1));
  }
  std::string_view host = authority.substr(0, authority.find(':'));
  if (!AllUriChars(host, "")) return {};
  return std::string(host);
}

// No port, or ":" and 1-65535 (at most five digits): one colon after the host, none inside it.
bool ValidPort(std::string_view authority) {
  auto close = authority.starts_with('[') ? authority.find(']') : std::string_view::npos;
  auto colon = authority.find(':', close == std::string_view::npos ? 0 : close);
  if (colon == std::string_view::npos) return true;
  std::string_view port = authority.substr(colon + 1);
  if (port.empty() || port.size() > 5) return false;
  if (!std::all_of(port.begin(), port.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return false;
  int n = std::stoi(std::string(port));
  return n >= 1 && n <= 65535;
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
    return Fail(BadUri(field, "a redirect URI needs a host (and a port of 1-65535)"));
  // Path and query: RFC 3986 pchar, '/' and '?', so the URI is one a browser and the client's
  // own exact comparison read alike (no '\', '<', '"', '{', stray '%' and the like).
  if (!AllUriChars(rest.substr(authority.size()), ":@/?"))
    return Fail(BadUri(field,
                       "a redirect URI's path and query take RFC 3986 characters only "
                       "(percent-encode the others)"));
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
  static const std::vector<std::string> scopes = {"keys:verify", "access:check", "callbacks:sign"};
  return scopes;
}

}  // namespace vault::core
