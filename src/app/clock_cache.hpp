// ClockCache: a map bounded by an estimate of the bytes its entries hold, evicting in CLOCK
// order (second chance), an approximation of least-recently-used that lets readers mark an
// entry used with one relaxed atomic store under a shared lock, where a true LRU list would need
// the exclusive lock on every hit. Not synchronised itself: the owner guards it with a
// shared_mutex; Find may run under the shared lock, every other member needs the exclusive one.
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
  explicit ClockCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}
  ClockCache(const ClockCache&) = delete;
  ClockCache& operator=(const ClockCache&) = delete;

  // The value cached for key (null if none), marked as used. Safe under a shared lock: the mark
  // is an atomic, written only when it changes, so hits on a hot entry stay read-only.
  const V* Find(const K& key) const {
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    if (!it->second.used.load(std::memory_order_relaxed))
      it->second.used.store(true, std::memory_order_relaxed);
    return &it->second.value;
  }

  // Whether key is cached, without marking it used.
  bool Contains(const K& key) const { return map_.contains(key); }

  // Inserts or replaces key's value, whose size is estimated at bytes, then evicts entries not
  // used since the clock hand last passed them until the total fits the budget. An entry larger
  // than the whole budget is not kept.
  void Put(const K& key, V value, std::size_t bytes) {
    if (bytes > max_bytes_) {
      Erase(key);
      return;
    }
    auto [it, fresh] = map_.try_emplace(key);
    Entry& e = it->second;
    if (fresh) {
      e.pos = ring_.insert(ring_.end(), &it->first);
    } else {
      bytes_ -= e.bytes;
    }
    e.value = std::move(value);
    e.bytes = bytes;
    e.used.store(false, std::memory_order_relaxed);
    bytes_ += bytes;
    Evict(&it->first);
  }

  // Drops key; true if it was there.
  bool Erase(const K& key) {
    auto it = map_.find(key);
    if (it == map_.end()) return false;
    Drop(it);
    return true;
  }

  void Clear() {
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
    mutable std::atomic<bool> used{false};
    typename std::list<const K*>::iterator pos;
  };
  using Map = std::unordered_map<K, Entry, Hash>;

  void Drop(typename Map::iterator it) {
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
      if (key == keep || it->second.used.load(std::memory_order_relaxed)) {
        it->second.used.store(false, std::memory_order_relaxed);
        ring_.splice(ring_.end(), ring_, ring_.begin());
        continue;
      }
      Drop(it);
      evictions_++;
    }
  }

  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::uint64_t evictions_ = 0;
  Map map_;
  std::list<const K*> ring_;  // clock order: the hand is the front
};

}  // namespace vault::app
