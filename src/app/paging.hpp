// The cursors of the keyset-paged lists (docs/api.md "Paging"). A cursor names the list and
// the scope it was made for (workspace, product or account) besides the last row's sort key, so
// a cursor of another list or another workspace is refused (400 validation.query, field
// `cursor`) rather than silently positioning a different list.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/paging.hpp"

namespace vault::app {

// What the caller asked for, as written in the query: at most `limit` rows (1–1000, default
// 100) after `cursor` ("" = the first page). Checked by OpenPage, after the caller's access, so
// that a caller who may not read the list gets 401/403/404 whatever the query holds.
struct PageRequest {
  std::optional<std::string> limit;
  std::string cursor;
};

// One page; next_cursor is "" on the last page.
template <typename T>
struct Paged {
  std::vector<T> items;
  std::string next_cursor;
};

// A list's identity: its name and the id of what it lists within ("" for platform lists).
// time_key: the sort key is a time (Page::after_time), else text (Page::after_key).
struct PagedList {
  std::string_view name;
  std::string scope;
  bool time_key = false;
};

// The storage page for `req` within `list`: one row more than asked, telling whether a next
// page exists. Fails invalid_argument "validation.query" naming `limit` (not 1–1000) or
// `cursor` (not made by PageCursor for this very list).
core::Result<core::Page> OpenPage(const PageRequest& req, const PagedList& list);

// The cursor continuing `list` after a row with that sort key and id.
std::string PageCursor(const PagedList& list, std::string_view key, std::string_view id);

// Trims the extra row OpenPage asked for (`opened` is its page) and sets next_cursor from the
// last row kept; key_of(row) → (sort key as text, id).
template <typename T, typename KeyOf>
Paged<T> ClosePage(std::vector<T> rows, const core::Page& opened, const PagedList& list,
                   KeyOf key_of) {
  Paged<T> out;
  out.items = std::move(rows);
  const auto limit = static_cast<std::size_t>(opened.limit - 1);
  if (out.items.size() > limit) {
    out.items.resize(limit);
    auto [key, id] = key_of(out.items.back());
    out.next_cursor = PageCursor(list, key, id);
  }
  return out;
}

}  // namespace vault::app
