// http::BasicCredentials, the client_secret_basic parser of the token and introspection
// endpoints and of the product-facing API: credentials encoded as a client sends them (standard
// base64, padded) come back exactly, the user part never holds a ':', and a header that is not
// "Basic " + base64 of "user:password" is refused.
#include "http/basic_credentials.hpp"

#include <cstdint>
#include <string>

#include "fuzz_util.hpp"

namespace {

std::optional<std::pair<std::string, std::string>> Parse(std::string header) {
  vault::http::Request req;
  req.headers.emplace_back("authorization", std::move(header));
  return vault::http::BasicCredentials(req);
}

// RFC 7617 / RFC 4648 §4: standard alphabet, padded, as curl and every client send it.
std::string StandardBase64(std::string_view bytes) {
  std::string s = vault::core::Base64Url(bytes);
  for (char& c : s) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (s.size() % 4 != 0) s += '=';
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = vault::fuzz::AsText(data, size);

  // The input as a header value after "Basic ".
  if (auto creds = Parse("Basic " + std::string(text))) {
    FUZZ_CHECK(creds->first.find(':') == std::string::npos);
    // What was accepted is what a client would have encoded (modulo padding and alphabet).
    auto again = Parse("Basic " + StandardBase64(creds->first + ":" + creds->second));
    FUZZ_CHECK(again == creds);
  }
  FUZZ_CHECK(!Parse("Bearer " + std::string(text)));
  FUZZ_CHECK(!Parse(std::string(text.substr(0, text.find(' ')))));  // no scheme

  // The input as the credentials themselves, split at the first ':' (RFC 7617 §2: the user id
  // holds none, the password may).
  auto colon = text.find(':');
  if (colon != std::string_view::npos) {
    auto creds = Parse("Basic " + StandardBase64(text));
    FUZZ_CHECK(creds);
    FUZZ_CHECK(creds->first == text.substr(0, colon));
    FUZZ_CHECK(creds->second == text.substr(colon + 1));
  } else {
    FUZZ_CHECK(!Parse("Basic " + StandardBase64(text)));
  }
  return 0;
}
