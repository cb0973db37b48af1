// TrustedProxies: which peer may name the client, and which address a forwarding chain yields.
#include "http/forwarded.hpp"

#include <gtest/gtest.h>

namespace vault::http {
namespace {

Request With(std::vector<std::pair<std::string, std::string>> headers) {
  Request r;
  r.headers = std::move(headers);
  return r;
}

TrustedProxies Proxies(std::string_view list) {
  auto p = TrustedProxies::Parse(list);
  EXPECT_TRUE(p.has_value()) << list;
  return p.value_or(TrustedProxies{});
}

TEST(TrustedProxies, ParsesAddressesAndRangesOfBothFamilies) {
  auto p = Proxies(" 10.0.0.0/8, 192.168.1.7 ,2001:db8::/32,::1");
  EXPECT_TRUE(p.Trusted("10.200.3.4"));
  EXPECT_FALSE(p.Trusted("11.0.0.1"));
  EXPECT_TRUE(p.Trusted("192.168.1.7"));
  EXPECT_FALSE(p.Trusted("192.168.1.8"));
  EXPECT_TRUE(p.Trusted("2001:db8:ffff::1"));
  EXPECT_FALSE(p.Trusted("2001:db9::1"));
  EXPECT_TRUE(p.Trusted("::1"));
  EXPECT_TRUE(p.Trusted("::ffff:10.1.1.1"));  // v4-mapped is the same address
  EXPECT_FALSE(p.Trusted("not an ip"));
  auto odd = Proxies("172.16.0.0/12");
  EXPECT_TRUE(odd.Trusted("172.31.255.255"));
  EXPECT_FALSE(odd.Trusted("172.32.0.0"));
  EXPECT_TRUE(Proxies("").empty());
}

TEST(TrustedProxies, RefusesWhatIsNotARange) {
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0/8", "localhost",
                          "10.0.0.0/8x", "1.2.3.4/-1", "10.0.0.0/0008"}) {
    auto p = TrustedProxies::Parse(bad);
    ASSERT_FALSE(p.has_value()) << bad;
    EXPECT_EQ(p.error().field, "trusted_proxies");
  }
}

TEST(TrustedProxies, HeadersAreIgnoredWithoutTrustedProxiesOrFromAnUntrustedPeer) {
  auto req = With({{"x-forwarded-for", "203.0.113.7"}, {"forwarded", "for=198.51.100.2"}});
  EXPECT_EQ(TrustedProxies{}.ClientIp("127.0.0.1", req), "127.0.0.1");
  EXPECT_EQ(Proxies("10.0.0.0/8").ClientIp("127.0.0.1", req), "127.0.0.1");
}

TEST(TrustedProxies, TheRightmostUntrustedHopIsTheClient) {
  auto p = Proxies("127.0.0.1, 10.0.0.0/8");
  // the client wrote a fake first entry; our proxies appended the rest
  auto req = With({{"x-forwarded-for", "1.1.1.1, 203.0.113.7, 10.0.0.5"}});
  EXPECT_EQ(p.ClientIp("127.0.0.1", req), "203.0.113.7");
  // several headers form one list
  auto split = With({{"x-forwarded-for", "1.1.1.1"}, {"x-forwarded-for", "203.0.113.9"}});
  EXPECT_EQ(p.ClientIp("127.0.0.1", split), "203.0.113.9");
  // ports and IPv6
  EXPECT_EQ(p.ClientIp("127.0.0.1", With({{"x-forwarded-for", "203.0.113.7:4711"}})),
            "203.0.113.7");
  EXPECT_EQ(p.ClientIp("127.0.0.1", With({{"x-forwarded-for", "2001:db8::7"}})), "2001:db8::7");
}

TEST(TrustedProxies, ForwardedWinsOverXForwardedFor) {
  auto p = Proxies("127.0.0.1");
  auto req = With({{"forwarded", "for=192.0.2.60;proto=https, for=\"[2001:db8:cafe::17]:4711\""},
                   {"x-forwarded-for", "198.51.100.1"}});
  EXPECT_EQ(p.ClientIp("127.0.0.1", req), "2001:db8:cafe::17");
  EXPECT_EQ(p.ClientIp("127.0.0.1", With({{"forwarded", "proto=https;For=192.0.2.43"}})),
            "192.0.2.43");
}

TEST(TrustedProxies, GarbageOrAllTrustedChainsNeverYieldAForgedAddress) {
  auto p = Proxies("127.0.0.1, 10.0.0.0/8");
  // unknown / obfuscated / junk: stop at the nearest hop we trust
  EXPECT_EQ(p.ClientIp("127.0.0.1", With({{"forwarded", "for=unknown"}})), "127.0.0.1");
  EXPECT_EQ(p.ClientIp("127.0.0.1", With({{"x-forwarded-for", "203.0.113.7, garbage, 10.0.0.9"}})),
            "10.0.0.9");
  EXPECT_EQ(p.ClientIp("127.0.0.1", With({{"x-forwarded-for", ""}})), "127.0.0.1");
  // a NUL ends a C string early: the address must not be read as the text before it
  using namespace std::string_literals;
  EXPECT_EQ(p.ClientIp("127.0.0.1", With({{"x-forwarded-for", "203.0.113.7\0junk"s}})),
            "127.0.0.1");
  EXPECT_FALSE(TrustedProxies::Parse("10.0.0.1\0junk"s).has_value());
  EXPECT_EQ(p.ClientIp("127.0.0.1", With({{"x-forwarded-for", "[::1"}})), "127.0.0.1");
  // every hop ours: the farthest
  EXPECT_EQ(p.ClientIp("127.0.0.1", With({{"x-forwarded-for", "10.0.0.2, 10.0.0.3"}})), "10.0.0.2");
  // a very long chain is not walked past 32 hops
  std::string chain;
  for (int i = 0; i < 1000; ++i) chain += "10.0.0.1,";
  chain += "10.0.0.1";
  EXPECT_EQ(p.ClientIp("127.0.0.1", With({{"x-forwarded-for", "203.0.113.1," + chain}})),
            "10.0.0.1");
}

}  // namespace
}  // namespace vault::http
