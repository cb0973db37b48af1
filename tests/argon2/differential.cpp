// Differential tests: our argon2id kernels against libsodium's crypto_pwhash (argon2id v1.3) on
// random passwords, salts and tag lengths, for every memory size class from 8 KiB to 64 MiB and
// t = 1..4; and the kernels against each other where libsodium cannot follow (secret,
// associated data, several lanes). Fixed seeds: a failure reproduces exactly.
#include <gtest/gtest.h>
#include <sodium.h>

#include <random>
#include <string>
#include <vector>

#include "argon2/support.hpp"
#include "crypto/argon2.hpp"
#include "crypto/argon2_phc.hpp"

namespace vault::crypto {
namespace {

using testing::Hex;
using testing::OurKernels;

std::string RandomBytes(std::mt19937_64& rng, std::size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

// Password lengths worth covering: empty, one byte, around BLAKE2b's 128-byte block, long.
std::size_t PasswordLength(std::mt19937_64& rng) {
  static constexpr std::size_t kLengths[] = {0, 1, 8, 31, 64, 127, 128, 129, 1000, 70000};
  return rng() % 3 == 0 ? kLengths[rng() % std::size(kLengths)] : rng() % 200;
}

// Tag lengths: libsodium's minimum, the usual 32, and both sides of H''s 64-byte switch.
std::size_t TagLength(std::mt19937_64& rng) {
  static constexpr std::size_t kLengths[] = {16, 32, 32, 32, 33, 63, 64, 65, 100, 128, 1024};
  return kLengths[rng() % std::size(kLengths)];
}

struct Cost {
  std::uint32_t memory_kib;
  std::uint32_t passes;
};

// Every memory size class from the minimum to 64 MiB: odd sizes (m' rounds down to a multiple
// of 4 blocks), the powers of two around the 128-addresses-per-block boundary, Vault's
// default, and 64 MiB. Small sizes run with every t in 1..4, large ones with one t each so
// the suite stays fast (64 MiB × t = 4 once).
std::vector<Cost> Costs() {
  std::vector<Cost> out;
  for (std::uint32_t m :
       {8u,    9u,    11u,   12u,   15u,   16u,   17u,   24u,   31u,    32u,   33u,  63u,
        64u,   65u,   100u,  127u,  128u,  129u,  255u,  256u,  257u,   511u,  512u, 513u,
        1000u, 1023u, 1024u, 1025u, 2048u, 3001u, 4096u, 8192u, 12345u, 16384u}) {
    for (std::uint32_t t = 1; t <= 4; ++t) out.push_back({m, t});
  }
  for (Cost c : {Cost{19456, 2}, Cost{32768, 3}, Cost{50001, 1}, Cost{65536, 1}, Cost{65536, 4}})
    out.push_back(c);
  return out;
}

class Argon2idDifferential : public ::testing::TestWithParam<Argon2Impl> {
 protected:
  void SetUp() override { ASSERT_GE(sodium_init(), 0); }
};

TEST_P(Argon2idDifferential, MatchesLibsodiumForEveryMemorySizeAndPassCount) {
  std::mt19937_64 rng(0x5eed0001);
  for (const Cost& cost : Costs()) {
    const std::string password = RandomBytes(rng, PasswordLength(rng));
    const std::string salt = RandomBytes(rng, crypto_pwhash_SALTBYTES);
    const std::size_t tag_len = TagLength(rng);
    std::vector<std::uint8_t> expected(tag_len), actual(tag_len);
    ASSERT_EQ(crypto_pwhash(expected.data(), expected.size(), password.data(), password.size(),
                            reinterpret_cast<const unsigned char*>(salt.data()), cost.passes,
                            std::size_t{cost.memory_kib} * 1024, crypto_pwhash_ALG_ARGON2ID13),
              0);
    Argon2idInput in{password, salt, {}, {}, cost.passes, cost.memory_kib, 1};
    ASSERT_TRUE(Argon2id(in, actual, GetParam()));
    ASSERT_EQ(Hex(actual), Hex(expected))
        << "m=" << cost.memory_kib << " t=" << cost.passes << " tag=" << tag_len
        << " password bytes=" << password.size();
  }
}

// The SIMD kernels against the portable one, where libsodium cannot follow.
class Argon2idSimdKernel : public Argon2idDifferential {};

TEST_P(Argon2idSimdKernel, MatchesThePortableKernelWithSecretDataAndLanes) {
  std::mt19937_64 rng(0x5eed0002);
  for (int i = 0; i < 60; ++i) {
    const std::uint32_t lanes = 1 + static_cast<std::uint32_t>(rng() % 8);
    const std::uint32_t memory_kib = 8 * lanes + static_cast<std::uint32_t>(rng() % 2000);
    const std::uint32_t passes = 1 + static_cast<std::uint32_t>(rng() % 4);
    const std::string password = RandomBytes(rng, PasswordLength(rng));
    const std::string salt = RandomBytes(rng, 8 + rng() % 40);
    const std::string secret = RandomBytes(rng, rng() % 64);
    const std::string ad = RandomBytes(rng, rng() % 100);
    const std::size_t tag_len = TagLength(rng);
    Argon2idInput in{password, salt, secret, ad, passes, memory_kib, lanes};
    std::vector<std::uint8_t> expected(tag_len), actual(tag_len);
    ASSERT_TRUE(Argon2id(in, expected, Argon2Impl::kGeneric));
    ASSERT_TRUE(Argon2id(in, actual, GetParam()));
    ASSERT_EQ(Hex(actual), Hex(expected))
        << "case " << i << ": m=" << memory_kib << " t=" << passes << " p=" << lanes;
  }
}

// libsodium hashes only one lane, but its verifier takes any p: our multi-lane PHC strings
// must verify there, which checks lanes > 1 against libsodium too.
TEST_P(Argon2idDifferential, MultiLaneHashesVerifyWithLibsodium) {
  std::mt19937_64 rng(0x5eed0003);
  for (std::uint32_t lanes = 1; lanes <= 8; ++lanes) {
    Argon2idPhc phc;
    phc.lanes = lanes;
    phc.passes = 1 + static_cast<std::uint32_t>(rng() % 4);
    phc.memory_kib = 8 * lanes + static_cast<std::uint32_t>(rng() % 3000);
    phc.salt = RandomBytes(rng, 16);
    phc.tag.resize(32);
    const std::string password = RandomBytes(rng, PasswordLength(rng) % 200);
    Argon2idInput in{password, phc.salt, {}, {}, phc.passes, phc.memory_kib, lanes};
    ASSERT_TRUE(Argon2id(in, {reinterpret_cast<std::uint8_t*>(phc.tag.data()), 32}, GetParam()));
    const std::string s = FormatArgon2idPhc(phc);
    EXPECT_EQ(crypto_pwhash_str_verify(s.c_str(), password.data(), password.size()), 0) << s;
    EXPECT_NE(crypto_pwhash_str_verify(s.c_str(), "x", 1), 0) << s;
  }
}

std::vector<Argon2Impl> SimdKernels() {
  std::vector<Argon2Impl> out = OurKernels();
  out.erase(out.begin());  // the portable kernel is the reference here
  return out;
}

INSTANTIATE_TEST_SUITE_P(Kernels, Argon2idDifferential, ::testing::ValuesIn(OurKernels()),
                         [](const auto& info) { return std::string(Argon2ImplName(info.param)); });
INSTANTIATE_TEST_SUITE_P(Kernels, Argon2idSimdKernel, ::testing::ValuesIn(SimdKernels()),
                         [](const auto& info) { return std::string(Argon2ImplName(info.param)); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Argon2idSimdKernel);  // CPUs without AVX2

}  // namespace
}  // namespace vault::crypto
