// Eight bytes at a time ("SIMD within a register") for the byte scans on every request: UTF-8
// validation, JSON escaping, code point counts, secret comparison. Portable (no intrinsics);
// unaligned loads go through memcpy. Stateless.
#pragma once

#include <cstdint>
#include <cstring>

namespace vault::core::swar {

inline constexpr std::uint64_t kOnes = 0x0101010101010101ull;
inline constexpr std::uint64_t kHighs = 0x8080808080808080ull;

inline std::uint64_t Load(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

// Non-zero when some byte of w is below n (n at most 128); exact, no false positives.
constexpr std::uint64_t AnyBelow(std::uint64_t w, unsigned n) {
  return (w - kOnes * n) & ~w & kHighs;
}

// Non-zero when some byte of w equals b.
constexpr std::uint64_t AnyEqual(std::uint64_t w, unsigned char b) {
  return AnyBelow(w ^ (kOnes * b), 1);
}

// Whether all eight bytes are ASCII.
constexpr bool AllAscii(std::uint64_t w) { return (w & kHighs) == 0; }

// How many of the eight bytes are UTF-8 continuation bytes (10xxxxxx).
constexpr int Continuations(std::uint64_t w) {
  // One bit per continuation byte, moved to the byte's low bit; the multiply sums the eight
  // bytes into the top one (no popcount instruction needed).
  return static_cast<int>((((w & ~(w << 1) & kHighs) >> 7) * kOnes) >> 56);
}

}  // namespace vault::core::swar
