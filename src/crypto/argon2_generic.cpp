// Portable argon2id kernel: the compression function G of RFC 9106 §3.5–3.6 on plain 64-bit
// words. It is the readable reference the SIMD kernels are tested against, and the kernel for
// CPUs without AVX2 when the caller does not want libsodium.
#include <cstdint>

#include "crypto/argon2_fill.hpp"
#include "crypto/argon2_fill_loop.hpp"

namespace vault::crypto::argon2_internal {
namespace {

inline std::uint64_t Rotr(std::uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }

// BlaMka: the BLAKE2b addition with a 32×32→64-bit product mixed in (§3.6).
inline std::uint64_t BlaMka(std::uint64_t x, std::uint64_t y) {
  const std::uint64_t product = (x & 0xFFFFFFFFu) * (y & 0xFFFFFFFFu);
  return x + y + 2 * product;
}

inline void Gb(std::uint64_t& a, std::uint64_t& b, std::uint64_t& c, std::uint64_t& d) {
  a = BlaMka(a, b);
  d = Rotr(d ^ a, 32);
  c = BlaMka(c, d);
  b = Rotr(b ^ c, 24);
  a = BlaMka(a, b);
  d = Rotr(d ^ a, 16);
  c = BlaMka(c, d);
  b = Rotr(b ^ c, 63);
}

// P over the 16 words v[at(0)] … v[at(15)]: columns, then diagonals, of the 4×4 word matrix.
template <class At>
inline void Permute(std::uint64_t* v, At at) {
  Gb(v[at(0)], v[at(4)], v[at(8)], v[at(12)]);
  Gb(v[at(1)], v[at(5)], v[at(9)], v[at(13)]);
  Gb(v[at(2)], v[at(6)], v[at(10)], v[at(14)]);
  Gb(v[at(3)], v[at(7)], v[at(11)], v[at(15)]);
  Gb(v[at(0)], v[at(5)], v[at(10)], v[at(15)]);
  Gb(v[at(1)], v[at(6)], v[at(11)], v[at(12)]);
  Gb(v[at(2)], v[at(7)], v[at(8)], v[at(13)]);
  Gb(v[at(3)], v[at(4)], v[at(9)], v[at(14)]);
}

struct GenericKernel {
  template <bool kXor>
  static void Compress(const Block& x, const Block& y, Block& next) {
    Block r, q;
    for (std::uint32_t k = 0; k < kBlockWords; ++k) {
      r.v[k] = x.v[k] ^ y.v[k];
      q.v[k] = r.v[k];
      if (kXor) r.v[k] ^= next.v[k];
    }
    // Rows: the eight 16-word rows (128 bytes each), each as P's 16 inputs.
    for (std::uint32_t row = 0; row < 8; ++row) {
      Permute(q.v, [row](std::uint32_t k) { return 16 * row + k; });
    }
    // Columns: column c takes word pair (2c, 2c+1) of every row.
    for (std::uint32_t col = 0; col < 8; ++col) {
      Permute(q.v, [col](std::uint32_t k) { return 16 * (k / 2) + 2 * col + k % 2; });
    }
    for (std::uint32_t k = 0; k < kBlockWords; ++k) next.v[k] = q.v[k] ^ r.v[k];
  }
};

}  // namespace

void FillMemoryGeneric(const Instance& inst) { FillMemory<GenericKernel>(inst); }

}  // namespace vault::crypto::argon2_internal
