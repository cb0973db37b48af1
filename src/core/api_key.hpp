// API keys (SPEC §6): the machine credential of a workspace for one product and one
// environment. The key text format, the IP allow-list and the verification decision are pure
// and live here; storage and the in-memory cache live in the outer layers.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/ports.hpp"

namespace vault::core {

enum class Environment { kProduction, kStaging, kDevelopment };
std::string_view EnvironmentName(Environment e);  // "production", "staging", "development"
// The environment's tag inside a key: "live", "stage", "dev".
std::string_view EnvironmentTag(Environment e);
Result<Environment> ParseEnvironment(std::string_view s, std::string_view field);

// One entry of an IP allow-list: an IPv4 or IPv6 network. IPv4 is held as ::ffff:a.b.c.d so
// an IPv4 client seen through an IPv6 socket matches the same rule.
struct Cidr {
  std::array<std::uint8_t, 16> addr{};
  int prefix = 128;  // in IPv6 bits (an IPv4 /24 is 96 + 24)
  bool v4 = false;
  std::string ToString() const;  // canonical "10.0.0.0/24", "2001:db8::/32"
};
// Parses "a.b.c.d", "a.b.c.d/n", an IPv6 address or "x::/n". Fails invalid_argument
// "api_key.invalid_cidr" (host bits set, bad prefix, not an address) naming `field`.
Result<Cidr> ParseCidr(std::string_view text, std::string_view field);
// Parses a single IPv4 or IPv6 address (IPv4-mapped IPv6 becomes IPv4).
std::optional<std::array<std::uint8_t, 16>> ParseIp(std::string_view text);
bool CidrContains(const Cidr& net, const std::array<std::uint8_t, 16>& ip);

struct ApiKey {
  std::string id;  // "ak_" + kKeyIdChars base32 characters; the middle part of the key text
  std::string workspace_id;
  std::string product_id;
  Environment environment = Environment::kProduction;
  std::string name;
  std::string secret_hash;  // HMAC-SHA-256 of the whole key under the server secret (hex)
  std::string last_four;    // last four characters of the key text, for recognising it
  std::vector<std::string> permissions;
  std::vector<std::string> allowed_ips;  // canonical CIDRs; empty = any address
  std::string created_by;                // account id
  Timestamp created_at = 0;
  Timestamp expires_at = 0;  // 0 = never
  Timestamp revoked_at = 0;  // 0 = live
  Timestamp last_used_at = 0;
  std::string last_used_ip;
  std::string rolled_from;  // the key this one replaced, if it came from a roll
  std::string replaced_by;  // the key that replaced this one in a roll
};

// A verification seen by a server, written to storage later in a coalesced batch.
struct ApiKeyUsage {
  std::string id;
  Timestamp at = 0;
  std::string ip;
};

// A page of a workspace's keys, newest first.
struct ApiKeyQuery {
  std::string workspace_id;
  std::vector<std::string> product_ids;  // only these products; empty = all
  std::string environment;               // "" = all
  Timestamp before_created_at = 0;       // cursor: (created_at, id) strictly before; 0 = start
  std::string before_id;
  int limit = 100;
};

// "active", "expired" or "revoked" at `now`.
std::string_view ApiKeyStatus(const ApiKey& k, Timestamp now);

// Key text: avk_<tag>_<id>_<secret><crc>, e.g. avk_live_k3…_Xf…0aZ9Qb.
//   id:     kKeyIdChars characters of lowercase base32 (the key id without "ak_")
//   secret: kSecretChars base62 characters (43 × log2(62) = 256.03 bits of entropy)
//   crc:    6 base62 characters of CRC-32 over everything before it, so a mistyped or
//           truncated key is rejected before any lookup, and scanners can confirm a match.
inline constexpr std::size_t kKeyIdChars = 20;
inline constexpr std::size_t kSecretChars = 43;
inline constexpr std::size_t kCrcChars = 6;

struct ParsedKey {
  Environment environment;
  std::string id;  // with the "ak_" prefix
};

// A fresh key id ("ak_…", 100 random bits) and secret.
std::string NewApiKeyId(Random& random);
std::string NewApiKeySecret(Random& random);
std::string FormatApiKey(Environment env, const std::string& id, const std::string& secret);
// nullopt for anything that is not a well-formed key with a correct checksum.
std::optional<ParsedKey> ParseApiKey(std::string_view text);
std::uint32_t Crc32(std::string_view data);

// What verification knows about the key's product, from the in-memory model.
struct KeyProductFacts {
  bool exists = false;  // the product (and so its workspace) still exists
  bool active = false;
  bool offers_permission = false;  // the product type still offers the checked permission
  std::string type_id;
  // Of the product's current plan (null: no subscription). Points into the product catalogue,
  // which the answering AccessModel keeps alive for the calling thread until its next answer.
  const std::vector<std::string>* features = nullptr;
  std::shared_ptr<const std::string> config;  // the product's configuration, serialized JSON
  bool workspace_suspended = false;           // a Super Admin suspended the product's workspace
};

struct KeyCheck {
  Environment expected;
  std::string permission;  // empty: validity only
  std::string ip;          // the caller's client address; may be empty
};

// The decision, in this order: unknown (no such key, or a wrong secret), revoked, expired,
// wrong_environment, ip_not_allowed, product_inactive, permission_denied. "malformed" is
// decided earlier, by ParseApiKey. A key may use a permission only while the product type
// still offers it. Returns "" when valid.
// What the decision needs about a stored key (the cache keeps it in this compact form).
struct KeyState {
  Environment environment = Environment::kProduction;
  Timestamp expires_at = 0, revoked_at = 0;
  std::vector<std::string> permissions;
  std::vector<Cidr> networks;  // KeyNetworks(key), parsed once
};

// key is null when no key has that id or the secret did not match.
std::string DecideKey(const KeyState* key, const KeyProductFacts& product, const KeyCheck& check,
                      Timestamp now);
std::vector<Cidr> KeyNetworks(const ApiKey& key);

// Validates a key's requested permissions against the type's API permissions: at least one,
// each offered, no duplicates (removed). Fails invalid_argument naming "permissions[i]".
Result<std::vector<std::string>> ValidateKeyPermissions(const std::vector<std::string>& requested,
                                                        const std::vector<std::string>& offered);

}  // namespace vault::core
