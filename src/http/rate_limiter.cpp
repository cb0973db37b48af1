#include "http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

#include "core/clock.hpp"
#include "core/store.hpp"
#include "http/log.hpp"

namespace vault::http {

RateLimiter::RateLimiter(double rate, double burst, core::Store* store, const core::Clock* clock,
                         std::string scope)
    : rate_(rate),
      burst_(burst),
      store_(clock ? store : nullptr),
      clock_(clock),
      // Nodes share a bucket only when configured alike: a node started with other limits
      // (e.g. a stricter one for an exposed listener) counts on its own.
      shared_key_("ip:" + scope + ":" + std::to_string(rate) + "/" + std::to_string(burst) + ":") {}

bool RateLimiter::Allow(const std::string& key, long* retry_after_seconds) {
  if (rate_ <= 0) return true;
  if (!AllowLocal(key, retry_after_seconds)) return false;
  return !store_ || AllowShared(key, retry_after_seconds);
}

bool RateLimiter::AllowLocal(const std::string& key, long* retry_after_seconds) {
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

bool RateLimiter::AllowShared(const std::string& key, long* retry_after_seconds) {
  const auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  // The same bucket as the local one, held in the database as one time (GCRA), so every node
  // configured alike draws from it: interval = 1/rate, tolerance = (burst - 1) intervals.
  const auto interval_us = static_cast<std::int64_t>(1e6 / rate_);
  const auto tolerance_us = static_cast<std::int64_t>(std::max(0.0, burst_ - 1) * 1e6 / rate_);
  auto wait_us = store_->Write([&](core::Tx& tx) {
    return tx.TakeRateToken(shared_key_ + key, clock_->Now(), now_us, interval_us, tolerance_us);
  });
  if (!wait_us) {
    // Fail open: the node-local bucket still holds, and the routes behind this limiter need the
    // same database anyway, so refusing here would only turn a storage fault into a 429.
    Log("warn", "shared rate limit unavailable", {{"error", wait_us.error().detail}});
    return true;
  }
  if (*wait_us == 0) return true;
  if (retry_after_seconds)
    *retry_after_seconds = std::max(1L, static_cast<long>((*wait_us + 999999) / 1000000));
  return false;
}

}  // namespace vault::http
