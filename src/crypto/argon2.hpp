// Argon2id (RFC 9106, version 0x13) computed by Vault itself: the memory filling runs on an
// AVX-512 or AVX2 kernel picked at run time for this CPU, with a portable kernel beside them,
// and libsodium (crypto_pwhash) stays selectable as the reference. Outputs are bit-identical to
// libsodium's for every parameter set both accept, so PHC strings move freely between the two.
// Why and how it was verified: docs/adr/0007-vectorised-argon2id.md.
//
// Thread-safe: every call uses its own thread's work area (reused between calls on the same
// thread, wiped after each call).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/error.hpp"

namespace vault::crypto {

// Which code computes argon2id. kAuto is the fastest this CPU supports: AVX-512, then AVX2,
// then libsodium (whose own SSSE3 code beats our portable kernel on older x86 CPUs).
enum class Argon2Impl { kAuto, kSodium, kGeneric, kAvx2, kAvx512 };

// "auto", "sodium", "generic", "avx2" or "avx512".
const char* Argon2ImplName(Argon2Impl impl);

// The implementation named by Argon2ImplName's spelling; false for an unknown name.
bool ParseArgon2Impl(std::string_view name, Argon2Impl& impl);

// True when impl can run on this CPU (kAuto, kSodium and kGeneric always can).
bool Argon2ImplSupported(Argon2Impl impl);

// What kAuto resolves to on this CPU (decided once per process).
Argon2Impl BestArgon2Impl();

struct Argon2idInput {
  std::string_view password;
  std::string_view salt;             // at least 8 bytes (16 in PHC strings made by Vault)
  std::string_view secret;           // K, optional
  std::string_view ad;               // associated data X, optional
  std::uint32_t passes = 2;          // t >= 1
  std::uint32_t memory_kib = 19456;  // m >= 8 * lanes
  std::uint32_t lanes = 1;           // p in [1, 2^24 - 1]; lanes are filled one after another
};

// Writes the argon2id tag of in to out (its size is the tag length, 16 bytes or more).
// Fails with invalid_argument for parameters outside RFC 9106's ranges or libsodium's
// (salt < 8 bytes, tag < 16 bytes; kSodium also only supports lanes = 1, a 16-byte salt and
// no secret or associated data), failed_precondition when impl cannot run on this CPU, and
// resource_exhausted when the work memory cannot be mapped.
core::Result<void> Argon2id(const Argon2idInput& in, std::span<std::uint8_t> out,
                            Argon2Impl impl = Argon2Impl::kAuto);

}  // namespace vault::crypto
