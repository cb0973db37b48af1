#include "http/router.hpp"

#include <string_view>

namespace vault::http {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool MatchPattern(std::string_view pattern, std::string_view path,
                  std::unordered_map<std::string, std::string>* params) {
  auto ps = Split(pattern), xs = Split(path);
  if (ps.size() != xs.size()) return false;
  for (std::size_t i = 0; i < ps.size(); ++i) {
    if (ps[i].size() > 2 && ps[i].front() == '{' && ps[i].back() == '}') {
      if (params) (*params)[std::string(ps[i].substr(1, ps[i].size() - 2))] = std::string(xs[i]);
    } else if (ps[i] != xs[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Executor executor, Handler handler) {
  Route r{std::move(method), std::move(pattern), std::move(handler), executor, routes_.size()};
  routes_.push_back(std::move(r));
}

Match Router::Find(Request& req) const {
  Match m;
  // Literal routes win over parameterised ones, whatever the registration order.
  for (int pass = 0; pass < 2 && !m.route; ++pass) {
    for (const Route& r : routes_) {
      bool literal = r.pattern.find('{') == std::string::npos;
      if (literal != (pass == 0)) continue;
      if (!MatchPattern(r.pattern, req.path, nullptr)) continue;
      if (r.method != req.method) {
        m.path_known = true;
        continue;
      }
      MatchPattern(r.pattern, req.path, &req.params);
      m.route = &r;
      break;
    }
  }
  return m;
}

}  // namespace vault::http
