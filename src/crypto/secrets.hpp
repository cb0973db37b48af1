// SecretBox (XChaCha20-Poly1305 under keys derived from the server keyring), HOTP/TOTP
// (HMAC-SHA-1, RFC 4226/6238) and plain HMAC-SHA-256 (callback signatures). Thread-safe after
// construction.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/ports.hpp"
#include "crypto/keyring.hpp"

namespace vault::crypto {

// Seals under the keyring's primary key and opens under whichever key sealed: a sealed value is
// "<key id>$<base64>" ("<base64>" alone for k0, the legacy secret, as before the keyring), so
// TOTP seeds and signing keys sealed before a rotation stay readable (ADR 0011).
class SodiumSecretBox : public core::SecretBox {
 public:
  // Derives one encryption key per keyring key from it and a purpose label ("totp",
  // "signing_key", …): one independent key per use.
  SodiumSecretBox(const Keyring& keyring, std::string_view purpose);
  // A keyring of the one legacy secret (k0).
  SodiumSecretBox(const std::string& server_secret, std::string_view purpose);
  std::string Seal(std::string_view plaintext) const override;
  // Also fails "crypto.unseal" naming the key id when the keyring has no such key.
  core::Result<std::string> Open(std::string_view sealed) const override;

 private:
  std::vector<std::pair<std::string, std::string>> keys_;  // id → derived key; primary first
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
