// The second-factor codes people type: TOTP syntax and recovery-code normalisation (the
// functions fuzz/totp.cpp checks; MfaService uses them).
#include "core/otp_code.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

namespace vault::core {
namespace {

TEST(OtpCode, ATotpCodeIsExactlySixAsciiDigits) {
  EXPECT_TRUE(IsTotpCode("000000"));
  EXPECT_TRUE(IsTotpCode("123456"));
  for (const char* bad : {"", "12345", "1234567", " 123456", "12345a", "12 456", "١٢٣٤٥٦"})
    EXPECT_FALSE(IsTotpCode(bad)) << bad;
  using namespace std::string_literals;
  EXPECT_FALSE(IsTotpCode("12345\0"s));
}

TEST(OtpCode, RecoveryCodesAreHandedOutGroupedAndReadInAnyCaseOrGrouping) {
  using namespace std::string_literals;
  std::string code = FormatRecoveryCode(std::string("\x01\x23\x45\x67\x89\xab\xcd", 7));
  ASSERT_EQ(code.size(), 11u);
  EXPECT_EQ(code[5], '-');
  EXPECT_EQ(code, "aeruk-z4jvp");  // base32 of the bytes, lower case, grouped 5-5
  for (char c : code) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7') || c == '-');
  std::string typed;
  for (char c : code)
    if (c != '-')
      typed += std::string(1, static_cast<char>(std::toupper(static_cast<unsigned char>(c)))) + " ";
  EXPECT_EQ(NormalizeRecoveryCode(typed), NormalizeRecoveryCode(code));
  EXPECT_EQ(NormalizeRecoveryCode("AbC-d E"), "abcde");
  EXPECT_EQ(NormalizeRecoveryCode(NormalizeRecoveryCode("X-Y z")), "xyz");
}

}  // namespace
}  // namespace vault::core
