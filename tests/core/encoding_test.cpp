// The byte scans that run on every request read eight bytes at a time (core/swar.hpp): each
// must answer exactly as the plain byte-by-byte rule does, for every length and alignment and
// wherever the interesting byte falls (first, last, across an eight-byte boundary).
#include "core/encoding.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "core/account.hpp"

namespace vault::core {
namespace {

// RFC 3629, byte by byte: shortest forms only, no surrogates, nothing past U+10FFFF.
bool ReferenceUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80             ? 1
                      : (c & 0xE0) == 0xC0 ? 2
                      : (c & 0xF0) == 0xE0 ? 3
                      : (c & 0xF8) == 0xF0 ? 4
                                           : 0;
    if (len == 0 || i + len > s.size()) return false;
    unsigned cp = len == 1 ? c : c & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) {
      auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = cp << 6 | (d & 0x3F);
    }
    static constexpr unsigned kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

std::size_t ReferenceCodePoints(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string ReferenceEscaped(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

// Mostly plain ASCII with, now and then, a byte that matters to one of the scans.
std::string RandomText(std::mt19937& rng) {
  static const std::string kSpecial[] = {"\"",
                                         "\\",
                                         "\n",
                                         "\x01",
                                         "\x1f",
                                         " ",
                                         "\x7f",
                                         "é",
                                         "€",
                                         "🔑",
                                         "\x80",
                                         "\xC0\x80",
                                         "\xED\xA0\x80",
                                         "\xF4\x90\x80\x80",
                                         "\xE2\x82",
                                         "\xFF"};
  std::uniform_int_distribution<int> len(0, 40), pick(0, 99), ascii(0x20, 0x7E),
      special(0, std::size(kSpecial) - 1);
  std::string s;
  for (int n = len(rng), i = 0; i < n; ++i)
    s += pick(rng) < 90 ? std::string(1, static_cast<char>(ascii(rng))) : kSpecial[special(rng)];
  return s;
}

TEST(Encoding, EightByteScansAnswerAsTheByteRules) {
  std::mt19937 rng(20261130);
  for (int round = 0; round < 50000; ++round) {
    const std::string s = RandomText(rng);
    EXPECT_EQ(IsValidUtf8(s), ReferenceUtf8(s)) << s;
    EXPECT_EQ(CodePointCount(s), ReferenceCodePoints(s)) << s;
    std::string out = "prefix";
    AppendJsonEscaped(out, s);
    EXPECT_EQ(out, "prefix" + ReferenceEscaped(s)) << s;
  }
}

TEST(Encoding, ConstantTimeEqualsFindsADifferenceAtAnyPosition) {
  for (std::size_t n : {1, 7, 8, 9, 15, 16, 17, 43, 64, 90}) {
    const std::string a(n, 'k');
    EXPECT_TRUE(ConstantTimeEquals(a, std::string(n, 'k')));
    for (std::size_t at = 0; at < n; ++at) {
      std::string b = a;
      b[at] ^= 0x01;
      EXPECT_FALSE(ConstantTimeEquals(a, b)) << n << " " << at;
      b[at] = static_cast<char>(0x80 | 'k');
      EXPECT_FALSE(ConstantTimeEquals(a, b)) << n << " " << at;
    }
    EXPECT_FALSE(ConstantTimeEquals(a, a + "k"));
  }
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace
}  // namespace vault::core
