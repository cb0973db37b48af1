// core::ValidateRedirectUris, the OAuth client's redirect URI rules (ADR 0010). The input is a
// list, one URI a line. Every accepted list is checked against the rules as written and against
// Boost.URL's RFC 3986 parser: each URI is an absolute URI with a host, no user info and no
// fragment, no whitespace, control or non-ASCII byte, a port (if any) of 1-65535, https or
// loopback http; at most ten, none twice.
#include <boost/url/parse.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "core/oauth.hpp"
#include "fuzz_util.hpp"

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

void CheckAccepted(const std::string& uri) {
  FUZZ_CHECK(!uri.empty() && uri.size() <= vault::core::kMaxRedirectUriChars);
  for (char c : uri) {
    auto u = static_cast<unsigned char>(c);
    FUZZ_CHECK(u > 0x20 && u < 0x7F);
  }
  auto url = boost::urls::parse_absolute_uri(uri);  // absolute-URI: no fragment by grammar
  if (!url) {
    std::fprintf(stderr, "accepted but not an RFC 3986 absolute URI: %s\n", uri.c_str());
    std::abort();
  }
  FUZZ_CHECK(url->has_authority() && !url->has_userinfo());
  FUZZ_CHECK(!url->encoded_host().empty());
  if (url->has_port()) {
    FUZZ_CHECK(!url->port().empty());
    FUZZ_CHECK(url->port_number() >= 1);  // 0 also when the digits overflow 16 bits
  }
  std::string scheme = Lower(url->scheme());
  std::string host = Lower(url->encoded_host_address());
  FUZZ_CHECK(scheme == "https" ||
             (scheme == "http" && (host == "localhost" || host == "127.0.0.1" || host == "::1")));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = vault::fuzz::AsText(data, size);
  std::vector<std::string> uris;
  while (!text.empty() && uris.size() <= vault::core::kMaxRedirectUris) {
    auto nl = text.find('\n');
    uris.emplace_back(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  auto all = vault::core::ValidateRedirectUris(uris, "redirect_uris");
  if (!all) {
    FUZZ_CHECK(all.error().id == "validation.redirect_uri");
    FUZZ_CHECK(all.error().field.starts_with("redirect_uris"));
    return 0;
  }
  FUZZ_CHECK(uris.size() <= vault::core::kMaxRedirectUris);
  for (std::size_t i = 0; i < uris.size(); ++i) {
    CheckAccepted(uris[i]);
    for (std::size_t j = 0; j < i; ++j) FUZZ_CHECK(uris[i] != uris[j]);
    // Each one alone is accepted too (no rule depends on its neighbours but duplicates).
    FUZZ_CHECK(vault::core::ValidateRedirectUris({uris[i]}, "redirect_uris").has_value());
  }
  return 0;
}
