// Header encoding and the message frame built by BuildMime.
#include "mail/mime.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace vault::mail {
namespace {

std::string HeaderBlock(const std::string& mime) { return mime.substr(0, mime.find("\r\n\r\n")); }

TEST(EncodeHeader, PlainAsciiStaysAsItIs) {
  EXPECT_EQ(EncodeHeader("Reset your password"), "Reset your password");
  EXPECT_EQ(EncodeHeader(""), "");
}

TEST(EncodeHeader, LineBreaksAndControlsNeverReachTheHeader) {
  std::string out = EncodeHeader("Acme \r\nBcc: x@evil.example\tx\x01");
  EXPECT_EQ(out.find('\r'), std::string::npos);
  EXPECT_EQ(out.find('\n'), std::string::npos);
  EXPECT_EQ(out, "Acme   Bcc: x@evil.example x ");
}

TEST(EncodeHeader, EncodedWordSyntaxInUserTextIsWrappedNotPassedOn) {
  // Sent raw, a reader would decode the user's word to "Bcc: x@evil".
  std::string out = EncodeHeader("=?utf-8?b?QmNjOiB4QGV2aWw=?=");
  EXPECT_EQ(out.rfind("=?UTF-8?B?", 0), 0u) << out;
  EXPECT_EQ(out.find("QmNjOiB4QGV2aWw=?="), std::string::npos) << out;
}

TEST(EncodeHeader, LongNonAsciiTextFoldsIntoShortWholeCharacterWords) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "\xC3\xA9";  // é × 100: 200 bytes
  std::string out = EncodeHeader(text);
  std::regex word("=\\?UTF-8\\?B\\?([A-Za-z0-9+/=]*)\\?=");
  std::size_t words = 0;
  for (std::sregex_iterator it(out.begin(), out.end(), word), end; it != end; ++it) {
    ++words;
    EXPECT_LE(it->str().size(), 75u);
    EXPECT_EQ(it->str(1).size() % 4, 0u);
    EXPECT_LE(it->str(1).size(), 52u);  // 38 bytes: 19 whole characters
  }
  EXPECT_GE(words, 6u);
  for (std::size_t start = 0, end; start < out.size(); start = end + 2) {
    end = out.find("\r\n", start);
    if (end == std::string::npos) end = out.size();
    EXPECT_LE(end - start, 78u - 9u) << "a line longer than \"Subject: \" allows";
  }
}

TEST(BuildMime, MessageIdIsOneWellFormedIdOfTheSenderDomain) {
  core::MailMessage m{"ada@example.com", "Hi", "text", "<p>html</p>"};
  for (const auto& [from, domain] : std::vector<std::pair<std::string, std::string>>{
           {"Atomyx Vault <no-reply@localhost>", "localhost"},
           {"no-reply@vault.example.com", "vault.example.com"},
           {"Odd <no-reply@[127.0.0.1]>", "localhost"}}) {
    std::string headers =
        HeaderBlock(BuildMime(from, m, "abc123", "Thu, 1 Jan 2026 00:00:00 +0000"));
    std::smatch id;
    ASSERT_TRUE(std::regex_search(headers, id, std::regex("\r\nMessage-ID: ([^\r\n]*)"))) << from;
    EXPECT_EQ(id.str(1), "<abc123@" + domain + ">") << from;
  }
}

}  // namespace
}  // namespace vault::mail
