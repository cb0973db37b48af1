// oidc::VerifyJwt past the signature: the input is a JWS header and a payload ("header\npayload";
// without a newline, all of it is the payload under the header the server writes), signed here
// with the fixed key that the lookup publishes under every kid. So every input reaches header
// and claims parsing. Invariants: a correctly signed token never fails "jwt.signature" or as
// non-canonical base64url; an accepted one has alg EdDSA, no crit, the expected typ and iss, an
// integer exp after now - leeway and integer nbf/iat no later than now + leeway, and claims that
// are exactly the payload's JSON object.
#include <boost/json.hpp>
#include <cstdint>
#include <string>

#include "fuzz_util.hpp"
#include "oidc/jwt.hpp"

namespace {

using vault::core::Result;

Result<std::optional<std::string>> AnyKid(const std::string&) {
  return std::optional<std::string>(vault::fuzz::FixedKey().public_key);
}

std::optional<std::int64_t> Int(const boost::json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  FUZZ_CHECK(v->is_uint64() && v->get_uint64() <= INT64_MAX);
  return static_cast<std::int64_t>(v->get_uint64());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = vault::fuzz::AsText(data, size);
  std::string header = vault::oidc::EdDsaHeader("k1", "at+jwt");
  std::string_view payload = text;
  if (auto nl = text.find('\n'); nl != std::string_view::npos) {
    header = std::string(text.substr(0, nl));
    payload = text.substr(nl + 1);
  }
  const vault::crypto::SodiumEd25519 ed;
  std::string input = vault::oidc::JwsSigningInput(header, payload);
  std::string token = vault::oidc::CompactJws(input, ed.Sign(vault::fuzz::FixedKey(), input));

  vault::oidc::JwtCheck check;
  check.now = vault::fuzz::kNow;
  check.leeway = 60;
  check.typ = "at+jwt";
  check.issuer = vault::fuzz::kIssuer;
  check.max_bytes = 1 << 20;  // the size limit has its own check in jwt_verify
  auto jwt = vault::oidc::VerifyJwt(token, check, AnyKid, ed);
  if (!jwt) {
    const auto& e = jwt.error();
    FUZZ_CHECK(e.id != "jwt.signature" && e.id != "jwt.oversized" && e.id != "jwt.unknown_kid");
    // Canonical segments by construction; only an empty header segment is refused as such.
    FUZZ_CHECK(e.detail != "a compact JWS has exactly three segments");
    FUZZ_CHECK(e.detail != "a segment is not canonical base64url" || header.empty());
    return 0;
  }
  boost::system::error_code ec;
  auto h = boost::json::parse(header, ec);
  FUZZ_CHECK(!ec && h.is_object());
  FUZZ_CHECK(h.as_object().at("alg") == "EdDSA" && !h.as_object().contains("crit"));
  FUZZ_CHECK(jwt->header.alg == "EdDSA");
  std::string typ = jwt->header.typ;
  for (char& c : typ)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  FUZZ_CHECK(typ == "at+jwt" || typ == "application/at+jwt");

  auto p = boost::json::parse(payload, ec);
  // Compared as text: a number like 0e30000060 parses to NaN, which never equals itself.
  FUZZ_CHECK(!ec && p.is_object() &&
             boost::json::serialize(p) == boost::json::serialize(jwt->claims));
  const auto& claims = jwt->claims;
  auto exp = Int(claims, "exp");
  FUZZ_CHECK(exp && check.now - check.leeway < *exp);
  if (auto nbf = Int(claims, "nbf")) FUZZ_CHECK(*nbf <= check.now + check.leeway);
  if (auto iat = Int(claims, "iat")) FUZZ_CHECK(*iat <= check.now + check.leeway);
  FUZZ_CHECK(claims.at("iss") == vault::fuzz::kIssuer);
  return 0;
}
