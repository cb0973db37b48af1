// PooledHasher: runs argon2id on a fixed set of worker threads (one per core by default) that
// do nothing else, so hashing never waits on the database or the network and the CPU stays
// busy hashing. Callers block until their job is done. It also predicts how long a new job
// would wait (jobs ahead × average job time ÷ workers), which the server uses to answer 503
// at once instead of queueing beyond a latency budget. Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/ports.hpp"

namespace vault::crypto {

class PooledHasher : public core::PasswordHasher {
 public:
  PooledHasher(std::unique_ptr<core::PasswordHasher> inner, int workers);
  ~PooledHasher() override;

  core::Result<std::string> Hash(std::string_view password) const override;
  bool Verify(std::string_view phc, std::string_view password) const override;
  bool NeedsRehash(std::string_view phc) const override { return inner_->NeedsRehash(phc); }

  // Seconds a job submitted now would wait before starting (0 with an idle worker).
  double PredictedWait() const;
  long Pending() const;  // queued + running jobs
  int workers() const { return static_cast<int>(threads_.size()); }

 private:
  void Run(std::function<void()> job) const;
  void Loop();

  std::unique_ptr<core::PasswordHasher> inner_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  mutable std::deque<std::function<void()>> queue_;
  mutable long pending_ = 0;
  mutable double avg_seconds_ = 0.05;  // EWMA of job time; starts at a typical argon2id cost
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace vault::crypto
