#include "http/basic_credentials.hpp"

#include "core/encoding.hpp"

namespace vault::http {

std::optional<std::pair<std::string, std::string>> BasicCredentials(const Request& req) {
  const std::string* h = req.Header("authorization");
  if (!h || h->rfind("Basic ", 0) != 0) return std::nullopt;
  std::string b64 = h->substr(6);
  for (auto& c : b64) {  // standard base64 → base64url, padding dropped
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  auto raw = core::Base64UrlDecode(b64);
  if (!raw) return std::nullopt;
  auto colon = raw->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return std::make_pair(raw->substr(0, colon), raw->substr(colon + 1));
}

}  // namespace vault::http
