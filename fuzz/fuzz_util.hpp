// Shared by the fuzz targets: an invariant check that aborts with a message (libFuzzer then
// saves the input as a crash), and the fixed Ed25519 key the JWT targets sign and verify with.
#pragma once

#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

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

// The JwtCheck the JWT targets and the seed generator agree on.
inline constexpr core::Timestamp kNow = 1'800'000'000;
inline constexpr const char* kIssuer = "https://vault.example";

}  // namespace vault::fuzz
