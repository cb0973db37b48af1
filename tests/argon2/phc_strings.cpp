// PHC strings and the PasswordHasher adapter: ours verify with libsodium and libsodium's with
// ours, on every kernel; malformed strings are refused exactly when libsodium refuses them.
#include <gtest/gtest.h>
#include <sodium.h>

#include <string>
#include <vector>

#include "argon2/support.hpp"
#include "crypto/argon2_phc.hpp"
#include "crypto/sodium.hpp"

namespace vault::crypto {
namespace {

using testing::AsString;
using testing::FromHex;
using testing::OurKernels;

bool SodiumVerifies(const std::string& phc, std::string_view password) {
  return crypto_pwhash_str_verify(phc.c_str(), password.data(), password.size()) == 0;
}

std::vector<Argon2Impl> AllImpls() {
  std::vector<Argon2Impl> out = OurKernels();
  out.push_back(Argon2Impl::kSodium);
  out.push_back(Argon2Impl::kAuto);
  return out;
}

class Argon2idHasherTest : public ::testing::TestWithParam<Argon2Impl> {
 protected:
  void SetUp() override { ASSERT_TRUE(InitSodium()); }
  Argon2idHasher Hasher(std::size_t memory_kib, unsigned long long passes) const {
    return Argon2idHasher({memory_kib, passes, GetParam()});
  }
};

TEST_P(Argon2idHasherTest, OurStringsVerifyWithLibsodium) {
  auto hasher = Hasher(19456, 2);
  auto phc = hasher.Hash("correct horse battery staple");
  ASSERT_TRUE(phc);
  EXPECT_TRUE(phc->starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << *phc;
  EXPECT_EQ(phc->size(), 31u + 22 + 1 + 43) << *phc;  // 16-byte salt, 32-byte tag
  EXPECT_TRUE(SodiumVerifies(*phc, "correct horse battery staple"));
  EXPECT_FALSE(SodiumVerifies(*phc, "correct horse battery stapler"));
  EXPECT_TRUE(hasher.Verify(*phc, "correct horse battery staple"));
  EXPECT_FALSE(hasher.Verify(*phc, ""));
  EXPECT_NE(*hasher.Hash("correct horse battery staple"), *phc);  // fresh salt each time
}

TEST_P(Argon2idHasherTest, LibsodiumStringsVerifyWithOurs) {
  auto hasher = Hasher(64, 1);
  for (std::string password : {std::string(), std::string("p"), std::string(300, 'x')}) {
    char out[crypto_pwhash_STRBYTES];
    ASSERT_EQ(crypto_pwhash_str_alg(out, password.data(), password.size(), 3, 256 * 1024,
                                    crypto_pwhash_ALG_ARGON2ID13),
              0);
    EXPECT_TRUE(hasher.Verify(out, password)) << out;
    EXPECT_FALSE(hasher.Verify(out, password + "!")) << out;
    EXPECT_TRUE(hasher.NeedsRehash(out));  // other costs than (64 KiB, 1)
  }
  auto own = hasher.Hash("pw");
  ASSERT_TRUE(own);
  EXPECT_FALSE(hasher.NeedsRehash(*own));
}

TEST_P(Argon2idHasherTest, ReferenceImplementationStringsVerify) {
  // phc-winner-argon2's argon2id vectors (8-byte salts), as PHC strings.
  struct {
    std::uint32_t m, t, p;
    const char* password;
    const char* tag_hex;
  } vectors[] = {
      {256, 2, 1, "password", "9dfeb910e80bad0311fee20f9c0e2b12c17987b4cac90c2ef54d5b3021c68bfe"},
      {256, 2, 2, "password", "6d093c501fd5999645e0ea3bf620d7b8be7fd2db59c20d9fff9539da2bf57037"},
  };
  auto hasher = Hasher(8, 1);
  for (const auto& v : vectors) {
    Argon2idPhc phc{v.m, v.t, v.p, "somesalt", AsString(FromHex(v.tag_hex))};
    const std::string s = FormatArgon2idPhc(phc);
    EXPECT_TRUE(hasher.Verify(s, v.password)) << s;
    EXPECT_TRUE(SodiumVerifies(s, v.password)) << s;
    EXPECT_FALSE(hasher.Verify(s, "Password")) << s;
  }
  EXPECT_EQ(FormatArgon2idPhc({256, 2, 1, "somesalt",
                               AsString(FromHex("9dfeb910e80bad0311fee20f9c0e2b12c17987b4ca"
                                                "c90c2ef54d5b3021c68bfe"))}),
            "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4");
}

TEST_P(Argon2idHasherTest, Argon2iStringsStillVerifyThroughLibsodium) {
  char out[crypto_pwhash_STRBYTES];
  ASSERT_EQ(crypto_pwhash_str_alg(out, "pw", 2, 3, 64 * 1024, crypto_pwhash_ALG_ARGON2I13), 0);
  auto hasher = Hasher(64, 1);
  EXPECT_TRUE(hasher.Verify(out, "pw"));
  EXPECT_FALSE(hasher.Verify(out, "pW"));
}

// Every single-character edit of a valid string (and every truncation): our verifier must
// accept exactly when libsodium's does, and never crash.
TEST_P(Argon2idHasherTest, EditedStringsAreJudgedLikeLibsodium) {
  auto hasher = Hasher(8, 1);
  const std::string password = "pw";
  auto valid = hasher.Hash(password);
  ASSERT_TRUE(valid);
  const std::string base = *valid;
  const std::string replacements[] = {"",  "0", "1", "9", "8", "$", ",", "=",  "A",  "a", "Q",
                                      "/", "+", "-", "_", " ", "v", "m", "\n", "00", "AA"};
  std::vector<std::string> edits;
  for (std::size_t i = 0; i <= base.size(); ++i) {
    edits.push_back(base.substr(0, i));
    for (const auto& r : replacements) {
      if (i < base.size()) edits.push_back(base.substr(0, i) + r + base.substr(i + 1));
      edits.push_back(base.substr(0, i) + r + base.substr(i));  // insertion
    }
  }
  int accepted = 0;
  for (const auto& s : edits) {
    auto parsed = ParseArgon2idPhc(s);
    if (parsed && (parsed->memory_kib > 4096 || parsed->passes > 16)) continue;  // keep it fast
    const bool ours = hasher.Verify(s, password);
    EXPECT_EQ(ours, SodiumVerifies(s, password)) << s;
    accepted += ours;
  }
  EXPECT_GT(accepted, 0);  // e.g. inserting "" or equivalent edits keep it valid
}

TEST_P(Argon2idHasherTest, MalformedStringsAreRefused) {
  auto hasher = Hasher(8, 1);
  const std::string good_salt = "c29tZXNhbHQ";  // "somesalt"
  const std::string tag = "nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";
  const std::string malformed[] = {
      "",
      "$argon2id$",
      "$argon2id$m=256,t=2,p=1$" + good_salt + "$" + tag,        // no version
      "$argon2id$v=16$m=256,t=2,p=1$" + good_salt + "$" + tag,   // version 1.0
      "$argon2id$v=019$m=256,t=2,p=1$" + good_salt + "$" + tag,  // leading zero
      "$argon2id$v=19$m=0256,t=2,p=1$" + good_salt + "$" + tag,
      "$argon2id$v=19$m=0,t=2,p=1$" + good_salt + "$" + tag,
      "$argon2id$v=19$m=7,t=2,p=1$" + good_salt + "$" + tag,
      "$argon2id$v=19$m=15,t=2,p=2$" + good_salt + "$" + tag,
      "$argon2id$v=19$m=256,t=0,p=1$" + good_salt + "$" + tag,
      "$argon2id$v=19$m=256,t=2,p=0$" + good_salt + "$" + tag,
      "$argon2id$v=19$m=4294967296,t=2,p=1$" + good_salt + "$" + tag,
      "$argon2id$v=19$m=256,t=2,p=16777216$" + good_salt + "$" + tag,
      "$argon2id$v=19$m=256,t=2$" + good_salt + "$" + tag,
      "$argon2id$v=19$m=256,p=1,t=2$" + good_salt + "$" + tag,
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbA$" + tag,                       // 7-byte salt
      "$argon2id$v=19$m=256,t=2,p=1$" + good_salt + "$AAAAAAAAAAAAAAAAAAAA",  // 15-byte tag
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHR$" + tag,          // non-zero padding bits
      "$argon2id$v=19$m=256,t=2,p=1$" + good_salt + "AA$" + tag,  // dangling sextet
      "$argon2id$v=19$m=256,t=2,p=1$" + good_salt + "=$" + tag,   // padding
      "$argon2id$v=19$m=256,t=2,p=1$" + good_salt + "$" + tag + "$",
      "$argon2id$v=19$m=256,t=2,p=1$" + good_salt + "$" + tag + " ",
      "$argon2id$v=19$m=256,t=2,p=1,keyid=AAAA$" + good_salt + "$" + tag,
      "$argon2d$v=19$m=256,t=2,p=1$" + good_salt + "$" + tag,
      "$argon2id$v=19$m=256,t=2,p=1$" + good_salt,
  };
  for (const auto& s : malformed) {
    EXPECT_FALSE(ParseArgon2idPhc(s)) << s;
    EXPECT_FALSE(hasher.Verify(s, "password")) << s;
    EXPECT_FALSE(SodiumVerifies(s, "password")) << s;
  }
  // A NUL would end the string for libsodium; the hasher refuses it outright.
  const std::string valid = "$argon2id$v=19$m=256,t=2,p=1$" + good_salt + "$" + tag;
  EXPECT_TRUE(hasher.Verify(valid, "password"));
  EXPECT_FALSE(hasher.Verify(valid + std::string(1, '\0') + "junk", "password"));
}

INSTANTIATE_TEST_SUITE_P(Impls, Argon2idHasherTest, ::testing::ValuesIn(AllImpls()),
                         [](const auto& info) { return std::string(Argon2ImplName(info.param)); });

}  // namespace
}  // namespace vault::crypto
