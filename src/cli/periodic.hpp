// Periodic: runs a function on its own thread every interval, and once more when stopped (so
// work buffered until the end is not lost on a clean shutdown); Wake() runs it early (at once
// if idle, else right after the current run). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace vault::cli {

class Periodic {
 public:
  // run_at_stop: call fn once more when stopped (buffered work); false for clean-up jobs that
  // must not delay a shutdown.
  Periodic(std::chrono::milliseconds interval, std::function<void()> fn, bool run_at_stop = true)
      : interval_(interval),
        fn_(std::move(fn)),
        run_at_stop_(run_at_stop),
        thread_([this] { Loop(); }) {}
  ~Periodic() { Stop(); }
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

  void Wake() {
    {
      std::lock_guard lock(mu_);
      woken_ = true;
    }
    cv_.notify_all();
  }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
    if (run_at_stop_) fn_();
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      cv_.wait_for(lock, interval_, [this] { return stopping_ || woken_; });
      if (stopping_) break;
      woken_ = false;
      lock.unlock();
      fn_();
      lock.lock();
    }
  }

  std::chrono::milliseconds interval_;
  std::function<void()> fn_;
  bool run_at_stop_ = true;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;  // last: starts after the members it uses exist
};

}  // namespace vault::cli
