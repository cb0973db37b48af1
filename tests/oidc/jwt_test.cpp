// The JWS/JWT module: the RFC 8037 Appendix A.4 Ed25519 vector, round trips through encoding,
// claim checks with leeway, and hostile inputs that must be refused before any key is used.
#include "oidc/jwt.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/encoding.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/sodium.hpp"

namespace vault::oidc {
namespace {

// RFC 8037 Appendix A.1 (key) and A.4 (signature of "Example of Ed25519 signing").
constexpr const char* kSeed = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
constexpr const char* kX = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
constexpr const char* kCompact =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

class JwtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::InitSodium());
    key_ = ed_.Generate();
  }
  KeyLookup Lookup(std::string kid, std::string pk) {
    return [kid, pk](const std::string& k) -> core::Result<std::optional<std::string>> {
      if (k == kid) return std::optional<std::string>(pk);
      return std::optional<std::string>();
    };
  }
  KeyLookup Ours() { return Lookup("k1", key_.public_key); }
  std::string Make(const boost::json::object& claims, std::string typ = "at+jwt",
                   std::string header = "") {
    if (header.empty()) header = EdDsaHeader("k1", typ);
    std::string input = JwsSigningInput(header, boost::json::serialize(claims));
    return CompactJws(input, ed_.Sign(key_, input));
  }
  JwtCheck Check() {
    JwtCheck c;
    c.now = 1'800'000'000;
    c.typ = "at+jwt";
    c.issuer = "https://vault.example";
    return c;
  }
  boost::json::object Claims(core::Timestamp exp = 1'800'000'600) {
    return {{"iss", "https://vault.example"}, {"exp", exp}, {"iat", 1'800'000'000}};
  }
  std::string ErrorOf(const std::string& token) {
    auto r = VerifyJwt(token, Check(), Ours(), ed_);
    return r ? "ok" : r.error().id;
  }

  crypto::SodiumEd25519 ed_;
  core::Ed25519KeyPair key_;
};

TEST_F(JwtTest, Rfc8037AppendixA4VectorSignsAndVerifies) {
  auto pair = ed_.FromSeed(*core::Base64UrlDecode(kSeed));
  ASSERT_TRUE(pair);
  EXPECT_EQ(core::Base64Url(pair->public_key), kX);
  // Ed25519 is deterministic: our signature of the same input is the RFC's, byte for byte.
  std::string input = JwsSigningInput(R"({"alg":"EdDSA"})", "Example of Ed25519 signing");
  EXPECT_EQ(CompactJws(input, ed_.Sign(*pair, input)), kCompact);
  auto jws = VerifyJws(kCompact, kMaxJwtBytes, Lookup("", pair->public_key), ed_);
  ASSERT_TRUE(jws) << jws.error().id;
  EXPECT_EQ(jws->payload, "Example of Ed25519 signing");
  EXPECT_EQ(jws->header.alg, "EdDSA");
  // One flipped signature bit, or another key: refused.
  std::string bad = kCompact;
  bad[bad.size() - 5] = bad[bad.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(VerifyJws(bad, kMaxJwtBytes, Lookup("", pair->public_key), ed_).error().id,
            "jwt.signature");
  EXPECT_FALSE(VerifyJws(kCompact, kMaxJwtBytes, Lookup("", key_.public_key), ed_));
}

TEST_F(JwtTest, AValidTokenVerifiesWithItsHeaderAndClaims) {
  auto r = VerifyJwt(Make(Claims()), Check(), Ours(), ed_);
  ASSERT_TRUE(r) << r.error().id;
  EXPECT_EQ(r->header.kid, "k1");
  EXPECT_EQ(r->header.typ, "at+jwt");
  EXPECT_EQ(r->claims.at("iss").as_string(), "https://vault.example");
  // typ compares ignoring case and an application/ prefix (RFC 7515 §4.1.9).
  EXPECT_EQ(ErrorOf(Make(Claims(), "application/AT+JWT")), "ok");
}

TEST_F(JwtTest, TimesAreCheckedWithLeeway) {
  auto check = Check();                                    // now = 1'800'000'000, leeway 60
  EXPECT_EQ(ErrorOf(Make(Claims(check.now - 59))), "ok");  // expired, but within the leeway
  EXPECT_EQ(ErrorOf(Make(Claims(check.now - 60))), "jwt.expired");
  auto nbf = Claims();
  nbf["nbf"] = check.now + 61;
  EXPECT_EQ(ErrorOf(Make(nbf)), "jwt.not_yet_valid");
  nbf["nbf"] = check.now + 60;
  EXPECT_EQ(ErrorOf(Make(nbf)), "ok");
  auto iat = Claims();
  iat["iat"] = check.now + 61;
  EXPECT_EQ(ErrorOf(Make(iat)), "jwt.issued_in_future");
  auto huge = Claims();
  huge["exp"] = INT64_MAX;  // no overflow in the comparison
  EXPECT_EQ(ErrorOf(Make(huge)), "ok");
}

TEST_F(JwtTest, ClaimsMustHaveIntegerTimesTheIssuerAndTheType) {
  auto no_exp = Claims();
  no_exp.erase("exp");
  EXPECT_EQ(ErrorOf(Make(no_exp)), "jwt.claims");
  auto str_exp = Claims();
  str_exp["exp"] = "1800000600";
  EXPECT_EQ(ErrorOf(Make(str_exp)), "jwt.claims");
  auto dbl_exp = Claims();
  dbl_exp["exp"] = 1800000600.5;
  EXPECT_EQ(ErrorOf(Make(dbl_exp)), "jwt.claims");
  auto other_iss = Claims();
  other_iss["iss"] = "https://evil.example";
  EXPECT_EQ(ErrorOf(Make(other_iss)), "jwt.issuer");
  EXPECT_EQ(ErrorOf(Make(Claims(), "JWT")), "jwt.typ");  // an ID token is no access token
  EXPECT_EQ(ErrorOf(Make(Claims(), "")), "jwt.typ");
  // A signed payload that is not a JSON object.
  std::string input = JwsSigningInput(EdDsaHeader("k1", "at+jwt"), "[1,2]");
  EXPECT_EQ(ErrorOf(CompactJws(input, ed_.Sign(key_, input))), "jwt.claims");
}

TEST_F(JwtTest, TheHeaderCannotChooseTheAlgorithmOrAnUnknownKey) {
  auto signed_with = [&](const std::string& header) { return Make(Claims(), "", header); };
  EXPECT_EQ(ErrorOf(signed_with(R"({"alg":"none","kid":"k1","typ":"at+jwt"})")), "jwt.alg");
  EXPECT_EQ(ErrorOf(signed_with(R"({"alg":"HS256","kid":"k1","typ":"at+jwt"})")), "jwt.alg");
  EXPECT_EQ(ErrorOf(signed_with(R"({"alg":"eddsa","kid":"k1","typ":"at+jwt"})")), "jwt.alg");
  EXPECT_EQ(ErrorOf(signed_with(R"({"kid":"k1","typ":"at+jwt"})")), "jwt.alg");
  EXPECT_EQ(ErrorOf(signed_with(R"({"alg":["EdDSA"],"kid":"k1","typ":"at+jwt"})")), "jwt.alg");
  EXPECT_EQ(ErrorOf(signed_with(R"({"alg":"EdDSA","kid":"k1","typ":"at+jwt","crit":["exp"]})")),
            "jwt.crit");
  EXPECT_EQ(ErrorOf(signed_with(R"({"alg":"EdDSA","kid":"k2","typ":"at+jwt"})")),
            "jwt.unknown_kid");
  EXPECT_EQ(ErrorOf(signed_with(R"({"alg":"EdDSA","kid":7,"typ":"at+jwt"})")), "jwt.malformed");
  // "alg":"none" with an empty signature segment: refused as malformed or by alg, never accepted.
  std::string none =
      JwsSigningInput(R"({"alg":"none","typ":"at+jwt"})", boost::json::serialize(Claims())) + ".";
  EXPECT_NE(ErrorOf(none), "ok");
}

TEST_F(JwtTest, MalformedAndOversizedTokensAreRefusedBeforeAnyKeyIsUsed) {
  int lookups = 0;
  KeyLookup counting = [&](const std::string&) -> core::Result<std::optional<std::string>> {
    ++lookups;
    return std::optional<std::string>(key_.public_key);
  };
  std::string good = Make(Claims());
  auto dot1 = good.find('.'), dot2 = good.rfind('.');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "jwt.malformed"},
      {"abc", "jwt.malformed"},
      {"a.b", "jwt.malformed"},
      {good + ".x", "jwt.malformed"},                                            // four segments
      {"." + good.substr(dot1 + 1), "jwt.malformed"},                            // empty header
      {good.substr(0, dot1) + "=" + good.substr(dot1), "jwt.malformed"},         // padding
      {good.substr(0, dot1 + 1) + "e30*" + good.substr(dot2), "jwt.malformed"},  // bad char
      {good.substr(0, dot2 + 1) + "AB", "jwt.malformed"},  // non-canonical last char (stray bits)
      {core::Base64Url("not json") + good.substr(dot1), "jwt.malformed"},
      {core::Base64Url("[]") + good.substr(dot1), "jwt.malformed"},
      {std::string(kMaxJwtBytes + 1, 'a'), "jwt.oversized"},
  };
  for (const auto& [token, id] : cases) {
    auto r = VerifyJws(token, kMaxJwtBytes, counting, ed_);
    ASSERT_FALSE(r) << token;
    EXPECT_EQ(r.error().id, id) << token;
  }
  EXPECT_EQ(lookups, 0);
  // A deeply nested header is not parsed into a stack overflow.
  std::string deep = std::string(10000, '[') + std::string(10000, ']');
  EXPECT_FALSE(VerifyJws(core::Base64Url(deep) + ".e30.AA", 1 << 20, counting, ed_));
  // A short or long signature segment is refused without calling the verifier on it.
  std::string short_sig = good.substr(0, dot2 + 1) + core::Base64Url(std::string(63, 'x'));
  EXPECT_EQ(VerifyJws(short_sig, kMaxJwtBytes, counting, ed_).error().id, "jwt.signature");
}

TEST_F(JwtTest, APayloadOrHeaderSwappedFromAnotherTokenFailsTheSignature) {
  std::string a = Make(Claims()), b = Make(Claims(1'800'000'900));
  std::string spliced = a.substr(0, a.rfind('.')) + b.substr(b.rfind('.'));
  EXPECT_EQ(ErrorOf(spliced), "jwt.signature");
}

}  // namespace
}  // namespace vault::oidc
