#include "app/api_key_index.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <limits>
#include <new>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "core/encoding.hpp"

namespace vault::app {

namespace {

constexpr std::size_t kHuge = std::size_t{2} << 20;  // a transparent huge page
constexpr std::size_t kChunkRecords = kHuge / 128;   // one huge page of records per chunk
constexpr std::size_t kNameChunkBits = 21;           // name arena chunks: one huge page
constexpr std::size_t kNameChunk = std::size_t{1} << kNameChunkBits;
constexpr std::size_t kMaxNameChunks = std::size_t{1} << (32 - kNameChunkBits);
constexpr std::uint32_t kNoName = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t kIdMask = (std::uint64_t{1} << 40) - 1;  // the id's high 40 bits
constexpr std::uint64_t kLoaded = std::uint64_t{1} << 63;
constexpr std::uint64_t kAbsent = std::uint64_t{1} << 62;
constexpr std::uint64_t kRevoked = std::uint64_t{1} << 61;
constexpr std::size_t kBatch = 512;  // bulk-load entries written per exclusive lock

// 32-bit seconds reach 2106; a stored time outside them keeps the key out of the index.
bool FitsSeconds(core::Timestamp t) {
  return t >= 0 && t <= static_cast<core::Timestamp>(std::numeric_limits<std::uint32_t>::max());
}

// Big tables: huge-page aligned and advised, so a million keys' random reads do not also miss
// the TLB on every access (with THP in "madvise" mode, as on most distributions). Small ones
// (a few keys) come from the ordinary heap. Freed with std::free.
void* TableAlloc(std::size_t bytes) {
  if (bytes < kHuge) {
    void* p = std::calloc(1, bytes);
    if (!p) throw std::bad_alloc();
    return p;
  }
  const std::size_t n = (bytes + kHuge - 1) / kHuge * kHuge;
  void* p = std::aligned_alloc(kHuge, n);
  if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  madvise(p, n, MADV_HUGEPAGE);  // advice only: without it the table just uses small pages
#endif
  std::memset(p, 0, n);
  return p;
}

// Two cache lines: what a verification reads about a key, its name included when it fits (most
// do), so a verification waits for one fetch of both lines rather than a record, then a name.
constexpr std::size_t kInlineName = 59;
struct alignas(64) Record {
  std::uint64_t hi = 0;  // the id's first 40 bits; flags (kLoaded, kAbsent, kRevoked) on top
  std::uint64_t lo = 0;
  KeyIndex::Hash hash{};  // HMAC-SHA-256 of the key text, binary
  std::uint32_t expires_at = 0;
  // When this key's last use was last recorded (buffered or stored): uses within the usage
  // resolution of it record nothing (ADR 0006), so the hot path usually takes no lock.
  mutable std::atomic<std::uint32_t> last_recorded{0};
  std::uint32_t product = 0;  // into products
  std::uint32_t profile = 0;  // into profiles
  // The second line: a name of up to kInlineName bytes inline, a longer one in the arena.
  std::uint32_t name_at = kNoName;  // arena offset of a long name
  std::uint8_t name_size = 0;       // of the inline name
  char name[kInlineName] = {};
};
static_assert(sizeof(Record) == 128, "a record is two cache lines");
static_assert(std::is_trivially_destructible_v<Record>);

struct Slot {
  std::uint32_t tag = 0;  // 0: empty
  std::uint32_t rec = 0;
};

std::uint64_t Mix(const KeyIndex::Id& k) {  // a 64-bit finaliser mix (MurmurHash3)
  std::uint64_t h = k.lo ^ (k.hi * 0x9E3779B97F4A7C15ull);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 33);
}

std::uint32_t TagOf(std::uint64_t mix) { return static_cast<std::uint32_t>(mix >> 32) | 1; }

struct Table {  // slots, a power of two
  Slot* slots = nullptr;
  std::size_t size = 0;
  Table() = default;
  explicit Table(std::size_t n)
      : slots(static_cast<Slot*>(TableAlloc(n * sizeof(Slot)))), size(n) {}
  Table(Table&& o) noexcept
      : slots(std::exchange(o.slots, nullptr)), size(std::exchange(o.size, 0)) {}
  Table& operator=(Table&& o) noexcept {
    std::swap(slots, o.slots);
    std::swap(size, o.size);
    return *this;
  }
  ~Table() { std::free(slots); }
  // The slot for a new entry with this mix (the table has room).
  Slot& Free(std::uint64_t mix) {
    const std::size_t mask = size - 1;
    std::size_t i = mix & mask;
    while (slots[i].tag != 0) i = (i + 1) & mask;
    return slots[i];
  }
};

}  // namespace

struct KeyIndex::State {
  explicit State(std::size_t max) : max_keys(max) {}
  ~State() {
    for (Record* c : chunks) std::free(c);
    for (char* c : names) std::free(c);
  }
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  const std::size_t max_keys;
  Table table;  // at most half full
  // The table as Prefetch reads it, without the lock: relaxed atomics set with every swap. A
  // stale or mixed pair only aims a prefetch at a line nobody reads (a prefetch never faults).
  std::atomic<std::uintptr_t> prefetch_slots{0};
  std::atomic<std::size_t> prefetch_mask{0};
  std::vector<Record*> chunks;  // of kChunkRecords records each; never move
  std::uint32_t count = 0;
  std::size_t loaded = 0;
  std::vector<char*> names;   // arena chunks of kNameChunk bytes
  std::size_t name_used = 0;  // in the last chunk
  std::deque<Product> products;
  // Per product: its index in the access model (AccessModel::KeyProduct's hint), kept here
  // rather than in Product so Product stays a plain value; set by the first verification.
  std::deque<std::atomic<std::uint32_t>> product_hints;
  std::unordered_map<std::string, std::uint32_t> product_ids;
  std::deque<core::KeyState> profiles;
  std::unordered_map<std::string, std::uint32_t> profile_ids;
  bool complete = false;

  Record& At(std::uint32_t rec) const { return chunks[rec / kChunkRecords][rec % kChunkRecords]; }

  // The slot of `id`, or null. Reads the table: the caller holds mu_ (either way) or is the
  // writer (the only one that changes it).
  Slot* Locate(const Id& id) const {
    if (table.size == 0) return nullptr;
    const std::uint64_t m = Mix(id);
    const std::uint32_t tag = TagOf(m);
    const std::size_t mask = table.size - 1;
    for (std::size_t i = m & mask;; i = (i + 1) & mask) {
      Slot& s = table.slots[i];
      if (s.tag == 0) return nullptr;
      if (s.tag != tag) continue;
      const Record& r = At(s.rec);
      // The name's line is fetched beside the id's, not after it.
      __builtin_prefetch(reinterpret_cast<const char*>(&r) + 64);
      if ((r.hi & kIdMask) == id.hi && r.lo == id.lo) return &s;
    }
  }

  // Makes room for `more` records: new chunks and a grown table are built while readers go on
  // with the old ones; only adding them takes the exclusive lock. False when past the bound.
  bool Reserve(std::size_t more, std::shared_mutex& mu) {
    const std::size_t want = count + more;
    if (want > max_keys) return false;
    std::vector<Record*> fresh;
    while ((chunks.size() + fresh.size()) * kChunkRecords < want) {
      auto* c = static_cast<Record*>(TableAlloc(kChunkRecords * sizeof(Record)));
      for (std::size_t i = 0; i < kChunkRecords; ++i) new (&c[i]) Record();
      fresh.push_back(c);
    }
    Table grown;
    if (want * 2 > table.size) {
      std::size_t n = std::max<std::size_t>(table.size, 256);
      while (n < want * 2) n *= 2;
      grown = Table(n);
      for (std::size_t i = 0; i < table.size; ++i) {
        const Slot& s = table.slots[i];
        if (s.tag == 0) continue;
        const Record& r = At(s.rec);
        grown.Free(Mix(Id{r.hi & kIdMask, r.lo})) = s;
      }
    }
    if (fresh.empty() && grown.size == 0) return true;
    std::unique_lock lock(mu);
    chunks.insert(chunks.end(), fresh.begin(), fresh.end());
    if (grown.size != 0) {
      std::swap(table, grown);
      prefetch_slots.store(reinterpret_cast<std::uintptr_t>(table.slots),
                           std::memory_order_relaxed);
      prefetch_mask.store(table.size - 1, std::memory_order_relaxed);
    }
    return true;  // the old table is freed after the lock is released
  }

  Slot& Append(const Id& id) {  // both locks held; room reserved
    const std::uint32_t rec = count++;
    Record& r = At(rec);
    r.hi = id.hi;
    r.lo = id.lo;
    const std::uint64_t m = Mix(id);
    Slot& s = table.Free(m);
    s = Slot{TagOf(m), rec};
    return s;
  }

  std::string_view NameOf(const Record& r) const {
    return r.name_at == kNoName ? std::string_view(r.name, r.name_size) : NameAt(r.name_at);
  }

  std::string_view NameAt(std::uint32_t offset) const {
    const char* p = names[offset >> kNameChunkBits] + (offset & (kNameChunk - 1));
    const std::size_t len =
        static_cast<unsigned char>(p[0]) | (static_cast<unsigned char>(p[1]) << 8);
    return {p + 2, len};
  }

  std::optional<std::uint32_t> StoreName(std::string_view name) {
    const std::size_t need = name.size() + 2;
    if (name.size() > 0xffff) return std::nullopt;
    if (names.empty() || name_used + need > kNameChunk) {
      if (names.size() >= kMaxNameChunks) return std::nullopt;
      names.push_back(static_cast<char*>(TableAlloc(kNameChunk)));
      name_used = 0;
    }
    char* p = names.back() + name_used;
    p[0] = static_cast<char>(name.size() & 0xff);
    p[1] = static_cast<char>(name.size() >> 8);
    std::memcpy(p + 2, name.data(), name.size());
    const auto offset =
        static_cast<std::uint32_t>(((names.size() - 1) << kNameChunkBits) | name_used);
    name_used += need;
    return offset;
  }

  std::uint32_t InternProduct(const core::ApiKey& k) {
    std::string key = k.workspace_id + '/' + k.product_id;
    auto [it, inserted] = product_ids.try_emplace(std::move(key), 0);
    if (inserted) {
      it->second = static_cast<std::uint32_t>(products.size());
      products.push_back({k.workspace_id, k.product_id});
      product_hints.emplace_back(kNoHint);
    }
    return it->second;
  }

  std::uint32_t InternProfile(const core::ApiKey& k) {
    // Separators below any character of a permission or a canonical CIDR.
    std::string key(1, static_cast<char>('0' + static_cast<int>(k.environment)));
    for (const auto& p : k.permissions) key.append("\x1e").append(p);
    key += '\x1d';
    for (const auto& ip : k.allowed_ips) key.append("\x1e").append(ip);
    auto [it, inserted] = profile_ids.try_emplace(std::move(key), 0);
    if (inserted) {
      it->second = static_cast<std::uint32_t>(profiles.size());
      profiles.push_back(core::KeyState{k.environment, 0, 0, k.permissions, core::KeyNetworks(k)});
    }
    return it->second;
  }

  // Writes a key into its record; false when it cannot be represented (the record is then
  // left stale: read from the database when used). Both locks held.
  bool Write(Slot& s, const core::ApiKey& k) {
    Record& r = At(s.rec);
    const std::uint64_t id_hi = r.hi & kIdMask;
    if (r.hi & kLoaded) --loaded;
    r.hi = id_hi;  // stale until every field is written
    KeyIndex::Hash h;
    if (!DecodeHash(k.secret_hash, &h) || !FitsSeconds(k.expires_at)) return false;
    // A View may still point at the name a reader copied out before this write, so stored name
    // bytes are never rewritten: the inline name is written once (names are 1-100 characters,
    // never empty), and a different name later (none today: keys are not renamed) goes to the
    // append-only arena. A reload with the same name keeps it.
    const bool unnamed = r.name_size == 0 && r.name_at == kNoName;
    if (unnamed && k.name.size() <= kInlineName && !k.name.empty()) {
      std::memcpy(r.name, k.name.data(), k.name.size());
      r.name_size = static_cast<std::uint8_t>(k.name.size());
    } else if (unnamed || NameOf(r) != k.name) {
      auto stored = StoreName(k.name);
      if (!stored) return false;
      r.name_at = *stored;
    }
    r.hash = h;
    r.expires_at = static_cast<std::uint32_t>(k.expires_at);
    r.product = InternProduct(k);
    r.profile = InternProfile(k);
    // Never moves back: a use buffered here may be newer than the stored one.
    if (FitsSeconds(k.last_used_at) && static_cast<std::uint32_t>(k.last_used_at) >
                                           r.last_recorded.load(std::memory_order_relaxed))
      r.last_recorded.store(static_cast<std::uint32_t>(k.last_used_at), std::memory_order_relaxed);
    r.hi = id_hi | kLoaded | (k.revoked_at != 0 ? kRevoked : 0);
    ++loaded;
    return true;
  }

  // Appends the ids of `items` not in the index yet and hands each new slot to `fill`, kBatch
  // per exclusive lock, so readers wait well under a millisecond. False once past the bound.
  template <typename Item, typename IdOf, typename Fill>
  bool AppendNew(const std::vector<Item>& items, std::shared_mutex& mu,
                 std::atomic<std::uint64_t>& refused, IdOf id_of, Fill fill) {
    Reserve(std::min(items.size(), max_keys - count), mu);
    for (std::size_t from = 0; from < items.size(); from += kBatch) {
      std::unique_lock lock(mu);
      for (std::size_t i = from; i < std::min(items.size(), from + kBatch); ++i) {
        auto id = Pack(id_of(items[i]));
        if (!id || Locate(*id)) continue;
        if (count >= max_keys) {
          refused++;
          complete = false;
          return false;
        }
        fill(Append(*id), items[i]);
      }
    }
    return true;
  }

  void Stale(Slot& s) {
    Record& r = At(s.rec);
    if (r.hi & kLoaded) --loaded;
    r.hi &= kIdMask;
  }
};

KeyIndex::KeyIndex(std::size_t max_keys)
    : s_(std::make_unique<State>(
          std::min<std::size_t>(max_keys, std::numeric_limits<std::uint32_t>::max() / 2))) {}

KeyIndex::~KeyIndex() = default;

std::optional<KeyIndex::Id> KeyIndex::Pack(std::string_view id) {
  constexpr std::string_view kPrefix = "ak_";
  if (id.size() != kPrefix.size() + 20 || id.substr(0, kPrefix.size()) != kPrefix)
    return std::nullopt;
  Id k;
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

bool KeyIndex::DecodeHash(std::string_view hex, Hash* out) {
  auto digest = core::DecodeHexDigest(hex, /*upper_too=*/true);  // bytes are compared, not text
  if (digest) *out = *digest;
  return digest.has_value();
}

void KeyIndex::FromRow(const core::ApiKey& k, View* out) {
  auto row = std::make_shared<RowCopy>();
  row->product = {k.workspace_id, k.product_id};
  row->profile = core::KeyState{k.environment, 0, 0, k.permissions, core::KeyNetworks(k)};
  row->name = k.name;
  out->hash_ok = DecodeHash(k.secret_hash, &out->hash);
  out->revoked = k.revoked_at != 0;
  out->expires_at = k.expires_at;
  out->product = &row->product;
  out->product_hint = nullptr;
  out->profile = &row->profile;
  out->name = row->name;
  out->last_recorded = nullptr;
  out->stored_last_use = k.last_used_at;
  out->row = std::move(row);
}

void KeyIndex::Prefetch(const Id& id) const {
  const std::uintptr_t base = s_->prefetch_slots.load(std::memory_order_relaxed);
  if (base == 0) return;
  const std::size_t i = Mix(id) & s_->prefetch_mask.load(std::memory_order_relaxed);
  __builtin_prefetch(reinterpret_cast<const void*>(base + i * sizeof(Slot)));
}

KeyIndex::Probe KeyIndex::Find(const Id& id, View* out) const {
  std::shared_lock lock(mu_);
  const Slot* s = s_->Locate(id);
  if (!s) return s_->complete ? Probe::kUnknown : Probe::kMiss;
  const Record& r = s_->At(s->rec);
  if (r.hi & kAbsent) return Probe::kUnknown;
  if (!(r.hi & kLoaded)) return Probe::kMiss;
  out->hash = r.hash;
  out->hash_ok = true;
  out->revoked = (r.hi & kRevoked) != 0;
  out->expires_at = r.expires_at;
  out->product = &s_->products[r.product];
  out->product_hint = &s_->product_hints[r.product];
  out->profile = &s_->profiles[r.profile];
  out->name = s_->NameOf(r);  // the record and the arena never move
  out->last_recorded = &r.last_recorded;
  return Probe::kHit;
}

void KeyIndex::Fill(const Id& id, const core::ApiKey& k, std::uint64_t generation) {
  std::lock_guard writer(writer_mu_);
  if (generation_.load() != generation) return;  // changed while it was read: not kept
  Slot* s = s_->Locate(id);
  if (!s && !s_->Reserve(1, mu_)) {
    refused_++;
    return;
  }
  std::unique_lock lock(mu_);
  if (!s) s = &s_->Append(id);
  s_->Write(*s, k);
}

void KeyIndex::MarkAbsent(const Id& id, std::uint64_t generation) {
  std::lock_guard writer(writer_mu_);
  if (generation_.load() != generation) return;
  Slot* s = s_->Locate(id);
  if (!s) return;  // not recorded: probes must not grow memory
  std::unique_lock lock(mu_);
  s_->Stale(*s);
  s_->At(s->rec).hi |= kAbsent;
}

void KeyIndex::MarkStale(const Id& id) {
  std::lock_guard writer(writer_mu_);
  generation_++;
  Slot* s = s_->Locate(id);
  if (!s && !s_->Reserve(1, mu_)) {
    refused_++;
    std::unique_lock lock(mu_);
    s_->complete = false;  // past the bound: misses read the database again
    return;
  }
  std::unique_lock lock(mu_);
  if (!s)
    s_->Append(id);
  else
    s_->Stale(*s);
}

bool KeyIndex::LoadPage(const std::vector<core::ApiKey>& keys) {
  std::lock_guard writer(writer_mu_);
  return s_->AppendNew(
      keys, mu_, refused_, [](const core::ApiKey& k) -> const std::string& { return k.id; },
      [this](Slot& s, const core::ApiKey& k) { s_->Write(s, k); });  // else it stays stale
}

bool KeyIndex::AddIds(const std::vector<std::string>& ids) {
  std::lock_guard writer(writer_mu_);
  return s_->AppendNew(
      ids, mu_, refused_, [](const std::string& id) -> const std::string& { return id; },
      [](Slot&, const std::string&) {});
}

void KeyIndex::SetComplete(bool complete) {
  std::lock_guard writer(writer_mu_);
  std::unique_lock lock(mu_);
  s_->complete = complete;
}

bool KeyIndex::complete() const {
  std::shared_lock lock(mu_);
  return s_->complete;
}

std::size_t KeyIndex::loaded() const {
  std::shared_lock lock(mu_);
  return s_->loaded;
}

std::size_t KeyIndex::records() const {
  std::shared_lock lock(mu_);
  return s_->count;
}

std::size_t KeyIndex::bytes() const {
  std::shared_lock lock(mu_);
  std::size_t n = s_->table.size * sizeof(Slot) +
                  s_->chunks.size() * kChunkRecords * sizeof(Record) +
                  s_->names.size() * kNameChunk;
  for (const auto& p : s_->products)
    n += sizeof(Product) + sizeof(std::uint32_t) + 64 + p.workspace_id.capacity() +
         p.product_id.capacity();
  for (const auto& st : s_->profiles) {
    n += sizeof(core::KeyState) + 64 + st.networks.capacity() * sizeof(core::Cidr);
    for (const auto& p : st.permissions) n += sizeof(std::string) + p.capacity();
  }
  return n;
}

}  // namespace vault::app
