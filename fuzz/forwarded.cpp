// http::TrustedProxies (VAULT_TRUSTED_PROXIES) and ClientIp over the Forwarded and
// X-Forwarded-For headers a client controls. The input is "proxy-list\npeer\nforwarded\nxff"
// (a list Parse refuses is replaced by "10.0.0.0/8, 127.0.0.1, ::1"). Invariants: an untrusted
// peer (or no trusted proxies) is the client whatever the headers say; without forwarding
// headers the peer is the client; the answer is the peer or a real IP address; a single-entry
// list trusts exactly the addresses core::ParseCidr / CidrContains (the API key allow-list, an
// independent implementation) say it contains, whenever both parse it the same way.
#include "http/forwarded.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "core/api_key.hpp"
#include "fuzz_util.hpp"

namespace {

using vault::http::TrustedProxies;

const TrustedProxies& Everyone() {
  static const TrustedProxies all = *TrustedProxies::Parse("0.0.0.0/0, ::/0");
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto l = vault::fuzz::Lines(vault::fuzz::AsText(data, size), 4);
  const std::string &list = l[0], &peer = l[1], &fwd = l[2], &xff = l[3];

  auto parsed = TrustedProxies::Parse(list);
  if (parsed && list.find(',') == std::string::npos && !parsed->empty()) {
    std::string entry(list);
    while (!entry.empty() && (entry.front() == ' ' || entry.front() == '\t')) entry.erase(0, 1);
    while (!entry.empty() && (entry.back() == ' ' || entry.back() == '\t')) entry.pop_back();
    auto net = vault::core::ParseCidr(entry, "ip");
    auto ip = vault::core::ParseIp(peer);
    // Only where both read the notation alike: "::ffff:10.0.0.0/n" is an IPv6 prefix of n bits
    // to TrustedProxies (standard) but an IPv4 one to ParseCidr (the allow-list's convention).
    bool same_notation = net && (entry.find(':') != std::string::npos) == !net->v4;
    if (same_notation && ip && Everyone().Trusted(peer))
      FUZZ_CHECK(parsed->Trusted(peer) == vault::core::CidrContains(*net, *ip));
  }
  if (!parsed) {
    FUZZ_CHECK(parsed.error().id == "config.invalid");
    parsed = TrustedProxies::Parse("10.0.0.0/8, 127.0.0.1, ::1");
  }
  const TrustedProxies& proxies = *parsed;

  vault::http::Request req;
  if (!fwd.empty()) req.headers.emplace_back("forwarded", fwd);
  if (!xff.empty()) req.headers.emplace_back("x-forwarded-for", xff);
  req.headers.emplace_back("x-forwarded-for", "198.51.100.9");  // a second header line
  std::string client = proxies.ClientIp(peer, req);
  if (proxies.empty() || !proxies.Trusted(peer)) FUZZ_CHECK(client == peer);
  FUZZ_CHECK(client == peer || Everyone().Trusted(client));

  vault::http::Request bare;
  FUZZ_CHECK(proxies.ClientIp(peer, bare) == peer);
  return 0;
}
