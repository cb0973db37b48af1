// ClockCache: a map bounded by an estimate of the bytes its entries hold, evicting in CLOCK
// order (second chance), an approximation of least-recently-used that lets readers mark an
// entry used with one relaxed atomic store under a shared lock, where a true LRU list would need
// the exclusive lock on every hit. Not synchronised itself: the owner guards it with a
// shared_mutex; Find may run under the shared lock, every other member needs the exclusive one.
// An owner may also keep its own direct pointers to what Put returns (a Held: the value and its
// used mark) and follow them under the shared lock, touching the mark as Find would; on_drop
// tells it when to forget them: it is called with each value about to leave the cache (erased,
// evicted, replaced or cleared), before it does. mark_of (optional) puts an entry's used mark in
// its value (e.g. beside fields every reader loads anyway) rather than in the map's node.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <unordered_map>
#include <utility>

namespace vault::app {

template <typename K, typename V, typename Hash = std::hash<K>>
class ClockCache {
 public:
  // max_bytes: the budget for the entries' estimated sizes (0: nothing is kept).
  using OnDrop = std::function<void(const K&, const V&)>;
  using MarkOf = std::function<std::atomic<bool>&(const V&)>;
  explicit ClockCache(std::size_t max_bytes, OnDrop on_drop = {}, MarkOf mark_of = {})
      : max_bytes_(max_bytes), on_drop_(std::move(on_drop)), mark_of_(std::move(mark_of)) {}
  ClockCache(const ClockCache&) = delete;
  ClockCache& operator=(const ClockCache&) = delete;

  // The value cached for key (null if none), marked as used. Safe under a shared lock: the mark
  // is an atomic, written only when it changes, so hits on a hot entry stay read-only.
  const V* Find(const K& key) const {
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    Touch(Mark(it->second));
    return &it->second.value;
  }

  // Marks an entry used, as Find does; for an owner following a Held's mark.
  static void Touch(std::atomic<bool>& used) {
    if (!used.load(std::memory_order_relaxed)) used.store(true, std::memory_order_relaxed);
  }

  // Where Put keeps a value: valid until on_drop is called with it.
  struct Held {
    const V* value = nullptr;  // null: not kept (larger than the whole budget)
    std::atomic<bool>* used = nullptr;
  };

  // Whether key is cached, without marking it used.
  bool Contains(const K& key) const { return map_.contains(key); }

  // Inserts or replaces key's value, whose size is estimated at bytes, then evicts entries not
  // used since the clock hand last passed them until the total fits the budget. An entry larger
  // than the whole budget is not kept.
  Held Put(const K& key, V value, std::size_t bytes) {
    if (bytes > max_bytes_) {
      Erase(key);
      return {};
    }
    auto [it, fresh] = map_.try_emplace(key);
    Entry& e = it->second;
    if (fresh) {
      e.pos = ring_.insert(ring_.end(), &it->first);
    } else {
      if (on_drop_) on_drop_(key, e.value);
      bytes_ -= e.bytes;
    }
    e.value = std::move(value);
    e.bytes = bytes;
    Mark(e).store(false, std::memory_order_relaxed);
    bytes_ += bytes;
    Evict(&it->first);  // never the entry just put
    return {&e.value, &Mark(e)};
  }

  // Drops key; true if it was there.
  bool Erase(const K& key) {
    auto it = map_.find(key);
    if (it == map_.end()) return false;
    Drop(it);
    return true;
  }

  void Clear() {
    if (on_drop_)
      for (const auto& [key, e] : map_) on_drop_(key, e.value);
    map_.clear();
    ring_.clear();
    bytes_ = 0;
  }

  std::size_t size() const { return map_.size(); }
  std::size_t bytes() const { return bytes_; }
  std::size_t max_bytes() const { return max_bytes_; }
  std::uint64_t evictions() const { return evictions_; }

 private:
  struct Entry {
    V value{};
    std::size_t bytes = 0;
    mutable std::atomic<bool> used{false};  // unless mark_of puts it in the value
    typename std::list<const K*>::iterator pos;
  };
  using Map = std::unordered_map<K, Entry, Hash>;

  std::atomic<bool>& Mark(const Entry& e) const { return mark_of_ ? mark_of_(e.value) : e.used; }

  void Drop(typename Map::iterator it) {
    if (on_drop_) on_drop_(it->first, it->second.value);
    bytes_ -= it->second.bytes;
    ring_.erase(it->second.pos);
    map_.erase(it);
  }

  // The ring holds pointers to the keys inside the map's nodes, which stay put across rehashes.
  // Each entry gets at most one second chance per pass, so this ends within two turns of the
  // ring; `keep` (the entry just put) is never the victim of its own insertion.
  void Evict(const K* keep) {
    std::size_t budget = 2 * ring_.size() + 1;
    while (bytes_ > max_bytes_ && !ring_.empty() && budget-- > 0) {
      const K* key = ring_.front();
      auto it = map_.find(*key);
      if (key == keep || Mark(it->second).load(std::memory_order_relaxed)) {
        Mark(it->second).store(false, std::memory_order_relaxed);
        ring_.splice(ring_.end(), ring_, ring_.begin());
        continue;
      }
      Drop(it);
      evictions_++;
    }
  }

  std::size_t max_bytes_;
  OnDrop on_drop_;
  MarkOf mark_of_;
  std::size_t bytes_ = 0;
  std::uint64_t evictions_ = 0;
  Map map_;
  std::list<const K*> ring_;  // clock order: the hand is the front
};

}  // namespace vault::app
