#include "http/metrics.hpp"

#include <cstdio>

namespace vault::http {
namespace {
constexpr double kBounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                              0.1,    0.25,  0.5,    1,     2.5,  5,     10};
}

void Metrics::Init(std::vector<std::string> route_names) {
  names_ = std::move(route_names);
  names_.push_back("unmatched");
  routes_.reset(new PerRoute[names_.size()]);
}

void Metrics::Observe(std::size_t route, int status, double seconds) {
  if (route >= names_.size()) route = names_.size() - 1;
  PerRoute& r = routes_[route];
  int cls = status / 100 - 1;
  if (cls < 0 || cls > 4) cls = 4;
  r.by_class[cls].fetch_add(1, std::memory_order_relaxed);
  int b = 0;
  while (b < kBuckets && seconds > kBounds[b]) ++b;
  r.buckets[b].fetch_add(1, std::memory_order_relaxed);
  r.sum_micros.fetch_add(static_cast<unsigned long>(seconds * 1e6), std::memory_order_relaxed);
}

std::string Metrics::Render(int hash_threads) const {
  std::string out;
  char buf[1024];
  out += "# HELP vault_http_requests_total HTTP requests by route and status class.\n";
  out += "# TYPE vault_http_requests_total counter\n";
  for (std::size_t i = 0; i < names_.size(); ++i)
    for (int c = 0; c < 5; ++c) {
      unsigned long n = routes_[i].by_class[c].load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::snprintf(buf, sizeof buf,
                    "vault_http_requests_total{route=\"%s\",status=\"%dxx\"} %lu\n",
                    names_[i].c_str(), c + 1, n);
      out += buf;
    }
  out += "# HELP vault_http_request_duration_seconds HTTP request latency by route.\n";
  out += "# TYPE vault_http_request_duration_seconds histogram\n";
  for (std::size_t i = 0; i < names_.size(); ++i) {
    const PerRoute& r = routes_[i];
    unsigned long cumulative = 0;
    for (int b = 0; b <= kBuckets; ++b) {
      cumulative += r.buckets[b].load(std::memory_order_relaxed);
      if (b < kBuckets)
        std::snprintf(buf, sizeof buf,
                      "vault_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %lu\n",
                      names_[i].c_str(), kBounds[b], cumulative);
      else
        std::snprintf(buf, sizeof buf,
                      "vault_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lu\n",
                      names_[i].c_str(), cumulative);
      out += buf;
    }
    std::snprintf(buf, sizeof buf,
                  "vault_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                  "vault_http_request_duration_seconds_count{route=\"%s\"} %lu\n",
                  names_[i].c_str(), static_cast<double>(r.sum_micros.load()) / 1e6,
                  names_[i].c_str(), cumulative);
    out += buf;
  }
  long inflight = hash_inflight_.load();
  long waiting = inflight > hash_threads ? inflight - hash_threads : 0;
  std::snprintf(buf, sizeof buf,
                "# HELP vault_hash_queue_depth Password hashing jobs waiting for a worker.\n"
                "# TYPE vault_hash_queue_depth gauge\nvault_hash_queue_depth %ld\n"
                "# HELP vault_hash_jobs_inflight Password hashing jobs queued or running.\n"
                "# TYPE vault_hash_jobs_inflight gauge\nvault_hash_jobs_inflight %ld\n"
                "# HELP vault_http_connections Open HTTP connections.\n"
                "# TYPE vault_http_connections gauge\nvault_http_connections %ld\n"
                "# HELP vault_http_connections_refused_total Connections answered 503 at once "
                "because max_connections were open.\n"
                "# TYPE vault_http_connections_refused_total counter\n"
                "vault_http_connections_refused_total %ld\n",
                waiting, inflight, connections_.load(), connections_refused_.load());
  out += buf;
  std::snprintf(buf, sizeof buf,
                "# HELP vault_blocking_requests_inflight Requests queued or running on the "
                "blocking (SQL) pool.\n"
                "# TYPE vault_blocking_requests_inflight gauge\n"
                "vault_blocking_requests_inflight %ld\n"
                "# HELP vault_http_shed_total Requests answered 503 by load shedding (a full "
                "queue, or too long a wait in it).\n"
                "# TYPE vault_http_shed_total counter\nvault_http_shed_total %ld\n"
                "# HELP vault_draining 1 once a stop signal arrived (readiness answers 503).\n"
                "# TYPE vault_draining gauge\nvault_draining %d\n",
                blocking_inflight_.load(), shed_.load(), draining_.load() ? 1 : 0);
  out += buf;
  for (const Extra& e : extras_)
    // Prometheus naming: a counter's name ends in _total; anything else is a level (gauge).
    out += "# HELP " + e.name + " " + e.help + "\n# TYPE " + e.name +
           (e.name.ends_with("_total") ? " counter\n" : " gauge\n") + e.name + " " +
           std::to_string(e.read()) + "\n";
  return out;
}

void Metrics::AddCounter(std::string name, std::string help, std::function<long()> read) {
  extras_.push_back({std::move(name), std::move(help), std::move(read)});
}

}  // namespace vault::http
