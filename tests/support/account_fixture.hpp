// A fixture running the account services (AccountService, ProfileService, MfaService) on a
// fresh database of each backend, with a fake clock, a
// recording mailer and the cheapest argon2id parameters.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>

#include "app/account_service.hpp"
#include "app/change_store.hpp"
#include "app/mfa_service.hpp"
#include "app/profile_service.hpp"
#include "core/password_policy.hpp"
#include "crypto/secrets.hpp"
#include "crypto/sodium.hpp"
#include "storage/postgres/pg_conn.hpp"
#include "storage/sqlite/sqlite_conn.hpp"
#include "support/fixtures.hpp"
#include "support/mail_relay.hpp"

namespace vault::testing {

using app::AccountService;
using app::AccountSettings;
using app::Ports;
using app::SignedIn;

constexpr const char* kPassword = "correct horse battery";

class AccountServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    VAULT_REQUIRE_BACKEND(GetParam());
    ASSERT_TRUE(crypto::InitSodium());
    db_ = std::make_unique<TempDatabase>(GetParam());
    opened_ = db_->Open();
    relay_ = std::make_unique<MailRelay>(*opened_.store, clock_, random_, mailer_);
    MakeServices(Ports{Mailed(*opened_.store), clock_, random_, secrets_, hasher_, outbox(),
                       policy_, box_, otp_});
  }

  // The three account services over `ports`, with the default settings.
  void MakeServices(const Ports& ports) {
    service_ = std::make_unique<AccountService>(ports, AccountSettings{});
    profile_ = std::make_unique<app::ProfileService>(ports, AccountSettings{});
    mfa_ = std::make_unique<app::MfaService>(ports, AccountSettings{});
  }

  std::unique_ptr<AccountService> MakeService(core::PasswordHasher& hasher) {
    return std::make_unique<AccountService>(Ports{Mailed(*opened_.store), clock_, random_, secrets_,
                                                  hasher, outbox(), policy_, box_, otp_},
                                            AccountSettings{});
  }

  // `store` as the services see it: mail queued in a committed transaction lands in mailer_.
  core::Store& Mailed(core::Store& store) { return relay_->Over(store); }
  app::MailOutbox& outbox() { return relay_->outbox(); }
  // The fixture's ports over the database, as the server has them: writes append the changes
  // they note to the change feed (ChangeStore) and `changes` (if any) hears of them after commit.
  Ports MailedPorts(core::ChangeListener* changes = nullptr) {
    change_stores_.push_back(std::make_unique<app::ChangeStore>(
        Mailed(*opened_.store), clock_, [changes](const std::vector<core::ChangeEntry>& c) {
          if (!changes) return;
          for (const auto& e : c) app::DeliverChange({changes}, e.kind, e.subject);
        }));
    return Ports{
        *change_stores_.back(), clock_, random_, secrets_, hasher_, outbox(), policy_, box_, otp_};
  }

  std::string SignUpToken(const std::string& name, const std::string& email) {
    EXPECT_TRUE(service_->SignUp(name, email));
    auto m = mailer_.Last(email, "Verify your email");
    EXPECT_TRUE(m);
    return m ? RecordingMailer::TokenIn(*m) : "";
  }

  SignedIn Register(const std::string& email) {
    auto s = service_->CompleteSignUp(SignUpToken("Ada", email), kPassword, {"127.0.0.1", "test"});
    EXPECT_TRUE(s) << (s ? "" : s.error().id);
    return *s;
  }

  std::string Hash(const std::string& secret) const {
    return secrets_.KeyedHash("session", secret);
  }

  app::AuthContext Ctx(const SignedIn& s) {
    auto ctx = service_->Authenticate(s.token, {"127.0.0.1", "test"});
    EXPECT_TRUE(ctx);
    return *ctx;
  }

  // The error id of a result, or "<succeeded>": lets a test expect a failure without calling
  // .error() on a success (which is undefined behaviour, not a clean failure).
  template <typename T>
  static std::string ErrorId(const core::Result<T>& r) {
    return r ? std::string("<succeeded>") : r.error().id;
  }

  // The TOTP code an independent implementation (oathtool, RFC 6238) computes at `at`.
  static std::string Oathtool(const std::string& secret_base32, core::Timestamp at) {
    std::string cmd = "oathtool --totp -b -N @" + std::to_string(at) + " " + secret_base32;
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
      char buf[64];
      while (fgets(buf, sizeof buf, p)) out += buf;
      pclose(p);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }

  // Enrols and confirms TOTP; returns the base32 secret and fills the recovery codes.
  std::string EnableTotp(const SignedIn& s, std::vector<std::string>* recovery = nullptr) {
    auto ctx = Ctx(s);
    auto e = mfa_->StartTotp(ctx, kPassword);
    EXPECT_TRUE(e);
    auto codes = mfa_->ConfirmTotp(ctx, Oathtool(e->secret_base32, clock_.Now()));
    EXPECT_TRUE(codes) << (codes ? "" : codes.error().id);
    if (recovery && codes) *recovery = *codes;
    return e->secret_base32;
  }

  // Audit events oldest first.
  std::vector<core::AuditEvent> Events() {
    std::vector<core::AuditEvent> out;
    EXPECT_TRUE(opened_.store->Read([&](core::Tx& tx) -> core::Result<void> {
      auto e = tx.AuditEventsAfter(0, 100000);
      if (e) out = *e;
      return {};
    }));
    return out;
  }

  std::vector<std::string> Actions() {
    std::vector<std::string> out;
    for (const auto& e : Events()) out.push_back(e.action);
    return out;
  }

  // A separate raw connection to the same database, for tampering tests.
  std::unique_ptr<storage::SqlConn> Raw() {
    std::string url = db_->url();
    if (url.rfind("sqlite:", 0) == 0) return std::move(*storage::SqliteConn::Open(url.substr(7)));
    return std::move(*storage::PgConn::Open(url));
  }

  std::unique_ptr<TempDatabase> db_;
  storage::OpenedStore opened_;
  FakeClock clock_;
  crypto::SodiumRandom random_;
  crypto::HmacSecretHasher secrets_{std::string(32, 'k')};
  crypto::SodiumSecretBox box_{std::string(32, 'k'), "totp"};
  crypto::OpensslOtp otp_;
  crypto::Argon2idHasher hasher_{{8, 1}};  // minimum cost: tests exercise logic, not strength
  RecordingMailer mailer_;
  std::unique_ptr<MailRelay> relay_;  // after opened_: it uses the store
  std::vector<std::unique_ptr<app::ChangeStore>> change_stores_;  // after relay_: they use it
  core::PasswordPolicy policy_;
  std::unique_ptr<AccountService> service_;
  std::unique_ptr<app::ProfileService> profile_;
  std::unique_ptr<app::MfaService> mfa_;
};

}  // namespace vault::testing
