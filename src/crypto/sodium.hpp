// libsodium-backed adapters: OS CSPRNG, HMAC-SHA-256 keyed hashing, argon2id password hashing
// (computed by crypto/argon2.hpp, libsodium-compatible PHC strings). The keyring is keyring.hpp.
// All classes are thread-safe after construction.
#pragma once

#include <string>

#include "core/error.hpp"
#include "core/ports.hpp"
#include "crypto/argon2.hpp"

namespace vault::crypto {

// Initialises libsodium once; returns false if it cannot (then nothing here may be used).
bool InitSodium();

class SodiumRandom : public core::Random {
 public:
  std::string Bytes(std::size_t n) override;
};

class HmacSecretHasher : public core::SecretHasher {
 public:
  explicit HmacSecretHasher(std::string key);
  ~HmacSecretHasher() override;
  HmacSecretHasher(const HmacSecretHasher&) = delete;
  HmacSecretHasher& operator=(const HmacSecretHasher&) = delete;
  std::string KeyedHash(std::string_view purpose, std::string_view data) const override;
  // The one key's hash whatever i is (KeyCount() is 1).
  Digest KeyedDigest(std::size_t i, std::string_view purpose, std::string_view data) const override;

 private:
  // SHA-256 states right after the inner and outer key-pad blocks (OpenSSL SHA256_CTX), copied
  // for each hash: the pads are compressed once, and OpenSSL's SHA-256 uses the CPU's SHA
  // instructions (about 4x libsodium's portable code; this sits on every key verification and
  // session check).
  alignas(16) unsigned char inner_[128];
  alignas(16) unsigned char outer_[128];
};

struct Argon2Params {
  std::size_t memory_kib = 19 * 1024;  // OWASP: m=19 MiB, t=2, p=1 for argon2id
  unsigned long long passes = 2;
  // kAuto: the fastest kernel for this CPU; kSodium forces libsodium (tests, benchmarks).
  Argon2Impl impl = Argon2Impl::kAuto;
};

// Hash writes "$argon2id$v=19$m=…,t=…,p=1$<16-byte salt>$<32-byte tag>"; Verify accepts every
// NUL-free string libsodium's crypto_pwhash_str_verify accepts (argon2i ones are handed to
// libsodium itself).
class Argon2idHasher : public core::PasswordHasher {
 public:
  explicit Argon2idHasher(Argon2Params params) : params_(params) {}
  core::Result<std::string> Hash(std::string_view password) const override;
  bool Verify(std::string_view phc, std::string_view password) const override;
  bool NeedsRehash(std::string_view phc) const override;

 private:
  Argon2Params params_;
};

}  // namespace vault::crypto
