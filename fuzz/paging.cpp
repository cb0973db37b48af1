// The keyset-paging query parameters (app/paging.hpp): `limit` and the opaque `cursor` a client
// sends back. The input is "limit\ncursor\nid\nkey" (a first line "-" means no limit). OpenPage
// accepts only a limit of 1..1000 (asking one row more) and only a cursor PageCursor wrote for
// this very list and scope: the cursor written again from what an accepted one opened to opens
// to the same place, a cursor of another list or scope is refused, and every refusal is
// invalid_argument "validation.query" naming limit or cursor. A cursor written for the input's
// id and key opens to exactly that id and key (or that time, for a time-keyed list).
#include "app/paging.hpp"

#include <charconv>
#include <cstdint>
#include <string>
#include <vector>

#include "core/encoding.hpp"
#include "fuzz_util.hpp"

namespace {

using vault::app::OpenPage;
using vault::app::PageCursor;
using vault::app::PagedList;
using vault::app::PageRequest;

void CheckRefusal(const vault::core::Error& e) {
  FUZZ_CHECK(e.code == vault::core::Code::kInvalidArgument && e.id == "validation.query");
  FUZZ_CHECK(e.field == "limit" || e.field == "cursor");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto l = vault::fuzz::Lines(vault::fuzz::AsText(data, size), 4);
  static const PagedList kLists[] = {{"members", "ws_1", false},
                                     {"audit", "ws_1", true},
                                     {"members", "ws_2", false},
                                     {"keys", "", true}};
  PageRequest req;
  if (l[0] != "-") req.limit = l[0];
  req.cursor = l[1];
  for (const auto& list : kLists) {
    auto page = OpenPage(req, list);
    if (!page) {
      CheckRefusal(page.error());
      continue;
    }
    FUZZ_CHECK(page->limit >= 2 && page->limit <= 1001);
    if (!req.limit) FUZZ_CHECK(page->limit == 101);
    if (req.cursor.empty()) {
      FUZZ_CHECK(page->after_id.empty());
      continue;
    }
    FUZZ_CHECK(!page->after_id.empty() && page->after_id.find('\n') == std::string::npos);
    FUZZ_CHECK(vault::core::IsValidUtf8(page->after_id) &&
               vault::core::IsValidUtf8(page->after_key));
    // The decoder tolerates stray low bits in the last character, so compare what the cursor
    // written again from the page opens to, not its text.
    PageRequest again;
    again.cursor = PageCursor(
        list, list.time_key ? std::to_string(page->after_time) : page->after_key, page->after_id);
    auto reopened = OpenPage(again, list);
    FUZZ_CHECK(again.cursor.size() > 2048 || (reopened && reopened->after_id == page->after_id &&
                                              reopened->after_key == page->after_key &&
                                              reopened->after_time == page->after_time));
    // Opened by one list, refused by the others of another name or scope.
    for (const auto& other : kLists)
      if (other.name != list.name || other.scope != list.scope) {
        PageRequest r2;
        r2.cursor = req.cursor;
        FUZZ_CHECK(!OpenPage(r2, other));
      }
  }

  // Round trip of a cursor written for the input's id and key.
  const std::string& id = l[2];
  const std::string& key = l[3];
  if (!id.empty() && vault::core::IsValidUtf8(id) && vault::core::IsValidUtf8(key)) {
    PageRequest r;
    r.cursor = PageCursor(kLists[0], key, id);
    auto page = OpenPage(r, kLists[0]);
    if (r.cursor.size() <= 2048) {
      FUZZ_CHECK(page && page->after_id == id && page->after_key == key);
    } else {
      FUZZ_CHECK(!page);
    }
    std::int64_t t = 0;
    for (std::size_t i = 0; i < key.size() && i < 8; ++i)
      t = static_cast<std::int64_t>((static_cast<std::uint64_t>(t) << 8) |
                                    static_cast<unsigned char>(key[i]));
    PageRequest rt;
    rt.cursor = PageCursor(kLists[1], std::to_string(t), id);
    auto timed = OpenPage(rt, kLists[1]);
    FUZZ_CHECK(rt.cursor.size() > 2048 ||
               (timed && timed->after_time == t && timed->after_id == id));
  }
  return 0;
}
