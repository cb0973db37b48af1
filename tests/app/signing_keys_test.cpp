// SigningKeys and TokenService over a real store (every backend): the first key is made on
// demand and sealed at rest, rotation keeps the old key published until its window ends, a
// changed key set reaches another instance when it is told, and client-credential tokens verify
// against the published keys, introspect, and stop introspecting when their key is unpublished
// or their client revoked.
#include "app/signing_keys.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/encoding.hpp"
#include "crypto/ed25519.hpp"
#include "oidc/token_service.hpp"
#include "support/account_fixture.hpp"

namespace vault::app {
namespace {

class SigningKeysTest : public testing::AccountServiceTest {
 protected:
  void SetUp() override {
    AccountServiceTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ports_ = std::make_unique<Ports>(Ports{Mailed(*opened_.store), clock_, random_, secrets_,
                                           hasher_, outbox(), policy_, signing_box_, otp_});
    keys_ = std::make_unique<SigningKeys>(*ports_, ed_, signing_box_, SigningSettings{900, 60});
    model_ = std::make_unique<AccessModel>(*opened_.store, clock_);
    integration_ = std::make_unique<IntegrationService>(*ports_, *model_);
    tokens_ = std::make_unique<oidc::TokenService>(
        *ports_, *integration_, *keys_, oidc::OAuthSettings{"https://vault.example", 600, 60});
    admin_ = Ctx(Register("root@example.com"));
    admin_.account.super_admin = true;
  }
  std::vector<core::SigningKey> Stored() {
    auto r = opened_.store->Read([](core::Tx& tx) { return tx.ListSigningKeys(); });
    EXPECT_TRUE(r);
    return r ? *r : std::vector<core::SigningKey>{};
  }
  std::vector<std::string> PublishedKids(SigningKeys& keys) {
    std::vector<std::string> out;
    auto p = keys.Published();
    EXPECT_TRUE(p);
    if (p)
      for (const auto& k : *p) out.push_back(k.kid);
    return out;
  }
  IssuedClient Client(const std::string& type = "submit") {
    auto c = integration_->CreateClient(admin_, type, "Backend");
    EXPECT_TRUE(c);
    return *c;
  }
  std::string TokenFor(const IssuedClient& c) {
    auto t = tokens_->Token({c.client.id, c.secret}, {"client_credentials", std::nullopt}, {});
    EXPECT_TRUE(t) << (t ? "" : t.error().id);
    return t ? t->access_token : "";
  }
  bool Active(const IssuedClient& caller, const std::string& token) {
    auto r = tokens_->Introspect({caller.client.id, caller.secret}, token);
    EXPECT_TRUE(r);
    return r && r->active;
  }

  crypto::SodiumEd25519 ed_;
  crypto::SodiumSecretBox signing_box_{std::string(32, 'k'), "signing_key"};
  std::unique_ptr<Ports> ports_;
  std::unique_ptr<SigningKeys> keys_;
  std::unique_ptr<AccessModel> model_;
  std::unique_ptr<IntegrationService> integration_;
  std::unique_ptr<oidc::TokenService> tokens_;
  AuthContext admin_;
};

TEST_P(SigningKeysTest, TheFirstKeyIsMadeOnDemandAndSealedAtRest) {
  EXPECT_TRUE(Stored().empty());
  auto kids = PublishedKids(*keys_);
  ASSERT_EQ(kids.size(), 1u);
  auto stored = Stored();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].kid, kids[0]);
  EXPECT_EQ(stored[0].alg, "EdDSA");
  EXPECT_EQ(core::Base64UrlDecode(stored[0].public_key)->size(), 32u);
  // The seed is not stored in clear: the sealed text opens only with the signing key's box.
  auto seed = signing_box_.Open(stored[0].sealed_private_key);
  ASSERT_TRUE(seed);
  EXPECT_EQ(stored[0].sealed_private_key.find(core::Base64Url(*seed)), std::string::npos);
  crypto::SodiumSecretBox totp_box(std::string(32, 'k'), "totp");
  EXPECT_FALSE(totp_box.Open(stored[0].sealed_private_key));
  EXPECT_EQ(Actions().back(), "oauth.signing_key_created");
  // A second instance (another node) signs with the same key rather than making another.
  SigningKeys other(*ports_, ed_, signing_box_, SigningSettings{});
  EXPECT_EQ(PublishedKids(other), kids);
  EXPECT_EQ(Stored().size(), 1u);
}

TEST_P(SigningKeysTest, RotationPublishesTheOldKeyUntilItsWindowEnds) {
  auto first = PublishedKids(*keys_);
  SigningKeys other(*ports_, ed_, signing_box_, SigningSettings{900, 60});
  EXPECT_EQ(PublishedKids(other), first);
  auto kid = keys_->Rotate(Actor{"system", "cli", "", ""});
  ASSERT_TRUE(kid);
  EXPECT_EQ(Actions().back(), "oauth.signing_key_rotated");
  EXPECT_EQ(PublishedKids(*keys_), (std::vector<std::string>{*kid, first[0]}));  // current first
  // Another node keeps its cache until told (the change feed) or until it is a minute old.
  EXPECT_EQ(PublishedKids(other), first);
  other.SigningKeysChanged();
  EXPECT_EQ(PublishedKids(other), (std::vector<std::string>{*kid, first[0]}));
  auto s = other.Sign([](const std::string& k) { return "input for " + k; });
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kid, *kid);
  clock_.Advance(899);
  EXPECT_EQ(PublishedKids(*keys_).size(), 2u);
  clock_.Advance(1);
  EXPECT_EQ(PublishedKids(*keys_), (std::vector<std::string>{*kid}));
  auto pk = keys_->PublicKey(first[0]);
  ASSERT_TRUE(pk);
  EXPECT_FALSE(*pk);
  // The next rotation deletes the key whose window ended.
  ASSERT_TRUE(keys_->Rotate(Actor{"system", "cli", "", ""}));
  EXPECT_EQ(Stored().size(), 2u);
}

TEST_P(SigningKeysTest, AClientCredentialsTokenIsAnRfc9068JwtThatIntrospects) {
  auto client = Client();
  auto t = tokens_->Token({client.client.id, client.secret}, {"client_credentials", "keys:verify"},
                          {"10.0.0.1", "test"});
  ASSERT_TRUE(t) << t.error().id;
  EXPECT_EQ(t->scope, "keys:verify");
  EXPECT_EQ(t->expires_in, 600);
  oidc::JwtCheck check{clock_.Now(), 60, "at+jwt", "https://vault.example"};
  auto v = oidc::VerifyJwt(
      t->access_token, check, [&](const std::string& kid) { return keys_->PublicKey(kid); }, ed_);
  ASSERT_TRUE(v) << v.error().id;
  const auto& c = v->claims;
  EXPECT_EQ(c.at("sub").as_string(), client.client.id);
  EXPECT_EQ(c.at("client_id").as_string(), client.client.id);
  EXPECT_EQ(c.at("aud").as_string(), "https://vault.example/api/v1");
  EXPECT_EQ(c.at("exp").as_int64(), clock_.Now() + 600);
  EXPECT_EQ(c.at("iat").as_int64(), clock_.Now());
  EXPECT_FALSE(c.at("jti").as_string().empty());
  auto events = Events();
  EXPECT_EQ(events.back().action, "oauth.token_issued");
  EXPECT_EQ(events.back().actor_id, client.client.id);
  EXPECT_EQ(events.back().summary.find(t->access_token), std::string::npos);
  EXPECT_NE(events.back().summary.find(std::string(c.at("jti").as_string())), std::string::npos);

  EXPECT_TRUE(Active(client, t->access_token));
  auto same_type = Client("submit");
  EXPECT_TRUE(Active(same_type, t->access_token));
  auto other_type = Client("manage");  // nothing crosses product types
  EXPECT_FALSE(Active(other_type, t->access_token));
  EXPECT_FALSE(Active(client, t->access_token + "x"));
  clock_.Advance(659);  // exp + leeway - 1
  EXPECT_TRUE(Active(client, t->access_token));
  clock_.Advance(1);
  EXPECT_FALSE(Active(client, t->access_token));
}

TEST_P(SigningKeysTest, TokensDieWithTheirClientAndTheirKeysPublication) {
  auto client = Client(), caller = Client();
  std::string token = TokenFor(client);
  ASSERT_TRUE(integration_->RevokeClient(admin_, client.client.id));
  EXPECT_FALSE(Active(caller, token));

  // A key retired and deleted: a token it signed is inactive even while unexpired (signed here
  // by hand with a far exp, which Vault itself never issues).
  auto kid = PublishedKids(*keys_)[0];
  auto stored = Stored()[0];
  auto pair = ed_.FromSeed(*signing_box_.Open(stored.sealed_private_key));
  boost::json::object claims{{"iss", "https://vault.example"},
                             {"client_id", caller.client.id},
                             {"exp", clock_.Now() + 100000}};
  std::string input =
      oidc::JwsSigningInput(oidc::EdDsaHeader(kid, "at+jwt"), boost::json::serialize(claims));
  std::string forged = oidc::CompactJws(input, ed_.Sign(*pair, input));
  EXPECT_TRUE(Active(caller, forged));
  ASSERT_TRUE(keys_->Rotate(Actor{"system", "cli", "", ""}));
  EXPECT_TRUE(Active(caller, forged));  // retired but published
  clock_.Advance(900);
  EXPECT_FALSE(Active(caller, forged));  // no longer published
}

TEST_P(SigningKeysTest, TheTokenEndpointRefusesWhatItMust) {
  auto client = Client();
  auto err = [&](const oidc::ClientAuth& a, const oidc::TokenRequest& r) {
    auto t = tokens_->Token(a, r, {});
    return t ? std::string("ok") : t.error().id;
  };
  oidc::ClientAuth good{client.client.id, client.secret};
  EXPECT_EQ(err({client.client.id, std::string(43, 'x')}, {"client_credentials"}),
            "oauth.invalid_client");
  EXPECT_EQ(err({client.client.id, std::nullopt}, {"client_credentials"}), "oauth.invalid_client");
  EXPECT_EQ(err({"svc_unknown", client.secret}, {"client_credentials"}), "oauth.invalid_client");
  EXPECT_EQ(err(good, {""}), "oauth.invalid_request");
  EXPECT_EQ(err(good, {"authorization_code"}), "oauth.invalid_request");  // no code
  EXPECT_EQ(err(good, {"password"}), "oauth.unsupported_grant_type");
  EXPECT_EQ(err(good, {"client_credentials", "openid"}), "oauth.invalid_scope");
  EXPECT_EQ(err(good, {"client_credentials", "access:check keys:verify"}), "ok");
  auto pub =
      integration_->CreateClient(admin_, "submit", "SPA", {{"https://app.example/cb"}, true});
  ASSERT_TRUE(pub);
  EXPECT_TRUE(pub->secret.empty());
  EXPECT_EQ(pub->client.secret_hash, "");
  EXPECT_EQ(err({pub->client.id, std::nullopt}, {"client_credentials"}),
            "oauth.unauthorized_client");
  EXPECT_EQ(err({pub->client.id, std::string(43, 'x')}, {"client_credentials"}),
            "oauth.invalid_client");
  EXPECT_FALSE(integration_->AuthenticateClient(pub->client.id, ""));
  // A public client needs a redirect URI; URIs are validated by index.
  auto no_uri = integration_->CreateClient(admin_, "submit", "SPA", {{}, true});
  ASSERT_FALSE(no_uri);
  EXPECT_EQ(no_uri.error().field, "redirect_uris");
  auto bad_uri = integration_->CreateClient(admin_, "submit", "SPA",
                                            {{"https://ok.example/", "http://evil.example/"}});
  ASSERT_FALSE(bad_uri);
  EXPECT_EQ(bad_uri.error().field, "redirect_uris[1]");
}

INSTANTIATE_TEST_SUITE_P(Backends, SigningKeysTest, ::testing::ValuesIn(testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vault::app
