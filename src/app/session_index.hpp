// SessionIndex: the live sessions this process knows, in memory, keyed by the 32-byte keyed hash
// of their bearer token (ADR 0016). Compact on purpose (about 100 bytes a session at a million):
// entries sit in one dense array, found through an open-addressing table of 4-byte slots with
// linear probing; the key and the ids are inline arrays, times are 32-bit seconds, the IP is kept
// as a 32-bit hash (enough to tell that it changed). Accounts are interned once, each with the
// epoch of its last change: invalidating an account's sessions is O(1) (its epoch moves past
// theirs, so they read as absent) and a database read that raced the change cannot plant a stale
// entry (it is stamped with the epoch taken before the read). Only sessions read from storage
// enter: an unknown token never takes memory.
// Thread-safe: Use and Find take a shared lock (readers never wait on each other; last-seen and
// the IP hash change through atomic_ref), every other member a brief exclusive one.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/account.hpp"
#include "core/clock.hpp"

namespace vault::app {

class SessionIndex {
 public:
  using Key = std::array<unsigned char, 32>;

  // The key of a stored token hash (64 lowercase hex digits); nullopt for anything else.
  static std::optional<Key> KeyOf(std::string_view hex);
  // A 32-bit hash of a client IP, to tell a changed IP from the stored one.
  static std::uint32_t IpHash(std::string_view ip);

  enum class State { kMiss, kExpired, kIdle, kLive };
  struct Hit {
    State state = State::kMiss;
    std::string session_id;
    std::string account_id;
    core::Timestamp created_at = 0, expires_at = 0, last_seen_at = 0;
    std::uint32_t account_changed = 0;  // the account's epoch (profiles older than it are stale)
    bool touch_due = false;             // the store's last-seen wants writing (once per interval)
  };

  // The current epoch: take it before a storage read whose result will be Put.
  std::uint32_t Epoch() const;

  // Looks key up at `now`. A live session's last-seen becomes now and, when the stored one is
  // touch_interval old or the IP hash differs, touch_due is set (once: the stored value is then
  // taken as written). kExpired: past its absolute end; kIdle: idle_seconds since last seen here
  // (another node may have seen it since: confirm with storage); kMiss: absent or stale.
  Hit Use(const Key& key, core::Timestamp now, core::Timestamp idle_seconds,
          core::Timestamp touch_interval, std::uint32_t ip_hash) const;

  // Inserts or replaces the session (stamped with `epoch`, from Epoch() before it was read).
  // Returns false, keeping nothing, for a session it cannot hold (a hash not 64 hex digits, an id
  // over 31 bytes, a time outside 32 bits): those are answered from storage.
  bool Put(const core::Session& session, std::uint32_t epoch);
  // Drops key's entry; true if there was one.
  bool Erase(const Key& key);
  // Every cached session of the account reads as absent from now on (and its profile as stale).
  void InvalidateAccount(std::string_view account_id);
  // Frees entries expired, idle or invalidated at now; returns how many went.
  std::size_t Sweep(core::Timestamp now, core::Timestamp idle_seconds);

  std::size_t size() const;
  std::size_t accounts() const;
  // Bytes held by the arrays (entries, accounts, both tables), capacity included.
  std::size_t bytes() const;

 private:
  struct Id {
    char text[31];
    std::uint8_t size = 0;
    std::string_view view() const { return {text, size}; }
  };
  struct Entry {
    Key key;
    Id session_id;
    std::uint32_t account;  // index into accounts_
    std::uint32_t epoch;
    std::uint32_t created, expires;
    std::uint32_t last_seen;    // seen here (atomic_ref)
    std::uint32_t stored_seen;  // what the store has, or was queued to get (atomic_ref)
    std::uint32_t ip_hash;      // (atomic_ref)
  };
  struct Account {
    Id id;
    std::uint32_t changed;  // epoch of the last invalidation
  };

  static std::uint64_t HashOf(const Key& key);
  static std::uint64_t HashOf(std::string_view account_id);
  std::size_t FindSlot(const Key& key) const;  // slot of key, or the empty slot ending its probe
  std::size_t FindAccountSlot(std::string_view id) const;
  std::uint32_t Intern(std::string_view account_id);
  void Grow(std::vector<std::uint32_t>& table, bool accounts);
  void EraseAt(std::size_t slot);

  mutable std::shared_mutex mu_;
  std::vector<Entry> entries_;
  std::vector<std::uint32_t> table_;  // 0: empty; else 1 + index into entries_
  std::vector<Account> accounts_;
  std::vector<std::uint32_t> account_table_;
  std::uint32_t epoch_ = 1;
  // An account not interned when invalidated has no slot to record it: its epoch goes to one of
  // these buckets (by hash of its id), and an account interned later starts from its bucket's,
  // so a read that raced that invalidation is stale too. Buckets, not one value for all: one
  // sign-in elsewhere during a bulk load would otherwise make every account the load interns
  // after it stale (a whole page of sessions read again from storage); with 4096 buckets an
  // unrelated account shares a bucket 1 time in 4096, and then is only read once more.
  static constexpr std::size_t kUnknownBuckets = 4096;
  std::array<std::uint32_t, kUnknownBuckets> unknown_changed_{};
};

}  // namespace vault::app
