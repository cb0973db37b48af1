// http::Router::Find and AllowedMethods against the real route table: every (method, pattern)
// of api/openapi.json, which the OpenApi unit test keeps equal to the routes the server
// registers. The input is a request line: its first byte picks the method, the rest is the
// request target, split at the first '?' like the server does (the path is matched as sent:
// never percent-decoded, so an encoded "%2F" cannot split a segment). Find is checked against
// an independent matcher: the same route (literal routes before parameterised ones, then
// registration order), parameters that are the path's own non-empty segments without '/',
// the pattern with its parameters put back giving the path again, and, without a match,
// path_known / the Allow list naming exactly the other methods of that path.
#include "http/router.hpp"

#include <boost/json.hpp>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_util.hpp"

namespace {

using vault::http::Request;
using vault::http::Router;

std::vector<std::string> Segments(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = std::min(path.find('/', i), path.size());
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool Param(const std::string& s) { return s.size() > 2 && s.front() == '{' && s.back() == '}'; }

const Router& Routes() {
  static const Router router = [] {
    std::ifstream in(VAULT_OPENAPI_JSON);
    std::stringstream text;
    text << in.rdbuf();
    auto doc = boost::json::parse(text.str());
    Router r;
    for (const auto& [path, item] : doc.at("paths").as_object())
      for (const auto& [method, op] : item.as_object()) {
        std::string m(method);
        if (m != "get" && m != "post" && m != "put" && m != "patch" && m != "delete") continue;
        for (auto& c : m) c = static_cast<char>(c - 'a' + 'A');
        r.Add(m, std::string(path), vault::http::Executor::kBlocking, nullptr);
      }
    if (r.routes().size() < 50) std::abort();  // the table did not load
    return r;
  }();
  return router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* const kMethods[] = {"GET",    "POST",    "PUT", "PATCH",
                                         "DELETE", "OPTIONS", "get", "HEAD"};
  const Router& router = Routes();
  static const std::vector<std::vector<std::string>> patterns = [&] {
    std::vector<std::vector<std::string>> out;
    for (const auto& r : router.routes()) out.push_back(Segments(r.pattern));
    return out;
  }();
  Request req;
  req.method = kMethods[data[0] % 8];
  std::string_view target = vault::fuzz::AsText(data + 1, size - 1);
  auto q = target.find('?');
  req.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
  (void)req.BadQueryParam();  // what the server checks before routing

  auto m = router.Find(req);
  std::vector<std::string> xs = Segments(req.path);

  // The reference: routes with this path, in the router's preference order.
  const vault::http::Route* want = nullptr;
  std::vector<std::string> other_methods;
  if (xs.size() <= 16)
    for (int pass = 0; pass < 2; ++pass)
      for (const auto& r : router.routes()) {
        if (r.literal != (pass == 0)) continue;
        const std::vector<std::string>& ps = patterns[r.index];
        if (ps.size() != xs.size()) continue;
        bool same = true;
        for (std::size_t i = 0; i < ps.size(); ++i) same = same && (Param(ps[i]) || ps[i] == xs[i]);
        if (!same) continue;
        if (r.method == req.method) {
          if (!want) want = &r;
        } else if (std::find(other_methods.begin(), other_methods.end(), r.method) ==
                   other_methods.end()) {
          other_methods.push_back(r.method);
        }
      }
  FUZZ_CHECK(m.route == want);
  std::string allow = router.AllowedMethods(req.path);
  if (want) {
    FUZZ_CHECK(allow.find(req.method) != std::string::npos);
    std::string rebuilt;
    std::size_t params = 0;
    for (const auto& s : Segments(want->pattern)) {
      if (Param(s)) {
        auto it = req.params.find(s.substr(1, s.size() - 2));
        FUZZ_CHECK(it != req.params.end());
        FUZZ_CHECK(!it->second.empty() && it->second.find('/') == std::string::npos);
        rebuilt += "/" + it->second;
        ++params;
      } else {
        rebuilt += "/" + s;
      }
    }
    FUZZ_CHECK(req.params.size() == params);
    std::string normal;
    for (const auto& x : xs) normal += "/" + x;
    FUZZ_CHECK(rebuilt == normal);
  } else {
    FUZZ_CHECK(req.params.empty());
    FUZZ_CHECK(m.path_known == !other_methods.empty());
    std::string expect;
    for (const auto& o : other_methods) expect += (expect.empty() ? "" : ", ") + o;
    // AllowedMethods lists in registration order, the reference in preference order: compare
    // as sets of names.
    FUZZ_CHECK(allow.size() == expect.size());
    for (const auto& o : other_methods) FUZZ_CHECK(allow.find(o) != std::string::npos);
  }
  return 0;
}
