#include "http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace vault::http {

bool RateLimiter::Allow(const std::string& key, long* retry_after_seconds) {
  if (rate_ <= 0) return true;
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  if (buckets_.size() > 100000) {
    // Forget buckets that have refilled: they hold no information.
    std::erase_if(buckets_, [&](const auto& kv) {
      double elapsed = std::chrono::duration<double>(now - kv.second.updated).count();
      return kv.second.tokens + elapsed * rate_ >= burst_;
    });
  }
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.updated).count();
  b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
  b.updated = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  if (retry_after_seconds)
    *retry_after_seconds = std::max(1L, static_cast<long>(std::ceil((1 - b.tokens) / rate_)));
  return false;
}

}  // namespace vault::http
