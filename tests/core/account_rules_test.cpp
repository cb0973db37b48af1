#include <gtest/gtest.h>

#include "core/account.hpp"
#include "core/encoding.hpp"
#include "core/password_policy.hpp"

namespace vault::core {
namespace {

TEST(Email, AcceptsOrdinaryAddressesAndTrims) {
  auto e = ValidateEmail("  Ada.Lovelace+vault@Example.COM ", "email");
  ASSERT_TRUE(e);
  EXPECT_EQ(*e, "Ada.Lovelace+vault@Example.COM");
  EXPECT_EQ(NormalizeEmail(*e), "ada.lovelace+vault@example.com");
}

TEST(Email, RejectsMalformedAddressesNamingTheField) {
  for (const char* bad :
       {"", "plain", "@example.com", "a@", "a@b", "a b@example.com", "a@@example.com",
        "a@example..com", "a@.example.com", "<a>@example.com", "a\x01@example.com"}) {
    auto e = ValidateEmail(bad, "email");
    ASSERT_FALSE(e) << bad;
    EXPECT_EQ(e.error().id, "validation.email") << bad;
    EXPECT_EQ(e.error().field, "email");
  }
  EXPECT_FALSE(ValidateEmail(std::string(250, 'a') + "@example.com", "email"));
}

TEST(Name, TrimsAndLimitsLengthInCharacters) {
  EXPECT_EQ(*ValidateName("  Ada  ", "name"), "Ada");
  EXPECT_EQ(ValidateName("   ", "name").error().id, "validation.name");
  // 100 two-byte characters are fine; 101 are not.
  std::string hundred;
  for (int i = 0; i < 100; ++i) hundred += "\xC3\xA9";
  EXPECT_TRUE(ValidateName(hundred, "name"));
  EXPECT_EQ(ValidateName(hundred + "x", "name").error().id, "validation.too_long");
  EXPECT_EQ(ValidateName(std::string("a\0b", 3), "name").error().id, "validation.name");
}

// L12: look-alike addresses cannot become separate accounts; international domains are taken
// in their xn-- form.
TEST(Email, RefusesNonAsciiLookAlikes) {
  for (const char* bad : {"\xEF\xBD\x81lice@example.com",  // fullwidth a
                          "\xD0\xB0lice@example.com",      // Cyrillic a
                          "alice@\xD0\xB5xample.com",      // Cyrillic e in the domain
                          "alice@m\xC3\xBCller.de"}) {     // an IDN not in its xn-- form
    auto e = ValidateEmail(bad, "email");
    ASSERT_FALSE(e) << bad;
    EXPECT_EQ(e.error().id, "validation.email");
    EXPECT_EQ(e.error().field, "email");
  }
  EXPECT_TRUE(ValidateEmail("alice@xn--mller-kva.de", "email"));
}

// L12: bidi overrides, isolates and zero-width characters are refused in every display text.
TEST(Name, RefusesBidiOverridesAndInvisibleCharacters) {
  for (const char* bad : {"Ada \xE2\x80\xAE"
                          "evil",
                          "A\xE2\x80\x8B"
                          "da",
                          "Ada\xE2\x81\xA6x",
                          "\xEF\xBB\xBF"
                          "Ada",
                          "Ada\xD8\x9C", "Ada\xE2\x80\x8F"}) {
    EXPECT_EQ(ValidateName(bad, "name").error().id, "validation.name") << bad;
    EXPECT_TRUE(HasInvisibleFormatChars(bad)) << bad;
  }
  // Accents, other scripts and emoji (with their variation selector) are names like any other.
  for (const char* good :
       {"Zo\xC3\xAB", "\xD0\x90\xD0\xB4\xD0\xB0", "\xE6\x9D\x8E", "Ada \xE2\x9D\xA4\xEF\xB8\x8F"})
    EXPECT_TRUE(ValidateName(good, "name")) << good;
}

TEST(PasswordPolicy, ShipsAtLeastTenThousandCommonPasswords) {
  PasswordPolicy policy;
  EXPECT_GE(policy.common_count(), 10000u);
}

TEST(PasswordPolicy, EnforcesLengthCommonAndEmailRules) {
  PasswordPolicy policy(10);
  EXPECT_TRUE(policy.Check("correct horse battery", "ada@example.com", "password"));
  EXPECT_EQ(policy.Check("short", "ada@example.com", "password").error().id, "password.too_short");
  EXPECT_EQ(policy.Check(std::string(257, 'x') + "y", "a@example.com", "password").error().id,
            "password.too_long");
  EXPECT_EQ(policy.Check("qwertyuiop", "ada@example.com", "password").error().id,
            "password.common");
  EXPECT_EQ(policy.Check("QWERTYUIOP", "ada@example.com", "password").error().id,
            "password.common");
  EXPECT_EQ(policy.Check("lovelace-rules-2026", "lovelace@example.com", "password").error().id,
            "password.contains_email");
  EXPECT_EQ(policy.Check("short", "a@example.com", "new_password").error().field, "new_password");
}

TEST(Encoding, Base64UrlMatchesRfc4648Vectors) {
  EXPECT_EQ(Base64Url(""), "");
  EXPECT_EQ(Base64Url("f"), "Zg");
  EXPECT_EQ(Base64Url("fo"), "Zm8");
  EXPECT_EQ(Base64Url("foo"), "Zm9v");
  EXPECT_EQ(Base64Url("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Url("\xfb\xff"), "-_8");
}

TEST(Encoding, ConstantTimeEqualsComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

}  // namespace
}  // namespace vault::core

namespace vault::core {
namespace {

TEST(Name, RefusesMarkupCharacters) {
  EXPECT_EQ(ValidateName("<script>alert(1)</script>", "name").error().id, "validation.name");
  EXPECT_EQ(ValidateName("{{7*7}}", "name").error().id, "validation.name");
  EXPECT_TRUE(ValidateName("Zoë O'Brien-Łukasz (QA)", "name"));
}

TEST(TimeZone, AcceptsOnlyIanaNames) {
  EXPECT_TRUE(ValidateTimeZone("Europe/Paris", "time_zone"));
  EXPECT_TRUE(ValidateTimeZone("America/Argentina/Buenos_Aires", "time_zone"));
  EXPECT_TRUE(ValidateTimeZone("UTC", "time_zone"));
  for (const char* bad : {"Mars/Olympus_Mons", "UTC+99", "../../etc/passwd", "/etc/localtime", ""})
    EXPECT_EQ(ValidateTimeZone(bad, "time_zone").error().field, "time_zone") << bad;
}

}  // namespace
}  // namespace vault::core
