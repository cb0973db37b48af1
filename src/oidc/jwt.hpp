// Compact JWS (RFC 7515) and JWT (RFC 7519) with EdDSA/Ed25519 (RFC 8037) only: encoding, and
// strict verification. A token is refused unless it is exactly three canonical base64url
// segments within a size limit, its header a JSON object with alg exactly "EdDSA" (never "none",
// never an algorithm the key was not made for), no "crit", a kid the caller publishes, and an
// Ed25519 signature that verifies; a JWT also needs a JSON object payload with an integer exp in
// the future and no nbf/iat beyond the leeway. Nothing here is secret (signatures and public
// keys are public), so no comparison needs to be constant-time; the signing key stays in
// app::SigningKeys. Thread-safe (stateless).
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/ports.hpp"

namespace vault::oidc {

inline constexpr std::size_t kMaxJwtBytes = 8192;

struct JwsHeader {
  std::string alg, kid, typ;  // typ empty when absent
};

// The JSON header of an EdDSA JWS: {"alg":"EdDSA","kid":kid,"typ":typ} (typ left out if empty).
std::string EdDsaHeader(std::string_view kid, std::string_view typ);
// base64url(header) "." base64url(payload): the bytes the signature covers.
std::string JwsSigningInput(std::string_view header_json, std::string_view payload);
// signing_input "." base64url(signature).
std::string CompactJws(std::string_view signing_input, std::string_view signature);

// The raw public key of a kid (nullopt: unknown). May fail (a store read).
using KeyLookup = std::function<core::Result<std::optional<std::string>>(const std::string& kid)>;

struct Jws {
  JwsHeader header;
  std::string payload;  // decoded bytes
};

// Verifies a compact JWS as described above (payload not parsed). Fails unauthenticated with
// "jwt.oversized", "jwt.malformed", "jwt.alg", "jwt.crit", "jwt.unknown_kid" or
// "jwt.signature"; or as the lookup fails.
core::Result<Jws> VerifyJws(std::string_view token, std::size_t max_bytes, const KeyLookup& lookup,
                            const core::Ed25519& ed);

struct JwtCheck {
  core::Timestamp now = 0;
  core::Timestamp leeway = 60;  // seconds of clock skew tolerated on exp, nbf and iat
  // Required typ, compared ignoring ASCII case and an "application/" prefix (RFC 7515 §4.1.9);
  // empty: not checked.
  std::string typ;
  std::string issuer;  // required iss; empty: not checked
  std::size_t max_bytes = kMaxJwtBytes;
};

struct VerifiedJwt {
  JwsHeader header;
  boost::json::object claims;
};

// VerifyJws, then the claims: a JSON object payload (depth ≤ 8) with an integer exp, now <
// exp + leeway; nbf and iat, when present, integers ≤ now + leeway; iss and typ as required.
// Fails as VerifyJws, or unauthenticated "jwt.claims", "jwt.expired", "jwt.not_yet_valid",
// "jwt.issued_in_future", "jwt.typ", "jwt.issuer".
core::Result<VerifiedJwt> VerifyJwt(std::string_view token, const JwtCheck& check,
                                    const KeyLookup& lookup, const core::Ed25519& ed);

}  // namespace vault::oidc
