// ApiKeyService: the verification side — the in-memory cache of keys and of every issued id,
// its warm-up and invalidation, Verify (the hot path) and the batched last-use records. The
// management use cases (create, list, roll, revoke) are in api_key_service.cpp.
#include <cstring>

#include "app/api_key_service.hpp"
#include "core/blocking.hpp"
#include "core/encoding.hpp"

namespace vault::app {

using core::Code;
using core::Fail;
using core::Result;

void ApiKeyService::Changed(const std::string& key_id) {
  // Other processes learn it from the feed entry written in the same transaction
  // (NoteApiKeyChanged); this one drops the key now, even without a ChangeStore.
  ApiKeyChanged(key_id);
}

void ApiKeyService::ApiKeyChanged(const std::string& key_id) {
  std::unique_lock lock(mu_);
  generation_++;
  if (auto k = PackId(key_id)) {
    keys_.Erase(*k);
    RememberId(*k);  // created, revoked or rolled: it exists (a miss reads it again)
  }
}

void ApiKeyService::RememberId(const IdKey& id) {
  if (known_ids_.contains(id)) return;
  if (known_ids_.size() >= max_cached_) {
    ids_complete_ = false;  // past the bound: misses read the database again
    return;
  }
  known_ids_.insert(id);
}

std::optional<ApiKeyService::IdKey> ApiKeyService::PackId(std::string_view id) {
  constexpr std::string_view kPrefix = "ak_";
  if (id.size() != kPrefix.size() + 20 || id.substr(0, kPrefix.size()) != kPrefix)
    return std::nullopt;
  IdKey k;
  for (std::size_t i = 0; i < 20; ++i) {
    char c = id[kPrefix.size() + i];
    std::uint64_t v;
    if (c >= 'a' && c <= 'z')
      v = static_cast<std::uint64_t>(c - 'a');
    else if (c >= '2' && c <= '7')
      v = static_cast<std::uint64_t>(c - '2' + 26);
    else
      return std::nullopt;
    std::uint64_t& word = i < 8 ? k.hi : k.lo;  // 8 characters (40 bits), then 12 (60 bits)
    word = (word << 5) | v;
  }
  return k;
}

std::size_t ApiKeyService::cached_keys() const {
  std::shared_lock lock(mu_);
  return keys_.size();
}

std::size_t ApiKeyService::cache_bytes() const {
  std::shared_lock lock(mu_);
  return keys_.bytes();
}

std::uint64_t ApiKeyService::cache_evictions() const {
  std::shared_lock lock(mu_);
  return keys_.evictions();
}

std::size_t ApiKeyService::EstimateBytes(const Cached& c) {
  auto heap = [](const std::string& s) { return s.capacity() > 15 ? s.capacity() + 16 : 0; };
  // The Cached object in its shared_ptr block, the cache entry (map node, clock ring node),
  // and what its strings and vectors hold on the heap.
  std::size_t n = sizeof(Cached) + 32 + 160;
  n += heap(c.workspace_id) + heap(c.product_id) + heap(c.name);
  n += c.state.permissions.capacity() * sizeof(std::string);
  for (const auto& p : c.state.permissions) n += heap(p);
  n += c.state.networks.capacity() * sizeof(core::Cidr);
  return n;
}

std::shared_ptr<const ApiKeyService::Cached> ApiKeyService::ToCached(const core::ApiKey& k) {
  auto c = std::make_shared<Cached>();
  c->workspace_id = k.workspace_id;
  c->product_id = k.product_id;
  c->name = k.name;
  if (k.secret_hash.size() == c->secret_hash.size())
    std::memcpy(c->secret_hash.data(), k.secret_hash.data(), c->secret_hash.size());
  c->state.environment = k.environment;
  c->state.expires_at = k.expires_at;
  c->state.revoked_at = k.revoked_at;
  c->state.permissions = k.permissions;
  c->state.networks = core::KeyNetworks(k);
  c->last_recorded.store(k.last_used_at, std::memory_order_relaxed);
  return c;
}

Result<std::shared_ptr<const ApiKeyService::Cached>> ApiKeyService::Lookup(const std::string& id) {
  const std::optional<IdKey> packed = PackId(id);
  if (!packed) return std::shared_ptr<const Cached>();  // never issued in that shape
  {
    std::shared_lock lock(mu_);
    if (const auto* hit = keys_.Find(*packed)) return *hit;
    // An id never issued is answered from memory like a cached one: no timing oracle on ids.
    if (ids_complete_ && !known_ids_.contains(*packed)) return std::shared_ptr<const Cached>();
  }
  if (!core::BlockingAllowed()) return Fail(core::WouldBlock());
  db_reads_++;
  std::uint64_t gen = generation_.load();
  VAULT_ASSIGN_OR_RETURN(auto found,
                         p_.store.Read([&](core::Tx& tx) -> Result<std::optional<core::ApiKey>> {
                           std::optional<core::ApiKey> found;
                           VAULT_ASSIGN_OR_RETURN(auto k, tx.FindApiKey(id));
                           found = std::move(k);
                           return found;
                         }));
  if (!found) {  // unknown ids are not cached: probes must not grow memory
    std::unique_lock lock(mu_);
    if (generation_.load() == gen) known_ids_.erase(*packed);  // deleted with its product
    return std::shared_ptr<const Cached>();
  }
  auto c = ToCached(*found);
  std::size_t bytes = EstimateBytes(*c);
  std::unique_lock lock(mu_);
  if (generation_.load() == gen)  // nothing was invalidated while we read: safe to keep
    keys_.Put(*packed, c, bytes);
  return c;
}

Result<std::size_t> ApiKeyService::WarmUp() {
  std::string after;
  std::size_t loaded = 0;
  constexpr int kPage = 5000;
  for (int retries = 0; loaded < max_cached_;) {
    std::uint64_t gen = generation_.load();
    VAULT_ASSIGN_OR_RETURN(auto page,
                           p_.store.Read([&](core::Tx& tx) -> Result<std::vector<core::ApiKey>> {
                             std::vector<core::ApiKey> page;
                             VAULT_ASSIGN_OR_RETURN(auto keys, tx.ScanLiveApiKeys(after, kPage));
                             page = std::move(keys);
                             return page;
                           }));
    if (page.empty()) break;
    std::vector<std::pair<std::string, std::shared_ptr<const Cached>>> built;
    built.reserve(page.size());
    for (const auto& k : page) built.emplace_back(k.id, ToCached(k));
    bool full = false;
    {
      std::unique_lock lock(mu_);
      if (generation_.load() != gen && retries < 3) {
        ++retries;  // a key changed while this page was read: read the page again
        continue;
      }
      if (generation_.load() == gen)
        for (auto& [id, c] : built) {
          auto k = PackId(id);
          if (!k || keys_.Contains(*k)) continue;
          std::size_t bytes = EstimateBytes(*c);
          // Warm-up fills the budget, never evicts: what does not fit loads on first use.
          if (keys_.size() >= max_cached_ || keys_.bytes() + bytes > keys_.max_bytes()) {
            full = true;
            break;
          }
          keys_.Put(*k, std::move(c), bytes);
          ++loaded;
        }
    }
    if (full) break;
    retries = 0;
    after = page.back().id;
  }
  VAULT_TRY(WarmIds());
  return loaded;
}

Result<void> ApiKeyService::WarmIds() {
  std::string after;
  constexpr int kPage = 20000;
  for (;;) {
    std::vector<std::string> page;
    auto r = p_.store.Read([&](core::Tx& tx) -> Result<void> {
      VAULT_ASSIGN_OR_RETURN(auto ids, tx.ScanApiKeyIds(after, kPage));
      page = std::move(ids);
      return {};
    });
    if (!r) return r;
    std::unique_lock lock(mu_);
    for (const auto& id : page) {
      auto k = PackId(id);
      if (!k) continue;
      if (known_ids_.size() >= max_cached_ && !known_ids_.contains(*k))
        return {};  // stays incomplete
      known_ids_.insert(*k);
    }
    if (page.size() < static_cast<std::size_t>(kPage)) {
      // Ids created meanwhile arrived through ApiKeyChanged, which also fills known_ids_.
      ids_complete_ = true;
      return {};
    }
    after = page.back();
  }
}

Result<KeyVerdict> ApiKeyService::Verify(const core::ServiceClient& client,
                                         std::string_view key_text, const core::KeyCheck& check) {
  KeyVerdict v;
  auto parsed = core::ParseApiKey(key_text);
  if (!parsed) {  // wrong shape or checksum: answered without touching storage
    v.reason = "malformed";
    return v;
  }
  VAULT_ASSIGN_OR_RETURN(auto cached, Lookup(parsed->id));
  const Cached* c = cached.get();
  // Constant-time compare of the stored keyed hash with the presented key's: under the primary
  // key first (the hot path: one HMAC), then under the older keyring keys, so keys issued before
  // a rotation keep verifying (ADR 0011). Hashed whether or not the id is known, as before.
  std::string hash = p_.secrets.KeyedHash(kHashPurpose, key_text);
  if (c) {
    std::string_view stored(c->secret_hash.data(), c->secret_hash.size());
    bool match = core::ConstantTimeEquals(stored, hash);
    if (!match) {
      auto hashes = p_.secrets.KeyedHashes(kHashPurpose, key_text);
      for (std::size_t i = 1; i < hashes.size(); ++i)
        match = core::ConstantTimeEquals(stored, hashes[i]) || match;
    }
    if (!match || c->state.environment != parsed->environment) c = nullptr;
  }
  core::KeyProductFacts product;
  if (c) {
    VAULT_ASSIGN_OR_RETURN(auto facts, model_.KeyProduct(c->product_id, check.permission));
    product = std::move(facts);
    // A key of another product type is not this client's to know about.
    if (product.type_id != client.type_id) product.exists = false;
  }
  core::Timestamp now = p_.clock.Now();
  v.reason = core::DecideKey(c ? &c->state : nullptr, product, check, now);
  if (!v.reason.empty()) return v;
  v.key_id = parsed->id;
  v.workspace_id = c->workspace_id;
  v.product_id = c->product_id;
  v.name = c->name;
  v.environment = c->state.environment;
  v.permissions = c->state.permissions;
  v.expires_at = c->state.expires_at;
  v.features = std::move(product.features);
  v.config = std::move(product.config);
  core::Timestamp last = c->last_recorded.load(std::memory_order_relaxed);
  if (now - last >= kUsageResolution &&
      c->last_recorded.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
    std::lock_guard lock(usage_mu_);
    auto& u = usage_[v.key_id];
    u.at = now;
    if (u.ip != check.ip) u.ip = check.ip;
  }
  return v;
}

Result<int> ApiKeyService::FlushUsage() {
  std::unordered_map<std::string, core::ApiKeyUsage> pending;
  {
    std::lock_guard lock(usage_mu_);
    pending.swap(usage_);
  }
  if (pending.empty()) return 0;
  std::vector<core::ApiKeyUsage> batch;
  batch.reserve(pending.size());
  for (auto& [id, u] : pending) batch.push_back({id, u.at, std::move(u.ip)});
  auto r = p_.store.Write([&](core::Tx& tx) { return tx.RecordApiKeyUsage(batch); });
  flushes_++;
  if (!r) {
    // Put the records back (newer ones recorded meanwhile win) for the next flush.
    std::lock_guard lock(usage_mu_);
    for (auto& u : batch)
      if (auto it = usage_.find(u.id); it == usage_.end()) usage_.emplace(u.id, std::move(u));
    return Fail(r.error());
  }
  return static_cast<int>(batch.size());
}

}  // namespace vault::app
