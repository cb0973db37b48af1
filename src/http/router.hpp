// Router: maps (method, path pattern) to a handler and the executor it must run on. Patterns
// use {name} segments. Built once at start, then read-only: thread-safe for matching.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/message.hpp"

namespace vault::http {

// Where a handler runs: inline on the network thread (cheap, non-blocking only), on the
// blocking pool (database work), or on the bounded hashing pool (argon2id).
// kInlineFirst: tried inline with blocking disallowed (served from memory when it can), and
// re-run on the blocking pool when it would have to block.
enum class Executor { kInline, kInlineFirst, kBlocking, kHash };

using Handler = std::function<Response(Request&)>;

struct Route {
  std::string method;
  std::string pattern;
  Handler handler;
  Executor executor = Executor::kBlocking;
  std::size_t index = 0;  // position in routes(), for per-route metrics
  // The pattern split at '/', and whether it has no {name} segment; computed once by Add.
  std::vector<std::string> segments;
  bool literal = true;
};

struct Match {
  const Route* route = nullptr;  // null when nothing matched
  bool path_known = false;       // a route has this path but not this method (→ 405)
};

class Router {
 public:
  void Add(std::string method, std::string pattern, Executor executor, Handler handler);
  // Matches and fills req.params from the pattern's {name} segments.
  Match Find(Request& req) const;
  // The methods routed for `path` ("GET, PATCH"), for the Allow header of a 405; "" if none.
  std::string AllowedMethods(std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  std::vector<Route> routes_;
  // The literal routes by their segments joined with '/' ("api/v1/me"): found with one hash
  // lookup, where a scan of every route would cost a comparison per route on each request.
  std::unordered_map<std::string, std::vector<std::size_t>, TextHash, std::equal_to<>> literal_;
};

}  // namespace vault::http
