// ApiKeyService: the verification side — the in-memory index of keys (KeyIndex), its bulk load
// and invalidation, Verify (the hot path) and the batched last-use records. The management use
// cases (create, list, roll, revoke) are in api_key_service.cpp.
#include <algorithm>
#include <cstring>
#include <string_view>

#include "app/api_key_service.hpp"
#include "core/blocking.hpp"
#include "core/encoding.hpp"

namespace vault::app {

using core::Code;
using core::Fail;
using core::Result;

static_assert(KeyIndex::kNoHint == IdTable::kNone, "an unset hint must read as no index");

namespace {

std::string_view Bytes(const KeyIndex::Hash& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}

}  // namespace

void ApiKeyService::Changed(const std::string& key_id) {
  // Other processes learn it from the feed entry written in the same transaction
  // (NoteApiKeyChanged); this one marks the key stale now, even without a ChangeStore.
  ApiKeyChanged(key_id);
}

void ApiKeyService::ApiKeyChanged(const std::string& key_id) {
  // Created, revoked or rolled: the id exists, and the next verification reads it again.
  if (auto k = KeyIndex::Pack(key_id)) index_.MarkStale(*k);
}

std::size_t ApiKeyService::cached_keys() const { return index_.loaded(); }

std::size_t ApiKeyService::cache_bytes() const { return index_.bytes(); }

std::uint64_t ApiKeyService::cache_evictions() const { return index_.refused(); }

Result<bool> ApiKeyService::Lookup(const std::string& id, const std::optional<KeyIndex::Id>& packed,
                                   KeyIndex::View* out) {
  if (!packed) return false;  // never issued in that shape
  switch (index_.Find(*packed, out)) {
    case KeyIndex::Probe::kHit:
      return true;
    case KeyIndex::Probe::kUnknown:
      // An id never issued is answered from memory like a held one: no timing oracle on ids.
      return false;
    case KeyIndex::Probe::kMiss:
      break;
  }
  if (!core::BlockingAllowed()) return Fail(core::WouldBlock());
  db_reads_++;
  const std::uint64_t gen = index_.generation();
  VAULT_ASSIGN_OR_RETURN(auto found,
                         p_.store.Read([&](core::Tx& tx) -> Result<std::optional<core::ApiKey>> {
                           std::optional<core::ApiKey> found;
                           VAULT_ASSIGN_OR_RETURN(auto k, tx.FindApiKey(id));
                           found = std::move(k);
                           return found;
                         }));
  if (!found) {                       // unknown ids are not added: probes must not grow memory
    index_.MarkAbsent(*packed, gen);  // a held id whose key was deleted with its product
    return false;
  }
  index_.Fill(*packed, *found, gen);  // kept only if nothing changed while it was read
  KeyIndex::FromRow(*found, out);
  return true;
}

Result<std::size_t> ApiKeyService::WarmUp() {
  std::string after;
  std::size_t pages = 0;
  constexpr int kPage = 5000;
  for (;;) {
    VAULT_ASSIGN_OR_RETURN(auto page,
                           p_.store.Read([&](core::Tx& tx) -> Result<std::vector<core::ApiKey>> {
                             std::vector<core::ApiKey> page;
                             VAULT_ASSIGN_OR_RETURN(auto keys, tx.ScanLiveApiKeys(after, kPage));
                             page = std::move(keys);
                             return page;
                           }));
    if (page.empty()) break;
    ++pages;
    // Only ids not in the index yet are stored: one a change or a fill put there is as new.
    if (!index_.LoadPage(page)) break;  // the bound: the rest load on first use
    after = page.back().id;
  }
  VAULT_TRY(WarmIds());
  return index_.loaded();
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
    if (!index_.AddIds(page)) return {};  // stays incomplete
    if (page.size() < static_cast<std::size_t>(kPage)) {
      // Ids created meanwhile arrived through ApiKeyChanged, which also adds them.
      index_.SetComplete(true);
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
  // The key's slot in the index starts loading now and the HMAC below hides the miss (at a
  // million keys the slot table is far bigger than the caches).
  const std::optional<KeyIndex::Id> packed = KeyIndex::Pack(parsed->id);
  if (packed) index_.Prefetch(*packed);
  // Constant-time compare of the stored keyed hash with the presented key's: under the primary
  // key first (the hot path: one HMAC), then under the older keyring keys, so keys issued before
  // a rotation keep verifying (ADR 0011). Hashed and compared whether or not the id is known
  // (against zeros when it is not), so an unknown id costs what a known one does.
  const KeyIndex::Hash presented = p_.secrets.KeyedDigest(0, kHashPurpose, key_text);
  KeyIndex::View view;
  VAULT_ASSIGN_OR_RETURN(bool known, Lookup(parsed->id, packed, &view));
  bool match = core::ConstantTimeEquals(Bytes(view.hash), Bytes(presented));
  if (!match && known && view.hash_ok)
    for (std::size_t i = 1; i < p_.secrets.KeyCount(); ++i)
      match = core::ConstantTimeEquals(Bytes(view.hash),
                                       Bytes(p_.secrets.KeyedDigest(i, kHashPurpose, key_text))) ||
              match;
  known = known && view.hash_ok && match && view.profile->environment == parsed->environment;
  core::KeyProductFacts product;
  if (known) {
    VAULT_ASSIGN_OR_RETURN(auto facts, model_.KeyProduct(view.product->product_id, check.permission,
                                                         view.product_hint));
    product = std::move(facts);
    // A key of another product type is not this client's to know about.
    if (product.type_id != client.type_id) product.exists = false;
  }
  core::Timestamp now = p_.clock.Now();
  // The interned profile carries no revocation or expiry (they are per key): those two come
  // right after "unknown" in the decision order, so they take the place of any later reason.
  v.reason = core::DecideKey(known ? view.profile : nullptr, product, check, now);
  if (v.reason != "unknown") {
    if (view.revoked)
      v.reason = "revoked";
    else if (view.expires_at != 0 && now >= view.expires_at)
      v.reason = "expired";
  }
  if (!v.reason.empty()) return v;
  v.key_id = std::move(parsed->id);
  v.workspace_id = view.product->workspace_id;
  v.product_id = view.product->product_id;
  v.name = view.name;
  v.environment = view.profile->environment;
  v.permissions = &view.profile->permissions;
  v.row = std::move(view.row);
  v.expires_at = view.expires_at;
  v.features = product.features;
  v.config = std::move(product.config);
  // The last recorded use lives in the key's index record (32-bit seconds); a key read from
  // the database has none and records a use when the stored one is as old.
  bool record = now - view.stored_last_use >= kUsageResolution;
  if (auto* last_recorded = view.last_recorded) {
    std::uint32_t last = last_recorded->load(std::memory_order_relaxed);
    record = now - static_cast<core::Timestamp>(last) >= kUsageResolution &&
             last_recorded->compare_exchange_strong(last, static_cast<std::uint32_t>(now),
                                                    std::memory_order_relaxed);
  }
  if (record && v.key_id.size() == PendingUse{}.id.size()) {
    PendingUse u;
    std::memcpy(u.id.data(), v.key_id.data(), u.id.size());
    // A longer text is not an address (the input is validated): none is recorded then.
    u.ip_size = check.ip.size() <= u.ip.size() ? static_cast<std::uint8_t>(check.ip.size()) : 0;
    std::memcpy(u.ip.data(), check.ip.data(), u.ip_size);
    u.at = now;
    std::lock_guard lock(usage_mu_);
    usage_.push_back(u);
  }
  return v;
}

Result<int> ApiKeyService::FlushUsage() {
  // The next buffer is sized like the last one before the lock, so a burst of records does not
  // reallocate under it.
  std::vector<PendingUse> pending;
  {
    std::lock_guard lock(usage_mu_);
    if (usage_.empty()) return 0;
  }
  std::vector<PendingUse> next;
  next.reserve(usage_capacity_hint_.load(std::memory_order_relaxed));
  {
    std::lock_guard lock(usage_mu_);
    pending.swap(usage_);
    usage_.swap(next);
  }
  usage_capacity_hint_.store(pending.size(), std::memory_order_relaxed);
  // One record per key, its newest (a key read from the database may have recorded more than
  // once): sorted by key id, newest last within a key. The store orders its writes the same way
  // (WriteRowsInChunks); deduplicating here counts the keys and puts back one per key.
  std::sort(pending.begin(), pending.end(), [](const PendingUse& a, const PendingUse& b) {
    return a.id != b.id ? a.id < b.id : a.at < b.at;
  });
  auto newest = [&pending](std::size_t i) {
    return i + 1 == pending.size() || pending[i + 1].id != pending[i].id;
  };
  std::vector<core::ApiKeyUsage> batch;
  batch.reserve(pending.size());
  for (std::size_t i = 0; i < pending.size(); ++i) {
    if (!newest(i)) continue;
    const PendingUse& u = pending[i];
    batch.push_back(
        {std::string(u.id.data(), u.id.size()), u.at, std::string(u.ip.data(), u.ip_size)});
  }
  auto r = p_.store.Write([&](core::Tx& tx) { return tx.RecordApiKeyUsage(batch); });
  flushes_++;
  if (!r) {
    // Put the records back for the next flush; newer ones recorded meanwhile win there.
    std::lock_guard lock(usage_mu_);
    for (std::size_t i = 0; i < pending.size(); ++i)
      if (newest(i)) usage_.push_back(pending[i]);
    return Fail(r.error());
  }
  return static_cast<int>(batch.size());
}

}  // namespace vault::app
