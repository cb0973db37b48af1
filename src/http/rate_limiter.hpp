// RateLimiter: a token bucket per key (client IP) kept in memory on this node. Thread-safe.
// The per-account lockout, which holds across nodes, lives in the database (app layer); this
// only blunts floods from one address.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace vault::http {

class RateLimiter {
 public:
  // rate: tokens per second; burst: bucket size. rate <= 0 disables limiting.
  RateLimiter(double rate, double burst) : rate_(rate), burst_(burst) {}

  // Takes one token for key; false (and the seconds until one is available) when empty.
  bool Allow(const std::string& key, long* retry_after_seconds);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
  };
  double rate_, burst_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace vault::http
