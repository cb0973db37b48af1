#include "http/message.hpp"

#include "core/ascii.hpp"
#include "core/encoding.hpp"

namespace vault::http {

bool IsMediaType(std::string_view content_type, std::string_view media) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  return core::EqualsAsciiFolded(type, media);
}

const std::string* Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return &v;
  return nullptr;
}

std::string Request::Cookie(std::string_view name) const {
  const std::string* h = Header("cookie");
  if (!h) return {};
  std::string_view s = *h;
  while (!s.empty()) {
    auto semi = s.find(';');
    std::string_view part = s.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name)
      return std::string(part.substr(eq + 1));
    if (semi == std::string_view::npos) break;
    s.remove_prefix(semi + 1);
  }
  return {};
}

namespace {

std::string PercentDecode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

template <typename F>
void ForEachParam(std::string_view q, F f) {
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    auto eq = pair.find('=');
    if (!f(PercentDecode(pair.substr(0, eq)),
           eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1))))
      return;
    if (amp == std::string_view::npos) return;
    q.remove_prefix(amp + 1);
  }
}

bool Clean(const std::string& s) {
  if (!core::IsValidUtf8(s)) return false;
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
  return true;
}

}  // namespace

std::optional<std::vector<std::pair<std::string, std::string>>> ParseForm(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  bool clean = true;
  ForEachParam(text, [&](const std::string& k, const std::string& v) {
    clean = Clean(k) && Clean(v);
    if (clean) out.emplace_back(k, v);
    return clean;
  });
  if (!clean) return std::nullopt;
  return out;
}

std::string Request::BadQueryParam() const {
  std::string bad;
  ForEachParam(query, [&](const std::string& k, const std::string& v) {
    if (Clean(k) && Clean(v)) return true;
    // An empty name cannot name the field, and returned as is would read as "all clean".
    bad = Clean(k) && !k.empty() ? k : "query";
    return false;
  });
  return bad;
}

std::optional<std::string> Request::Query(std::string_view name) const {
  std::optional<std::string> out;
  ForEachParam(query, [&](const std::string& k, const std::string& v) {
    if (k != name) return true;
    out = v;
    return false;
  });
  return out;
}

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::Streamed(std::string content_type, std::string first, BodyChunks next) {
  Response r;
  r.content_type = std::move(content_type);
  r.body = std::move(first);
  r.stream = std::move(next);
  return r;
}

Response Response::NoContent() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

}  // namespace vault::http
