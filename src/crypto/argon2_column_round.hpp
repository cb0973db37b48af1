// Internal to the SIMD argon2id kernels: the column round of G (RFC 9106 §3.5), shared by the
// AVX2 and AVX-512 kernels. It works on the block's natural layout: register x_r holds words of
// row r, and each of its 128-bit sections is one column's input pair (v_{2r}, v_{2r+1}), so
// the columns need no transposition. Internal linkage, like argon2_fill_loop.hpp: each kernel
// translation unit gets its own copy built with its own -m flags.
#pragma once

namespace vault::crypto::argon2_internal {
namespace {

// P on as many columns as V has 128-bit sections. Lanes provides
//   static void Gb(V& a, V& b, V& c, V& d);  GB on every 64-bit lane
//   static V OddEven(V a, V b);              per 128-bit section: (odd word of a, even of b)
// The column step is GB(x0, x2, x4, x6) and GB(x1, x3, x5, x7); for the diagonals, (v5, v6),
// (v7, v4), (v15, v12) and (v13, v14) are rebuilt with one shuffle each, and restored after.
template <class Lanes, class V>
inline void ColumnRound(V& x0, V& x1, V& x2, V& x3, V& x4, V& x5, V& x6, V& x7) {
  Lanes::Gb(x0, x2, x4, x6);
  Lanes::Gb(x1, x3, x5, x7);
  V b1 = Lanes::OddEven(x2, x3);  // (v5, v6)
  V b2 = Lanes::OddEven(x3, x2);  // (v7, v4)
  V d1 = Lanes::OddEven(x7, x6);  // (v15, v12)
  V d2 = Lanes::OddEven(x6, x7);  // (v13, v14)
  Lanes::Gb(x0, b1, x5, d1);      // (v0, v5, v10, v15) and (v1, v6, v11, v12)
  Lanes::Gb(x1, b2, x4, d2);      // (v2, v7, v8, v13) and (v3, v4, v9, v14)
  x2 = Lanes::OddEven(b2, b1);    // (v4, v5)
  x3 = Lanes::OddEven(b1, b2);    // (v6, v7)
  x6 = Lanes::OddEven(d1, d2);    // (v12, v13)
  x7 = Lanes::OddEven(d2, d1);    // (v14, v15)
}

}  // namespace
}  // namespace vault::crypto::argon2_internal
