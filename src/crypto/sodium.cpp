#include "crypto/sodium.hpp"

// SHA256_Init/Update/Final: deprecated in OpenSSL 3 in favour of EVP, but stable, and the only
// way to copy a keyed state without EVP's per-call allocation.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <sodium.h>

#include <cstring>
#include <new>
#include <span>

#include "core/encoding.hpp"
#include "crypto/argon2_phc.hpp"

namespace vault::crypto {

bool InitSodium() { return sodium_init() >= 0; }

std::string SodiumRandom::Bytes(std::size_t n) {
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);  // OS CSPRNG (getrandom)
  return out;
}

static_assert(sizeof(SHA256_CTX) <= 128, "HmacSecretHasher's SHA-256 states are too small");

// HMAC-SHA-256 (RFC 2104) over OpenSSL's SHA-256 with the key pads compressed once; checked
// against libsodium's crypto_auth_hmacsha256 by the unit tests.
HmacSecretHasher::HmacSecretHasher(std::string key) {
  unsigned char block[SHA256_CBLOCK] = {0};
  if (key.size() > sizeof block) {
    SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), block);
  } else {
    std::memcpy(block, key.data(), key.size());
  }
  unsigned char pad[SHA256_CBLOCK];
  auto* in = new (inner_) SHA256_CTX;
  auto* out = new (outer_) SHA256_CTX;
  for (std::size_t i = 0; i < sizeof pad; ++i) pad[i] = block[i] ^ 0x36;
  SHA256_Init(in);
  SHA256_Update(in, pad, sizeof pad);
  for (std::size_t i = 0; i < sizeof pad; ++i) pad[i] = block[i] ^ 0x5c;
  SHA256_Init(out);
  SHA256_Update(out, pad, sizeof pad);
  sodium_memzero(pad, sizeof pad);
  sodium_memzero(block, sizeof block);
  sodium_memzero(key.data(), key.size());
}

HmacSecretHasher::~HmacSecretHasher() {
  sodium_memzero(inner_, sizeof inner_);
  sodium_memzero(outer_, sizeof outer_);
}

core::SecretHasher::Digest HmacSecretHasher::KeyedDigest(std::size_t, std::string_view purpose,
                                                         std::string_view data) const {
  // HMAC-SHA-256 under the server secret: a leaked database alone cannot confirm a guessed
  // token, and the purpose prefix keeps hashes of one kind from being replayed as another.
  SHA256_CTX st;
  std::memcpy(&st, inner_, sizeof st);
  SHA256_Update(&st, purpose.data(), purpose.size());
  const unsigned char zero = 0;
  SHA256_Update(&st, &zero, 1);
  SHA256_Update(&st, data.data(), data.size());
  Digest mac;
  SHA256_Final(mac.data(), &st);
  std::memcpy(&st, outer_, sizeof st);
  SHA256_Update(&st, mac.data(), mac.size());
  SHA256_Final(mac.data(), &st);
  sodium_memzero(&st, sizeof st);
  return mac;
}

std::string HmacSecretHasher::KeyedHash(std::string_view purpose, std::string_view data) const {
  Digest mac = KeyedDigest(0, purpose, data);
  return core::Hex(std::string_view(reinterpret_cast<char*>(mac.data()), mac.size()));
}

namespace {

std::span<std::uint8_t> Writable(std::string& s) {
  return {reinterpret_cast<std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

core::Result<std::string> Argon2idHasher::Hash(std::string_view password) const {
  const Argon2Impl impl = params_.impl == Argon2Impl::kAuto ? BestArgon2Impl() : params_.impl;
  if (impl == Argon2Impl::kSodium) {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), params_.passes,
                              params_.memory_kib * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0)
      return core::Fail(core::Code::kInternal, "password.hash_failed",
                        "argon2id ran out of memory");
    return std::string(out);
  }
  if (params_.memory_kib > 0xFFFFFFFFu || params_.passes > 0xFFFFFFFFu)
    return core::Fail(core::Code::kInternal, "password.hash_failed", "argon2id cost out of range");
  Argon2idPhc phc;
  phc.memory_kib = static_cast<std::uint32_t>(params_.memory_kib);
  phc.passes = static_cast<std::uint32_t>(params_.passes);
  phc.lanes = 1;
  phc.salt.resize(crypto_pwhash_SALTBYTES);
  phc.tag.resize(32);
  randombytes_buf(phc.salt.data(), phc.salt.size());  // 16-byte salt, 32-byte tag: as libsodium
  Argon2idInput in;
  in.password = password;
  in.salt = phc.salt;
  in.passes = phc.passes;
  in.memory_kib = phc.memory_kib;
  auto done = Argon2id(in, Writable(phc.tag), impl);
  if (!done) return core::Fail(core::Code::kInternal, "password.hash_failed", done.error().detail);
  return FormatArgon2idPhc(phc);
}

bool Argon2idHasher::Verify(std::string_view phc, std::string_view password) const {
  if (phc.empty() || phc.size() >= crypto_pwhash_STRBYTES) return false;
  // libsodium would stop reading at a NUL and accept whatever follows; no stored hash has one.
  if (phc.find('\0') != std::string_view::npos) return false;
  const Argon2Impl impl = params_.impl == Argon2Impl::kAuto ? BestArgon2Impl() : params_.impl;
  if (impl == Argon2Impl::kSodium || !phc.starts_with("$argon2id$")) {
    std::string s(phc);  // NUL-terminated copy
    return crypto_pwhash_str_verify(s.c_str(), password.data(), password.size()) == 0;
  }
  auto parsed = ParseArgon2idPhc(phc);
  if (!parsed) return false;
  std::string computed(parsed->tag.size(), '\0');
  Argon2idInput in;
  in.password = password;
  in.salt = parsed->salt;
  in.passes = parsed->passes;
  in.memory_kib = parsed->memory_kib;
  in.lanes = parsed->lanes;
  if (!Argon2id(in, Writable(computed), impl)) return false;
  // Constant-time: how much of a guess matches must not show in the timing.
  const bool match = sodium_memcmp(computed.data(), parsed->tag.data(), computed.size()) == 0;
  sodium_memzero(computed.data(), computed.size());
  return match;
}

bool Argon2idHasher::NeedsRehash(std::string_view phc) const {
  if (phc.empty() || phc.size() >= crypto_pwhash_STRBYTES) return true;
  std::string s(phc);
  return crypto_pwhash_str_needs_rehash(s.c_str(), params_.passes, params_.memory_kib * 1024) != 0;
}

}  // namespace vault::crypto
