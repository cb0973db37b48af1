// Ports the use cases need besides storage: randomness, secret hashing, password hashing, mail.
// Every implementation must be thread-safe: use cases run on several pool threads at once.
#pragma once

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
