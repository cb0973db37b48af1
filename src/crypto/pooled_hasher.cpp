#include "crypto/pooled_hasher.hpp"

#include <algorithm>
#include <chrono>
#include <future>

namespace vault::crypto {

PooledHasher::PooledHasher(std::unique_ptr<core::PasswordHasher> inner, int workers)
    : inner_(std::move(inner)) {
  for (int i = 0; i < std::max(1, workers); ++i) threads_.emplace_back([this] { Loop(); });
}

PooledHasher::~PooledHasher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void PooledHasher::Loop() {
  while (true) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    auto start = std::chrono::steady_clock::now();
    job();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::lock_guard lock(mu_);
    avg_seconds_ = 0.9 * avg_seconds_ + 0.1 * secs;
    --pending_;
  }
}

void PooledHasher::Run(std::function<void()> job) const {
  std::promise<void> done;
  auto fut = done.get_future();
  {
    std::lock_guard lock(mu_);
    ++pending_;
    queue_.push_back([&] {
      job();
      done.set_value();
    });
  }
  cv_.notify_one();
  fut.wait();
}

core::Result<std::string> PooledHasher::Hash(std::string_view password) const {
  core::Result<std::string> out;
  Run([&] { out = inner_->Hash(password); });
  return out;
}

bool PooledHasher::Verify(std::string_view phc, std::string_view password) const {
  bool out = false;
  Run([&] { out = inner_->Verify(phc, password); });
  return out;
}

double PooledHasher::PredictedWait() const {
  std::lock_guard lock(mu_);
  long ahead = pending_ - static_cast<long>(threads_.size());
  return ahead < 0
             ? 0.0
             : static_cast<double>(ahead + 1) * avg_seconds_ / static_cast<double>(threads_.size());
}

long PooledHasher::Pending() const {
  std::lock_guard lock(mu_);
  return pending_;
}

}  // namespace vault::crypto
