// Runtime: the concrete adapters every command needs (clock, randomness, server secret,
// hashers, store), built once from the configuration. Only the CLI names concrete classes.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "app/mail_outbox.hpp"
#include "config/config.hpp"
#include "core/password_policy.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/keyring.hpp"
#include "crypto/pooled_hasher.hpp"
#include "crypto/secrets.hpp"
#include "crypto/sodium.hpp"
#include "storage/open_store.hpp"

namespace vault::cli {

// System time, plus an optional offset read from a file (test hook; see Config).
class SystemClock : public core::Clock {
 public:
  explicit SystemClock(std::string offset_file) : offset_file_(std::move(offset_file)) {}
  core::Timestamp Now() const override;

 private:
  std::string offset_file_;
};

// Counts password verifications and hashes (exported as metrics) around the real hasher.
class CountingHasher : public core::PasswordHasher {
 public:
  explicit CountingHasher(std::unique_ptr<core::PasswordHasher> inner) : inner_(std::move(inner)) {}
  core::Result<std::string> Hash(std::string_view password) const override {
    hashes_.fetch_add(1, std::memory_order_relaxed);
    return inner_->Hash(password);
  }
  bool Verify(std::string_view phc, std::string_view password) const override {
    verifications_.fetch_add(1, std::memory_order_relaxed);
    return inner_->Verify(phc, password);
  }
  bool NeedsRehash(std::string_view phc) const override { return inner_->NeedsRehash(phc); }
  long verifications() const { return verifications_.load(); }
  long hashes() const { return hashes_.load(); }

 private:
  std::unique_ptr<core::PasswordHasher> inner_;
  mutable std::atomic<long> verifications_{0}, hashes_{0};
};

struct Runtime {
  config::Config cfg;
  std::unique_ptr<SystemClock> clock;
  crypto::SodiumRandom random;
  crypto::Keyring keyring;
  std::unique_ptr<crypto::KeyringHasher> secrets;
  std::unique_ptr<crypto::SodiumSecretBox> box;
  std::unique_ptr<crypto::SodiumSecretBox> signing_box;   // token-signing keys' own key
  std::unique_ptr<crypto::SodiumSecretBox> callback_box;  // callback signing secrets' own key
  crypto::OpensslMac mac;
  std::unique_ptr<crypto::SodiumSecretBox> mail_box;  // the mail outbox's own key
  // Queues mail in the database; `serve` delivers it (a command's mail goes with a running
  // server's next poll).
  std::unique_ptr<app::MailOutbox> outbox;
  crypto::SodiumEd25519 ed;
  crypto::OpensslOtp otp;
  crypto::PooledHasher* pool = nullptr;  // owned by hasher
  std::unique_ptr<CountingHasher> hasher;
  std::unique_ptr<core::PasswordPolicy> policy;
  storage::OpenedStore opened;
  std::vector<std::string> keys_registered;  // keyring keys this start registered (ADR 0011)
};

// Builds the runtime; fails when libsodium, the keyring or the database is unusable, or when the
// keyring does not match the one the database was written with (app::CheckKeyring).
core::Result<std::unique_ptr<Runtime>> MakeRuntime(const config::Config& cfg, int pool_size);

}  // namespace vault::cli
