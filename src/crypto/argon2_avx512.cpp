// AVX-512 argon2id kernel (compiled with -mavx512f; called only when the CPU reports
// AVX-512F). Eight 64-bit lanes per register: two rows' P per register quartet, four columns'
// P per register in the column round, and native 64-bit rotates (vprorq).
#if defined(__x86_64__)

// GCC 12's AVX-512 intrinsics (e.g. _mm512_ror_epi64) pass a deliberately uninitialised
// "undefined" vector to the builtin; the resulting false -Wuninitialized would fail -Werror.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include <cstdint>

#include "crypto/argon2_column_round.hpp"
#include "crypto/argon2_fill.hpp"
#include "crypto/argon2_fill_loop.hpp"

namespace vault::crypto::argon2_internal {
namespace {

inline __m512i BlaMka(__m512i x, __m512i y) {
  const __m512i product = _mm512_mul_epu32(x, y);  // low 32 bits × low 32 bits, per lane
  return _mm512_add_epi64(_mm512_add_epi64(x, y), _mm512_add_epi64(product, product));
}

// The operations ColumnRound needs, on eight 64-bit lanes at once.
struct Avx512Lanes {
  // GB (RFC 9106 §3.6) on every lane.
  static void Gb(__m512i& a, __m512i& b, __m512i& c, __m512i& d) {
    a = BlaMka(a, b);
    d = _mm512_ror_epi64(_mm512_xor_si512(d, a), 32);
    c = BlaMka(c, d);
    b = _mm512_ror_epi64(_mm512_xor_si512(b, c), 24);
    a = BlaMka(a, b);
    d = _mm512_ror_epi64(_mm512_xor_si512(d, a), 16);
    c = BlaMka(c, d);
    b = _mm512_ror_epi64(_mm512_xor_si512(b, c), 63);
  }
  // Per 128-bit section: the odd word of a next to the even word of b.
  static __m512i OddEven(__m512i a, __m512i b) {
    return _mm512_castpd_si512(
        _mm512_shuffle_pd(_mm512_castsi512_pd(a), _mm512_castsi512_pd(b), 0x55));
  }
};

// P on rows 2p and 2p+1. z0/z1 hold words 0–7/8–15 of row 2p, z2/z3 those of row 2p+1. Each
// 256-bit half of a, b, c, d gets one row of P's 4×4 matrix for one block row; the diagonal
// step rotates words within the halves.
inline void RowPairRound(__m512i& z0, __m512i& z1, __m512i& z2, __m512i& z3) {
  __m512i a = _mm512_shuffle_i64x2(z0, z2, 0x44);  // low halves: words 0–3 of both rows
  __m512i b = _mm512_shuffle_i64x2(z0, z2, 0xEE);  // high halves: words 4–7
  __m512i c = _mm512_shuffle_i64x2(z1, z3, 0x44);  // words 8–11
  __m512i d = _mm512_shuffle_i64x2(z1, z3, 0xEE);  // words 12–15
  Avx512Lanes::Gb(a, b, c, d);
  b = _mm512_permutex_epi64(b, _MM_SHUFFLE(0, 3, 2, 1));
  c = _mm512_permutex_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));
  d = _mm512_permutex_epi64(d, _MM_SHUFFLE(2, 1, 0, 3));
  Avx512Lanes::Gb(a, b, c, d);
  b = _mm512_permutex_epi64(b, _MM_SHUFFLE(2, 1, 0, 3));
  c = _mm512_permutex_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));
  d = _mm512_permutex_epi64(d, _MM_SHUFFLE(0, 3, 2, 1));
  z0 = _mm512_shuffle_i64x2(a, b, 0x44);
  z2 = _mm512_shuffle_i64x2(a, b, 0xEE);
  z1 = _mm512_shuffle_i64x2(c, d, 0x44);
  z3 = _mm512_shuffle_i64x2(c, d, 0xEE);
}

struct Avx512Kernel {
  template <bool kXor>
  static void Compress(const Block& x, const Block& y, Block& next) {
    const auto* xp = reinterpret_cast<const __m512i*>(x.v);
    const auto* yp = reinterpret_cast<const __m512i*>(y.v);
    auto* np = reinterpret_cast<__m512i*>(next.v);
    __m512i r[16], z[16];
#pragma GCC unroll 16
    for (int k = 0; k < 16; ++k) {
      r[k] = _mm512_xor_si512(_mm512_load_si512(xp + k), _mm512_load_si512(yp + k));
      z[k] = r[k];
      if (kXor) r[k] = _mm512_xor_si512(r[k], _mm512_load_si512(np + k));
    }
#pragma GCC unroll 4
    for (int p = 0; p < 4; ++p) {
      RowPairRound(z[4 * p], z[4 * p + 1], z[4 * p + 2], z[4 * p + 3]);
    }
    // z[h + 2r] holds words 16r + 8h … 16r + 8h + 7: row r's pairs of columns 4h … 4h + 3.
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
      ColumnRound<Avx512Lanes>(z[h], z[2 + h], z[4 + h], z[6 + h], z[8 + h], z[10 + h], z[12 + h],
                               z[14 + h]);
    }
#pragma GCC unroll 16
    for (int k = 0; k < 16; ++k) _mm512_store_si512(np + k, _mm512_xor_si512(z[k], r[k]));
  }
};

}  // namespace

void FillMemoryAvx512(const Instance& inst) { FillMemory<Avx512Kernel>(inst); }

}  // namespace vault::crypto::argon2_internal

#endif  // __x86_64__
