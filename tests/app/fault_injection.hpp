// The fault-injection fixture: a FaultStore under every service, a full dump of the
// database before and after, and InjectEveryWrite, which runs a use case once per write it makes
// with that write failing. The cases live in fault_cases_test.cpp, the tests in
// fault_injection_test.cpp.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>

#include "app/access_model.hpp"
#include "app/admin_service.hpp"
#include "app/api_key_service.hpp"
#include "app/callback_signing.hpp"
#include "app/change_store.hpp"
#include "app/integration_service.hpp"
#include "app/platform_service.hpp"
#include "app/product_service.hpp"
#include "app/signing_keys.hpp"
#include "app/workspace_service.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/secrets.hpp"
#include "oidc/token_service.hpp"
#include "support/account_fixture.hpp"
#include "support/fault_store.hpp"

namespace vault::app {
namespace fault {

using core::PrincipalType;
using core::Role;
using testing::kPassword;
using testing::RecordingMailer;

const ClientInfo kClient{"127.0.0.1", "test"};
constexpr const char* kNewPassword = "a brand new passphrase 7";

template <typename T>
core::Result<void> Void(const core::Result<T>& r) {
  if (!r) return core::Fail(r.error());
  return {};
}

// A use case ready to run; the rows (table, text the row contains) that its earlier
// transactions may leave committed when a later one fails; and the error id it answers when no
// write fails ("": success), for the calls that record a refusal.
struct Call {
  std::function<core::Result<void>()> run;
  std::vector<std::pair<std::string, std::string>> committed;
  std::string answers;
};

class FaultTest;
struct UseCase {
  const char* name;
  // Prepares a fresh state whose names and addresses all contain `tag`.
  std::function<Call(FaultTest&, const std::string& tag)> setup;
};

// Every table: its rows, each as its columns joined, sorted.
using Dump = std::map<std::string, std::vector<std::string>>;

class FaultTest : public testing::AccountServiceTest {
 protected:
  void SetUp() override {
    AccountServiceTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    fault_ = std::make_unique<testing::FaultStore>(*opened_.store);
    model_ = std::make_unique<AccessModel>(*fault_, clock_);
    // As the server has it: each write appends the changes it notes to the change feed in its
    // own transaction, so a failed write must leave no feed row behind either.
    changes_ = std::make_unique<ChangeStore>(Mailed(*fault_), clock_);
    Ports ports{*changes_, clock_, random_, secrets_, hasher_, outbox(), policy_, box_, otp_};
    MakeServices(ports);
    workspaces_ = std::make_unique<WorkspaceService>(ports, *service_);
    products_ = std::make_unique<ProductService>(ports, *workspaces_);
    keys_ = std::make_unique<ApiKeyService>(ports, *workspaces_, *model_);
    callbacks_ = std::make_unique<CallbackSigningService>(ports, *workspaces_, box_, mac_);
    integration_ = std::make_unique<IntegrationService>(ports, *model_);
    admin_ =
        std::make_unique<AdminService>(*changes_, clock_, random_, secrets_, "http://localhost");
    platform_ = std::make_unique<PlatformService>(ports);
    signing_ = std::make_unique<SigningKeys>(ports, ed_, box_, SigningSettings{});
    tokens_ = std::make_unique<oidc::TokenService>(ports, *integration_, *signing_,
                                                   oidc::OAuthSettings{"http://localhost"});
    raw_ = Raw();
  }

  static std::vector<UseCase> AccountCases();
  static std::vector<UseCase> WorkspaceCases();
  static std::vector<UseCase> ProductAndKeyCases();

  // Runs every case with each of its writes failing in turn; returns the injection points.
  int InjectEveryWrite(const std::vector<UseCase>& cases);
  // The number of writes the use case makes (its injection points).
  int InjectEveryWrite(const UseCase& use_case);

  Dump TakeDump();

  static std::string Email(const std::string& tag, const std::string& who = "ada") {
    return who + "." + tag + "@example.com";
  }
  // Throttle row that RecheckPassword (or sign-in) commits before the change itself.
  static std::vector<std::pair<std::string, std::string>> SignInAttempt(
      const std::string& tag, const std::string& who = "ada") {
    return {{"throttle", "signin:" + Email(tag, who)}};
  }

  // A workspace with the product "submit" (the group "Team" holds its viewer grant), an Admin
  // in that group who invited friend.<tag>, and the Owner's pending invitation for guest.<tag>
  // carrying the group and an editor grant.
  struct Org {
    SignedIn owner, admin;
    AuthContext ctx;  // the Owner's
    std::string tag, ws, group;
  };
  Org NewOrg(const std::string& tag);
  // A Super Admin's context and the id of a new product type (one role, one plan).
  std::pair<AuthContext, std::string> NewProductType(const std::string& tag);
  // A signed-in account with TOTP on, and the code of the next step (enrolment burned this one).
  std::pair<AuthContext, std::string> WithTotp(const std::string& tag) {
    auto who = Register(Email(tag));
    std::string secret = EnableTotp(who);
    auto ctx = Ctx(who);
    clock_.Advance(30);
    return {ctx, Oathtool(secret, clock_.Now())};
  }
  // A use case run on a fresh NewOrg, needing nothing more.
  static UseCase OnOrg(const char* name,
                       std::function<core::Result<void>(FaultTest&, const Org&)> run) {
    return {name, [run](FaultTest& t, const std::string& tag) -> Call {
              return {[&t, run, o = t.NewOrg(tag)] { return run(t, o); }};
            }};
  }
  // The Org's Owner acting as a Super Admin (the platform use cases check only the flag).
  static AuthContext SuperAdmin(const Org& o) {
    AuthContext ctx = o.ctx;
    ctx.account.super_admin = true;
    return ctx;
  }
  // A dead letter to `email` in the mail outbox (queued, claimed and given up, straight on the
  // database); its id.
  std::string DeadLetter(const std::string& email) {
    auto id = opened_.store->Write([&](core::Tx& tx) -> core::Result<std::string> {
      VAULT_TRY(outbox().Enqueue(tx, {email, "Dead letter", "text", "<p>html</p>"}));
      VAULT_ASSIGN_OR_RETURN(auto rows, tx.ClaimDueMail(clock_.Now(), "gone", clock_.Now() + 9, 1));
      if (rows.empty()) return core::Fail(core::Code::kInternal, "test", "nothing to claim");
      VAULT_TRY(tx.RecordMailFailure(rows[0].id, "gone", clock_.Now(), true, "mail.unavailable"));
      return rows[0].id;
    });
    EXPECT_TRUE(id);
    return id ? *id : "";
  }
  std::string InvitationToken(const std::string& email) {
    auto m = mailer_.Last(email, "You are invited");
    EXPECT_TRUE(m) << email;
    return m ? RecordingMailer::TokenIn(*m) : "";
  }

  std::unique_ptr<testing::FaultStore> fault_;
  std::unique_ptr<ChangeStore> changes_;
  std::unique_ptr<AccessModel> model_;
  std::unique_ptr<WorkspaceService> workspaces_;
  std::unique_ptr<ProductService> products_;
  std::unique_ptr<ApiKeyService> keys_;
  crypto::OpensslMac mac_;
  std::unique_ptr<CallbackSigningService> callbacks_;
  std::unique_ptr<IntegrationService> integration_;
  std::unique_ptr<AdminService> admin_;
  std::unique_ptr<PlatformService> platform_;
  crypto::SodiumEd25519 ed_;
  std::unique_ptr<SigningKeys> signing_;
  std::unique_ptr<oidc::TokenService> tokens_;
  std::unique_ptr<storage::SqlConn> raw_;
  int tags_ = 0;
};

}  // namespace fault
}  // namespace vault::app
