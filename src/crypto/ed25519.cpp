#include "crypto/ed25519.hpp"

#include <sodium.h>

namespace vault::crypto {

namespace {

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

// Ed25519: 128-bit security with 32-byte keys and 64-byte signatures, deterministic signing (no
// per-signature randomness to get wrong, unlike ECDSA's nonce), and libsodium's implementation
// is constant-time in the secret key. libsodium 1.0.18 verification refuses non-canonical
// signatures and small-order public keys.
core::Ed25519KeyPair SodiumEd25519::Generate() const {
  std::string seed(crypto_sign_SEEDBYTES, '\0');
  randombytes_buf(seed.data(), seed.size());  // the OS CSPRNG
  auto pair = FromSeed(seed);
  sodium_memzero(seed.data(), seed.size());
  return *pair;  // a seed of the right length always expands
}

core::Result<core::Ed25519KeyPair> SodiumEd25519::FromSeed(std::string_view seed) const {
  if (seed.size() != crypto_sign_SEEDBYTES)
    return core::Fail(core::Code::kInternal, "crypto.ed25519_seed",
                      "an Ed25519 private key is a 32-byte seed");
  core::Ed25519KeyPair pair{std::string(crypto_sign_PUBLICKEYBYTES, '\0'),
                            std::string(crypto_sign_SECRETKEYBYTES, '\0')};
  crypto_sign_seed_keypair(reinterpret_cast<unsigned char*>(pair.public_key.data()),
                           reinterpret_cast<unsigned char*>(pair.secret_key.data()), Bytes(seed));
  return pair;
}

std::string SodiumEd25519::Sign(const core::Ed25519KeyPair& key, std::string_view message) const {
  std::string sig(crypto_sign_BYTES, '\0');
  if (key.secret_key.size() != crypto_sign_SECRETKEYBYTES) return {};  // not a key pair: no sig
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr, Bytes(message),
                       message.size(), Bytes(key.secret_key));
  return sig;
}

bool SodiumEd25519::Verify(std::string_view public_key, std::string_view message,
                           std::string_view signature) const {
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES || signature.size() != crypto_sign_BYTES)
    return false;
  return crypto_sign_verify_detached(Bytes(signature), Bytes(message), message.size(),
                                     Bytes(public_key)) == 0;
}

}  // namespace vault::crypto
