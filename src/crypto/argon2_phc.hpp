// PHC strings for argon2id, in the form libsodium writes and reads:
//   $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<tag>
// with salt and tag in standard base64 without padding. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vault::crypto {

struct Argon2idPhc {
  std::uint32_t memory_kib = 0;
  std::uint32_t passes = 0;
  std::uint32_t lanes = 0;
  std::string salt;  // raw bytes
  std::string tag;   // raw bytes
};

// Returns the PHC string of phc.
std::string FormatArgon2idPhc(const Argon2idPhc& phc);

// Parses an argon2id PHC string. Accepts exactly the strings libsodium 1.0.18's
// crypto_pwhash_str_verify decodes for argon2id (version 19 only; decimal numbers without
// leading zeros; salt >= 8 and tag >= 16 bytes; m >= 8 KiB per lane; t >= 1; 1 <= p < 2^24;
// nothing after the tag) and rejects everything else, including any NUL byte.
std::optional<Argon2idPhc> ParseArgon2idPhc(std::string_view s);

}  // namespace vault::crypto
