// RateLimiter: per client IP limits on credential endpoints. Two layers: a token bucket per key
// in this process's memory, which turns a flood away without touching storage, and, when given
// a store, the same token bucket per key in the database (GCRA: one time per key, in the
// throttle table the per-account lockout uses), so that N nodes together allow the configured
// rate and burst, not N times them (SPEC §10). Thread-safe; Allow may block on the store, so it
// is called only from routes that run on a blocking pool.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace vault::core {
class Store;
class Clock;
}  // namespace vault::core

namespace vault::http {

class RateLimiter {
 public:
  // rate: tokens per second; burst: bucket size. rate <= 0 disables limiting. store (with clock)
  // makes the limit hold across every node sharing that database; scope names this limiter's
  // counters there (two limiters with different scopes never share a count).
  RateLimiter(double rate, double burst, core::Store* store = nullptr,
              const core::Clock* clock = nullptr, std::string scope = "");

  // Takes one token for key; false (and the seconds until one is available) when empty.
  bool Allow(const std::string& key, long* retry_after_seconds);

 private:
  bool AllowLocal(const std::string& key, long* retry_after_seconds);
  bool AllowShared(const std::string& key, long* retry_after_seconds);

  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
  };
  double rate_, burst_;
  core::Store* store_;
  const core::Clock* clock_;
  std::string shared_key_;  // "ip:<scope>:<rate>/<burst>:" + client address
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace vault::http
