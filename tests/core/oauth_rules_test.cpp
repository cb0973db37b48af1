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
