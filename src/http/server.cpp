#include "http/server.hpp"

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>

#include "core/ascii.hpp"
#include "core/blocking.hpp"
#include "core/encoding.hpp"
#include "http/log.hpp"
#include "http/problem.hpp"

namespace vault::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using asio::use_awaitable;

namespace {

int Cores() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 2 : static_cast<int>(n);
}

// Request ids: a random per-process prefix and a counter; unique and cheap.
std::string NewRequestId() {
  static const std::string prefix = [] {
    std::random_device rd;
    std::string bytes;
    for (int i = 0; i < 6; ++i) bytes += static_cast<char>(rd());
    return core::Hex(bytes);
  }();
  static std::atomic<unsigned long> counter{0};
  return prefix + "-" + std::to_string(counter.fetch_add(1) + 1);
}

bool SaneRequestId(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

core::Result<tcp::endpoint> ParseListen(const std::string& listen) {
  std::string host, port;
  if (!listen.empty() && listen.front() == '[') {
    auto close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':')
      return core::Fail(core::Code::kInvalidArgument, "config.listen", "bad VAULT_LISTEN");
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos)
      return core::Fail(core::Code::kInvalidArgument, "config.listen",
                        "VAULT_LISTEN needs host:port");
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  if (host.empty() || host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return core::Fail(core::Code::kInvalidArgument, "config.listen", "bad VAULT_LISTEN host");
  int p = std::atoi(port.c_str());
  if (p < 0 || p > 65535 || (p == 0 && port != "0"))
    return core::Fail(core::Code::kInvalidArgument, "config.listen", "bad VAULT_LISTEN port");
  return tcp::endpoint(addr, static_cast<unsigned short>(p));
}

// A TLS server context from a PEM certificate chain and private key; fails naming what is wrong.
core::Result<std::shared_ptr<ssl::context>> LoadTls(const std::string& cert_file,
                                                    const std::string& key_file) {
  auto bad = [](std::string detail) {
    return core::Fail(core::Code::kInvalidArgument, "config.tls", std::move(detail));
  };
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  // TLS 1.0 and 1.1 are deprecated (RFC 8996); 1.2 and 1.3 are what browsers and proxies speak.
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  // TLS 1.2 suites: ECDHE only (forward secrecy) with AEAD ciphers (no CBC padding oracles).
  SSL_CTX_set_cipher_list(ctx->native_handle(),
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                          "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
  // No renegotiation (a client-triggered CPU cost and past attacks) and no compression (CRIME).
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                   SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) return bad("cannot read the TLS certificate chain " + cert_file + ": " + ec.message());
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) return bad("cannot read the TLS private key " + key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    return bad("the TLS private key " + key_file + " does not match the certificate " + cert_file);
  return ctx;
}

// Runs f on `pool` and resumes the awaiting coroutine on its own executor with f's result.
template <typename F, typename T = std::invoke_result_t<F&>>
asio::awaitable<T> RunOn(asio::thread_pool& pool, F f) {
  co_return co_await asio::async_initiate<decltype(use_awaitable), void(T)>(
      [&pool](auto handler, F fn) {
        auto ex = asio::get_associated_executor(handler);
        asio::post(pool, [fn = std::move(fn), handler = std::move(handler), ex]() mutable {
          T r = fn();
          asio::post(ex, [handler = std::move(handler), r = std::move(r)]() mutable {
            std::move(handler)(std::move(r));
          });
        });
      },
      use_awaitable, std::move(f));
}

}  // namespace

struct Server::Impl {
  ServerOptions opt;
  const Router& router;
  Metrics& metrics;
  // One io_context per network thread (ADR 0003): a connection lives on one of them, so its
  // handlers never hop threads and the threads never wake each other through a shared queue.
  std::vector<std::unique_ptr<asio::io_context>> iocs;
  std::atomic<unsigned> next_ioc{0};
  asio::thread_pool blocking;
  asio::thread_pool hashing;
  int hash_threads;
  int blocking_threads;
  std::atomic<long> inflight{0};
  std::atomic<bool> draining{false};
  // The TLS context new connections use (null: plain HTTP); SIGHUP swaps it, and a connection
  // keeps the context it started with alive.
  std::mutex tls_mu;
  std::shared_ptr<ssl::context> tls;

  std::shared_ptr<ssl::context> CurrentTls() {
    std::lock_guard lock(tls_mu);
    return tls;
  }

  Impl(ServerOptions o, const Router& r, Metrics& m)
      : opt(std::move(o)),
        router(r),
        metrics(m),
        iocs(MakeContexts(opt.network_threads > 0 ? opt.network_threads : Cores())),
        blocking(static_cast<std::size_t>(opt.blocking_threads > 0 ? opt.blocking_threads : 8)),
        // Requests of hashing routes wait here while their argon2id job runs on the hasher's
        // own workers; admission bounds how many there are, so this pool never queues.
        hashing(static_cast<std::size_t>((opt.hash_threads > 0 ? opt.hash_threads : Cores()) +
                                         std::max(0, opt.hash_queue_limit))),
        hash_threads(opt.hash_threads > 0 ? opt.hash_threads : Cores()),
        blocking_threads(opt.blocking_threads > 0 ? opt.blocking_threads : 8) {}

  static std::vector<std::unique_ptr<asio::io_context>> MakeContexts(int n) {
    std::vector<std::unique_ptr<asio::io_context>> v;
    for (int i = 0; i < std::max(1, n); ++i) v.push_back(std::make_unique<asio::io_context>(1));
    return v;
  }

  void StopAll() {
    for (auto& c : iocs) c->stop();
  }

  asio::awaitable<Response> Dispatch(Request& req, std::size_t& route_index) {
    // Paths and query values must be clean UTF-8 before anything looks them up.
    if (!core::IsValidUtf8(req.path)) {
      route_index = router.routes().size();
      co_return Problem({core::Code::kInvalidArgument, "validation.invalid_utf8", "path",
                         "the request path is not valid UTF-8"},
                        req.request_id);
    }
    if (std::string bad = req.BadQueryParam(); !bad.empty()) {
      route_index = router.routes().size();
      co_return Problem(
          {core::Code::kInvalidArgument, "validation.query", bad,
           "query parameter " + bad + " is not valid UTF-8 or holds control characters"},
          req.request_id);
    }
    Match m = router.Find(req);
    if (!m.route) {
      route_index = router.routes().size();
      if (m.path_known)
        co_return MethodNotAllowed(req.path, router.AllowedMethods(req.path), req.request_id);
      if (opt.fallback)
        if (auto page = opt.fallback(req)) co_return std::move(*page);
      co_return Problem({core::Code::kNotFound, "route.not_found", "", "no such endpoint"},
                        req.request_id);
    }
    const Route& route = *m.route;
    route_index = route.index;
    auto call = [&route, &req]() -> Response {
      try {
        return route.handler(req);
      } catch (const std::exception& e) {
        Log("error", "handler threw", {{"request_id", req.request_id}, {"error", e.what()}});
        return Problem({core::Code::kInternal, "internal", "", e.what()}, req.request_id);
      }
    };
    switch (route.executor) {
      case Executor::kInline:
        co_return call();
      case Executor::kInlineFirst: {
        Response r;
        bool retry = false;
        {
          core::NoBlockingScope scope;  // a cache miss asks to be re-run where it may block
          r = call();
          retry = scope.blocking_requested();
        }
        if (!retry) co_return r;
        co_return co_await Blocking(call, req);
      }
      case Executor::kBlocking:
        co_return co_await Blocking(call, req);
      case Executor::kHash: {
        // Bounded queue: beyond the workers plus the allowed backlog, answer 503 at once rather
        // than let latency and memory grow without limit.
        long n = metrics.hash_inflight().fetch_add(1) + 1;
        if (n > hash_threads + opt.hash_queue_limit ||
            (opt.admit_hash_request && !opt.admit_hash_request())) {
          metrics.hash_inflight().fetch_sub(1);
          metrics.shed().fetch_add(1);
          co_return Overloaded(req.request_id);
        }
        Response r = co_await RunOn(hashing, call);
        metrics.hash_inflight().fetch_sub(1);
        co_return r;
      }
    }
    co_return call();
  }

  // Runs call on the blocking pool, shedding load instead of queueing without bound: beyond the
  // workers plus the allowed backlog a request gets 503 at once, and one that waited in the
  // queue longer than the queue timeout gets 503 without running (its client has likely given
  // up, and running it would only delay the requests behind it).
  template <typename F>
  asio::awaitable<Response> Blocking(F& call, const Request& req) {
    long n = metrics.blocking_inflight().fetch_add(1) + 1;
    if (n > blocking_threads + opt.blocking_queue_limit) {
      metrics.blocking_inflight().fetch_sub(1);
      metrics.shed().fetch_add(1);
      co_return Overloaded(req.request_id);
    }
    const auto queued = std::chrono::steady_clock::now();
    const auto timeout = std::chrono::milliseconds(opt.blocking_queue_timeout_ms);
    Response r = co_await RunOn(blocking, [&]() -> Response {
      if (std::chrono::steady_clock::now() - queued > timeout) {
        metrics.shed().fetch_add(1);
        return Overloaded(req.request_id);
      }
      return call();
    });
    metrics.blocking_inflight().fetch_sub(1);
    co_return r;
  }

  static Response Overloaded(const std::string& request_id) {
    return Problem(
        {core::Code::kUnavailable, "overloaded", "", "the server is busy; retry shortly"},
        request_id);
  }

  static Response Bare(int status, const std::string& request_id, const char* code,
                       const char* detail) {
    core::Error e{status == 413 ? core::Code::kPayloadTooLarge : core::Code::kInvalidArgument, code,
                  "", detail};
    return Problem(e, request_id);
  }

  template <typename Body>
  static void SetHeaders(bhttp::response<Body>& out, const Response& res,
                         const std::string& request_id) {
    out.set(bhttp::field::server, "atomyx-vault");
    if (!res.content_type.empty()) out.set(bhttp::field::content_type, res.content_type);
    out.set("X-Request-Id", request_id);
    out.set("X-Content-Type-Options", "nosniff");
    bool cache_set = false;
    for (const auto& [k, v] : res.headers) {
      out.insert(k, v);
      cache_set = cache_set || beast::iequals(k, "cache-control");
    }
    if (!cache_set) out.set(bhttp::field::cache_control, "no-store");
  }

  template <typename Stream>
  asio::awaitable<void> Write(Stream& stream, Response res, unsigned version, bool keep_alive,
                              const std::string& request_id) {
    bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
    SetHeaders(out, res, request_id);
    out.body() = std::move(res.body);
    out.keep_alive(keep_alive);
    out.prepare_payload();
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(opt.body_timeout_seconds));
    co_await bhttp::async_write(stream, out, asio::as_tuple(use_awaitable));
  }

  // Sends a streamed response: the header, `res.body`, then each chunk of `res.stream` as it is
  // produced on the blocking pool (it reads the database), one chunk in flight at a time, so
  // memory stays bounded by a chunk and a slow reader slows the producer down. HTTP/1.1 gets
  // Transfer-Encoding: chunked; HTTP/1.0 a body ended by closing the connection. Returns true
  // when the whole body was sent (the connection may be kept alive); false when the client went
  // away (write failed or timed out: production stops) or the producer failed after the header
  // was sent (logged; the connection is closed without the last chunk, so the client sees a
  // truncated body, never a complete one).
  template <typename Stream>
  asio::awaitable<bool> WriteStreamed(Stream& stream, Response& res, unsigned version,
                                      bool keep_alive, const std::string& request_id) {
    const bool chunked = version >= 11;
    bhttp::response<bhttp::empty_body> out{static_cast<bhttp::status>(res.status), version};
    SetHeaders(out, res, request_id);
    out.keep_alive(keep_alive && chunked);
    out.chunked(chunked);
    bhttp::response_serializer<bhttp::empty_body> serializer{out};
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(opt.body_timeout_seconds));
    auto [hec, hn] =
        co_await bhttp::async_write_header(stream, serializer, asio::as_tuple(use_awaitable));
    (void)hn;
    if (hec) co_return false;
    std::string chunk = std::move(res.body);
    for (;;) {
      if (!chunk.empty()) {
        beast::get_lowest_layer(stream).expires_after(
            std::chrono::seconds(opt.body_timeout_seconds));
        boost::system::error_code ec;
        if (chunked)
          std::tie(ec, std::ignore) = co_await asio::async_write(
              stream, bhttp::make_chunk(asio::buffer(chunk)), asio::as_tuple(use_awaitable));
        else
          std::tie(ec, std::ignore) = co_await asio::async_write(stream, asio::buffer(chunk),
                                                                 asio::as_tuple(use_awaitable));
        if (ec) co_return false;  // the client is gone or stalled: stop producing
      }
      auto next = co_await RunOn(blocking, [&res]() -> core::Result<std::optional<std::string>> {
        try {
          return res.stream();
        } catch (const std::exception& e) {
          return core::Fail(core::Code::kInternal, "internal", e.what());
        }
      });
      if (!next) {
        Log("error", "streamed response failed after its header",
            {{"request_id", request_id},
             {"error", next.error().id},
             {"detail", next.error().detail}});
        co_return false;
      }
      if (!*next) break;
      chunk = std::move(**next);
    }
    if (!chunked) co_return false;  // HTTP/1.0: closing the connection ends the body
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(opt.body_timeout_seconds));
    auto [lec, ln] =
        co_await asio::async_write(stream, bhttp::make_chunk_last(), asio::as_tuple(use_awaitable));
    (void)ln;
    co_return !lec;
  }

  asio::awaitable<void> Session(tcp::socket socket) {
    metrics.connections().fetch_add(1);
    std::string remote;
    {
      boost::system::error_code ec;
      auto ep = socket.remote_endpoint(ec);
      if (!ec) remote = ep.address().to_string();
    }
    if (auto ctx = CurrentTls()) {
      beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *ctx);
      // The handshake counts against the header timeout: a silent client is dropped as on HTTP.
      beast::get_lowest_layer(stream).expires_after(
          std::chrono::seconds(opt.header_timeout_seconds));
      auto [hs] =
          co_await stream.async_handshake(ssl::stream_base::server, asio::as_tuple(use_awaitable));
      if (!hs) {
        co_await Serve(stream, remote);
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
        co_await stream.async_shutdown(asio::as_tuple(use_awaitable));
      }
    } else {
      beast::tcp_stream stream(std::move(socket));
      co_await Serve(stream, remote);
      boost::system::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
    metrics.connections().fetch_sub(1);
  }

  // Reads requests from one connection and answers them until it closes, a request asks to
  // close, or the server drains.
  template <typename Stream>
  asio::awaitable<void> Serve(Stream& stream, const std::string& remote) {
    beast::flat_buffer buffer;
    std::shared_ptr<ClientMemo> client_memo;  // the connection's, across its requests
    while (!draining) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(16 * 1024);
      parser.body_limit(opt.body_limit);
      beast::get_lowest_layer(stream).expires_after(
          std::chrono::seconds(opt.header_timeout_seconds));
      auto [hec, hn] =
          co_await bhttp::async_read_header(stream, buffer, parser, asio::as_tuple(use_awaitable));
      (void)hn;
      std::string request_id = NewRequestId();
      if (hec) {
        if (hec == bhttp::error::body_limit) {
          inflight++;
          co_await Write(stream,
                         Bare(413, request_id, "request.too_large",
                              "the request body is larger than the limit"),
                         11, false, request_id);
          inflight--;
          co_await Drain(stream, buffer);
        } else if (hec != bhttp::error::end_of_stream && hec != asio::error::operation_aborted &&
                   hec != beast::error::timeout && hec != asio::error::eof &&
                   hec != asio::error::connection_reset && hec != ssl::error::stream_truncated) {
          co_await Write(stream,
                         Bare(400, request_id, "request.malformed", "malformed HTTP request"), 11,
                         false, request_id);
        }
        break;
      }
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(opt.body_timeout_seconds));
      auto [ec, n] =
          co_await bhttp::async_read(stream, buffer, parser, asio::as_tuple(use_awaitable));
      (void)n;
      if (ec == bhttp::error::body_limit) {
        co_await Write(
            stream,
            Bare(413, request_id, "request.too_large", "the request body is larger than the limit"),
            11, false, request_id);
        co_await Drain(stream, buffer);
        break;
      }
      if (ec) break;
      inflight++;
      auto start = std::chrono::steady_clock::now();
      auto& msg = parser.get();
      Request req;
      req.method = std::string(msg.method_string());
      std::string_view target = msg.target();
      auto q = target.find('?');
      req.path = std::string(target.substr(0, q));
      if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
      req.headers.reserve(static_cast<std::size_t>(std::distance(msg.begin(), msg.end())));
      for (const auto& f : msg) {
        std::string name(f.name_string());
        for (auto& c : name) c = core::AsciiLower(c);
        req.headers.emplace_back(std::move(name), std::string(f.value()));
      }
      if (const std::string* rid = req.Header("x-request-id"); rid && SaneRequestId(*rid))
        request_id = *rid;
      req.request_id = request_id;
      req.remote_ip = opt.proxies.ClientIp(remote, req);
      req.body = std::move(msg.body());
      req.client_memo = &client_memo;
      // While draining, every answer closes its connection so clients move to other nodes.
      bool keep_alive = msg.keep_alive() && !draining && !metrics.draining().load();
      unsigned version = msg.version();
      std::size_t route_index = 0;
      Response res = co_await Dispatch(req, route_index);
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      metrics.Observe(route_index, res.status, secs);
      if (res.status >= 500 && res.status != 503)  // 503 = deliberate load shedding
        Log("error", "request failed",
            {{"request_id", request_id},
             {"method", req.method},
             {"path", req.path},
             {"status", std::to_string(res.status)}});
      if (res.stream) {
        bool complete = co_await WriteStreamed(stream, res, version, keep_alive, request_id);
        keep_alive = keep_alive && complete && version >= 11;
      } else {
        co_await Write(stream, std::move(res), version, keep_alive, request_id);
      }
      inflight--;
      if (!keep_alive) break;
    }
  }

  // After an early error answer, reads and discards what the client is still sending (bounded
  // in bytes and time) so it can read our answer instead of getting a connection reset.
  template <typename Stream>
  asio::awaitable<void> Drain(Stream& stream, beast::flat_buffer& buffer) {
    boost::system::error_code ignored;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>)  // TLS needs its send side
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    std::array<char, 65536> scratch;
    std::size_t total = 0;
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
    buffer.consume(buffer.size());
    while (total < 64 * 1024 * 1024) {
      auto [ec, n] =
          co_await stream.async_read_some(asio::buffer(scratch), asio::as_tuple(use_awaitable));
      if (ec) break;
      total += n;
    }
  }

  // Too many open connections: a fixed 503 without reading the request, then close. Bounded in
  // time, so refused clients cannot pile up either.
  static asio::awaitable<void> Refuse(tcp::socket socket) {
    static const std::string kBusy = [] {
      std::string body =
          R"({"type":"https://atomyx.dev/problems/overloaded","title":"Service Unavailable",)"
          R"("status":503,"detail":"too many open connections; retry shortly","code":"overloaded"})";
      return "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: "
             "application/problem+json\r\nConnection: close\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body;
    }();
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(std::chrono::seconds(2));
    co_await asio::async_write(stream, asio::buffer(kBusy.data(), kBusy.size()),
                               asio::as_tuple(use_awaitable));
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  asio::awaitable<void> Accept(tcp::acceptor& acceptor) {
    while (acceptor.is_open()) {
      // Connections go to the network threads' contexts in turn.
      asio::io_context& home =
          *iocs[next_ioc.fetch_add(1, std::memory_order_relaxed) % iocs.size()];
      auto [ec, socket] = co_await acceptor.async_accept(home, asio::as_tuple(use_awaitable));
      if (ec) {
        if (ec == asio::error::operation_aborted) break;
        continue;
      }
      socket.set_option(tcp::no_delay(true));
      if (metrics.connections().load() >= opt.max_connections) {
        metrics.connections_refused().fetch_add(1);
        asio::co_spawn(home, Refuse(std::move(socket)), asio::detached);
        continue;
      }
      asio::co_spawn(home, Session(std::move(socket)), asio::detached);
    }
  }
};

Server::Server(ServerOptions options, const Router& router, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics)) {}

Server::~Server() = default;

int Server::hash_threads() const { return impl_->hash_threads; }

int Server::Run() {
  Impl& s = *impl_;
  auto ep = ParseListen(s.opt.listen);
  if (!ep) {
    Log("error", "bad listen address", {{"error", ep.error().detail}});
    return 1;
  }
  const bool tls = !s.opt.tls_cert_file.empty();
  if (tls) {
    auto ctx = LoadTls(s.opt.tls_cert_file, s.opt.tls_key_file);
    if (!ctx) {
      Log("error", "cannot start TLS", {{"error", ctx.error().detail}});
      return 1;
    }
    s.tls = std::move(*ctx);
  }
  asio::io_context& main = *s.iocs.front();
  tcp::acceptor acceptor(main);
  boost::system::error_code ec;
  acceptor.open(ep->protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(*ep, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    Log("error", "cannot listen", {{"address", s.opt.listen}, {"error", ec.message()}});
    return 1;
  }
  auto local = acceptor.local_endpoint();
  std::string addr = (local.address().is_v6() ? "[" + local.address().to_string() + "]"
                                              : local.address().to_string()) +
                     ":" + std::to_string(local.port());
  // SIGHUP re-reads the certificate and key (renewed certificates without a restart); new
  // connections use the new pair, open ones finish with the old.
  asio::signal_set hup(main);
  std::function<void()> wait_hup = [&] {
    hup.async_wait([&](boost::system::error_code ec, int) {
      if (ec) return;
      if (!tls) {
        Log("info", "SIGHUP: nothing to reload (no native TLS)");
        return wait_hup();
      }
      auto ctx = LoadTls(s.opt.tls_cert_file, s.opt.tls_key_file);
      if (!ctx) {
        Log("error", "TLS certificate not reloaded; the previous one stays",
            {{"error", ctx.error().detail}});
      } else {
        std::lock_guard lock(s.tls_mu);
        s.tls = std::move(*ctx);
        Log("info", "TLS certificate reloaded", {{"certificate", s.opt.tls_cert_file}});
      }
      wait_hup();
    });
  };
  // Always caught, so `systemctl reload` never stops a server that has nothing to reload.
  hup.add(SIGHUP);
  wait_hup();

  asio::signal_set signals(main, SIGINT, SIGTERM);
  asio::steady_timer drain_timer(main);
  auto deadline = std::make_shared<std::chrono::steady_clock::time_point>();
  std::function<void()> poll_drain = [&] {
    if (s.inflight.load() == 0 || std::chrono::steady_clock::now() > *deadline) {
      s.StopAll();
      return;
    }
    drain_timer.expires_after(std::chrono::milliseconds(20));
    drain_timer.async_wait([&](boost::system::error_code) { poll_drain(); });
  };
  // Stopping is two steps, so a rolling restart fails no request: first a grace period in which
  // /readyz answers 503 (load balancers take the node out) while it still accepts and serves,
  // every answer closing its connection; then the listener closes, open connections finish
  // their request in flight (up to 10 s) and the process ends. A second signal skips the grace.
  asio::steady_timer grace_timer(main);
  bool stopping = false;
  auto stop_serving = [&] {
    if (stopping) return;
    stopping = true;
    s.draining = true;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    hup.cancel(ignored);
    grace_timer.cancel();
    *deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    poll_drain();
  };
  std::function<void()> wait_signal = [&] {
    signals.async_wait([&](boost::system::error_code ec, int sig) {
      if (ec) return;
      if (s.metrics.draining().load() || s.opt.drain_seconds <= 0) {
        Log("info", "shutting down", {{"signal", std::to_string(sig)}});
        s.metrics.draining().store(true);
        return stop_serving();
      }
      Log("info", "draining: not ready, still serving",
          {{"signal", std::to_string(sig)}, {"seconds", std::to_string(s.opt.drain_seconds)}});
      s.metrics.draining().store(true);
      grace_timer.expires_after(std::chrono::seconds(s.opt.drain_seconds));
      grace_timer.async_wait([&](boost::system::error_code ec) {
        if (ec) return;
        Log("info", "shutting down", {{"after", "drain"}});
        stop_serving();
      });
      wait_signal();
    });
  };
  wait_signal();

  // Announced only now that every signal is caught: a SIGHUP or SIGTERM sent as soon as the
  // address is known reaches its handler, never the default action.
  Log("info", "listening", {{"address", addr}, {"tls", tls ? "on" : "off"}});
  asio::co_spawn(main, s.Accept(acceptor), asio::detached);

  // The other contexts may have no connection yet; keep them running until StopAll.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& c : s.iocs) guards.push_back(asio::make_work_guard(*c));
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < s.iocs.size(); ++i)
    threads.emplace_back([&s, i] { s.iocs[i]->run(); });
  main.run();
  for (auto& t : threads) t.join();
  s.blocking.join();
  s.hashing.join();
  Log("info", "stopped");
  return 0;
}

}  // namespace vault::http
