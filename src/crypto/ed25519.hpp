// SodiumEd25519: core::Ed25519 over libsodium's crypto_sign (Ed25519, RFC 8032). Thread-safe
// (stateless).
#pragma once

#include "core/ports.hpp"

namespace vault::crypto {

class SodiumEd25519 : public core::Ed25519 {
 public:
  core::Ed25519KeyPair Generate() const override;
  core::Result<core::Ed25519KeyPair> FromSeed(std::string_view seed) const override;
  std::string Sign(const core::Ed25519KeyPair& key, std::string_view message) const override;
  bool Verify(std::string_view public_key, std::string_view message,
              std::string_view signature) const override;
};

}  // namespace vault::crypto
