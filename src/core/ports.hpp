// Ports the use cases need besides storage: randomness, secret hashing, password hashing, mail.
// Every implementation must be thread-safe: use cases run on several pool threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace vault::core {

class Random {
 public:
  virtual ~Random() = default;
  // Returns n bytes from a CSPRNG.
  virtual std::string Bytes(std::size_t n) = 0;
};

// Keyed hashing with the server secret (HMAC-SHA-256), for tokens stored at rest.
class SecretHasher {
 public:
  virtual ~SecretHasher() = default;
  // Returns lowercase hex of HMAC(server_secret, purpose || 0x00 || data).
  virtual std::string KeyedHash(std::string_view purpose, std::string_view data) const = 0;
};

class PasswordHasher {
 public:
  virtual ~PasswordHasher() = default;
  // Returns a PHC string; fails with internal when the hash cannot be computed.
  virtual Result<std::string> Hash(std::string_view password) const = 0;
  // True when password matches the PHC string; false for a mismatch or an unreadable hash.
  virtual bool Verify(std::string_view phc, std::string_view password) const = 0;
  // True when phc was made with other parameters than the current ones.
  virtual bool NeedsRehash(std::string_view phc) const = 0;
};

// Authenticated encryption of small secrets at rest (TOTP seeds) under a key derived from the
// server secret.
class SecretBox {
 public:
  virtual ~SecretBox() = default;
  // Returns base64 of nonce || ciphertext || tag.
  virtual std::string Seal(std::string_view plaintext) const = 0;
  // Fails internal "crypto.unseal" when the box was altered or made under another key.
  virtual Result<std::string> Open(std::string_view sealed) const = 0;
};

// HOTP (RFC 4226) with HMAC-SHA-1 and 6 digits; TOTP is HOTP over the 30-second step.
class Otp {
 public:
  virtual ~Otp() = default;
  virtual std::string Hotp(std::string_view key, std::uint64_t counter) const = 0;
};

// Told after a committed change that affects access decisions, so in-memory models drop what
// they cached (SPEC §4: a revoked grant is denied on the very next check).
class ChangeListener {
 public:
  virtual ~ChangeListener() = default;
  virtual void WorkspaceChanged(const std::string& workspace_id) = 0;
  virtual void AccountChanged(const std::string& account_id) = 0;
  virtual void CatalogChanged() = 0;
  virtual void ServiceClientChanged(const std::string& client_id) { (void)client_id; }
  virtual void ApiKeyChanged(const std::string& key_id) { (void)key_id; }
};

struct MailMessage {
  std::string to;
  std::string subject;
  std::string text;
  std::string html;
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  // Delivers one message; fails with unavailable when the transport refuses it.
  virtual Result<void> Send(const MailMessage& message) = 0;
};

}  // namespace vault::core
