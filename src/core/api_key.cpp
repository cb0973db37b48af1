#include "core/api_key.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace vault::core {
namespace {

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kBase32 = "abcdefghijklmnopqrstuvwxyz234567";
constexpr std::string_view kPrefix = "avk_";

// Slicing-by-8 tables: t[0] is the classic byte table; t[k][b] is b's CRC followed by k zero
// bytes, so eight bytes fold in with eight independent lookups (~2 instructions per byte
// instead of ~8; every verification checksums ~70 bytes).
using CrcTables = std::array<std::array<std::uint32_t, 256>, 8>;
constexpr CrcTables MakeCrcTables() {
  CrcTables t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  for (std::size_t k = 1; k < 8; ++k)
    for (std::uint32_t i = 0; i < 256; ++i) t[k][i] = t[0][t[k - 1][i] & 0xFF] ^ (t[k - 1][i] >> 8);
  return t;
}
constexpr CrcTables kCrc = MakeCrcTables();

// Digit tables for the two alphabets (kNotDigit: not a member): ParseApiKey checks ~70
// characters per verification.
constexpr std::uint8_t kNotDigit = 0xFF;
constexpr std::array<std::uint8_t, 256> MakeDigits(std::string_view chars) {
  std::array<std::uint8_t, 256> t{};
  for (auto& d : t) d = kNotDigit;
  for (std::size_t i = 0; i < chars.size(); ++i)
    t[static_cast<unsigned char>(chars[i])] = static_cast<std::uint8_t>(i);
  return t;
}
constexpr auto kBase62Digit = MakeDigits(kBase62);
constexpr auto kBase32Digit = MakeDigits(kBase32);

bool AllIn(const std::array<std::uint8_t, 256>& digits, std::string_view s) {
  std::uint8_t bad = 0;  // kNotDigit has the high bit; digits do not
  std::size_t i = 0;
  for (; i + 4 <= s.size(); i += 4)
    bad |= digits[static_cast<unsigned char>(s[i])] | digits[static_cast<unsigned char>(s[i + 1])] |
           digits[static_cast<unsigned char>(s[i + 2])] |
           digits[static_cast<unsigned char>(s[i + 3])];
  for (; i < s.size(); ++i) bad |= digits[static_cast<unsigned char>(s[i])];
  return (bad & 0x80) == 0;
}

std::string Crc62(std::string_view body) {
  std::uint64_t v = Crc32(body);
  std::string out(kCrcChars, '0');
  for (std::size_t i = kCrcChars; i-- > 0;) {
    out[i] = kBase62[v % 62];
    v /= 62;
  }
  return out;
}

Error BadCidr(std::string_view field, std::string detail) {
  return Error{Code::kInvalidArgument, "api_key.invalid_cidr", std::string(field),
               std::move(detail)};
}

}  // namespace

std::string_view EnvironmentName(Environment e) {
  switch (e) {
    case Environment::kProduction:
      return "production";
    case Environment::kStaging:
      return "staging";
    case Environment::kDevelopment:
      return "development";
  }
  return "production";
}

std::string_view EnvironmentTag(Environment e) {
  switch (e) {
    case Environment::kProduction:
      return "live";
    case Environment::kStaging:
      return "stage";
    case Environment::kDevelopment:
      return "dev";
  }
  return "live";
}

Result<Environment> ParseEnvironment(std::string_view s, std::string_view field) {
  for (Environment e : {Environment::kProduction, Environment::kStaging, Environment::kDevelopment})
    if (s == EnvironmentName(e)) return e;
  return Fail(Code::kInvalidArgument, "validation.enum",
              "must be production, staging or development", std::string(field));
}

std::optional<std::array<std::uint8_t, 16>> ParseIp(std::string_view text) {
  // inet_pton reads a C string: a NUL would end the address early and let trailing text pass
  // (found by fuzz/api_key.cpp).
  if (text.empty() || text.size() > 45 || text.find('\0') != std::string_view::npos)
    return std::nullopt;
  std::string s(text);
  std::array<std::uint8_t, 16> out{};
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

static bool IsMapped(const std::array<std::uint8_t, 16>& a) {
  for (int i = 0; i < 10; ++i)
    if (a[i] != 0) return false;
  return a[10] == 0xff && a[11] == 0xff;
}

Result<Cidr> ParseCidr(std::string_view text, std::string_view field) {
  auto slash = text.find('/');
  std::string_view addr = text.substr(0, slash);
  auto ip = ParseIp(addr);
  if (!ip) return Fail(BadCidr(field, "not an IPv4 or IPv6 address or network"));
  Cidr c;
  c.addr = *ip;
  c.v4 = IsMapped(*ip);
  int max = c.v4 ? 32 : 128;
  int bits = max;
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), bits);
    // Digits only: from_chars alone would take "-0" as a prefix of 0.
    if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string_view::npos ||
        ec != std::errc() || end != p.data() + p.size() || bits < 0 || bits > max)
      return Fail(BadCidr(field, "the prefix length must be 0.." + std::to_string(max)));
  }
  c.prefix = c.v4 ? 96 + bits : bits;
  for (int i = c.prefix; i < 128; ++i)
    if (c.addr[i / 8] & (0x80 >> (i % 8)))
      return Fail(BadCidr(
          field, "host bits are set; the network is " + [&] {
            Cidr n = c;
            for (int j = n.prefix; j < 128; ++j) n.addr[j / 8] &= ~(0x80 >> (j % 8));
            return n.ToString();
          }()));
  return c;
}

std::string Cidr::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (v4) {
    inet_ntop(AF_INET, addr.data() + 12, buf, sizeof buf);
    return std::string(buf) + "/" + std::to_string(prefix - 96);
  }
  inet_ntop(AF_INET6, addr.data(), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(prefix);
}

bool CidrContains(const Cidr& net, const std::array<std::uint8_t, 16>& ip) {
  for (int i = 0; i < net.prefix; ++i) {
    std::uint8_t mask = 0x80 >> (i % 8);
    if ((net.addr[i / 8] & mask) != (ip[i / 8] & mask)) return false;
  }
  return true;
}

std::string_view ApiKeyStatus(const ApiKey& k, Timestamp now) {
  if (k.revoked_at != 0) return "revoked";
  if (k.expires_at != 0 && now >= k.expires_at) return "expired";
  return "active";
}

std::uint32_t Crc32(std::string_view data) {
  std::uint32_t c = 0xFFFFFFFFu;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t n = data.size();
  for (; n >= 8; p += 8, n -= 8) {  // little-endian byte order, as the reflected CRC reads
    const std::uint32_t lo = c ^ (std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 |
                                  std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24);
    c = kCrc[7][lo & 0xFF] ^ kCrc[6][(lo >> 8) & 0xFF] ^ kCrc[5][(lo >> 16) & 0xFF] ^
        kCrc[4][lo >> 24] ^ kCrc[3][p[4]] ^ kCrc[2][p[5]] ^ kCrc[1][p[6]] ^ kCrc[0][p[7]];
  }
  for (; n > 0; ++p, --n) c = kCrc[0][(c ^ *p) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::string NewApiKeyId(Random& random) {
  std::string bytes = random.Bytes(kKeyIdChars);
  std::string out = "ak_";
  for (unsigned char b : bytes) out += kBase32[b & 31];  // 5 uniform bits per character
  return out;
}

std::string NewApiKeySecret(Random& random) {
  // Rejection sampling keeps each base62 character uniform (bytes ≥ 248 would bias % 62);
  // 43 characters carry 256.03 bits, the SPEC's ≥ 256-bit floor.
  std::string out;
  while (out.size() < kSecretChars) {
    for (unsigned char b : random.Bytes(64)) {
      if (b >= 248) continue;
      out += kBase62[b % 62];
      if (out.size() == kSecretChars) break;
    }
  }
  return out;
}

std::string FormatApiKey(Environment env, const std::string& id, const std::string& secret) {
  std::string body =
      std::string(kPrefix) + std::string(EnvironmentTag(env)) + "_" + id.substr(3) + "_" + secret;
  return body + Crc62(body);
}

std::optional<ParsedKey> ParseApiKey(std::string_view text) {
  if (text.size() > 100 || text.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view rest = text.substr(kPrefix.size());
  auto us = rest.find('_');
  if (us == std::string_view::npos) return std::nullopt;
  std::string_view tag = rest.substr(0, us);
  std::optional<Environment> env;
  for (Environment e : {Environment::kProduction, Environment::kStaging, Environment::kDevelopment})
    if (tag == EnvironmentTag(e)) env = e;
  if (!env) return std::nullopt;
  rest = rest.substr(us + 1);
  if (rest.size() != kKeyIdChars + 1 + kSecretChars + kCrcChars || rest[kKeyIdChars] != '_')
    return std::nullopt;
  std::string_view id = rest.substr(0, kKeyIdChars);
  std::string_view tail = rest.substr(kKeyIdChars + 1);
  if (!AllIn(kBase32Digit, id) || !AllIn(kBase62Digit, tail)) return std::nullopt;
  // The checksum's six base62 digits read as a number (62^6 > 2^32, so Crc62's encoding is
  // one-to-one): compared with the CRC as integers, without rendering it.
  std::uint64_t presented = 0;
  for (char c : text.substr(text.size() - kCrcChars))
    presented = presented * 62 + kBase62Digit[static_cast<unsigned char>(c)];
  if (presented != Crc32(text.substr(0, text.size() - kCrcChars))) return std::nullopt;
  return ParsedKey{*env, "ak_" + std::string(id)};
}

std::vector<Cidr> KeyNetworks(const ApiKey& key) {
  std::vector<Cidr> out;
  for (const auto& text : key.allowed_ips)
    if (auto net = ParseCidr(text, "")) out.push_back(*net);
  return out;
}

std::string DecideKey(const KeyState* key, const KeyProductFacts& product, const KeyCheck& check,
                      Timestamp now) {
  // A key whose product (or workspace) is gone is as unknown as one never issued.
  if (!key || !product.exists) return "unknown";
  if (key->revoked_at != 0) return "revoked";
  if (key->expires_at != 0 && now >= key->expires_at) return "expired";
  if (key->environment != check.expected) return "wrong_environment";
  if (!key->networks.empty()) {
    auto ip = ParseIp(check.ip);
    bool ok = false;
    if (ip)
      for (const auto& net : key->networks) ok = ok || CidrContains(net, *ip);
    if (!ok) return "ip_not_allowed";
  }
  if (product.workspace_suspended) return "workspace_suspended";
  if (!product.active) return "product_inactive";
  if (!check.permission.empty()) {
    bool has = std::find(key->permissions.begin(), key->permissions.end(), check.permission) !=
               key->permissions.end();
    if (!has || !product.offers_permission) return "permission_denied";
  }
  return "";
}

Result<std::vector<std::string>> ValidateKeyPermissions(const std::vector<std::string>& requested,
                                                        const std::vector<std::string>& offered) {
  if (requested.empty())
    return Fail(Code::kInvalidArgument, "validation.required",
                "a key needs at least one permission", "permissions");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < requested.size(); ++i) {
    if (std::find(offered.begin(), offered.end(), requested[i]) == offered.end())
      return Fail(Code::kInvalidArgument, "api_key.unknown_permission",
                  "not an API permission of this product type",
                  "permissions[" + std::to_string(i) + "]");
    if (std::find(out.begin(), out.end(), requested[i]) == out.end()) out.push_back(requested[i]);
  }
  return out;
}

}  // namespace vault::core
