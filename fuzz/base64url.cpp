// core::Base64UrlDecode / Base64Url, the base64url of every JWT segment, API key cursor and
// Basic credential: decoding accepts exactly the unpadded alphabet at a possible length, the
// decoded length follows from the encoded one, and encoding round-trips every byte string.
#include <cstdint>
#include <string>

#include "fuzz_util.hpp"

using vault::fuzz::AsText;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = AsText(data, size);

  // Any bytes encode to the alphabet and decode back to themselves.
  std::string encoded = vault::core::Base64Url(text);
  FUZZ_CHECK(encoded.size() == (size * 4 + 2) / 3);
  FUZZ_CHECK(encoded.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                       "0123456789-_") == std::string::npos);
  auto back = vault::core::Base64UrlDecode(encoded);
  FUZZ_CHECK(back && *back == text);

  // The input as base64url text.
  auto decoded = vault::core::Base64UrlDecode(text);
  bool alphabet = text.find_first_not_of(
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                      "0123456789-_") == std::string_view::npos;
  FUZZ_CHECK(decoded.has_value() == (alphabet && size % 4 != 1));
  if (decoded) {
    FUZZ_CHECK(decoded->size() == size * 6 / 8);
    // Re-encoding gives the input back except for stray low bits in the last character, and
    // the re-encoding is the one canonical spelling of the same bytes.
    std::string again = vault::core::Base64Url(*decoded);
    FUZZ_CHECK(again.size() == size);
    FUZZ_CHECK(again.substr(0, size ? size - 1 : 0) == text.substr(0, size ? size - 1 : 0));
    FUZZ_CHECK(vault::core::Base64UrlDecode(again) == decoded);
  }
  return 0;
}
