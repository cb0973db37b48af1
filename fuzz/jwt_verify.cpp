// oidc::VerifyJws / VerifyJwt on the raw token, as the introspection endpoint receives it, with
// the real libsodium Ed25519 and a fixed key published as "k1" ("k-fail": the key store fails).
// The seeds are tokens signed with that key (make_jwt_seeds.cpp), so mutations of the header,
// payload and signature segments start from tokens that verify. Invariants: an accepted token
// is three canonical base64url segments that re-encode to exactly the token, alg EdDSA, a
// 64-byte signature that verifies over the first two; VerifyJwt accepts only what VerifyJws
// accepts; a failure is one of the documented errors.
#include <boost/json.hpp>
#include <cstdint>
#include <set>
#include <string>

#include "fuzz_util.hpp"
#include "oidc/jwt.hpp"

namespace {

using vault::core::Result;

Result<std::optional<std::string>> Lookup(const std::string& kid) {
  if (kid == "k1") return std::optional<std::string>(vault::fuzz::FixedKey().public_key);
  if (kid == "k-fail")
    return vault::core::Fail(vault::core::Code::kUnavailable, "store.unavailable", "down");
  return std::optional<std::string>();
}

void CheckError(const vault::core::Error& e) {
  static const std::set<std::string> ids = {
      "jwt.oversized",     "jwt.malformed",        "jwt.alg",    "jwt.crit",
      "jwt.unknown_kid",   "jwt.signature",        "jwt.claims", "jwt.expired",
      "jwt.not_yet_valid", "jwt.issued_in_future", "jwt.typ",    "jwt.issuer",
      "store.unavailable"};
  if (!ids.count(e.id)) {
    std::fprintf(stderr, "undocumented error id %s\n", e.id.c_str());
    std::abort();
  }
  FUZZ_CHECK(e.code == (e.id == "store.unavailable" ? vault::core::Code::kUnavailable
                                                    : vault::core::Code::kUnauthenticated));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view token = vault::fuzz::AsText(data, size);
  const vault::crypto::SodiumEd25519 ed;
  const vault::oidc::KeyLookup lookup = Lookup;
  vault::fuzz::FixedKey();

  auto jws = vault::oidc::VerifyJws(token, vault::oidc::kMaxJwtBytes, lookup, ed);
  vault::oidc::JwtCheck check;
  check.now = vault::fuzz::kNow;
  check.typ = "at+jwt";
  check.issuer = vault::fuzz::kIssuer;
  auto jwt = vault::oidc::VerifyJwt(token, check, lookup, ed);
  if (!jws) {
    CheckError(jws.error());
    FUZZ_CHECK(!jwt && jwt.error().id == jws.error().id);
    return 0;
  }
  FUZZ_CHECK(token.size() <= vault::oidc::kMaxJwtBytes);
  FUZZ_CHECK(jws->header.alg == "EdDSA");
  auto dot1 = token.find('.'), dot2 = token.rfind('.');
  FUZZ_CHECK(dot1 != dot2);
  auto header = vault::core::Base64UrlDecode(token.substr(0, dot1));
  auto sig = vault::core::Base64UrlDecode(token.substr(dot2 + 1));
  FUZZ_CHECK(header && sig && sig->size() == 64);
  std::string again =
      vault::oidc::CompactJws(vault::oidc::JwsSigningInput(*header, jws->payload), *sig);
  FUZZ_CHECK(again == token);
  FUZZ_CHECK(ed.Verify(vault::fuzz::FixedKey().public_key, token.substr(0, dot2), *sig));
  // A smaller limit refuses it by size, before anything else.
  auto small = vault::oidc::VerifyJws(token, token.size() - 1, lookup, ed);
  FUZZ_CHECK(!small && small.error().id == "jwt.oversized");
  if (jwt) {
    FUZZ_CHECK(jwt->header.kid == jws->header.kid && jwt->header.typ == jws->header.typ);
    FUZZ_CHECK(boost::json::parse(jws->payload) == jwt->claims);
  } else {
    CheckError(jwt.error());
  }
  return 0;
}
