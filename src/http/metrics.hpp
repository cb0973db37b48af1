// Metrics: per-route request counters by status class and latency histograms, plus gauges, in
// Prometheus text format. Lock-free updates (atomics); thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace vault::http {

class Metrics {
 public:
  // Call once, after every route is registered and before serving.
  void Init(std::vector<std::string> route_names);

  // route index == routes().size() means "unmatched".
  void Observe(std::size_t route, int status, double seconds);
  std::atomic<long>& hash_inflight() { return hash_inflight_; }
  std::atomic<long>& connections() { return connections_; }
  std::atomic<long>& connections_refused() { return connections_refused_; }
  std::atomic<long>& blocking_inflight() { return blocking_inflight_; }
  // Requests answered 503 by load shedding (hash or blocking queue full or waited too long).
  std::atomic<long>& shed() { return shed_; }
  // Set on the first stop signal: /readyz then answers 503 so load balancers move away.
  std::atomic<bool>& draining() { return draining_; }
  // Start-up loads still running (the in-memory models of ADR 0014): /readyz answers 503
  // server.loading while this is above zero. Each load adds one before it starts and takes it
  // back when it ends (also when it fails: the server then serves from storage, more slowly).
  std::atomic<int>& loading() { return loading_; }
  // Adds a value rendered from `read` (e.g. password verifications done by this process): a
  // counter when its name ends in _total, else a gauge.
  // Call before serving.
  void AddCounter(std::string name, std::string help, std::function<long()> read);
  // Renders all metrics; hash_threads lets it report the waiting part of the hash queue.
  std::string Render(int hash_threads) const;

 private:
  static constexpr int kBuckets = 14;
  struct PerRoute {
    std::atomic<unsigned long> by_class[5] = {};            // 1xx..5xx
    std::atomic<unsigned long> buckets[kBuckets + 1] = {};  // last = +Inf
    std::atomic<unsigned long> sum_micros = 0;
  };
  std::vector<std::string> names_;
  std::unique_ptr<PerRoute[]> routes_;
  std::atomic<long> hash_inflight_ = 0;
  std::atomic<long> connections_ = 0;
  std::atomic<long> connections_refused_ = 0;
  std::atomic<long> blocking_inflight_ = 0;
  std::atomic<long> shed_ = 0;
  std::atomic<bool> draining_ = false;
  std::atomic<int> loading_ = 0;
  struct Extra {
    std::string name, help;
    std::function<long()> read;
  };
  std::vector<Extra> extras_;
};

}  // namespace vault::http
