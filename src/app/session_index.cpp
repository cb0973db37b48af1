#include "app/session_index.hpp"

#include <atomic>
#include <cstring>
#include <mutex>

#include "core/encoding.hpp"

namespace vault::app {
namespace {

constexpr std::size_t kMinTable = 64;

bool FitsId(std::string_view s) { return !s.empty() && s.size() <= 31; }
bool Fits32(core::Timestamp t) { return t >= 0 && t <= 0xffffffffLL; }

std::uint64_t Fnv(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h ^ (h >> 29);
}

std::uint32_t Load(const std::uint32_t& v) {
  return std::atomic_ref<std::uint32_t>(const_cast<std::uint32_t&>(v))
      .load(std::memory_order_relaxed);
}
void Store(const std::uint32_t& v, std::uint32_t x) {
  std::atomic_ref<std::uint32_t>(const_cast<std::uint32_t&>(v)).store(x, std::memory_order_relaxed);
}

}  // namespace

std::optional<SessionIndex::Key> SessionIndex::KeyOf(std::string_view hex) {
  return core::DecodeHexDigest(hex);  // lower case only, as storage compares the text
}

std::uint32_t SessionIndex::IpHash(std::string_view ip) {
  return static_cast<std::uint32_t>(Fnv(ip));
}

// The key is an HMAC output under the server's key: uniform, and no client can aim tokens at
// one bucket without that key. All 32 bytes are still folded and mixed (a few cycles), so rows
// written by other means (a restore, a bulk import, a bench's synthetic hashes) cannot pile into
// one run of the table.
std::uint64_t SessionIndex::HashOf(const Key& key) {
  std::uint64_t w[4];
  std::memcpy(w, key.data(), sizeof w);
  std::uint64_t h = w[0] ^ (w[1] * 0x9E3779B97F4A7C15ull) ^ (w[2] * 0xC2B2AE3D27D4EB4Full) ^
                    (w[3] * 0x165667B19E3779F9ull);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  return h ^ (h >> 33);
}

std::uint64_t SessionIndex::HashOf(std::string_view account_id) { return Fnv(account_id); }

std::size_t SessionIndex::FindSlot(const Key& key) const {
  const std::size_t mask = table_.size() - 1;
  for (std::size_t i = HashOf(key) & mask;; i = (i + 1) & mask) {
    std::uint32_t v = table_[i];
    // Plain compare: keys are HMACs under the server key, so timing says nothing of a token
    // (as the database's own index lookup by hash does not).
    if (v == 0 || entries_[v - 1].key == key) return i;
  }
}

std::size_t SessionIndex::FindAccountSlot(std::string_view id) const {
  const std::size_t mask = account_table_.size() - 1;
  for (std::size_t i = HashOf(id) & mask;; i = (i + 1) & mask) {
    std::uint32_t v = account_table_[i];
    if (v == 0 || accounts_[v - 1].id.view() == id) return i;
  }
}

std::uint32_t SessionIndex::Epoch() const {
  std::shared_lock lock(mu_);
  return epoch_;
}

SessionIndex::Hit SessionIndex::Use(const Key& key, core::Timestamp now,
                                    core::Timestamp idle_seconds, core::Timestamp touch_interval,
                                    std::uint32_t ip_hash) const {
  Hit hit;
  std::shared_lock lock(mu_);
  if (table_.empty()) return hit;
  std::uint32_t v = table_[FindSlot(key)];
  if (v == 0) return hit;
  const Entry& e = entries_[v - 1];
  const Account& a = accounts_[e.account];
  if (e.epoch < a.changed) return hit;  // invalidated since it was read: absent
  hit.session_id = std::string(e.session_id.view());
  hit.account_id = std::string(a.id.view());
  hit.account_changed = a.changed;
  hit.created_at = e.created;
  hit.expires_at = e.expires;
  hit.last_seen_at = Load(e.last_seen);
  if (hit.expires_at <= now) {
    hit.state = State::kExpired;
  } else if (hit.last_seen_at + idle_seconds <= now) {
    hit.state = State::kIdle;
  } else {
    hit.state = State::kLive;
    if (Fits32(now) && static_cast<std::uint32_t>(now) > hit.last_seen_at)
      Store(e.last_seen, static_cast<std::uint32_t>(now));
    std::uint32_t stored = Load(e.stored_seen);
    // ct-ok: a hash of the client's IP, which the client knows; nothing secret is compared.
    if (stored + touch_interval <= now || Load(e.ip_hash) != ip_hash) {
      // Two readers may both see it due: the touch is idempotent, a second one costs one row.
      Store(e.stored_seen, static_cast<std::uint32_t>(now));
      Store(e.ip_hash, ip_hash);
      hit.touch_due = true;
    }
  }
  return hit;
}

void SessionIndex::Grow(std::vector<std::uint32_t>& table, bool accounts) {
  std::size_t n = table.empty() ? kMinTable : table.size() * 2;
  table.assign(n, 0);
  const std::size_t mask = n - 1;
  std::size_t count = accounts ? accounts_.size() : entries_.size();
  for (std::size_t idx = 0; idx < count; ++idx) {
    std::uint64_t h = accounts ? HashOf(accounts_[idx].id.view()) : HashOf(entries_[idx].key);
    std::size_t i = h & mask;
    while (table[i] != 0) i = (i + 1) & mask;
    table[i] = static_cast<std::uint32_t>(idx + 1);
  }
}

std::uint32_t SessionIndex::Intern(std::string_view account_id) {
  // Load factor at most 1/2: short probes, and the table is 4 bytes a slot.
  if ((accounts_.size() + 1) * 2 > account_table_.size()) Grow(account_table_, true);
  std::size_t slot = FindAccountSlot(account_id);
  if (account_table_[slot] != 0) return account_table_[slot] - 1;
  Account a{};
  std::memcpy(a.id.text, account_id.data(), account_id.size());
  a.id.size = static_cast<std::uint8_t>(account_id.size());
  a.changed = unknown_changed_[HashOf(account_id) % kUnknownBuckets];
  accounts_.push_back(a);
  account_table_[slot] = static_cast<std::uint32_t>(accounts_.size());
  return static_cast<std::uint32_t>(accounts_.size() - 1);
}

bool SessionIndex::Put(const core::Session& s, std::uint32_t epoch) {
  auto key = KeyOf(s.token_hash);
  if (!key || !FitsId(s.id) || !FitsId(s.account_id) || !Fits32(s.created_at) ||
      !Fits32(s.expires_at) || !Fits32(s.last_seen_at))
    return false;
  std::unique_lock lock(mu_);
  if ((entries_.size() + 1) * 2 > table_.size()) Grow(table_, false);
  Entry e{};
  e.key = *key;
  std::memcpy(e.session_id.text, s.id.data(), s.id.size());
  e.session_id.size = static_cast<std::uint8_t>(s.id.size());
  e.account = Intern(s.account_id);
  e.epoch = epoch;
  e.created = static_cast<std::uint32_t>(s.created_at);
  e.expires = static_cast<std::uint32_t>(s.expires_at);
  e.last_seen = e.stored_seen = static_cast<std::uint32_t>(s.last_seen_at);
  e.ip_hash = IpHash(s.ip);
  std::size_t slot = FindSlot(*key);
  if (table_[slot] != 0) {
    entries_[table_[slot] - 1] = e;
  } else {
    entries_.push_back(e);
    table_[slot] = static_cast<std::uint32_t>(entries_.size());
  }
  return true;
}

// Backward-shift deletion (no tombstones, so probes stay short after churn); the last entry
// moves into the freed place in the dense array.
void SessionIndex::EraseAt(std::size_t slot) {
  const std::size_t mask = table_.size() - 1;
  std::uint32_t idx = table_[slot] - 1;
  std::size_t hole = slot;
  for (std::size_t i = (hole + 1) & mask; table_[i] != 0; i = (i + 1) & mask) {
    std::size_t home = HashOf(entries_[table_[i] - 1].key) & mask;
    // Move i into the hole unless its home lies cyclically in (hole, i].
    bool stays = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
    if (stays) continue;
    table_[hole] = table_[i];
    hole = i;
  }
  table_[hole] = 0;
  std::uint32_t last = static_cast<std::uint32_t>(entries_.size() - 1);
  if (idx != last) {
    entries_[idx] = entries_[last];
    table_[FindSlot(entries_[idx].key)] = idx + 1;
  }
  entries_.pop_back();
}

bool SessionIndex::Erase(const Key& key) {
  std::unique_lock lock(mu_);
  if (table_.empty()) return false;
  std::size_t slot = FindSlot(key);
  if (table_[slot] == 0) return false;
  EraseAt(slot);
  return true;
}

void SessionIndex::InvalidateAccount(std::string_view account_id) {
  std::unique_lock lock(mu_);
  ++epoch_;
  if (!account_table_.empty()) {
    std::uint32_t v = account_table_[FindAccountSlot(account_id)];
    if (v != 0) {
      accounts_[v - 1].changed = epoch_;
      return;
    }
  }
  unknown_changed_[HashOf(account_id) % kUnknownBuckets] = epoch_;
}

std::size_t SessionIndex::Sweep(core::Timestamp now, core::Timestamp idle_seconds) {
  std::unique_lock lock(mu_);
  std::size_t gone = 0;
  for (std::size_t idx = entries_.size(); idx-- > 0;) {
    const Entry& e = entries_[idx];
    bool dead = e.expires <= now || e.last_seen + idle_seconds <= now ||
                e.epoch < accounts_[e.account].changed;
    if (!dead) continue;
    EraseAt(FindSlot(e.key));  // moves only the last entry, already visited
    ++gone;
  }
  return gone;
}

std::size_t SessionIndex::size() const {
  std::shared_lock lock(mu_);
  return entries_.size();
}

std::size_t SessionIndex::accounts() const {
  std::shared_lock lock(mu_);
  return accounts_.size();
}

std::size_t SessionIndex::bytes() const {
  std::shared_lock lock(mu_);
  return entries_.capacity() * sizeof(Entry) + accounts_.capacity() * sizeof(Account) +
         (table_.capacity() + account_table_.capacity()) * sizeof(std::uint32_t);
}

}  // namespace vault::app
