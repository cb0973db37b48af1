// Keeps /api/openapi.json true: every route the server registers is documented, and every
// documented operation is served.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "app/account_service.hpp"
#include "core/password_policy.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/secrets.hpp"
#include "crypto/sodium.hpp"
#include "http/api.hpp"
#include "support/fixtures.hpp"

namespace vault::http {
namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST(OpenApi, DocumentsExactlyTheRegisteredRoutes) {
  ASSERT_TRUE(crypto::InitSodium());
  testing::TempDatabase db("sqlite");
  auto opened = db.Open(1);
  testing::FakeClock clock;
  crypto::SodiumRandom random;
  crypto::HmacSecretHasher secrets(std::string(32, 'k'));
  crypto::Argon2idHasher hasher({8, 1});
  core::PasswordPolicy policy;
  crypto::SodiumSecretBox box(std::string(32, 'k'), "totp");
  app::MailOutbox mailer(box, random, clock);  // routes only: nothing is sent
  crypto::OpensslOtp otp;
  app::Ports ports{*opened.store, clock, random, secrets, hasher, mailer, policy, box, otp};
  app::AccountService accounts(ports, {});
  app::ProfileService profile(ports, {});
  app::MfaService mfa(ports, {});
  Router router;
  Metrics metrics;
  app::WorkspaceService workspaces(
      {*opened.store, clock, random, secrets, hasher, mailer, policy, box, otp}, accounts);
  app::PlatformService platform(
      {*opened.store, clock, random, secrets, hasher, mailer, policy, box, otp});
  RegisterAccountRoutes(router, accounts, profile, mfa, {"http://localhost:8080", true});
  RegisterWorkspaceRoutes(router, accounts, workspaces, platform, {"http://localhost:8080", true});
  RegisterMailOutboxRoutes(router, accounts, platform, {"http://localhost:8080", true});
  app::AccessModel model(*opened.store, clock);
  app::ProductService products(
      {*opened.store, clock, random, secrets, hasher, mailer, policy, box, otp}, workspaces);
  app::IntegrationService integration(
      {*opened.store, clock, random, secrets, hasher, mailer, policy, box, otp}, model);
  RegisterProductRoutes(router, accounts, products, integration, {"http://localhost:8080", true},
                        {});
  app::ApiKeyService keys({*opened.store, clock, random, secrets, hasher, mailer, policy, box, otp},
                          workspaces, model);
  RegisterApiKeyRoutes(router, accounts, keys, integration, clock, {"http://localhost:8080", true});
  app::AccessReviewService review(ports, workspaces, model);
  RegisterAccessReviewRoutes(router, accounts, review, integration,
                             {"http://localhost:8080", true});
  crypto::OpensslMac mac;
  app::CallbackSigningService callback_signing(ports, workspaces, box, mac);
  RegisterCallbackSigningRoutes(router, accounts, callback_signing, integration, clock,
                                {"http://localhost:8080", true});
  crypto::SodiumEd25519 ed;
  app::SigningKeys signing(ports, ed, box, {});
  oidc::TokenService tokens(ports, integration, signing, {"http://localhost:8080"});
  oidc::AuthorizeService authorize(ports, integration, tokens);
  RegisterOAuthRoutes(router, signing, tokens, authorize, accounts,
                      {"http://localhost:8080", true});
  RegisterOpsRoutes(router, metrics, *opened.store, [] { return 1; });

  std::set<std::string> served;
  for (const Route& r : router.routes()) served.insert(Lower(r.method) + " " + r.pattern);

  auto doc = boost::json::parse(OpenApiDocument()).as_object();
  EXPECT_EQ(doc["openapi"].as_string(), "3.1.0");
  std::set<std::string> documented;
  for (const auto& [path, item] : doc["paths"].as_object())
    for (const auto& [method, op] : item.as_object())
      if (method == "get" || method == "post" || method == "put" || method == "patch" ||
          method == "delete" || method == "options") {
        documented.insert(std::string(method) + " " + std::string(path));
        EXPECT_TRUE(op.as_object().contains("responses")) << method << " " << path;
      }
  EXPECT_EQ(served, documented);
}

}  // namespace
}  // namespace vault::http
