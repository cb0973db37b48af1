// Ports the use cases need besides storage: randomness, secret hashing, password hashing, mail.
// Every implementation must be thread-safe: use cases run on several pool threads at once.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace vault::core {

class Random {
 public:
  virtual ~Random() = default;
  // Returns n bytes from a CSPRNG.
  virtual std::string Bytes(std::size_t n) = 0;
};

// Keyed hashing with the server keyring (HMAC-SHA-256), for tokens stored at rest. The keyring
// has a primary key (what new rows are hashed with) and may hold older keys (ADR 0011): a lookup
// by hash tries every key, so rows written before a rotation are still found.
class SecretHasher {
 public:
  virtual ~SecretHasher() = default;
  // Returns lowercase hex of HMAC(primary key, purpose || 0x00 || data): what a write stores.
  virtual std::string KeyedHash(std::string_view purpose, std::string_view data) const = 0;
  // Returns the same hash under every key: the primary's first, then the older keys newest
  // first (the order a lookup tries them in). A single-key hasher returns {KeyedHash(…)}.
  virtual std::vector<std::string> KeyedHashes(std::string_view purpose,
                                               std::string_view data) const {
    return {KeyedHash(purpose, data)};
  }
  using Digest = std::array<std::uint8_t, 32>;
  // How many keys KeyedHashes hashes under (1 for a single secret).
  virtual std::size_t KeyCount() const { return 1; }
  // KeyedHashes(purpose, data)[i] as its 32 bytes, for i < KeyCount(): the hot paths (key
  // verification, sessions) compare and index the bytes, so they skip the hex round trip.
  virtual Digest KeyedDigest(std::size_t i, std::string_view purpose,
                             std::string_view data) const = 0;
  // The primary key's id (audit events record it); "k0" is the legacy single secret.
  virtual std::string PrimaryKeyId() const { return "k0"; }
  // The hash under the key named key_id; nullopt when there is no such key.
  virtual std::optional<std::string> KeyedHashWith(std::string_view key_id,
                                                   std::string_view purpose,
                                                   std::string_view data) const {
    if (key_id != PrimaryKeyId()) return std::nullopt;
    return KeyedHash(purpose, data);
  }
};

// Runs find(hash) with the keyed hash of data under each key, primary first, and returns the
// first result that is an error or finds something (a non-empty optional, or true); else the
// last (not found) result. One lookup per key at most, only as far as the first hit.
template <typename Find>
auto FindUnderAnyKey(const SecretHasher& secrets, std::string_view purpose, std::string_view data,
                     Find&& find) -> decltype(find(std::string())) {
  std::vector<std::string> hashes = secrets.KeyedHashes(purpose, data);
  for (std::size_t i = 0;; ++i) {
    auto found = find(hashes[i]);
    if (!found || *found || i + 1 >= hashes.size()) return found;
  }
}

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

// Ed25519 signatures (RFC 8032), for the OpenID Connect provider's tokens (ADR 0010). Keys and
// signatures are raw bytes: a 32-byte public key, a 32-byte private seed (RFC 8032's private
// key), a 64-byte signature.
struct Ed25519KeyPair {
  std::string public_key;  // 32 bytes
  // 64 bytes: the seed, then the public key (the expanded form signing uses, so a signature
  // costs no key derivation). Only the seed (the first 32 bytes) is stored, sealed; never logged.
  std::string secret_key;
  std::string_view seed() const { return std::string_view(secret_key).substr(0, 32); }
};

class Ed25519 {
 public:
  virtual ~Ed25519() = default;
  // A new key pair from the OS CSPRNG.
  virtual Ed25519KeyPair Generate() const = 0;
  // The key pair of a 32-byte seed; fails internal "crypto.ed25519_seed" for another length.
  virtual Result<Ed25519KeyPair> FromSeed(std::string_view seed) const = 0;
  // The 64-byte signature of message under the key pair (empty for a malformed key pair).
  virtual std::string Sign(const Ed25519KeyPair& key, std::string_view message) const = 0;
  // True only for a valid signature of message under public_key (canonical encodings only).
  virtual bool Verify(std::string_view public_key, std::string_view message,
                      std::string_view signature) const = 0;
};

// HMAC-SHA-256 under a caller's key (callback signatures, issue 19).
class Mac {
 public:
  virtual ~Mac() = default;
  // Returns the 32-byte HMAC-SHA-256 of message under key.
  virtual std::string HmacSha256(std::string_view key, std::string_view message) const = 0;
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
  // Sessions of the account ended, began or changed what they carry (sign-out, revocation,
  // password or second-factor change, account disabled or deleted; ADR 0016).
  virtual void SessionsChanged(const std::string& account_id) { (void)account_id; }
  // A token-signing key was created or rotated (ADR 0010).
  virtual void SigningKeysChanged() {}
  // An OAuth access token was revoked before its expiry (ADR 0010).
  virtual void OAuthRevocationsChanged() {}
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
