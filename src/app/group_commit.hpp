// GroupCommit: many small write units that arrive together share one durable transaction, so a
// burst of token requests pays one commit (one fsync on SQLite) instead of one each. A caller's
// Write returns only after the transaction holding its unit committed (or failed): nothing is
// acknowledged before it is durable. The first waiting caller leads: it takes every queued unit
// (at most max_batch), runs them in order in one transaction and wakes the others; if that
// transaction fails, each unit is run again alone, so one unit's failure is never another's.
// Units must therefore be safe to run twice, assigning (not accumulating) what they capture.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "core/store.hpp"

namespace vault::app {

class GroupCommit {
 public:
  using Unit = std::function<core::Result<void>(core::Tx&)>;

  explicit GroupCommit(core::Store& store, std::size_t max_batch = 64)
      : store_(store), max_batch_(max_batch) {}

  core::Result<void> Write(const Unit& unit);

 private:
  struct Item {
    const Unit* unit;
    std::optional<core::Result<void>> result;
  };
  void Lead(std::vector<Item*> batch);

  core::Store& store_;
  std::size_t max_batch_;
  std::mutex mu_;
  std::condition_variable done_;
  std::vector<Item*> queue_;
  bool leading_ = false;
};

}  // namespace vault::app
