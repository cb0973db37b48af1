// SigningKeys: the OpenID Connect provider's token-signing keys (ADR 0010). Creates the first
// Ed25519 key on demand, signs with the current (newest live) key, rotates, and lists the keys
// to publish in the JWKS: the live ones and the retired ones whose tokens may still be unexpired.
// Private keys are stored sealed under the server secret and opened only in memory.
//
// Keys are cached; the cache is re-read when told (SigningKeysChanged: a rotation here, on
// another node or by the CLI, through the change feed), at least every `reload_seconds`, and on
// a lookup of an unknown kid (at most once a second, so random kids cannot drive database reads).
// Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "app/account_deps.hpp"
#include "core/oauth.hpp"

namespace vault::app {

struct SigningSettings {
  // How long a retired key stays published: the longest lifetime of a token it signs, plus
  // leeway for clock skew and for the other nodes to hear of the rotation.
  core::Timestamp retired_key_seconds = 600 + 300;
  core::Timestamp reload_seconds = 60;
};

struct Signed {
  std::string kid;
  std::string input;      // what make_input returned for the kid
  std::string signature;  // raw 64 bytes
};

struct PublishedKey {
  std::string kid, alg;
  std::string public_key;  // raw 32 bytes
  bool current = false;    // the key that signs now
};

class SigningKeys : public core::ChangeListener {
 public:
  SigningKeys(Ports ports, core::Ed25519& ed, core::SecretBox& box, SigningSettings settings);

  // Creates a new key that signs from now on, retires every other live key (published for
  // retired_key_seconds more) and deletes the keys whose publication ended. Audited
  // oauth.signing_key_rotated. Returns the new kid.
  core::Result<std::string> Rotate(const Actor& actor);

  // Signs make_input(kid) with the current key, creating the first key when there is none.
  // Fails as the store does; internal "signing_key.corrupt" when the stored key cannot be opened
  // or does not match its public key.
  core::Result<Signed> Sign(const std::function<std::string(const std::string& kid)>& make_input);

  // The keys to publish now, current first.
  core::Result<std::vector<PublishedKey>> Published();

  // The raw public key of a published kid, or nullopt for an unknown or unpublished one.
  core::Result<std::optional<std::string>> PublicKey(const std::string& kid);

  // The signature scheme of the keys, for verifiers.
  const core::Ed25519& ed() const { return ed_; }

  void SigningKeysChanged() override;
  void WorkspaceChanged(const std::string&) override {}
  void AccountChanged(const std::string&) override {}
  void CatalogChanged() override {}

 private:
  struct KeySet {
    std::vector<core::SigningKey> keys;  // every stored key, newest first
    std::string signer_kid;
    core::Ed25519KeyPair signer;
    core::Timestamp loaded_at = 0;
  };
  // The cached set, re-read when stale or older than reload_seconds (force: always).
  core::Result<std::shared_ptr<const KeySet>> Keys(bool force = false);
  core::Result<std::shared_ptr<const KeySet>> Load();
  core::SigningKey NewKey(core::Ed25519KeyPair* pair);

  Ports p_;
  core::Ed25519& ed_;
  core::SecretBox& box_;
  SigningSettings settings_;
  AuditLog audit_;
  std::mutex mu_;       // guards set_, stale_, last_miss_reload_
  std::mutex load_mu_;  // one reload at a time
  std::shared_ptr<const KeySet> set_;
  bool stale_ = false;
  core::Timestamp last_miss_reload_ = 0;
};

}  // namespace vault::app
