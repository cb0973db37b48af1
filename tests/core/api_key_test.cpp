// API key rules: the key text format and its checksum, CIDR allow-lists, the decision order,
// permission validation, and RFC 3339 parsing for expiries.
#include "core/api_key.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <map>
#include <random>

namespace vault::core {
namespace {

class CountingRandom : public Random {
 public:
  std::string Bytes(std::size_t n) override {
    std::string out(n, '\0');
    for (auto& c : out) c = static_cast<char>(next_++ * 37 + 11);
    return out;
  }

 private:
  unsigned next_ = 0;
};

TEST(ApiKeyFormat, RoundTripsAndCarriesTheEnvironment) {
  CountingRandom random;
  for (Environment env :
       {Environment::kProduction, Environment::kStaging, Environment::kDevelopment}) {
    std::string id = NewApiKeyId(random);
    std::string secret = NewApiKeySecret(random);
    EXPECT_EQ(id.size(), 3 + kKeyIdChars);
    EXPECT_EQ(secret.size(), kSecretChars);
    std::string text = FormatApiKey(env, id, secret);
    EXPECT_EQ(text.rfind("avk_" + std::string(EnvironmentTag(env)) + "_", 0), 0u) << text;
    auto parsed = ParseApiKey(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(parsed->id, id);
    EXPECT_EQ(parsed->environment, env);
  }
}

std::string ProductionKey() {
  CountingRandom random;
  return FormatApiKey(Environment::kProduction, NewApiKeyId(random), NewApiKeySecret(random));
}

TEST(ApiKeyFormat, EverySingleCharacterChangeIsCaught) {
  std::string text = ProductionKey();
  ASSERT_TRUE(ParseApiKey(text));
  const std::string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_";
  for (std::size_t i = 0; i < text.size(); ++i)
    for (char c : alphabet) {
      if (c == text[i]) continue;
      std::string typo = text;
      typo[i] = c;
      EXPECT_FALSE(ParseApiKey(typo)) << "position " << i << " → " << c;
    }
  // Adjacent transpositions, truncation, extension.
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == text[i + 1]) continue;
    std::string swapped = text;
    std::swap(swapped[i], swapped[i + 1]);
    EXPECT_FALSE(ParseApiKey(swapped)) << i;
  }
  EXPECT_FALSE(ParseApiKey(text.substr(0, text.size() - 1)));
  EXPECT_FALSE(ParseApiKey(text + "A"));
  EXPECT_FALSE(ParseApiKey(""));
  EXPECT_FALSE(ParseApiKey("avk_live_"));
  EXPECT_FALSE(ParseApiKey(std::string(5000, 'a')));
}

TEST(ApiKeyFormat, TheChecksumIsComparedAsAWholeNumber) {
  // Six base62 digits hold numbers up to 62^6 > 2^35: one that equals the CRC only modulo
  // 2^32 must not pass, nor any character outside base62 in the checksum.
  std::string text = ProductionKey();
  ASSERT_TRUE(ParseApiKey(text));
  const std::string_view base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string body = text.substr(0, text.size() - kCrcChars);
  for (std::uint64_t wrap = 1; wrap <= 8; ++wrap) {
    std::uint64_t v = Crc32(body) + (wrap << 32);
    std::string crc(kCrcChars, '0');
    for (std::size_t i = kCrcChars; i-- > 0; v /= 62) crc[i] = base62[v % 62];
    EXPECT_FALSE(ParseApiKey(body + crc)) << wrap;
  }
  for (char c : std::string("_-+/=\x00\xff", 7)) {
    std::string bad = text;
    bad.back() = c;
    EXPECT_FALSE(ParseApiKey(bad)) << static_cast<int>(c);
  }
}

TEST(ApiKeyFormat, Crc32MatchesTheStandardCheckValue) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);  // the CRC-32/ISO-HDLC check value
}

TEST(ApiKeyFormat, Crc32EightBytesAtATimeEqualsTheBitwiseDefinition) {
  auto bitwise = [](std::string_view data) {
    std::uint32_t c = 0xFFFFFFFFu;
    for (unsigned char b : data) {
      c ^= b;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
  };
  std::mt19937_64 rng(7);
  for (int round = 0; round < 3000; ++round) {
    std::string data(rng() % 130, '\0');  // every length around the 8-byte blocks
    for (auto& c : data) c = static_cast<char>(rng());
    ASSERT_EQ(Crc32(data), bitwise(data)) << data.size();
  }
}

TEST(ApiKeyFormat, SecretCharactersAreSpreadOverTheWholeAlphabet) {
  class OsLikeRandom : public Random {
   public:
    std::string Bytes(std::size_t n) override {
      std::string out(n, '\0');
      for (auto& c : out) {
        state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
        c = static_cast<char>(state_ >> 56);
      }
      return out;
    }
    std::uint64_t state_ = 42;
  } random;
  std::map<char, int> seen;
  for (int i = 0; i < 2000; ++i)
    for (char c : NewApiKeySecret(random)) seen[c]++;
  EXPECT_EQ(seen.size(), 62u);
  for (const auto& [c, n] : seen) EXPECT_NEAR(n, 2000 * 43 / 62, 250) << c;
}

TEST(Cidr, ParsesCanonicalisesAndMatches) {
  auto v4 = ParseCidr("10.0.0.0/8", "f");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->ToString(), "10.0.0.0/8");
  EXPECT_EQ(ParseCidr("192.0.2.7", "f")->ToString(), "192.0.2.7/32");
  EXPECT_EQ(ParseCidr("2001:DB8::/32", "f")->ToString(), "2001:db8::/32");
  EXPECT_EQ(ParseCidr("::1", "f")->ToString(), "::1/128");
  EXPECT_EQ(ParseCidr("0.0.0.0/0", "f")->ToString(), "0.0.0.0/0");
  EXPECT_TRUE(CidrContains(*v4, *ParseIp("10.255.0.1")));
  EXPECT_TRUE(CidrContains(*v4, *ParseIp("::ffff:10.1.1.1")));  // IPv4 seen through IPv6
  EXPECT_FALSE(CidrContains(*v4, *ParseIp("11.0.0.1")));
  EXPECT_FALSE(CidrContains(*v4, *ParseIp("::a00:1")));  // IPv4-compatible is not IPv4
  auto v6 = ParseCidr("2001:db8::/32", "f");
  EXPECT_TRUE(CidrContains(*v6, *ParseIp("2001:db8:ffff::1")));
  EXPECT_FALSE(CidrContains(*v6, *ParseIp("2001:db9::1")));
  EXPECT_FALSE(CidrContains(*v6, *ParseIp("10.0.0.1")));
  for (const char* bad : {"10.0.0.1/8", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1",
                          "10.0.0.0/+8", "10.0.0.0/08x", "300.0.0.0", "10.0.0", "", "/8",
                          "host.example", "10.0.0.0/8/8", "fe80::1%eth0"}) {
    auto r = ParseCidr(bad, "allowed_ips[3]");
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().id, "api_key.invalid_cidr");
      EXPECT_EQ(r.error().field, "allowed_ips[3]");
    }
  }
  EXPECT_NE(ParseCidr("10.0.0.1/8", "f").error().detail.find("10.0.0.0/8"), std::string::npos);
}

// Found by fuzz/api_key.cpp: inet_pton reads a C string, so text after a NUL went unread and an
// address with trailing garbage was accepted; and from_chars took "-0" as a prefix length.
TEST(Cidr, RefusesANulInsideAnAddressAndASignedPrefix) {
  using namespace std::string_literals;
  EXPECT_FALSE(ParseIp("10.0.0.1\0junk"s));
  EXPECT_FALSE(ParseIp("192::\0\0\0"s));
  EXPECT_FALSE(ParseCidr("10.0.0.0\0x/8"s, "f"));
  EXPECT_FALSE(ParseCidr("0.0.0.0/-0", "f"));
  EXPECT_FALSE(ParseCidr("::/-0", "f"));
  EXPECT_TRUE(ParseCidr("0.0.0.0/0", "f"));
  EXPECT_TRUE(ParseIp("10.0.0.1"));
}

TEST(DecideKey, ReasonsComeInTheDocumentedOrder) {
  KeyState k;
  k.environment = Environment::kProduction;
  k.permissions = {"files:read"};
  k.networks = {*ParseCidr("10.0.0.0/8", "")};
  KeyProductFacts p{true, true, true, "pty_submit"};
  KeyCheck c{Environment::kProduction, "files:read", "10.0.0.1"};
  EXPECT_EQ(DecideKey(&k, p, c, 100), "");
  EXPECT_EQ(DecideKey(nullptr, p, c, 100), "unknown");
  EXPECT_EQ(DecideKey(&k, KeyProductFacts{}, c, 100), "unknown");  // product gone
  KeyState all_wrong = k;
  all_wrong.revoked_at = 50;
  all_wrong.expires_at = 60;
  all_wrong.environment = Environment::kStaging;
  KeyCheck bad{Environment::kProduction, "files:write", "192.168.0.1"};
  KeyProductFacts inactive{true, false, false, "pty_submit"};
  EXPECT_EQ(DecideKey(&all_wrong, inactive, bad, 100), "revoked");
  all_wrong.revoked_at = 0;
  EXPECT_EQ(DecideKey(&all_wrong, inactive, bad, 100), "expired");
  EXPECT_EQ(DecideKey(&all_wrong, inactive, bad, 59), "wrong_environment");  // not yet expired
  all_wrong.environment = Environment::kProduction;
  EXPECT_EQ(DecideKey(&all_wrong, inactive, bad, 59), "ip_not_allowed");
  bad.ip = "10.9.9.9";
  KeyProductFacts suspended = inactive;
  suspended.workspace_suspended = true;
  EXPECT_EQ(DecideKey(&all_wrong, suspended, bad, 59), "workspace_suspended");
  EXPECT_EQ(DecideKey(&all_wrong, inactive, bad, 59), "product_inactive");
  EXPECT_EQ(DecideKey(&all_wrong, p, bad, 59), "permission_denied");
  // A permission the key holds but the product type no longer offers is denied too.
  KeyProductFacts withdrawn{true, true, false, "pty_submit"};
  EXPECT_EQ(DecideKey(&k, withdrawn, c, 100), "permission_denied");
  c.permission.clear();  // validity only
  EXPECT_EQ(DecideKey(&k, withdrawn, c, 100), "");
  c.ip.clear();
  EXPECT_EQ(DecideKey(&k, p, c, 100), "ip_not_allowed");  // an allow-list needs an address
}

TEST(KeyPermissions, MustBeOfferedNonEmptyAndAreDeduplicated) {
  std::vector<std::string> offered = {"files:read", "files:write"};
  auto ok = ValidateKeyPermissions({"files:write", "files:read", "files:write"}, offered);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, (std::vector<std::string>{"files:write", "files:read"}));
  auto none = ValidateKeyPermissions({}, offered);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().field, "permissions");
  auto unknown = ValidateKeyPermissions({"files:read", "jobs:read"}, offered);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().id, "api_key.unknown_permission");
  EXPECT_EQ(unknown.error().field, "permissions[1]");
}

TEST(Rfc3339, ParsesUtcOffsetsAndFractionsAndRejectsNonsense) {
  EXPECT_EQ(*ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseRfc3339("2027-01-31T12:30:05Z"), 1801398605);
  EXPECT_EQ(*ParseRfc3339("2027-01-31T14:30:05+02:00"), 1801398605);
  EXPECT_EQ(*ParseRfc3339("2027-01-31T12:30:05.999z"), 1801398605);
  EXPECT_EQ(*ParseRfc3339("2028-02-29T00:00:00Z"), 1835395200);
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2031-07-04T08:09:10Z")), "2031-07-04T08:09:10Z");
  for (const char* bad :
       {"", "2027-01-31", "2027-01-31T12:30:05", "2027-02-29T00:00:00Z", "2027-13-01T00:00:00Z",
        "2027-01-31T24:00:00Z", "2027-01-31T12:30:05+2:00", "2027-01-31T12:30:05Zjunk",
        "1969-12-31T23:59:59Z", "2027-01-31T12:30:05.Z", "２０２７-01-31T12:30:05Z"})
    EXPECT_FALSE(ParseRfc3339(bad)) << bad;
}

// FormatRfc3339 writes the digits itself (it is on every answer that carries a time): it must
// write what gmtime_r + strftime write, leap days and century rules included; before year 1000
// it keeps RFC 3339's four digits, which glibc's %Y does not.
TEST(Rfc3339, FormatsAsStrftimeDoes) {
  auto reference = [](Timestamp t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[48];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::string(buf);
  };
  std::vector<Timestamp> cases = {0,           -1,         86399,      86400,        951782400,
                                  951868799,   4107542400, 4107628800, 253402300799, 253402300800,
                                  -30610224000};
  std::mt19937_64 rng(20261130);
  std::uniform_int_distribution<Timestamp> any(-30610224000, 253402300799 + 86400 * 400);
  for (int i = 0; i < 20000; ++i) cases.push_back(any(rng));
  for (Timestamp t : cases) EXPECT_EQ(FormatRfc3339(t), reference(t)) << t;
  EXPECT_EQ(FormatRfc3339(951782400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(-62135596800), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(-30610224001), "0999-12-31T23:59:59Z");
}

}  // namespace
}  // namespace vault::core
