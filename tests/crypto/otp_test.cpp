#include <gtest/gtest.h>

#include "crypto/secrets.hpp"
#include "crypto/sodium.hpp"

namespace vault::crypto {
namespace {

TEST(Hotp, MatchesRfc4226AppendixD) {
  OpensslOtp otp;
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t c = 0; c < 10; ++c)
    EXPECT_EQ(otp.Hotp("12345678901234567890", c), expected[c]);
}

TEST(Totp, MatchesRfc6238Sha1Vectors) {
  OpensslOtp otp;
  // RFC 6238 Appendix B gives 8 digits; the 6-digit code is its last six.
  EXPECT_EQ(otp.Hotp("12345678901234567890", 59 / 30), "287082");
  EXPECT_EQ(otp.Hotp("12345678901234567890", 1111111109 / 30), "081804");
  EXPECT_EQ(otp.Hotp("12345678901234567890", 2000000000 / 30), "279037");
}

TEST(SecretBox, RoundTripsAndRejectsTamperingOrAnotherKey) {
  ASSERT_TRUE(InitSodium());
  SodiumSecretBox box(std::string(64, 'a'), "totp");
  std::string sealed = box.Seal("twenty byte secret!!");
  EXPECT_EQ(sealed.find("twenty"), std::string::npos);
  EXPECT_NE(box.Seal("twenty byte secret!!"), sealed);  // random nonce each time
  EXPECT_EQ(*box.Open(sealed), "twenty byte secret!!");
  std::string tampered = sealed;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(box.Open(tampered));
  SodiumSecretBox other(std::string(64, 'b'), "totp");
  EXPECT_FALSE(other.Open(sealed));
  SodiumSecretBox other_purpose(std::string(64, 'a'), "other");
  EXPECT_FALSE(other_purpose.Open(sealed));
  EXPECT_FALSE(box.Open("not base64 at all!"));
}

}  // namespace
}  // namespace vault::crypto
