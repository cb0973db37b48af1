#include "app/signing_keys.hpp"

#include "app/change_store.hpp"
#include "core/blocking.hpp"
#include "core/encoding.hpp"

namespace vault::app {

using core::Code;
using core::Fail;
using core::Result;

namespace {

core::Error Corrupt(const std::string& kid) {
  return core::Error{Code::kInternal, "signing_key.corrupt", "",
                     "signing key " + kid + " cannot be opened or does not match its public key"};
}

}  // namespace

SigningKeys::SigningKeys(Ports ports, core::Ed25519& ed, core::SecretBox& box,
                         SigningSettings settings)
    : p_(ports),
      ed_(ed),
      box_(box),
      settings_(settings),
      audit_(ports.secrets, ports.random, ports.clock) {}

core::SigningKey SigningKeys::NewKey(core::Ed25519KeyPair* pair) {
  *pair = ed_.Generate();
  core::SigningKey k;
  // The kid is random (128 bits), not derived from the key: it names the key and nothing more.
  k.kid = core::NewId(p_.random, "sk");
  k.public_key = core::Base64Url(pair->public_key);
  // Only the 32-byte seed is kept, sealed (XChaCha20-Poly1305 under a key derived from the
  // server secret): a copy of the database alone cannot sign tokens.
  k.sealed_private_key = box_.Seal(pair->seed());
  k.created_at = p_.clock.Now();
  return k;
}

Result<std::string> SigningKeys::Rotate(const Actor& actor) {
  core::Ed25519KeyPair pair;
  core::SigningKey key = NewKey(&pair);
  const core::Timestamp now = key.created_at;
  VAULT_TRY(p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_TRY(tx.InsertSigningKey(key));
    VAULT_ASSIGN_OR_RETURN(int retired,
                           tx.RetireSigningKeys(key.kid, now, now + settings_.retired_key_seconds));
    VAULT_ASSIGN_OR_RETURN(int deleted, tx.DeleteExpiredSigningKeys(now));
    NoteSigningKeysChanged(tx);
    return audit_.Record(tx, actor,
                         {"oauth.signing_key_rotated", "signing_key", key.kid,
                          JsonSummary({{"retired", std::to_string(retired)},
                                       {"deleted", std::to_string(deleted)},
                                       {"alg", key.alg}})});
  }));
  SigningKeysChanged();
  return key.kid;
}

void SigningKeys::SigningKeysChanged() {
  std::lock_guard lock(mu_);
  stale_ = true;
}

Result<std::shared_ptr<const SigningKeys::KeySet>> SigningKeys::Keys(bool force) {
  {
    std::lock_guard lock(mu_);
    // Re-read at least every reload_seconds: a node that missed a change still converges.
    if (set_ && !stale_ && !force && p_.clock.Now() - set_->loaded_at < settings_.reload_seconds)
      return set_;
  }
  if (!core::BlockingAllowed()) return Fail(core::WouldBlock());
  std::lock_guard load(load_mu_);
  {
    std::lock_guard lock(mu_);  // another thread may have reloaded while this one waited
    if (set_ && !stale_ && !force && p_.clock.Now() - set_->loaded_at < settings_.reload_seconds)
      return set_;
    stale_ = false;  // changes from now on mark the set read below stale again
  }
  auto loaded = Load();
  if (!loaded) {
    std::lock_guard lock(mu_);
    stale_ = true;
    return loaded;
  }
  std::lock_guard lock(mu_);
  set_ = *loaded;
  return set_;
}

Result<std::shared_ptr<const SigningKeys::KeySet>> SigningKeys::Load() {
  const core::Timestamp now = p_.clock.Now();
  VAULT_ASSIGN_OR_RETURN(auto keys,
                         p_.store.Read([&](core::Tx& tx) { return tx.ListSigningKeys(); }));
  auto live = [](const std::vector<core::SigningKey>& ks) {
    for (const auto& k : ks)
      if (k.retired_at == 0) return true;
    return false;
  };
  if (!live(keys)) {
    // The first key, made on demand. Nodes starting together may each make one: every live key
    // is published, and all of them sign with the newest, so they converge on one signer.
    core::Ed25519KeyPair pair;
    core::SigningKey key = NewKey(&pair);
    VAULT_ASSIGN_OR_RETURN(
        keys, p_.store.Write([&](core::Tx& tx) -> Result<std::vector<core::SigningKey>> {
          VAULT_ASSIGN_OR_RETURN(auto again, tx.ListSigningKeys());
          if (live(again)) return again;
          VAULT_TRY(tx.InsertSigningKey(key));
          VAULT_TRY(audit_.Record(tx, Actor{"system", "oauth", "", ""},
                                  {"oauth.signing_key_created", "signing_key", key.kid,
                                   JsonSummary({{"alg", key.alg}})}));
          return tx.ListSigningKeys();
        }));
  }
  auto set = std::make_shared<KeySet>();
  set->loaded_at = now;
  for (auto& k : keys) {
    if (!core::IsPublished(k, now)) continue;
    if (set->signer_kid.empty() && k.retired_at == 0) {  // newest live key: the signer
      auto seed = box_.Open(k.sealed_private_key);
      if (!seed) return Fail(Corrupt(k.kid));
      auto pair = ed_.FromSeed(*seed);
      if (!pair || core::Base64Url(pair->public_key) != k.public_key) return Fail(Corrupt(k.kid));
      set->signer_kid = k.kid;
      set->signer = std::move(*pair);
    }
    k.sealed_private_key.clear();  // the cache keeps only the signer's key, opened
    set->keys.push_back(std::move(k));
  }
  return std::shared_ptr<const KeySet>(std::move(set));
}

Result<Signed> SigningKeys::Sign(
    const std::function<std::string(const std::string& kid)>& make_input) {
  VAULT_ASSIGN_OR_RETURN(auto set, Keys());
  Signed out;
  out.kid = set->signer_kid;
  out.input = make_input(out.kid);
  out.signature = ed_.Sign(set->signer, out.input);
  return out;
}

Result<std::vector<PublishedKey>> SigningKeys::Published() {
  VAULT_ASSIGN_OR_RETURN(auto set, Keys());
  const core::Timestamp now = p_.clock.Now();
  std::vector<PublishedKey> out;
  for (const auto& k : set->keys) {
    if (!core::IsPublished(k, now)) continue;
    auto raw = core::Base64UrlDecode(k.public_key);
    if (!raw) continue;  // unreadable: not published (cannot verify anything)
    PublishedKey pk{k.kid, k.alg, *raw, k.kid == set->signer_kid};
    if (pk.current)
      out.insert(out.begin(), std::move(pk));
    else
      out.push_back(std::move(pk));
  }
  return out;
}

Result<std::optional<std::string>> SigningKeys::PublicKey(const std::string& kid) {
  VAULT_ASSIGN_OR_RETURN(auto published, Published());
  for (auto& k : published)
    if (k.kid == kid) return std::optional<std::string>(std::move(k.public_key));
  if (!core::BlockingAllowed()) return Fail(core::WouldBlock());
  {
    // A kid this node does not know may be a key rotated in elsewhere a moment ago.
    std::lock_guard lock(mu_);
    const core::Timestamp now = p_.clock.Now();
    if (now == last_miss_reload_) return std::optional<std::string>();
    last_miss_reload_ = now;
  }
  VAULT_TRY(Keys(true));
  VAULT_ASSIGN_OR_RETURN(published, Published());
  for (auto& k : published)
    if (k.kid == kid) return std::optional<std::string>(std::move(k.public_key));
  return std::optional<std::string>();
}

}  // namespace vault::app
