// The request's own readers of outside text (http/message.hpp): Request::Header, Request::Cookie
// over the Cookie header, and Request::Query / BadQueryParam over the query string (the form
// target checks ParseForm against the same syntax). The input is "cookie-header\nquery\nname\n
// value": Header returns the first of repeated headers; Cookie never returns text holding ';'
// and finds a cookie written between others ("a=1; <name>=<value>; b=2") unchanged; Query
// decodes what core::UrlEncode wrote back to the same bytes, returns the first of repeated
// parameters and nothing for an absent name; BadQueryParam names a clean parameter (or
// "query") exactly when the query holds an unclean one.
#include "http/message.hpp"

#include <cstdint>
#include <string>

#include "core/encoding.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = vault::fuzz::Lines(vault::fuzz::AsText(data, size), 4);
  const std::string cookie(parts[0]), query(parts[1]), name(parts[2]), value(parts[3]);

  vault::http::Request req;
  req.headers = {{"x-first", "1"}, {"cookie", cookie}, {"x-first", "2"}, {"cookie", "ignored=1"}};
  req.query = query;
  FUZZ_CHECK(*req.Header("x-first") == "1" && *req.Header("cookie") == cookie);
  FUZZ_CHECK(req.Header("X-First") == nullptr && req.Header("") == nullptr);

  std::string got = req.Cookie(name);
  FUZZ_CHECK(got.find(';') == std::string::npos);
  if (!got.empty()) FUZZ_CHECK(cookie.find(name + "=" + got) != std::string::npos);
  // A cookie written between others is found unchanged.
  if (!name.empty() && name != "a" && name.find_first_of(";= ") == std::string::npos &&
      value.find(';') == std::string::npos) {
    vault::http::Request c;
    c.headers = {{"cookie", "a=1; " + name + "=" + value + "; b=2"}};
    FUZZ_CHECK(c.Cookie(name) == value);
    FUZZ_CHECK(c.Cookie("a") == "1");
  }

  // Percent-encoding round trip, first of repeated parameters, absent names.
  vault::http::Request q;
  q.query = "k=" + vault::core::UrlEncode(value) + "&" + vault::core::UrlEncode(name) + "=x&k=2";
  FUZZ_CHECK(q.Query("k") == value);
  if (name != "k" && !name.empty()) FUZZ_CHECK(q.Query(name) == "x");
  if (name != "absent-name") FUZZ_CHECK(!q.Query("absent-name"));

  auto pairs = vault::http::ParseForm(query);
  std::string bad = req.BadQueryParam();
  FUZZ_CHECK(bad.empty() == pairs.has_value());
  if (!bad.empty()) FUZZ_CHECK(bad == "query" || vault::core::IsValidUtf8(bad));
  if (pairs)
    for (const auto& [k, v] : *pairs) {
      auto first = req.Query(k);
      FUZZ_CHECK(first.has_value());
      // The first pair with this name gives the value.
      for (const auto& [k2, v2] : *pairs)
        if (k2 == k) {
          FUZZ_CHECK(*first == v2);
          break;
        }
    }
  (void)req.Query(name);
  return 0;
}
