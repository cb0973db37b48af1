#include "http/forwarded.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/ip/address.hpp>
#include <cstring>
#include <optional>

namespace vault::http {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// 16 bytes (IPv4 as v4-mapped IPv6, so "::ffff:10.0.0.1" and "10.0.0.1" compare alike).
std::optional<std::array<std::uint8_t, 16>> Bytes(std::string_view text) {
  // make_address reads a C string: a NUL would end the address early and let trailing text
  // pass as part of an address (the same flaw fuzz/api_key.cpp found in core::ParseIp).
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  std::array<std::uint8_t, 16> out{};
  if (a.is_v4()) {
    auto b = boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, a.to_v4()).to_bytes();
    std::memcpy(out.data(), b.data(), 16);
  } else {
    auto b = a.to_v6().to_bytes();
    std::memcpy(out.data(), b.data(), 16);
  }
  return out;
}

// One node of a forwarding chain as written by a proxy: "203.0.113.7", "203.0.113.7:4711",
// "[2001:db8::1]:4711", "2001:db8::1", or a quoted form of these (Forwarded). nullopt when it
// is not an address ("unknown", an obfuscated "_hidden", garbage).
std::optional<std::string> NodeAddress(std::string_view node) {
  node = Trim(node);
  if (node.size() >= 2 && node.front() == '"' && node.back() == '"')
    node = node.substr(1, node.size() - 2);
  if (!node.empty() && node.front() == '[') {
    auto close = node.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    node = node.substr(1, close - 1);
  } else if (std::count(node.begin(), node.end(), ':') == 1) {
    node = node.substr(0, node.find(':'));  // IPv4 with a port
  }
  if (!Bytes(node)) return std::nullopt;
  boost::system::error_code ec;
  return boost::asio::ip::make_address(std::string(node), ec).to_string();
}

// Every value of a header a request may carry several times, joined as one list.
std::string AllValues(const Request& req, std::string_view name) {
  std::string out;
  for (const auto& [k, v] : req.headers)
    if (k == name) out += (out.empty() ? "" : ",") + v;
  return out;
}

std::vector<std::string_view> Split(std::string_view header, char sep = ',') {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i <= header.size();) {
    std::size_t comma = header.find(sep, i);
    out.push_back(
        header.substr(i, comma == std::string_view::npos ? std::string_view::npos : comma - i));
    if (comma == std::string_view::npos) break;
    i = comma + 1;
  }
  return out;
}

// The `for=` values of a Forwarded header (RFC 7239), in order: elements split at ',',
// pairs at ';'.
std::vector<std::string_view> ForwardedFor(std::string_view header) {
  std::vector<std::string_view> out;
  for (std::string_view element : Split(header, ','))
    for (std::string_view pair : Split(element, ';')) {
      pair = Trim(pair);
      if (pair.size() > 4 && (pair.substr(0, 4) == "for=" || pair.substr(0, 4) == "For=" ||
                              pair.substr(0, 4) == "FOR="))
        out.push_back(pair.substr(4));
    }
  return out;
}

}  // namespace

core::Result<TrustedProxies> TrustedProxies::Parse(std::string_view list) {
  TrustedProxies out;
  for (std::string_view entry : Split(list)) {
    entry = Trim(entry);
    if (entry.empty()) continue;
    std::string_view addr = entry.substr(0, entry.find('/'));
    auto bytes = Bytes(addr);
    int max = addr.find(':') == std::string_view::npos ? 32 : 128;  // IPv6 has colons
    int prefix = max;
    bool ok = bytes.has_value();
    if (ok && entry.find('/') != std::string_view::npos) {
      std::string_view p = entry.substr(entry.find('/') + 1);
      ok = !p.empty() && p.size() <= 3 &&
           p.find_first_not_of("0123456789") == std::string_view::npos;
      if (ok) prefix = std::stoi(std::string(p));
      ok = ok && prefix <= max;
    }
    if (!ok)
      return core::Fail(
          core::Code::kInvalidArgument, "config.invalid",
          "trusted_proxies: \"" + std::string(entry) + "\" is not an IP address or CIDR range",
          "trusted_proxies");
    Range r;
    r.v6 = max == 128;
    std::memcpy(r.bytes, bytes->data(), 16);
    r.prefix = max == 32 ? prefix + 96 : prefix;  // IPv4 ranges live in the v4-mapped space
    out.ranges_.push_back(r);
  }
  return out;
}

bool TrustedProxies::Trusted(std::string_view ip) const {
  auto bytes = Bytes(ip);
  if (!bytes) return false;
  for (const Range& r : ranges_) {
    int full = r.prefix / 8, rest = r.prefix % 8;
    if (std::memcmp(bytes->data(), r.bytes, full) != 0) continue;
    if (rest) {
      auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
      if ((((*bytes)[full] ^ r.bytes[full]) & mask) != 0) continue;
    }
    return true;
  }
  return false;
}

std::string TrustedProxies::ClientIp(std::string_view peer, const Request& req) const {
  if (ranges_.empty() || !Trusted(peer)) return std::string(peer);
  const std::string forwarded = AllValues(req, "forwarded");
  const std::string xff = AllValues(req, "x-forwarded-for");
  std::vector<std::string_view> chain = ForwardedFor(forwarded);
  if (chain.empty() && !xff.empty()) chain = Split(xff);
  // Right to left: each trusted proxy appended the address it received from; the first one
  // not trusted is the client (anything further left was written by the client itself).
  constexpr std::size_t kMaxHops = 32;
  std::string nearest(peer);
  std::size_t seen = 0;
  for (auto it = chain.rbegin(); it != chain.rend() && seen < kMaxHops; ++it, ++seen) {
    auto ip = NodeAddress(*it);
    if (!ip) return nearest;
    if (!Trusted(*ip)) return *ip;
    nearest = *ip;
  }
  return nearest;  // every hop a proxy of ours: the farthest one is where the request began
}

}  // namespace vault::http
