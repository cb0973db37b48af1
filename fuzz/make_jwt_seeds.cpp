// Writes seed tokens for the JWT fuzz targets into DIR: tokens signed with the fixed key that
// verify (and a few that fail one claim check each), so the fuzzer starts past the signature.
//   build-fuzz/make_jwt_seeds fuzz/corpus/jwt_verify
#include <boost/json.hpp>
#include <fstream>
#include <string>

#include "fuzz_util.hpp"
#include "oidc/jwt.hpp"

namespace {

std::string Token(const std::string& header, const boost::json::object& claims) {
  std::string input = vault::oidc::JwsSigningInput(header, boost::json::serialize(claims));
  return vault::oidc::CompactJws(
      input, vault::crypto::SodiumEd25519().Sign(vault::fuzz::FixedKey(), input));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_jwt_seeds DIR\n");
    return 2;
  }
  using vault::oidc::EdDsaHeader;
  const std::int64_t now = vault::fuzz::kNow;
  boost::json::object good{{"iss", vault::fuzz::kIssuer},
                           {"sub", "svc_a"},
                           {"aud", "https://vault.example/api"},
                           {"client_id", "svc_a"},
                           {"iat", now},
                           {"exp", now + 600},
                           {"jti", "at_x"},
                           {"scope", "keys:verify access:check"}};
  auto with = [&](const char* name, boost::json::value v) {
    boost::json::object o = good;
    o[name] = std::move(v);
    return o;
  };
  const std::pair<const char*, std::string> seeds[] = {
      {"valid", Token(EdDsaHeader("k1", "at+jwt"), good)},
      {"valid_media_type", Token(EdDsaHeader("k1", "application/AT+JWT"), good)},
      {"valid_nbf", Token(EdDsaHeader("k1", "at+jwt"), with("nbf", now))},
      {"expired", Token(EdDsaHeader("k1", "at+jwt"), with("exp", now - 61))},
      {"exp_double", Token(EdDsaHeader("k1", "at+jwt"), with("exp", 1.9e9))},
      {"future_iat", Token(EdDsaHeader("k1", "at+jwt"), with("iat", now + 3600))},
      {"other_issuer", Token(EdDsaHeader("k1", "at+jwt"), with("iss", "https://evil.example"))},
      {"unknown_kid", Token(EdDsaHeader("k2", "at+jwt"), good)},
      {"failing_kid", Token(EdDsaHeader("k-fail", "at+jwt"), good)},
      {"crit", Token(R"({"alg":"EdDSA","kid":"k1","crit":["b64"]})", good)},
      {"alg_none", Token(R"({"alg":"none","kid":"k1"})", good)},
  };
  for (const auto& [name, token] : seeds) {
    std::ofstream out(std::string(argv[1]) + "/" + name, std::ios::binary);
    out << token;
  }
  return 0;
}
