// The workspace logo upload (PUT …/logo, core::CheckLogo): the bytes are judged by content,
// never by the declared type. An accepted logo is at most 512 KiB and starts with the PNG
// signature, the JPEG SOI marker or a RIFF…WEBP header, and its type is the one that signature
// names (so the Content-Type it is served with matches what a browser sniffs); anything else is
// refused as logo.unsupported_type (or logo.too_large) naming the field "logo". The input is
// also checked padded past the size limit, which must be refused whatever it holds.
#include <algorithm>
#include <cstdint>
#include <string>

#include "core/workspace.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view b = vault::fuzz::AsText(data, size);
  auto type = vault::core::CheckLogo(b);
  const bool png = b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8);
  const bool jpeg = b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF";
  const bool webp = b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP";
  if (type) {
    FUZZ_CHECK(b.size() <= 512 * 1024);
    FUZZ_CHECK((*type == "image/png" && png) || (*type == "image/jpeg" && jpeg) ||
               (*type == "image/webp" && webp));
  } else {
    FUZZ_CHECK(!png && !jpeg && !webp);
    FUZZ_CHECK(type.error().id == "logo.unsupported_type" && type.error().field == "logo" &&
               type.error().code == vault::core::Code::kInvalidArgument);
  }
  // The same start, past the limit: refused for its size.
  static std::string big(512 * 1024 + 1, '\0');
  big.replace(0, std::min(b.size(), big.size()), b.substr(0, big.size()));
  auto large = vault::core::CheckLogo(big);
  FUZZ_CHECK(!large && large.error().id == "logo.too_large" &&
             large.error().code == vault::core::Code::kPayloadTooLarge);
  return 0;
}
