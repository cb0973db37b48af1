// ChangeFeed: how server processes learn of each other's changes (ADR 0005). Writes note their
// changes in their own transaction (app/change_store.hpp), which appends them to the database's
// change feed before it commits; Committed, ChangeStore's hook, then tells this process's caches
// at once. A poller reads the feed and tells the local caches about changes committed by other
// processes (other server nodes, the admin CLI): on PostgreSQL it is woken by a ChangeSignal
// (LISTEN/NOTIFY) as soon as another process commits, and polls every second as a catch-up; on
// SQLite, or with no signal, it polls every 250 ms. Thread-safe.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/change_signal.hpp"
#include "core/clock.hpp"
#include "core/ports.hpp"
#include "core/store.hpp"

namespace vault::cli {

class ChangeFeed {
 public:
  // signal (optional) wakes the poller when another process commits a change.
  ChangeFeed(core::Store& store, std::vector<core::ChangeListener*> locals,
             std::unique_ptr<core::ChangeSignal> signal = nullptr);
  ~ChangeFeed();

  // Adds a cache to tell; call before Start.
  void AddLocal(core::ChangeListener* local) { locals_.push_back(local); }
  // Starts polling the feed for other processes' changes; Stop ends it (idempotent).
  void Start();
  void Stop();
  // Tells this process's caches of changes a write of this process just committed.
  void Committed(const std::vector<core::ChangeEntry>& changes);

 private:
  void Poll();

  core::Store& store_;
  std::vector<core::ChangeListener*> locals_;
  std::unique_ptr<core::ChangeSignal> signal_;
  std::int64_t last_seq_ = 0;
  std::set<std::int64_t> seen_;  // seqs delivered inside the re-read window
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread poller_;
};

}  // namespace vault::cli
