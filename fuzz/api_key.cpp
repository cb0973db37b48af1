// The API key text format and the IP allow-list syntax (core/api_key.hpp), both read from
// outside input (an Authorization header; a key's allowed_ips). Invariants: a key ParseApiKey
// accepts is exactly what FormatApiKey writes for its environment, id and secret; a key made
// from the input's bytes parses back to its environment and id, and changing any one of its
// characters makes it refused (the CRC-32 check); a CIDR ParseCidr accepts prints canonically
// (ToString), parses back to the same network, contains its own address, has a decimal prefix
// and no host bits; every address ParseIp accepts is also a full-length network. Also the key's
// expires_at: RFC 3339 times print back to the same instant.
#include "core/api_key.hpp"

#include <cstdint>
#include <string>

#include "core/clock.hpp"
#include "fuzz_util.hpp"

namespace {

using namespace vault::core;

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kBase32 = "abcdefghijklmnopqrstuvwxyz234567";

void CheckCidr(std::string_view text) {
  auto net = ParseCidr(text, "allowed_ips[0]");
  if (!net) {
    FUZZ_CHECK(net.error().id == "api_key.invalid_cidr" && net.error().field == "allowed_ips[0]");
    return;
  }
  auto slash = text.find('/');
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    FUZZ_CHECK(!p.empty() && p.find_first_not_of("0123456789") == std::string_view::npos);
  }
  FUZZ_CHECK(net->prefix >= (net->v4 ? 96 : 0) && net->prefix <= 128);
  for (int i = net->prefix; i < 128; ++i) FUZZ_CHECK(!(net->addr[i / 8] & (0x80 >> (i % 8))));
  std::string canon = net->ToString();
  auto again = ParseCidr(canon, "x");
  FUZZ_CHECK(again && again->addr == net->addr && again->prefix == net->prefix &&
             again->v4 == net->v4 && again->ToString() == canon);
  FUZZ_CHECK(CidrContains(*net, net->addr));
  if (auto ip = ParseIp(text)) {
    FUZZ_CHECK(slash == std::string_view::npos && net->prefix == 128 && net->addr == *ip);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = vault::fuzz::AsText(data, size);

  if (auto key = ParseApiKey(text)) {
    FUZZ_CHECK(key->id.size() == 3 + kKeyIdChars && key->id.starts_with("ak_"));
    std::string secret(text.substr(text.size() - kCrcChars - kSecretChars, kSecretChars));
    FUZZ_CHECK(FormatApiKey(key->environment, key->id, secret) == text);
  }
  // expires_at (RFC 3339): an accepted time prints back to a text that parses to it, and a
  // canonical text ("…Z", no fraction) is exactly what FormatRfc3339 writes.
  if (auto t = ParseRfc3339(text)) {
    if (*t >= 0) {
      std::string printed = FormatRfc3339(*t);
      FUZZ_CHECK(ParseRfc3339(printed) == *t);
      if (text.size() == 20 && text[10] == 'T' && text[19] == 'Z') FUZZ_CHECK(printed == text);
    }
  }
  if (size >= 5) {
    std::uint64_t raw = 0;
    for (std::size_t i = 0; i < 5; ++i) raw = (raw << 8) | data[i];
    const Timestamp t = static_cast<Timestamp>(raw % 253402300800ULL);  // 1970 … 9999-12-31
    FUZZ_CHECK(ParseRfc3339(FormatRfc3339(t)) == t);
  }
  auto env = ParseEnvironment(text, "environment");
  if (env) FUZZ_CHECK(EnvironmentName(*env) == text);

  CheckCidr(text);
  // An allowed_ips list, one entry per comma (the first four).
  std::size_t a = 0, entries = 0;
  for (std::size_t b = 0; b <= text.size() && entries < 4; ++b)
    if (b == text.size() || text[b] == ',') {
      if (a || b != text.size()) CheckCidr(text.substr(a, b - a));
      a = b + 1;
      ++entries;
    }

  // A well-formed key from the input's bytes: it round-trips, and no one-character change
  // (position and replacement from the input) survives the checksum.
  if (size >= 4) {
    std::string id = "ak_", secret;
    for (std::size_t i = 0; i < kKeyIdChars; ++i) id += kBase32[data[i % size] % 32];
    for (std::size_t i = 0; i < kSecretChars; ++i)
      secret += kBase62[(data[(i + 1) % size] + i) % 62];
    const auto e = static_cast<Environment>(data[0] % 3);
    std::string k = FormatApiKey(e, id, secret);
    auto parsed = ParseApiKey(k);
    FUZZ_CHECK(parsed && parsed->environment == e && parsed->id == id);
    std::size_t pos = (data[1] | (data[2] << 8)) % k.size();
    char repl = static_cast<char>(data[3]);
    if (k[pos] != repl) {
      std::string bad = k;
      bad[pos] = repl;
      FUZZ_CHECK(!ParseApiKey(bad));
    }
    FUZZ_CHECK(!ParseApiKey(k.substr(0, k.size() - 1)) && !ParseApiKey(k + "0"));
  }
  return 0;
}
