// Helpers shared by the argon2id tests: the kernels this CPU can run, hex, and a byte span.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "crypto/argon2.hpp"

namespace vault::crypto::testing {

// Our kernels runnable here: always the portable one, plus AVX2 / AVX-512 when present.
inline std::vector<Argon2Impl> OurKernels() {
  std::vector<Argon2Impl> out = {Argon2Impl::kGeneric};
  for (Argon2Impl k : {Argon2Impl::kAvx2, Argon2Impl::kAvx512})
    if (Argon2ImplSupported(k)) out.push_back(k);
  return out;
}

inline std::string Hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

inline std::vector<std::uint8_t> FromHex(std::string_view hex) {
  std::vector<std::uint8_t> out;
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
  return out;
}

inline std::string AsString(const std::vector<std::uint8_t>& v) {
  return std::string(v.begin(), v.end());
}

}  // namespace vault::crypto::testing
