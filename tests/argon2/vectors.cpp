// Known-answer tests for argon2id on every kernel this CPU runs: RFC 9106 §5.3 (secret,
// associated data, four lanes) and the argon2id v1.3 vectors of the reference implementation
// (phc-winner-argon2, src/test.c). Also parameter validation and the wiping of work memory.
#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "argon2/support.hpp"
#include "crypto/argon2.hpp"
#include "crypto/argon2_work_area.hpp"

namespace vault::crypto {
namespace {

using testing::FromHex;
using testing::Hex;
using testing::OurKernels;

class Argon2idVectors : public ::testing::TestWithParam<Argon2Impl> {
 protected:
  void SetUp() override { ASSERT_GE(sodium_init(), 0); }

  std::string Run(const Argon2idInput& in, std::size_t tag_len) {
    std::vector<std::uint8_t> tag(tag_len);
    auto done = Argon2id(in, tag, GetParam());
    EXPECT_TRUE(done) << (done ? "" : done.error().detail);
    return Hex(tag);
  }
};

TEST_P(Argon2idVectors, Rfc9106Section53) {
  const std::string password(32, '\x01'), salt(16, '\x02'), secret(8, '\x03'), ad(12, '\x04');
  Argon2idInput in{password, salt, secret, ad, /*passes=*/3, /*memory_kib=*/32, /*lanes=*/4};
  EXPECT_EQ(Run(in, 32), "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
}

struct ReferenceVector {
  std::uint32_t passes, memory_kib, lanes;
  const char* password;
  const char* salt;
  const char* tag_hex;
};

TEST_P(Argon2idVectors, ReferenceImplementation) {
  const ReferenceVector vectors[] = {
      {2, 256, 1, "password", "somesalt",
       "9dfeb910e80bad0311fee20f9c0e2b12c17987b4cac90c2ef54d5b3021c68bfe"},
      {2, 256, 2, "password", "somesalt",
       "6d093c501fd5999645e0ea3bf620d7b8be7fd2db59c20d9fff9539da2bf57037"},
      {1, 65536, 1, "password", "somesalt",
       "f6a5adc1ba723dddef9b5ac1d464e180fcd9dffc9d1cbf76cca2fed795d9ca98"},
      {2, 65536, 1, "password", "somesalt",
       "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7"},
      {2, 65536, 1, "differentpassword", "somesalt",
       "0b84d652cf6b0c4beaef0dfe278ba6a80df6696281d7e0d2891b817d8c458fde"},
      {2, 65536, 1, "password", "diffsalt",
       "bdf32b05ccc42eb15d58fd19b1f856b113da1e9a5874fdcc544308565aa8141c"},
      {4, 65536, 1, "password", "somesalt",
       "9025d48e68ef7395cca9079da4c4ec3affb3c8911fe4f86d1a2520856f63172c"},
  };
  for (const auto& v : vectors) {
    Argon2idInput in{v.password, v.salt, {}, {}, v.passes, v.memory_kib, v.lanes};
    EXPECT_EQ(Run(in, 32), v.tag_hex)
        << "t=" << v.passes << " m=" << v.memory_kib << " p=" << v.lanes << " " << v.password;
  }
}

TEST_P(Argon2idVectors, WipesItsWorkMemoryAfterEachHash) {
  const std::string salt(16, 's');
  std::vector<std::uint8_t> tag(32);
  ASSERT_TRUE(Argon2id({"hunter2", salt, {}, {}, 2, 1024, 1}, tag, GetParam()));
  auto contents = argon2_internal::ThisThreadWorkArea().Contents();
  ASSERT_GE(contents.size(), 1024u * 1024u);
  EXPECT_TRUE(
      std::all_of(contents.begin(), contents.end(), [](std::byte b) { return b == std::byte{0}; }));
  EXPECT_NE(Hex(tag), std::string(64, '0'));
}

INSTANTIATE_TEST_SUITE_P(Kernels, Argon2idVectors, ::testing::ValuesIn(OurKernels()),
                         [](const auto& info) { return std::string(Argon2ImplName(info.param)); });

TEST(Argon2idParameters, OutOfRangeInputsFailWithInvalidArgument) {
  ASSERT_GE(sodium_init(), 0);
  const std::string salt(16, 's');
  std::vector<std::uint8_t> tag(32), short_tag(15);
  struct Case {
    const char* what;
    Argon2idInput in;
    std::span<std::uint8_t> out;
  } cases[] = {
      {"salt of 7 bytes", {"pw", "1234567", {}, {}, 2, 64, 1}, tag},
      {"tag of 15 bytes", {"pw", salt, {}, {}, 2, 64, 1}, short_tag},
      {"no passes", {"pw", salt, {}, {}, 0, 64, 1}, tag},
      {"no lanes", {"pw", salt, {}, {}, 2, 64, 0}, tag},
      {"2^24 lanes", {"pw", salt, {}, {}, 2, 0xFFFFFFFF, 1u << 24}, tag},
      {"7 KiB", {"pw", salt, {}, {}, 2, 7, 1}, tag},
      {"15 KiB for two lanes", {"pw", salt, {}, {}, 2, 15, 2}, tag},
  };
  for (auto& c : cases) {
    for (Argon2Impl impl : {Argon2Impl::kAuto, Argon2Impl::kSodium, Argon2Impl::kGeneric}) {
      auto done = Argon2id(c.in, c.out, impl);
      ASSERT_FALSE(done) << c.what;
      EXPECT_EQ(done.error().code, core::Code::kInvalidArgument) << c.what;
    }
  }
  // libsodium cannot take what only our kernels support.
  auto done = Argon2id({"pw", salt, "secret", {}, 2, 64, 1}, tag, Argon2Impl::kSodium);
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().code, core::Code::kInvalidArgument);
  EXPECT_TRUE(Argon2id({"pw", salt, "secret", {}, 2, 64, 1}, tag, Argon2Impl::kGeneric));
}

TEST(Argon2idDispatch, AutoPicksTheWidestKernelThisCpuRuns) {
  const Argon2Impl best = BestArgon2Impl();
  if (Argon2ImplSupported(Argon2Impl::kAvx512)) {
    EXPECT_EQ(best, Argon2Impl::kAvx512);
  } else if (Argon2ImplSupported(Argon2Impl::kAvx2)) {
    EXPECT_EQ(best, Argon2Impl::kAvx2);
  } else {
    EXPECT_EQ(best, Argon2Impl::kSodium);
  }
  Argon2Impl parsed = Argon2Impl::kAuto;
  EXPECT_TRUE(ParseArgon2Impl(Argon2ImplName(best), parsed));
  EXPECT_EQ(parsed, best);
  EXPECT_FALSE(ParseArgon2Impl("sse9", parsed));
  std::printf("argon2id kernel on this CPU: %s\n", Argon2ImplName(best));
}

}  // namespace
}  // namespace vault::crypto
