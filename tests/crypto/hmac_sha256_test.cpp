// crypto::HmacSha256 (callback signatures) against RFC 4231's test vectors.
#include <gtest/gtest.h>

#include <string>

#include "core/encoding.hpp"
#include "crypto/secrets.hpp"

namespace vault::crypto {
namespace {

TEST(HmacSha256, MatchesRfc4231) {
  // Test case 2: a short key.
  EXPECT_EQ(core::Hex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a 131-byte key, longer than the block, is hashed first.
  EXPECT_EQ(core::Hex(HmacSha256(std::string(131, '\xaa'),
                                 "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // The port answers the same bytes as the function.
  OpensslMac mac;
  EXPECT_EQ(mac.HmacSha256("Jefe", "what do ya want for nothing?"),
            HmacSha256("Jefe", "what do ya want for nothing?"));
}

TEST(HmacSha256, EmptyKeyAndMessageAndBinaryBytesAreSigned) {
  // HMAC-SHA-256("", "") (well-known value); and NUL bytes in the message count.
  EXPECT_EQ(core::Hex(HmacSha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_NE(HmacSha256("k", std::string("a\0b", 3)), HmacSha256("k", "a"));
}

}  // namespace
}  // namespace vault::crypto
