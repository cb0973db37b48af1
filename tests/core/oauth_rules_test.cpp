// Redirect URI rules for OAuth clients (ADR 0010) and the signing-key publication window.
#include <gtest/gtest.h>

#include "core/oauth.hpp"

namespace vault::core {
namespace {

std::string FieldOf(const std::vector<std::string>& uris) {
  auto r = ValidateRedirectUris(uris, "redirect_uris");
  return r ? "ok" : r.error().field;
}

TEST(RedirectUris, HttpsOrLoopbackHttpAreAccepted) {
  EXPECT_EQ(FieldOf({}), "ok");
  EXPECT_EQ(FieldOf({"https://app.example/cb", "https://app.example:8443/a/b?x=1",
                     "http://localhost:3000/cb", "http://127.0.0.1/cb", "http://[::1]:8080/cb",
                     "HTTPS://App.Example/cb"}),
            "ok");
}

TEST(RedirectUris, EachBadOneIsNamedByItsIndex) {
  const char* bad[] = {
      "http://app.example/cb",        // clear text off the machine
      "https://app.example/cb#frag",  // fragment
      "/relative/cb",                 // not absolute
      "https:///no-host",             // no host
      "https://user:pw@app.example/cb",
      "https://app.example/a b",         // whitespace
      "https://app.example/\x01",        // control character
      "https://app.example:99999/cb",    // port out of range
      "https://app.example:/cb",         // empty port
      "javascript://alert(1)",           // another scheme
      "http://localhost.evil.example/",  // not loopback
      "http://[::1/cb",                  // unterminated IPv6
      "",
  };
  for (const char* b : bad) {
    auto field = FieldOf({"https://ok.example/cb", b});
    EXPECT_EQ(field, "redirect_uris[1]") << b;
    EXPECT_EQ(ValidateRedirectUris({b}, "redirect_uris").error().id, "validation.redirect_uri");
  }
  EXPECT_EQ(FieldOf({"https://a.example/cb", "https://a.example/cb"}), "redirect_uris[1]");
  EXPECT_EQ(FieldOf({"https://a.example/" + std::string(1990, 'x')}), "redirect_uris[0]");
  EXPECT_EQ(FieldOf({"https://a.example/" + std::string(1982, 'x')}), "ok");  // 2000 exactly
  std::vector<std::string> eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back("https://a.example/" + std::to_string(i));
  EXPECT_EQ(FieldOf(eleven), "redirect_uris");
  eleven.pop_back();
  EXPECT_EQ(FieldOf(eleven), "ok");
}

TEST(RedirectUris, OnlyRfc3986AuthoritiesPathsAndQueriesAreAccepted) {
  // Found by fuzz/redirect_uri.cpp, which checks every accepted URI with Boost.URL's parser:
  // these were accepted though no RFC 3986 parser reads them as one absolute URI.
  const char* bad[] = {
      "https://App.Exa[ple/cb",       // '[' in a host name
      "https://a.example:1:2/cb",     // two ports
      "https://a.example:0/cb",       // port 0
      "https://[zz]/cb",              // not an IPv6 address
      "https://[1::2::3]/cb",         // "::" twice
      "https://[v1.x]/cb",            // IPvFuture: no client registers one
      "https://a%zz.example/cb",      // stray '%' in the host
      "https://a.example/%zz",        // stray '%' in the path
      "https://a.example/a\\b",       // a browser reads a backslash as '/'
      "https://a.example/{x}?q=<b>",  // neither path nor query characters
      "http://[::1]x/cb",             // junk after an IPv6 literal
  };
  for (const char* b : bad) EXPECT_EQ(FieldOf({b}), "redirect_uris[0]") << b;
  EXPECT_EQ(FieldOf({"https://[2001:db8::1]:443/cb?a=%20", "https://[::ffff:192.0.2.1]/cb",
                     "https://a.example/p;x=1/@me?q=a/b?c&d=%2F", "https://a.example:65535",
                     "https://a.example?x", "https://[0:0:0:0:0:0:0:1]:8080/cb"}),
            "ok");
}

TEST(SigningKeyWindow, ALiveKeyIsPublishedAndARetiredOneUntilItsWindowEnds) {
  SigningKey k;
  EXPECT_TRUE(IsPublished(k, 100));
  k.retired_at = 100;
  k.verify_until = 200;
  EXPECT_TRUE(IsPublished(k, 199));
  EXPECT_FALSE(IsPublished(k, 200));
}

}  // namespace
}  // namespace vault::core
