// SecretBox (XChaCha20-Poly1305 under a key derived from the server secret), HOTP/TOTP
// (HMAC-SHA-1, RFC 4226/6238) and plain HMAC-SHA-256 (callback signatures). Thread-safe after
// construction.
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

// Returns the 32-byte HMAC-SHA-256 of message under key (OpenSSL).
std::string HmacSha256(std::string_view key, std::string_view message);

class OpensslMac : public core::Mac {
 public:
  std::string HmacSha256(std::string_view key, std::string_view message) const override {
    return crypto::HmacSha256(key, message);
  }
};

}  // namespace vault::crypto
