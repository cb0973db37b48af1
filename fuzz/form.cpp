// http::ParseForm, the application/x-www-form-urlencoded parser of the token and introspection
// endpoints, and Request::Query / BadQueryParam over the same syntax: every accepted name and
// value is valid UTF-8 (checked here by an independent decoder) without control characters,
// there is one pair per '&'-separated part, re-encoding the pairs parses to the same pairs, and
// the query checker refuses exactly what the form parser refuses.
#include <cstdint>
#include <string>

#include "fuzz_util.hpp"
#include "http/message.hpp"

namespace {

// Unicode 15 Table 3-7, written out independently of core::IsValidUtf8.
bool WellFormedUtf8(std::string_view s) {
  std::size_t i = 0;
  auto in = [&](std::size_t k, unsigned lo, unsigned hi) {
    if (k >= s.size()) return false;
    auto b = static_cast<unsigned char>(s[k]);
    return b >= lo && b <= hi;
  };
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    if (b <= 0x7F) {
      i += 1;
    } else if (b >= 0xC2 && b <= 0xDF && in(i + 1, 0x80, 0xBF)) {
      i += 2;
    } else if (b == 0xE0 && in(i + 1, 0xA0, 0xBF) && in(i + 2, 0x80, 0xBF)) {
      i += 3;
    } else if (((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) && in(i + 1, 0x80, 0xBF) &&
               in(i + 2, 0x80, 0xBF)) {
      i += 3;
    } else if (b == 0xED && in(i + 1, 0x80, 0x9F) && in(i + 2, 0x80, 0xBF)) {
      i += 3;
    } else if (b == 0xF0 && in(i + 1, 0x90, 0xBF) && in(i + 2, 0x80, 0xBF) &&
               in(i + 3, 0x80, 0xBF)) {
      i += 4;
    } else if (b >= 0xF1 && b <= 0xF3 && in(i + 1, 0x80, 0xBF) && in(i + 2, 0x80, 0xBF) &&
               in(i + 3, 0x80, 0xBF)) {
      i += 4;
    } else if (b == 0xF4 && in(i + 1, 0x80, 0x8F) && in(i + 2, 0x80, 0xBF) &&
               in(i + 3, 0x80, 0xBF)) {
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

bool Clean(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
  return WellFormedUtf8(s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = vault::fuzz::AsText(data, size);
  FUZZ_CHECK(vault::core::IsValidUtf8(text) == WellFormedUtf8(text));

  auto pairs = vault::http::ParseForm(text);
  vault::http::Request req;
  req.query = std::string(text);
  // The query checker and the form parser judge the same syntax alike.
  FUZZ_CHECK(req.BadQueryParam().empty() == pairs.has_value());
  if (!pairs) return 0;

  std::size_t amps = 0;
  for (char c : text) amps += c == '&';
  FUZZ_CHECK(pairs->size() == (text.empty() ? 0 : amps + (text.back() == '&' ? 0 : 1)));
  std::string reencoded;
  for (std::size_t i = 0; i < pairs->size(); ++i) {
    const auto& [k, v] = (*pairs)[i];
    FUZZ_CHECK(Clean(k) && Clean(v));
    reencoded += (i ? "&" : "") + vault::core::UrlEncode(k) + "=" + vault::core::UrlEncode(v);
  }
  FUZZ_CHECK(vault::http::ParseForm(reencoded) == pairs);
  if (!pairs->empty()) {
    // Query finds the first value of a name.
    const auto& [name, value] = pairs->front();
    FUZZ_CHECK(req.Query(name) == value);
  }
  return 0;
}
