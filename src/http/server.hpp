// Server: the Beast/Asio HTTP/1.1 server, plain or over TLS. One network thread per core runs C++20
// coroutines; handlers run inline, on a blocking pool (database) or on a bounded hashing pool
// (argon2id, answering 503 + Retry-After when full). Serves until SIGTERM/SIGINT, then drains
// in-flight requests. Run() is called once, from one thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http/forwarded.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"

namespace vault::http {

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";
  int network_threads = 0;  // 0 → hardware concurrency
  int blocking_threads = 8;
  int hash_threads = 0;       // 0 → hardware concurrency (argon2id workers, for metrics)
  int hash_queue_limit = 64;  // hashing requests in flight beyond the workers → 503
  // Requests for the blocking pool (SQL) in flight beyond its workers → 503 + Retry-After; and a
  // request that waited in its queue longer than the timeout → 503 without running.
  int blocking_queue_limit = 256;
  int blocking_queue_timeout_ms = 2000;
  // On SIGTERM/SIGINT: seconds during which /readyz answers 503 and the server still serves
  // (every answer closing its connection) before it stops accepting; 0 stops at once. A second
  // signal ends the grace early.
  int drain_seconds = 0;
  // Extra admission test for hashing routes (e.g. predicted queue wait within budget);
  // false → 503 + Retry-After at once. Empty → admit.
  std::function<bool()> admit_hash_request;
  std::size_t body_limit = 1024 * 1024;
  // Answers a GET that no route matched (the embedded console); nullopt → the JSON 404.
  std::function<std::optional<Response>(const Request&)> fallback;
  // Reverse proxies whose Forwarded / X-Forwarded-For name the client (rate limits, sessions,
  // audit); empty → those headers are ignored and the peer address is the client.
  TrustedProxies proxies;
  // Open connections beyond which a new one gets a 503 + Retry-After at once and is closed, so
  // idle or slow clients cannot exhaust file descriptors and memory.
  int max_connections = 10000;
  int header_timeout_seconds = 10;
  int body_timeout_seconds = 30;
  // Native TLS (both set) or plain HTTP (both empty): PEM certificate chain and private key,
  // read at start (an unreadable or mismatched pair stops Run) and again on SIGHUP (a bad new
  // pair is logged and the old one stays). TLS 1.2 and 1.3 only.
  std::string tls_cert_file;
  std::string tls_key_file;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router, Metrics& metrics);
  ~Server();
  // Binds, logs {"msg":"listening","address":…}, serves until a signal; returns 0 on a clean
  // shutdown, 1 when the address cannot be bound.
  int Run();

  int hash_threads() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vault::http
