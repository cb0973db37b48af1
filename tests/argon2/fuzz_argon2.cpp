// Fuzz target: Vault's argon2id against libsodium on fuzzer-chosen input. Aborts on the first
// disagreement. Two modes, picked by the first byte:
//  - raw: password, 16-byte salt, m in [8, 2048] KiB, t in 1..4 and a 16..128-byte tag taken
//    from the input; every kernel this CPU runs must give crypto_pwhash's bytes;
//  - PHC: a valid string edited as the input says (replace, insert, delete, truncate); our
//    verifier must accept exactly when crypto_pwhash_str_verify does.
//
// CI runs it through the standalone driver (fuzz_driver.cpp, ctest argon2_fuzz_smoke). For
// coverage-guided fuzzing with libFuzzer, see tests/argon2/build_libfuzzer.sh.
#include <sodium.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "crypto/argon2.hpp"
#include "crypto/argon2_phc.hpp"
#include "crypto/sodium.hpp"

namespace {

using vault::crypto::Argon2Impl;

std::vector<Argon2Impl> Kernels() {
  std::vector<Argon2Impl> out = {Argon2Impl::kGeneric};
  for (Argon2Impl k : {Argon2Impl::kAvx2, Argon2Impl::kAvx512})
    if (vault::crypto::Argon2ImplSupported(k)) out.push_back(k);
  return out;
}

[[noreturn]] void Mismatch(const char* what, const std::string& detail) {
  std::fprintf(stderr, "argon2 fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

void RawMode(const std::uint8_t* data, std::size_t size) {
  if (size < 20) return;
  const std::uint32_t memory_kib = 8 + (data[0] | (data[1] << 8)) % 2041;
  const std::uint32_t passes = 1 + data[2] % 4;
  const std::size_t tag_len = 16 + data[3] % 113;
  const std::string salt(reinterpret_cast<const char*>(data + 4), 16);
  const std::string password(reinterpret_cast<const char*>(data + 20), size - 20);
  std::vector<std::uint8_t> expected(tag_len), actual(tag_len);
  if (crypto_pwhash(expected.data(), tag_len, password.data(), password.size(),
                    reinterpret_cast<const unsigned char*>(salt.data()), passes,
                    std::size_t{memory_kib} * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0)
    Mismatch("libsodium failed", "m=" + std::to_string(memory_kib));
  vault::crypto::Argon2idInput in{password, salt, {}, {}, passes, memory_kib, 1};
  for (Argon2Impl k : Kernels()) {
    if (!vault::crypto::Argon2id(in, actual, k) || actual != expected)
      Mismatch(vault::crypto::Argon2ImplName(k), "m=" + std::to_string(memory_kib) +
                                                     " t=" + std::to_string(passes) +
                                                     " tag=" + std::to_string(tag_len));
  }
}

void PhcMode(const std::uint8_t* data, std::size_t size) {
  static const char kChars[] = "$,=0123456789vmtpAQRZaz+/-_ \x01\x7f";
  static const std::string base = [] {
    vault::crypto::Argon2idHasher hasher({8, 1, Argon2Impl::kGeneric});
    return *hasher.Hash("pw");
  }();
  std::string s = base;
  // Each 3-byte group is one edit: operation, position, character.
  for (std::size_t i = 0; i + 2 < size && !s.empty(); i += 3) {
    const std::size_t pos = data[i + 1] % (s.size() + 1);
    const char c = kChars[data[i + 2] % (sizeof kChars - 1)];
    switch (data[i] % 4) {
      case 0:
        if (pos < s.size()) s[pos] = c;
        break;
      case 1:
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(pos), c);
        break;
      case 2:
        if (pos < s.size()) s.erase(pos, 1);
        break;
      default:
        s.resize(pos);
        break;
    }
  }
  if (auto p = vault::crypto::ParseArgon2idPhc(s); p && (p->memory_kib > 4096 || p->passes > 16))
    return;  // valid but too costly to compute here
  const bool sodium = crypto_pwhash_str_verify(s.c_str(), "pw", 2) == 0;
  for (Argon2Impl k : Kernels()) {
    vault::crypto::Argon2idHasher hasher({8, 1, k});
    if (hasher.Verify(s, "pw") != sodium)
      Mismatch(vault::crypto::Argon2ImplName(k), "verify disagrees on '" + s + "'");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool ready = sodium_init() >= 0;
  if (!ready || size < 1) return 0;
  if (data[0] & 1) {
    PhcMode(data + 1, size - 1);
  } else {
    RawMode(data + 1, size - 1);
  }
  return 0;
}
