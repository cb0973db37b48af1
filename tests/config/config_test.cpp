// Configuration validation of the transport-security and mail outbox settings.
#include "config/config.hpp"

#include <gtest/gtest.h>

#include <map>

namespace vault::config {
namespace {

core::Result<Config> LoadEnv(const std::map<std::string, std::string>& env) {
  return Load("", [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

std::string ErrorId(const std::map<std::string, std::string>& env) {
  auto c = LoadEnv(env);
  return c ? "" : c.error().id;
}

TEST(Config, SmtpTlsIsRequiredUnlessTurnedOffExplicitly) {
  EXPECT_EQ(LoadEnv({})->smtp_tls, "required");
  EXPECT_EQ(LoadEnv({{"VAULT_SMTP_TLS", "off"}})->smtp_tls, "off");
  EXPECT_EQ(ErrorId({{"VAULT_SMTP_TLS", "try"}}), "config.smtp_tls");
  EXPECT_EQ(ErrorId({{"VAULT_SMTP_URL", "http://mail.example.com"}}), "config.smtp_url");
  EXPECT_EQ(ErrorId({{"VAULT_SMTP_URL", "smtps://u:p@mail.example.com:465"}}), "");
}

TEST(Config, HugePagesAreOnUnlessTurnedOffAndTakeOnlyOnOrOff) {
  EXPECT_TRUE(LoadEnv({})->huge_pages);
  EXPECT_TRUE(LoadEnv({{"VAULT_HUGE_PAGES", "on"}})->huge_pages);
  EXPECT_FALSE(LoadEnv({{"VAULT_HUGE_PAGES", "off"}})->huge_pages);
  EXPECT_EQ(ErrorId({{"VAULT_HUGE_PAGES", "of"}}), "config.huge_pages");
}

TEST(Config, TheAuditLogIsKeptUnlessARetentionIsSet) {
  EXPECT_EQ(LoadEnv({})->audit_retention_days, 0);
  EXPECT_EQ(LoadEnv({{"VAULT_AUDIT_RETENTION_DAYS", "400"}})->audit_retention_days, 400);
  EXPECT_EQ(ErrorId({{"VAULT_AUDIT_RETENTION_DAYS", "-1"}}), "config.audit_retention_days");
  EXPECT_EQ(ErrorId({{"VAULT_AUDIT_RETENTION_DAYS", "a year"}}), "config.audit_retention_days");
}

TEST(Config, NativeTlsNeedsBothTheCertificateAndTheKey) {
  EXPECT_EQ(ErrorId({}), "");
  EXPECT_EQ(ErrorId({{"VAULT_TLS_CERT_FILE", "/etc/vault/cert.pem"},
                     {"VAULT_TLS_KEY_FILE", "/etc/vault/key.pem"}}),
            "");
  EXPECT_EQ(ErrorId({{"VAULT_TLS_CERT_FILE", "/etc/vault/cert.pem"}}), "config.tls_key_file");
  EXPECT_EQ(ErrorId({{"VAULT_TLS_KEY_FILE", "/etc/vault/key.pem"}}), "config.tls_cert_file");
}

TEST(Config, TheKeyringComesFromVaultSecretOrTheFileNeverBoth) {
  EXPECT_EQ(LoadEnv({})->secret, "");
  EXPECT_EQ(LoadEnv({})->secret_file, "./data/secret.key");
  EXPECT_EQ(LoadEnv({{"VAULT_SECRET", "k1 abc;k2 def"}})->secret, "k1 abc;k2 def");
  EXPECT_EQ(ErrorId({{"VAULT_SECRET", "k1 abc"}, {"VAULT_SECRET_FILE", "/x/secret.key"}}),
            "config.secret");
  EXPECT_EQ(ErrorId({{"VAULT_SECRET", ""}, {"VAULT_SECRET_FILE", "/x/secret.key"}}), "");
}

TEST(Config, MailOutboxSettingsHaveSafeDefaultsAndRefuseNonsense) {
  auto c = LoadEnv({});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->mail_max_attempts, 8);
  EXPECT_EQ(c->mail_retry_base_seconds, 60);
  EXPECT_EQ(c->mail_retry_max_seconds, 21600);
  EXPECT_EQ(c->mail_poll_seconds, 5);
  EXPECT_EQ(c->mail_claim_seconds, 300);
  EXPECT_EQ(LoadEnv({{"VAULT_MAIL_MAX_ATTEMPTS", "3"}})->mail_max_attempts, 3);
  EXPECT_EQ(ErrorId({{"VAULT_MAIL_MAX_ATTEMPTS", "0"}}), "config.mail_max_attempts");
  EXPECT_EQ(ErrorId({{"VAULT_MAIL_RETRY_BASE_SECONDS", "0"}}), "config.mail_retry_base_seconds");
  EXPECT_EQ(ErrorId({{"VAULT_MAIL_POLL_SECONDS", "-1"}}), "config.mail_poll_seconds");
  EXPECT_EQ(ErrorId({{"VAULT_MAIL_CLAIM_SECONDS", "0"}}), "config.mail_claim_seconds");
  EXPECT_EQ(
      ErrorId({{"VAULT_MAIL_RETRY_BASE_SECONDS", "100"}, {"VAULT_MAIL_RETRY_MAX_SECONDS", "50"}}),
      "config.mail_retry_max_seconds");
}

TEST(Config, TheConnectionLimitAndReadTimeoutsArePositive) {
  EXPECT_EQ(LoadEnv({})->max_connections, 10000);
  EXPECT_EQ(LoadEnv({{"VAULT_MAX_CONNECTIONS", "64"}})->max_connections, 64);
  EXPECT_EQ(ErrorId({{"VAULT_MAX_CONNECTIONS", "0"}}), "config.max_connections");
  EXPECT_EQ(LoadEnv({})->header_timeout_seconds, 10);
  EXPECT_EQ(LoadEnv({})->body_timeout_seconds, 30);
  EXPECT_EQ(ErrorId({{"VAULT_HEADER_TIMEOUT_SECONDS", "0"}}), "config.header_timeout_seconds");
  EXPECT_EQ(ErrorId({{"VAULT_BODY_TIMEOUT_SECONDS", "-5"}}), "config.body_timeout_seconds");
}

TEST(Config, ChargebeeApiIsHttpsUnlessOnThisMachine) {
  EXPECT_EQ(LoadEnv({})->chargebee_api_url, "");
  EXPECT_EQ(LoadEnv({})->chargebee_reconcile_seconds, 0);
  EXPECT_EQ(LoadEnv({{"VAULT_CHARGEBEE_SITE", "acme-test"}})->chargebee_api_url,
            "https://acme-test.chargebee.com/api/v2");
  EXPECT_EQ(ErrorId({{"VAULT_CHARGEBEE_SITE", "evil.com/x"}}), "config.chargebee_site");
  for (const char* ok : {"https://billing.example.com/api/v2", "http://127.0.0.1:8099/api/v2",
                         "http://localhost/api/v2", "http://[::1]:80/api/v2"})
    EXPECT_EQ(ErrorId({{"VAULT_CHARGEBEE_API_URL", ok}}), "") << ok;
  for (const char* bad :
       {"http://billing.example.com/api/v2", "http://127.0.0.1.evil.com/api",
        "http://127.0.0.1@evil.com/api", "ftp://127.0.0.1/x", "file:///etc/passwd"})
    EXPECT_EQ(ErrorId({{"VAULT_CHARGEBEE_API_URL", bad}}), "config.chargebee_api_url") << bad;
  EXPECT_EQ(ErrorId({{"VAULT_CHARGEBEE_RECONCILE_SECONDS", "-1"}}),
            "config.chargebee_reconcile_seconds");
}

TEST(Config, RemotePostgresNeedsAnExplicitSslmode) {
  for (const char* local :
       {"postgresql://vault@127.0.0.1:5432/vault", "postgresql://vault:pw@localhost/vault",
        "postgresql://[::1]:5432/db", "postgresql:///vault?host=/var/run/postgresql",
        "postgresql://%2Fvar%2Frun%2Fpostgresql/vault",
        "postgresql://db.example.com/vault?sslmode=verify-full",
        "postgresql://u:p@db.example.com/vault?sslmode=disable", "sqlite:./data/vault.db"})
    EXPECT_EQ(ErrorId({{"VAULT_DATABASE", local}}), "") << local;
  for (const char* remote :
       {"postgresql://vault:pw@db.example.com:5432/vault", "postgres://10.0.0.5/vault",
        "postgresql://127.0.0.1,db2.example.com/v", "postgresql:///vault?host=db.example.com",
        "postgresql://localhost/vault?user=v&hostaddr=10.0.0.5"})
    EXPECT_EQ(ErrorId({{"VAULT_DATABASE", remote}}), "config.database") << remote;
  EXPECT_EQ(ErrorId({{"VAULT_DATABASE", "postgresql://db.example.com/vault"},
                     {"PGSSLMODE", "verify-full"}}),
            "");
  // The error names the host, never the password.
  auto c = LoadEnv({{"VAULT_DATABASE", "postgresql://vault:s3cret@db.example.com/vault"}});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().detail.find("s3cret"), std::string::npos);
}

}  // namespace
}  // namespace vault::config
