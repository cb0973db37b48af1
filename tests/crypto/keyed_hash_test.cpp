// HmacSecretHasher computes HMAC-SHA-256 itself over OpenSSL's SHA-256 with pre-keyed states;
// these tests hold it to RFC 4231 and to libsodium's crypto_auth_hmacsha256.
#include <gtest/gtest.h>
#include <sodium.h>

#include <random>
#include <string>

#include "core/encoding.hpp"
#include "crypto/sodium.hpp"

namespace vault::crypto {
namespace {

std::string SodiumHmacHex(const std::string& key, const std::string& message) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  return core::Hex(std::string_view(reinterpret_cast<char*>(mac), sizeof mac));
}

// KeyedHash(purpose, data) is HMAC(key, purpose || 0x00 || data).
std::string Message(const std::string& purpose, const std::string& data) {
  return purpose + std::string(1, '\0') + data;
}

// RFC 4231 test cases 2 and 6 (a 131-byte key, longer than the block) fix the reference; the
// hasher frames its input as purpose || NUL || data, so it is compared with the reference on
// that framed message.
TEST(KeyedHash, MatchesRfc4231ThroughTheReference) {
  EXPECT_EQ(SodiumHmacHex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HmacSecretHasher("Jefe").KeyedHash("what do ya want", "for nothing?"),
            SodiumHmacHex("Jefe", Message("what do ya want", "for nothing?")));
  std::string key(131, '\xaa');
  std::string text = "Test Using Larger Than Block-Size Key - Hash Key First";
  EXPECT_EQ(SodiumHmacHex(key, text),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(HmacSecretHasher(key).KeyedHash("Test", text),
            SodiumHmacHex(key, Message("Test", text)));
}

TEST(KeyedHash, EqualsLibsodiumForRandomKeysPurposesAndData) {
  std::mt19937_64 rng(20261128);
  auto bytes = [&](std::size_t n) {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    return s;
  };
  // Key lengths around the 64-byte block (shorter keys are zero-padded, longer ones hashed);
  // data lengths around the 55/64-byte padding boundaries of SHA-256.
  for (std::size_t key_len : {0, 1, 16, 32, 63, 64, 65, 100, 200}) {
    std::string key = bytes(key_len);
    HmacSecretHasher h(key);
    for (std::size_t data_len :
         {0, 1, 31, 32, 46, 47, 48, 54, 55, 56, 63, 64, 65, 119, 120, 1000}) {
      std::string purpose = bytes(rng() % 12);
      std::string data = bytes(data_len);
      EXPECT_EQ(h.KeyedHash(purpose, data), SodiumHmacHex(key, Message(purpose, data)))
          << "key " << key_len << " data " << data_len;
    }
  }
}

TEST(KeyedHash, IsRepeatableAndSeparatesPurposes) {
  HmacSecretHasher h(std::string(32, 'k'));
  EXPECT_EQ(h.KeyedHash("session", "token"), h.KeyedHash("session", "token"));
  EXPECT_NE(h.KeyedHash("session", "token"), h.KeyedHash("api_key", "token"));
  // The NUL after the purpose keeps ("ab", "c") and ("a", "bc") apart.
  EXPECT_NE(h.KeyedHash("ab", "c"), h.KeyedHash("a", "bc"));
  EXPECT_NE(HmacSecretHasher(std::string(32, 'j')).KeyedHash("session", "token"),
            h.KeyedHash("session", "token"));
}

}  // namespace
}  // namespace vault::crypto
