// Callback signing secrets: states over time, the shown text, the signed payload and the
// parsing of a receiver's signature header.
#include "core/callback_secret.hpp"

#include <gtest/gtest.h>

namespace vault::core {
namespace {

TEST(CallbackSecret, StateFollowsRevocationAndTheGracePeriod) {
  CallbackSecret s;
  EXPECT_EQ(StateOf(s, 100), CallbackSecretState::kActive);
  EXPECT_TRUE(CallbackSecretValid(s, 100));
  s.expires_at = 200;
  EXPECT_EQ(StateOf(s, 199), CallbackSecretState::kExpiring);
  EXPECT_TRUE(CallbackSecretValid(s, 199));
  EXPECT_EQ(StateOf(s, 200), CallbackSecretState::kExpired);  // the grace ends at expires_at
  EXPECT_FALSE(CallbackSecretValid(s, 200));
  s.revoked_at = 150;
  EXPECT_EQ(StateOf(s, 120), CallbackSecretState::kRevoked);
  EXPECT_FALSE(CallbackSecretValid(s, 120));
  EXPECT_EQ(CallbackSecretStateName(CallbackSecretState::kExpiring), "expiring");
}

TEST(CallbackSecret, ShownTextIsWhsecAndBase64UrlOfTheKey) {
  std::string key(kCallbackSecretBytes, '\xff');
  std::string text = FormatCallbackSecret(key);
  EXPECT_EQ(text.rfind("whsec_", 0), 0u);
  EXPECT_EQ(text.size(), 6u + 43u);  // 32 bytes, unpadded base64url
  EXPECT_EQ(text.find_first_of("+/="), std::string::npos);
}

TEST(CallbackSecret, SignedPayloadIsTimestampDotBody) {
  EXPECT_EQ(CallbackSignedPayload(1700000000, "{\"a\":1}"), "1700000000.{\"a\":1}");
  EXPECT_EQ(CallbackSignedPayload(5, std::string("x\0y", 3)), std::string("5.x\0y", 5));
}

TEST(CallbackSecret, SignatureHeaderYieldsTheV1ValuesOnly) {
  std::string a(64, 'a'), b(64, 'B');
  auto got = CallbackSignatureCandidates("v1=" + a + " v0=" + a + ",v1=" + b +
                                         " v1=zz v1=" + std::string(63, 'c'));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], a);
  EXPECT_EQ(got[1], std::string(64, 'b'));  // lowercased
  EXPECT_TRUE(CallbackSignatureCandidates("").empty());
  EXPECT_TRUE(CallbackSignatureCandidates("v1=" + std::string(64, 'g')).empty());
  std::string many;
  for (int i = 0; i < 40; ++i) many += "v1=" + a + " ";
  EXPECT_EQ(CallbackSignatureCandidates(many).size(), 16u);
}

}  // namespace
}  // namespace vault::core
