// KeyIndex: the compact in-memory index API key verification reads (ADR 0006, "Index layout").
// An open-addressed table of 8-byte slots (a 32-bit tag of the id's mix and a record number)
// over 128-byte records, two cache lines each, held in fixed 2 MiB chunks that never move
// (transparent huge pages where offered: fewer TLB misses):
//   the packed id (100 bits, flags in the spare high bits of the first word), the keyed hash
//   as 32 binary bytes, the expiry and the last recorded use (32-bit seconds), the number of
//   the key's product (workspace and product ids, interned) and of its profile (environment,
//   permissions and allowed networks, interned: most keys share a handful of them); then the
//   key's name, inline up to 59 bytes (longer ones in an append-only arena).
// A verification reads a slot (prefetched before its HMAC), both lines of a record at once and
// two small shared tables: one cache miss it waits for at a million keys.
// A record is "loaded" (answers from memory), "stale" (the id exists; read the database) or
// "absent" (known not to exist). Records are never removed: ids are never reused.
// Thread-safe: readers share a lock held only to copy a View out; one writer at a time
// (writer_mu_) builds a grown slot table outside the exclusive lock, which it takes only to
// swap tables or write a record, so readers never wait long.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/api_key.hpp"

namespace vault::app {

class KeyIndex {
 public:
  // An id's 20 base32 characters packed into 40 + 60 bits.
  struct Id {
    std::uint64_t hi = 0, lo = 0;
  };
  static std::optional<Id> Pack(std::string_view id);  // nullopt: not "ak_" + 20 base32

  struct Product {
    std::string workspace_id, product_id;
  };
  using Hash = std::array<std::uint8_t, 32>;
  // A key read from the database rather than the index: what a View of it points into.
  struct RowCopy {
    Product product;
    core::KeyState profile;  // its revoked_at and expires_at are 0, as interned profiles'
    std::string name;
  };
  // What a verification needs about one key, read from the index (or built from a row). Its
  // pointers and name point into the index, valid for the index's life, or into `row`; a View
  // can be copied and moved freely.
  struct View {
    Hash hash{};
    bool hash_ok = false;  // false: the stored hash was not 64 hex digits (never matches)
    bool revoked = false;
    core::Timestamp expires_at = 0;
    const Product* product = nullptr;
    // Where the product's access-model index is kept between verifications (null from a row).
    std::atomic<std::uint32_t>* product_hint = nullptr;
    const core::KeyState* profile = nullptr;  // its revoked_at and expires_at are 0
    std::string_view name;
    std::atomic<std::uint32_t>* last_recorded = nullptr;  // null: not in the index
    core::Timestamp stored_last_use = 0;                  // when read from a row
    std::shared_ptr<const RowCopy> row;                   // when built from a row
  };
  // Fills `out` from a database row (for keys the index does not hold).
  static void FromRow(const core::ApiKey& k, View* out);
  static bool DecodeHash(std::string_view hex, Hash* out);

  static constexpr std::uint32_t kNoHint = 0xffffffffu;  // = IdTable::kNone
  enum class Probe { kHit, kUnknown, kMiss };            // kMiss: read the database
  // max_keys bounds the records (ids known, loaded or not).
  explicit KeyIndex(std::size_t max_keys);
  ~KeyIndex();
  KeyIndex(const KeyIndex&) = delete;
  KeyIndex& operator=(const KeyIndex&) = delete;

  Probe Find(const Id& id, View* out) const;
  // Starts loading the slot a Find of id reads first, so that work done meanwhile (the key's
  // HMAC) hides that cache miss. Takes no lock and reads nothing.
  void Prefetch(const Id& id) const;

  // Bumped by every MarkStale; a fill read before a change must not be stored after it.
  std::uint64_t generation() const { return generation_.load(); }
  // Stores a key read from the database if nothing changed since `generation` (and it fits).
  void Fill(const Id& id, const core::ApiKey& k, std::uint64_t generation);
  // The database has no such key (deleted with its product) as of `generation`.
  void MarkAbsent(const Id& id, std::uint64_t generation);
  // The key changed (created, revoked, rolled): the next verification reads it again.
  void MarkStale(const Id& id);
  // Bulk load: stores the keys whose ids are not in the index yet (anything present was put
  // there by a change or a fill, which is at least as new). False once the bound is reached.
  bool LoadPage(const std::vector<core::ApiKey>& keys);
  // Records ids (as stale) that are not in the index yet. False once the bound is reached.
  bool AddIds(const std::vector<std::string>& ids);
  // Complete: every id in the store is in the index, so a missing id is unknown without a read.
  void SetComplete(bool complete);
  bool complete() const;

  std::size_t loaded() const;  // records answering from memory
  std::size_t records() const;
  std::size_t bytes() const;  // slots, records, names and the interned tables
  std::uint64_t refused() const { return refused_.load(); }  // ids past the bound

 private:
  struct State;  // the tables and the helpers that read and write them (api_key_index.cpp)
  std::unique_ptr<State> s_;
  std::mutex writer_mu_;          // one writer at a time
  mutable std::shared_mutex mu_;  // readers shared; a writer exclusive only to write or swap
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::uint64_t> refused_{0};
};

}  // namespace vault::app
