// Shared by the fuzz targets: an invariant check that aborts with a message (libFuzzer then
// saves the input as a crash), the fixed Ed25519 key the JWT targets sign and verify with, and
// the splitting of an input into lines.
#pragma once

#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/encoding.hpp"
#include "core/ports.hpp"
#include "crypto/ed25519.hpp"

namespace vault::fuzz {

// Not assert(): it must hold in every build type, and say which invariant broke.
#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

// RFC 8037 Appendix A.1's seed: a fixed key, so the committed seed tokens stay valid.
inline const core::Ed25519KeyPair& FixedKey() {
  static const core::Ed25519KeyPair key = [] {
    if (sodium_init() < 0) std::abort();
    return *crypto::SodiumEd25519().FromSeed(
        *core::Base64UrlDecode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"));
  }();
  return key;
}

inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The input cut into exactly n parts at its first n - 1 newlines (missing parts are empty; the
// last part keeps any further newlines).
inline std::vector<std::string> Lines(std::string_view text, std::size_t n) {
  std::vector<std::string> out;
  while (out.size() + 1 < n) {
    auto nl = text.find('\n');
    if (nl == std::string_view::npos) break;
    out.emplace_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  out.emplace_back(text);
  out.resize(n);
  return out;
}

// The JwtCheck the JWT targets and the seed generator agree on.
inline constexpr core::Timestamp kNow = 1'800'000'000;
inline constexpr const char* kIssuer = "https://vault.example";

}  // namespace vault::fuzz
