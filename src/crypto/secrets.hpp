// SecretBox (XChaCha20-Poly1305 under a key derived from the server secret) and HOTP/TOTP
// (HMAC-SHA-1, RFC 4226/6238). Thread-safe after construction.
#pragma once

#include <string>

#include "core/ports.hpp"

namespace vault::crypto {

class SodiumSecretBox : public core::SecretBox {
 public:
  // Derives the encryption key from the server secret and a purpose label.
  SodiumSecretBox(const std::string& server_secret, std::string_view purpose);
  std::string Seal(std::string_view plaintext) const override;
  core::Result<std::string> Open(std::string_view sealed) const override;

 private:
  std::string key_;
};

class OpensslOtp : public core::Otp {
 public:
  std::string Hotp(std::string_view key, std::uint64_t counter) const override;
};

}  // namespace vault::crypto
