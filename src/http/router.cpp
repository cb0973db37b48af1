#include "http/router.hpp"

#include <string_view>

namespace vault::http {
namespace {

// Splits a path at '/' (empty segments dropped) into at most `max` views; returns the count, or
// max + 1 when there are more (no route has that many).
constexpr std::size_t kMaxSegments = 16;

std::size_t Split(std::string_view path, std::string_view* out) {
  std::size_t n = 0, i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) {
      if (n == kMaxSegments) return kMaxSegments + 1;
      out[n++] = path.substr(i, j - i);
    }
    i = j + 1;
  }
  return n;
}

bool IsParam(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool Matches(const Route& r, const std::string_view* xs, std::size_t n) {
  if (r.segments.size() != n) return false;
  for (std::size_t i = 0; i < n; ++i)
    if (!IsParam(r.segments[i]) && r.segments[i] != xs[i]) return false;
  return true;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Executor executor, Handler handler) {
  Route r{std::move(method),
          std::move(pattern),
          std::move(handler),
          executor,
          routes_.size(),
          {},
          true};
  std::string_view parts[kMaxSegments + 1];
  std::size_t n = Split(r.pattern, parts);
  std::string joined;
  for (std::size_t i = 0; i < n && i < kMaxSegments; ++i) {
    r.segments.emplace_back(parts[i]);
    if (IsParam(r.segments.back())) r.literal = false;
    joined += (i ? "/" : "") + r.segments.back();
  }
  if (r.literal) literal_[joined].push_back(r.index);
  routes_.push_back(std::move(r));
}

Match Router::Find(Request& req) const {
  Match m;
  std::string_view xs[kMaxSegments + 1];
  std::size_t n = Split(req.path, xs);  // once per request, no allocation
  if (n > kMaxSegments) return m;
  // Literal routes win over parameterised ones, whatever the registration order.
  char text[512];  // the segments joined with '/', as literal_ keys them
  std::size_t length = 0;
  bool fits = true;  // a longer path is no literal route
  for (std::size_t i = 0; i < n && fits; ++i) {
    fits = length + (i ? 1 : 0) + xs[i].size() <= sizeof text;
    if (!fits) break;
    if (i) text[length++] = '/';
    length += xs[i].copy(text + length, xs[i].size());
  }
  if (fits)
    if (auto it = literal_.find(std::string_view(text, length)); it != literal_.end())
      for (std::size_t index : it->second) {
        if (routes_[index].method == req.method) {
          m.route = &routes_[index];
          return m;
        }
        m.path_known = true;
      }
  for (const Route& r : routes_) {
    if (r.literal || !Matches(r, xs, n)) continue;
    if (r.method != req.method) {
      m.path_known = true;
      continue;
    }
    for (std::size_t i = 0; i < n; ++i)
      if (IsParam(r.segments[i]))
        req.params[r.segments[i].substr(1, r.segments[i].size() - 2)] = std::string(xs[i]);
    m.route = &r;
    break;
  }
  return m;
}

std::string Router::AllowedMethods(std::string_view path) const {
  std::string_view xs[kMaxSegments + 1];
  std::size_t n = Split(path, xs);
  std::string out;
  if (n > kMaxSegments) return out;
  std::vector<std::string_view> seen;
  for (const Route& r : routes_) {
    if (!Matches(r, xs, n)) continue;
    bool dup = false;
    for (auto m : seen) dup = dup || m == r.method;
    if (dup) continue;
    seen.push_back(r.method);
    out += (out.empty() ? "" : ", ") + r.method;
  }
  return out;
}

}  // namespace vault::http
