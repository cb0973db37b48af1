#include "crypto/argon2_phc.hpp"

namespace vault::crypto {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

void AppendBase64(std::string& out, std::string_view bytes) {
  std::uint32_t acc = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 0x3F];
}

// A cursor over the string being parsed; each step fails by returning false.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  bool Literal(std::string_view lit) {
    if (!s_.starts_with(lit)) return false;
    s_.remove_prefix(lit.size());
    return true;
  }

  // A decimal number that fits 32 bits, without leading zeros (as libsodium's decoder).
  bool Decimal(std::uint32_t& v) {
    std::size_t n = 0;
    std::uint64_t acc = 0;
    while (n < s_.size() && s_[n] >= '0' && s_[n] <= '9') {
      acc = acc * 10 + static_cast<std::uint64_t>(s_[n] - '0');
      if (acc > 0xFFFFFFFFu) return false;
      ++n;
    }
    if (n == 0 || (s_[0] == '0' && n > 1)) return false;
    v = static_cast<std::uint32_t>(acc);
    s_.remove_prefix(n);
    return true;
  }

  // Base64 up to the first character outside the alphabet; a dangling sextet or non-zero
  // padding bits are rejected, as libsodium does.
  bool Base64(std::string& out) {
    std::uint32_t acc = 0;
    int bits = 0;
    std::size_t n = 0;
    for (; n < s_.size(); ++n) {
      const int d = Sextet(s_[n]);
      if (d < 0) break;
      acc = (acc << 6) | static_cast<std::uint32_t>(d);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out += static_cast<char>((acc >> bits) & 0xFF);
      }
    }
    if (bits > 4 || (acc & ((1u << bits) - 1)) != 0) return false;
    s_.remove_prefix(n);
    return true;
  }

  bool AtEnd() const { return s_.empty(); }

 private:
  std::string_view s_;
};

}  // namespace

std::string FormatArgon2idPhc(const Argon2idPhc& phc) {
  std::string out = "$argon2id$v=19$m=" + std::to_string(phc.memory_kib) +
                    ",t=" + std::to_string(phc.passes) + ",p=" + std::to_string(phc.lanes) + "$";
  AppendBase64(out, phc.salt);
  out += '$';
  AppendBase64(out, phc.tag);
  return out;
}

std::optional<Argon2idPhc> ParseArgon2idPhc(std::string_view s) {
  if (s.find('\0') != std::string_view::npos) return std::nullopt;
  Reader r(s);
  Argon2idPhc phc;
  std::uint32_t version = 0;
  if (!r.Literal("$argon2id$v=") || !r.Decimal(version) || version != 19) return std::nullopt;
  if (!r.Literal("$m=") || !r.Decimal(phc.memory_kib)) return std::nullopt;
  if (!r.Literal(",t=") || !r.Decimal(phc.passes)) return std::nullopt;
  if (!r.Literal(",p=") || !r.Decimal(phc.lanes)) return std::nullopt;
  if (!r.Literal("$") || !r.Base64(phc.salt)) return std::nullopt;
  if (!r.Literal("$") || !r.Base64(phc.tag) || !r.AtEnd()) return std::nullopt;
  // The ranges libsodium's validate_inputs enforces; 64-bit arithmetic so 8 × p cannot wrap.
  if (phc.salt.size() < 8 || phc.tag.size() < 16) return std::nullopt;
  if (phc.lanes < 1 || phc.lanes > 0xFFFFFF || phc.passes < 1) return std::nullopt;
  if (phc.memory_kib < 8 || phc.memory_kib < std::uint64_t{8} * phc.lanes) return std::nullopt;
  return phc;
}

}  // namespace vault::crypto
