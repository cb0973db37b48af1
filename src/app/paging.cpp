#include "app/paging.hpp"

#include <charconv>

#include "core/encoding.hpp"

namespace vault::app {

using core::Code;
using core::Fail;

namespace {

constexpr std::size_t kMaxCursorChars = 2048;
constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 1000;

core::Error BadCursor() {
  return core::Error{Code::kInvalidArgument, "validation.query", "cursor",
                     "cursor must be the next_cursor of an earlier page of this list"};
}

}  // namespace

// "<list>\n<scope>\n<id>\n<key>" in base64url: list, scope and id are generated names without
// a newline; the key (a name, an email, a time) is the rest, whatever it holds. Not signed: it
// only positions a list the caller may read anyway, and it is checked against that list.
std::string PageCursor(const PagedList& list, std::string_view key, std::string_view id) {
  std::string raw;
  raw.append(list.name).append("\n").append(list.scope).append("\n");
  raw.append(id).append("\n").append(key);
  return core::Base64Url(raw);
}

core::Result<core::Page> OpenPage(const PageRequest& req, const PagedList& list) {
  core::Page page;
  page.limit = kDefaultLimit;
  if (req.limit) {
    const std::string& text = *req.limit;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), page.limit);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || page.limit < 1 ||
        page.limit > kMaxLimit)
      return Fail(Code::kInvalidArgument, "validation.query",
                  "limit must be a whole number from 1 to " + std::to_string(kMaxLimit), "limit");
  }
  page.limit += 1;  // one row more tells whether a next page exists
  if (req.cursor.empty()) return page;
  if (req.cursor.size() > kMaxCursorChars) return Fail(BadCursor());
  auto raw = core::Base64UrlDecode(req.cursor);
  if (!raw || !core::IsValidUtf8(*raw)) return Fail(BadCursor());
  std::string_view rest = *raw;
  std::string_view parts[3];
  for (auto& part : parts) {
    auto nl = rest.find('\n');
    if (nl == std::string_view::npos) return Fail(BadCursor());
    part = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
  }
  if (parts[0] != list.name || parts[1] != list.scope || parts[2].empty()) return Fail(BadCursor());
  page.after_id = std::string(parts[2]);
  if (list.time_key) {
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), page.after_time);
    if (ec != std::errc() || end != rest.data() + rest.size()) return Fail(BadCursor());
  } else {
    page.after_key = std::string(rest);
  }
  return page;
}

}  // namespace vault::app
