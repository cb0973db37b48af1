// AVX2 argon2id kernel (compiled with -mavx2; called only when the CPU reports AVX2). Four
// 64-bit lanes per register: one row's P per register quartet, and the column P's two columns
// per register with no transposition (see ColumnRound).
#if defined(__x86_64__)

#include <immintrin.h>

#include <cstdint>

#include "crypto/argon2_column_round.hpp"
#include "crypto/argon2_fill.hpp"
#include "crypto/argon2_fill_loop.hpp"

namespace vault::crypto::argon2_internal {
namespace {

inline __m256i BlaMka(__m256i x, __m256i y) {
  const __m256i product = _mm256_mul_epu32(x, y);  // low 32 bits × low 32 bits, per lane
  return _mm256_add_epi64(_mm256_add_epi64(x, y), _mm256_add_epi64(product, product));
}

// AVX2 has no 64-bit rotate: byte shuffles for the multiples of 8, add+shift for 63.
inline __m256i Rotr32(__m256i x) { return _mm256_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1)); }
inline __m256i Rotr24(__m256i x) {
  const __m256i k = _mm256_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, 3, 4, 5,
                                     6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);
  return _mm256_shuffle_epi8(x, k);
}
inline __m256i Rotr16(__m256i x) {
  const __m256i k = _mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, 2, 3, 4,
                                     5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
  return _mm256_shuffle_epi8(x, k);
}
inline __m256i Rotr63(__m256i x) {
  return _mm256_xor_si256(_mm256_srli_epi64(x, 63), _mm256_add_epi64(x, x));
}

// The operations ColumnRound needs, on four 64-bit lanes at once.
struct Avx2Lanes {
  // GB (RFC 9106 §3.6) on every lane.
  static void Gb(__m256i& a, __m256i& b, __m256i& c, __m256i& d) {
    a = BlaMka(a, b);
    d = Rotr32(_mm256_xor_si256(d, a));
    c = BlaMka(c, d);
    b = Rotr24(_mm256_xor_si256(b, c));
    a = BlaMka(a, b);
    d = Rotr16(_mm256_xor_si256(d, a));
    c = BlaMka(c, d);
    b = Rotr63(_mm256_xor_si256(b, c));
  }
  // Per 128-bit section: the odd word of a next to the even word of b.
  static __m256i OddEven(__m256i a, __m256i b) {
    return _mm256_castpd_si256(
        _mm256_shuffle_pd(_mm256_castsi256_pd(a), _mm256_castsi256_pd(b), 5));
  }
};

// P on one row: a, b, c, d hold words 0–3, 4–7, 8–11, 12–15 (the rows of P's 4×4 matrix).
// The diagonal step rotates b, c, d by 1, 2, 3 words so the diagonals line up as columns.
inline void RowRound(__m256i& a, __m256i& b, __m256i& c, __m256i& d) {
  Avx2Lanes::Gb(a, b, c, d);
  b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(0, 3, 2, 1));
  c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));
  d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(2, 1, 0, 3));
  Avx2Lanes::Gb(a, b, c, d);
  b = _mm256_permute4x64_epi64(b, _MM_SHUFFLE(2, 1, 0, 3));
  c = _mm256_permute4x64_epi64(c, _MM_SHUFFLE(1, 0, 3, 2));
  d = _mm256_permute4x64_epi64(d, _MM_SHUFFLE(0, 3, 2, 1));
}

struct Avx2Kernel {
  template <bool kXor>
  static void Compress(const Block& x, const Block& y, Block& next) {
    const auto* xp = reinterpret_cast<const __m256i*>(x.v);
    const auto* yp = reinterpret_cast<const __m256i*>(y.v);
    auto* np = reinterpret_cast<__m256i*>(next.v);
    __m256i r[32], q[32];
#pragma GCC unroll 32
    for (int k = 0; k < 32; ++k) {
      r[k] = _mm256_xor_si256(_mm256_load_si256(xp + k), _mm256_load_si256(yp + k));
      q[k] = r[k];
      if (kXor) r[k] = _mm256_xor_si256(r[k], _mm256_load_si256(np + k));
    }
#pragma GCC unroll 8
    for (int row = 0; row < 8; ++row) {
      RowRound(q[4 * row], q[4 * row + 1], q[4 * row + 2], q[4 * row + 3]);
    }
    // q[c + 4r] holds words 16r + 4c … 16r + 4c + 3: row r's pairs of columns 2c and 2c + 1.
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) {
      ColumnRound<Avx2Lanes>(q[c], q[4 + c], q[8 + c], q[12 + c], q[16 + c], q[20 + c], q[24 + c],
                             q[28 + c]);
    }
#pragma GCC unroll 32
    for (int k = 0; k < 32; ++k) _mm256_store_si256(np + k, _mm256_xor_si256(q[k], r[k]));
  }
};

}  // namespace

void FillMemoryAvx2(const Instance& inst) { FillMemory<Avx2Kernel>(inst); }

}  // namespace vault::crypto::argon2_internal

#endif  // __x86_64__
