// Keyring (ADR 0011): the server's secret keys, each under an id ("k0", "k1", …). The last key
// is the primary: new keyed hashes, sealed secrets and audit events use it; the older keys still
// verify and open what they made, so a rotation signs nobody out. Read from VAULT_SECRET (for
// containers) or VAULT_SECRET_FILE (created 0600 when missing). KeyringHasher is the
// core::SecretHasher over a keyring. Everything here is immutable after construction: thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/ports.hpp"
#include "crypto/sodium.hpp"

namespace vault::crypto {

struct KeyringKey {
  std::string id;      // "k0", "k1", …
  std::string secret;  // the key's text as written (at least 32 characters); never logged
};

class Keyring {
 public:
  // Parses a keyring's text; `source` names it in errors (which never quote a line: lines hold
  // keys). One line without a key id is the legacy secret file: key k0. Otherwise every line is
  // "<id> <key>" (id k0, k1, …; key at least 32 characters, no spaces), '#' lines and blank
  // lines are skipped, and `;` separates lines as a newline does when `semicolons` (VAULT_SECRET).
  // Fails invalid_argument "config.keyring" naming the line: malformed, short key, repeated id,
  // no key at all.
  static core::Result<Keyring> Parse(std::string_view text, const std::string& source,
                                     bool semicolons = false);
  // A keyring of one key (tests, and the legacy single-secret constructors).
  static Keyring Single(std::string id, std::string secret);

  const std::vector<KeyringKey>& keys() const { return keys_; }  // in file order
  const KeyringKey& primary() const { return keys_.back(); }
  const KeyringKey* Find(std::string_view id) const;  // nullptr when absent
  // The id a rotation adds: k<largest number + 1>.
  std::string NextId() const;
  // This keyring plus a new key (`secret`) under NextId(), which becomes the primary.
  Keyring With(std::string secret) const;
  // The file form: a short comment, then "<id> <key>" lines (the legacy one-line form when the
  // keyring is the legacy secret alone, so older versions still read a file never rotated).
  std::string Text() const;
  bool operator==(const Keyring& other) const;

 private:
  std::vector<KeyringKey> keys_;
};

// Returns hex HMAC-SHA-256(key, "keyring_check" 0x00 "atomyx-vault keyring check v1"): what
// keyring_keys stores to tell whether a node holds the same key as the database's writers.
std::string CheckValue(const KeyringKey& key);

// A new key: 32 random bytes, hex (64 characters).
std::string NewKeySecret();

// The keyring of VAULT_SECRET when `env_value` is not empty, else of the file at `path`, which is
// created (0600, one random key k0 in the legacy one-line form) when missing. Fails unavailable
// "config.secret_file" when the file cannot be read or written, invalid_argument
// "config.keyring" when it does not parse.
core::Result<Keyring> LoadOrCreateKeyring(const std::string& path, const std::string& env_value);
// The keyring in the file at `path`; fails not_found "config.secret_file" when there is none.
core::Result<Keyring> ReadKeyringFile(const std::string& path);
// Replaces the file at `path` with `keyring`'s text: a 0600 temporary file, fsync, rename, fsync
// of the folder, so a crash leaves the old file or the new one, never a mix.
core::Result<void> WriteKeyringFile(const std::string& path, const Keyring& keyring);

// core::SecretHasher over a keyring: KeyedHash under the primary, KeyedHashes under every key
// (the primary's first, then the older ones newest first).
class KeyringHasher : public core::SecretHasher {
 public:
  explicit KeyringHasher(const Keyring& keyring);
  std::string KeyedHash(std::string_view purpose, std::string_view data) const override;
  std::vector<std::string> KeyedHashes(std::string_view purpose,
                                       std::string_view data) const override;
  std::size_t KeyCount() const override { return hashers_.size(); }
  Digest KeyedDigest(std::size_t i, std::string_view purpose,
                     std::string_view data) const override {
    return hashers_.at(i).second->KeyedDigest(0, purpose, data);
  }
  std::string PrimaryKeyId() const override { return hashers_.front().first; }
  std::optional<std::string> KeyedHashWith(std::string_view key_id, std::string_view purpose,
                                           std::string_view data) const override;

 private:
  std::vector<std::pair<std::string, std::unique_ptr<HmacSecretHasher>>> hashers_;  // newest first
};

}  // namespace vault::crypto
