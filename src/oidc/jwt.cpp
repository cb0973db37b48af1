#include "oidc/jwt.hpp"

#include <boost/json.hpp>

#include "core/encoding.hpp"

namespace vault::oidc {

namespace {

core::Error Bad(std::string id, std::string detail) {
  return core::Error{core::Code::kUnauthenticated, std::move(id), "", std::move(detail)};
}

// Strict base64url: only the unpadded alphabet, and only the one canonical spelling of the bytes
// (no stray low bits in the last character), so one token has exactly one encoding.
std::optional<std::string> DecodeSegment(std::string_view s) {
  auto raw = core::Base64UrlDecode(s);
  if (!raw || core::Base64Url(*raw) != s) return std::nullopt;
  return raw;
}

std::optional<boost::json::object> ParseObject(std::string_view text) {
  boost::json::parse_options opt;
  opt.max_depth = 8;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec, {}, opt);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

// An integer claim: absent → nullopt with *ok true; present but not an integer → *ok false.
std::optional<std::int64_t> IntClaim(const boost::json::object& o, std::string_view name,
                                     bool* ok) {
  const boost::json::value* v = o.if_contains(name);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v->get_uint64());
  *ok = false;  // a double, a string, … : refused rather than rounded
  return std::nullopt;
}

std::string MediaType(std::string_view typ) {
  std::string t(typ);
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t.starts_with("application/")) t.erase(0, 12);
  return t;
}

}  // namespace

std::string EdDsaHeader(std::string_view kid, std::string_view typ) {
  boost::json::object h{{"alg", "EdDSA"}, {"kid", kid}};
  if (!typ.empty()) h["typ"] = typ;
  return boost::json::serialize(h);
}

std::string JwsSigningInput(std::string_view header_json, std::string_view payload) {
  return core::Base64Url(header_json) + "." + core::Base64Url(payload);
}

std::string CompactJws(std::string_view signing_input, std::string_view signature) {
  return std::string(signing_input) + "." + core::Base64Url(signature);
}

core::Result<Jws> VerifyJws(std::string_view token, std::size_t max_bytes, const KeyLookup& lookup,
                            const core::Ed25519& ed) {
  // Size first: nothing larger is decoded or parsed.
  if (token.size() > max_bytes) return core::Fail(Bad("jwt.oversized", "the token is too large"));
  auto dot1 = token.find('.');
  auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
    return core::Fail(Bad("jwt.malformed", "a compact JWS has exactly three segments"));
  std::string_view h64 = token.substr(0, dot1), p64 = token.substr(dot1 + 1, dot2 - dot1 - 1),
                   s64 = token.substr(dot2 + 1);
  auto header_text = DecodeSegment(h64);
  auto payload = DecodeSegment(p64);
  auto signature = DecodeSegment(s64);
  if (h64.empty() || !header_text || !payload || !signature)
    return core::Fail(Bad("jwt.malformed", "a segment is not canonical base64url"));
  auto header = ParseObject(*header_text);
  if (!header) return core::Fail(Bad("jwt.malformed", "the header is not a JSON object"));
  Jws out;
  const boost::json::value* alg = header->if_contains("alg");
  // Exactly EdDSA: "none", HS256 (with the public key as an HMAC key) and the rest are refused
  // whatever the key, so the header cannot choose how it is checked.
  if (!alg || !alg->is_string() || alg->get_string() != "EdDSA")
    return core::Fail(Bad("jwt.alg", "only alg EdDSA is accepted"));
  out.header.alg = "EdDSA";
  if (header->contains("crit"))
    return core::Fail(Bad("jwt.crit", "no critical header extension is understood"));
  if (const auto* kid = header->if_contains("kid")) {
    if (!kid->is_string()) return core::Fail(Bad("jwt.malformed", "kid must be a string"));
    out.header.kid = std::string(kid->get_string());
  }
  if (const auto* typ = header->if_contains("typ")) {
    if (!typ->is_string()) return core::Fail(Bad("jwt.malformed", "typ must be a string"));
    out.header.typ = std::string(typ->get_string());
  }
  VAULT_ASSIGN_OR_RETURN(auto key, lookup(out.header.kid));
  if (!key) return core::Fail(Bad("jwt.unknown_kid", "the token's key is not published"));
  if (signature->size() != 64 ||
      !ed.Verify(*key, token.substr(0, dot2), *signature))  // over the encoded segments
    return core::Fail(Bad("jwt.signature", "the signature does not verify"));
  out.payload = std::move(*payload);
  return out;
}

core::Result<VerifiedJwt> VerifyJwt(std::string_view token, const JwtCheck& check,
                                    const KeyLookup& lookup, const core::Ed25519& ed) {
  VAULT_ASSIGN_OR_RETURN(auto jws, VerifyJws(token, check.max_bytes, lookup, ed));
  if (!check.typ.empty() && MediaType(jws.header.typ) != MediaType(check.typ))
    return core::Fail(Bad("jwt.typ", "the token is not of the expected type"));
  auto claims = ParseObject(jws.payload);  // parsed only once the signature holds
  if (!claims) return core::Fail(Bad("jwt.claims", "the payload is not a JSON object"));
  bool ok = true;
  auto exp = IntClaim(*claims, "exp", &ok);
  auto nbf = IntClaim(*claims, "nbf", &ok);
  auto iat = IntClaim(*claims, "iat", &ok);
  if (!ok || !exp) return core::Fail(Bad("jwt.claims", "exp, nbf and iat must be integers"));
  if (check.now - check.leeway >= *exp) return core::Fail(Bad("jwt.expired", "the token expired"));
  if (nbf && *nbf > check.now + check.leeway)
    return core::Fail(Bad("jwt.not_yet_valid", "the token is not valid yet"));
  if (iat && *iat > check.now + check.leeway)
    return core::Fail(Bad("jwt.issued_in_future", "the token was issued in the future"));
  if (!check.issuer.empty()) {
    const auto* iss = claims->if_contains("iss");
    if (!iss || !iss->is_string() || iss->get_string() != check.issuer)
      return core::Fail(Bad("jwt.issuer", "the token is from another issuer"));
  }
  return VerifiedJwt{std::move(jws.header), std::move(*claims)};
}

}  // namespace vault::oidc
