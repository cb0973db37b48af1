#include "crypto/argon2.hpp"

#include <sodium.h>

#include <bit>
#include <cstring>

#include "crypto/argon2_fill.hpp"
#include "crypto/argon2_work_area.hpp"

namespace vault::crypto {
namespace {

using argon2_internal::Block;
using argon2_internal::Instance;

// Blocks are filled by H' as bytes and processed as words: the byte image of a block must be
// its little-endian words.
static_assert(std::endian::native == std::endian::little, "argon2 blocks assume little-endian");
static_assert(sizeof(Block) == 1024);

constexpr std::uint32_t kVersion = 0x13;
constexpr std::uint32_t kMinSaltBytes = 8;  // RFC 9106 and libsodium
constexpr std::uint32_t kMinTagBytes = 16;  // libsodium's floor (RFC 9106 allows 4)
constexpr std::uint32_t kMaxLanes = 0xFFFFFF;
constexpr std::uint32_t kMaxLength = 0xFFFFFFFF;  // every length is hashed as a 32-bit word

void StoreLe32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
  p[2] = static_cast<std::uint8_t>(v >> 16);
  p[3] = static_cast<std::uint8_t>(v >> 24);
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// H' (RFC 9106 §3.3): BLAKE2b with output length T, chained 64-byte digests when T > 64.
void HPrime(std::uint8_t* out, std::size_t out_len, const std::uint8_t* in, std::size_t in_len) {
  std::uint8_t len_le[4];
  StoreLe32(len_le, static_cast<std::uint32_t>(out_len));
  crypto_generichash_blake2b_state st;
  const std::size_t first_len = out_len <= 64 ? out_len : 64;
  crypto_generichash_blake2b_init(&st, nullptr, 0, first_len);
  crypto_generichash_blake2b_update(&st, len_le, sizeof len_le);
  crypto_generichash_blake2b_update(&st, in, in_len);
  if (out_len <= 64) {
    crypto_generichash_blake2b_final(&st, out, out_len);
    sodium_memzero(&st, sizeof st);
    return;
  }
  std::uint8_t v[64], next[64];
  crypto_generichash_blake2b_final(&st, v, sizeof v);
  std::size_t remaining = out_len;
  while (remaining > 64) {  // V_1 … V_r each contribute their first 32 bytes
    std::memcpy(out, v, 32);
    out += 32;
    remaining -= 32;
    if (remaining > 64) {
      crypto_generichash_blake2b(next, sizeof next, v, sizeof v, nullptr, 0);
      std::memcpy(v, next, sizeof v);
    }
  }
  crypto_generichash_blake2b(out, remaining, v, sizeof v, nullptr, 0);  // V_{r+1}, 33–64 bytes
  sodium_memzero(v, sizeof v);
  sodium_memzero(next, sizeof next);
  sodium_memzero(&st, sizeof st);
}

// H0 (RFC 9106 §3.2 step 1) into seed[0..64).
void InitialHash(const Argon2idInput& in, std::uint32_t tag_len, std::uint8_t seed[64]) {
  crypto_generichash_blake2b_state st;
  crypto_generichash_blake2b_init(&st, nullptr, 0, 64);
  auto word = [&st](std::uint32_t v) {
    std::uint8_t b[4];
    StoreLe32(b, v);
    crypto_generichash_blake2b_update(&st, b, sizeof b);
  };
  auto field = [&](std::string_view s) {
    word(static_cast<std::uint32_t>(s.size()));
    crypto_generichash_blake2b_update(&st, Bytes(s), s.size());
  };
  word(in.lanes);
  word(tag_len);
  word(in.memory_kib);
  word(in.passes);
  word(kVersion);
  word(static_cast<std::uint32_t>(argon2_internal::kTypeArgon2id));
  field(in.password);
  field(in.salt);
  field(in.secret);
  field(in.ad);
  crypto_generichash_blake2b_final(&st, seed, 64);
  sodium_memzero(&st, sizeof st);
}

core::Result<void> Invalid(std::string detail) {
  return core::Fail(core::Code::kInvalidArgument, "argon2.invalid_parameters", std::move(detail));
}

core::Result<void> Validate(const Argon2idInput& in, std::size_t tag_len) {
  if (tag_len < kMinTagBytes || tag_len > kMaxLength) return Invalid("tag length out of range");
  if (in.salt.size() < kMinSaltBytes || in.salt.size() > kMaxLength)
    return Invalid("salt length out of range");
  if (in.password.size() > kMaxLength || in.secret.size() > kMaxLength || in.ad.size() > kMaxLength)
    return Invalid("input longer than 2^32 - 1 bytes");
  if (in.lanes < 1 || in.lanes > kMaxLanes) return Invalid("lanes out of range");
  if (in.passes < 1) return Invalid("passes must be at least 1");
  if (in.memory_kib < 8 * in.lanes) return Invalid("memory must be at least 8 KiB per lane");
  return {};
}

core::Result<void> SodiumArgon2id(const Argon2idInput& in, std::span<std::uint8_t> out) {
  if (in.lanes != 1 || !in.secret.empty() || !in.ad.empty() ||
      in.salt.size() != crypto_pwhash_SALTBYTES)
    return Invalid("libsodium takes one lane, a 16-byte salt and no secret or associated data");
  if (crypto_pwhash(out.data(), out.size(), in.password.data(), in.password.size(), Bytes(in.salt),
                    in.passes, static_cast<std::size_t>(in.memory_kib) * 1024,
                    crypto_pwhash_ALG_ARGON2ID13) != 0)
    return core::Fail(core::Code::kResourceExhausted, "argon2.out_of_memory",
                      "libsodium could not allocate the argon2id memory");
  return {};
}

void Fill(const Instance& inst, Argon2Impl impl) {
  switch (impl) {
#if defined(__x86_64__)
    case Argon2Impl::kAvx512:
      argon2_internal::FillMemoryAvx512(inst);
      return;
    case Argon2Impl::kAvx2:
      argon2_internal::FillMemoryAvx2(inst);
      return;
#endif
    default:
      argon2_internal::FillMemoryGeneric(inst);
      return;
  }
}

// Wipes the work memory however Argon2id returns.
class WorkMemory {
 public:
  explicit WorkMemory(std::size_t bytes)
      : area_(argon2_internal::ThisThreadWorkArea()),
        bytes_(bytes),
        blocks_(static_cast<Block*>(area_.Acquire(bytes))) {}
  ~WorkMemory() { area_.Release(bytes_); }
  WorkMemory(const WorkMemory&) = delete;
  WorkMemory& operator=(const WorkMemory&) = delete;
  Block* blocks() const { return blocks_; }

 private:
  argon2_internal::WorkArea& area_;
  std::size_t bytes_;
  Block* blocks_;
};

}  // namespace

const char* Argon2ImplName(Argon2Impl impl) {
  switch (impl) {
    case Argon2Impl::kAuto:
      return "auto";
    case Argon2Impl::kSodium:
      return "sodium";
    case Argon2Impl::kGeneric:
      return "generic";
    case Argon2Impl::kAvx2:
      return "avx2";
    case Argon2Impl::kAvx512:
      return "avx512";
  }
  return "unknown";
}

bool ParseArgon2Impl(std::string_view name, Argon2Impl& impl) {
  for (Argon2Impl i : {Argon2Impl::kAuto, Argon2Impl::kSodium, Argon2Impl::kGeneric,
                       Argon2Impl::kAvx2, Argon2Impl::kAvx512}) {
    if (name == Argon2ImplName(i)) {
      impl = i;
      return true;
    }
  }
  return false;
}

bool Argon2ImplSupported(Argon2Impl impl) {
  struct Cpu {
    bool avx2 = false;
    bool avx512f = false;  // __builtin_cpu_supports also checks the OS saves the zmm state
  };
  static const Cpu cpu = [] {  // once: __builtin_cpu_init is not meant to race with itself
    Cpu c;
#if defined(__x86_64__)
    __builtin_cpu_init();
    c.avx2 = __builtin_cpu_supports("avx2");
    c.avx512f = __builtin_cpu_supports("avx512f");
#endif
    return c;
  }();
  switch (impl) {
    case Argon2Impl::kAuto:
    case Argon2Impl::kSodium:
    case Argon2Impl::kGeneric:
      return true;
    case Argon2Impl::kAvx2:
      return cpu.avx2;
    case Argon2Impl::kAvx512:
      return cpu.avx512f;
  }
  return false;
}

Argon2Impl BestArgon2Impl() {
  static const Argon2Impl best = [] {
    if (Argon2ImplSupported(Argon2Impl::kAvx512)) return Argon2Impl::kAvx512;
    if (Argon2ImplSupported(Argon2Impl::kAvx2)) return Argon2Impl::kAvx2;
    return Argon2Impl::kSodium;  // its SSSE3/scalar code is faster than our portable kernel
  }();
  return best;
}

core::Result<void> Argon2id(const Argon2idInput& in, std::span<std::uint8_t> out, Argon2Impl impl) {
  VAULT_TRY(Validate(in, out.size()));
  if (impl == Argon2Impl::kAuto) impl = BestArgon2Impl();
  if (!Argon2ImplSupported(impl))
    return core::Fail(core::Code::kFailedPrecondition, "argon2.unsupported_cpu",
                      std::string("this CPU cannot run the ") + Argon2ImplName(impl) + " kernel");
  if (impl == Argon2Impl::kSodium) return SodiumArgon2id(in, out);

  // m' = the largest multiple of 4p blocks not above m (m >= 8p was checked).
  Instance inst;
  inst.passes = in.passes;
  inst.lanes = in.lanes;
  inst.segment_length = in.memory_kib / (argon2_internal::kSyncPoints * in.lanes);
  inst.lane_length = inst.segment_length * argon2_internal::kSyncPoints;
  inst.memory_blocks = inst.lane_length * in.lanes;
  WorkMemory memory(static_cast<std::size_t>(inst.memory_blocks) * sizeof(Block));
  if (memory.blocks() == nullptr)
    return core::Fail(core::Code::kResourceExhausted, "argon2.out_of_memory",
                      "cannot map the argon2id work memory");
  inst.memory = memory.blocks();

  // Blocks 0 and 1 of each lane: H'(H0 || LE32(0 or 1) || LE32(lane)).
  std::uint8_t seed[72];
  InitialHash(in, static_cast<std::uint32_t>(out.size()), seed);
  for (std::uint32_t lane = 0; lane < in.lanes; ++lane) {
    for (std::uint32_t j = 0; j < 2; ++j) {
      StoreLe32(seed + 64, j);
      StoreLe32(seed + 68, lane);
      Block& b = inst.memory[static_cast<std::size_t>(lane) * inst.lane_length + j];
      HPrime(reinterpret_cast<std::uint8_t*>(b.v), sizeof b, seed, sizeof seed);
    }
  }
  sodium_memzero(seed, sizeof seed);

  Fill(inst, impl);

  // Tag: H' of the XOR of every lane's last block.
  Block last = inst.memory[inst.lane_length - 1];
  for (std::uint32_t lane = 1; lane < in.lanes; ++lane) {
    const Block& b =
        inst.memory[static_cast<std::size_t>(lane) * inst.lane_length + inst.lane_length - 1];
    for (std::uint32_t k = 0; k < argon2_internal::kBlockWords; ++k) last.v[k] ^= b.v[k];
  }
  HPrime(out.data(), out.size(), reinterpret_cast<const std::uint8_t*>(last.v), sizeof last);
  sodium_memzero(&last, sizeof last);
  return {};
}

}  // namespace vault::crypto
