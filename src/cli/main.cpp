// atomyx-vault: the composition root. Parses the command line and configuration, builds the
// concrete adapters and wires them into the use cases and the HTTP server.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdlib>
#include <memory>

#include "app/account_service.hpp"
#include "config/config.hpp"
#include "core/password_policy.hpp"
#include "crypto/sodium.hpp"
#include "http/api.hpp"
#include "http/log.hpp"
#include "http/server.hpp"
#include "mail/async_mailer.hpp"
#include "mail/mailers.hpp"
#include "storage/open_store.hpp"

namespace {

using vault::http::Log;

class SystemClock : public vault::core::Clock {
 public:
  vault::core::Timestamp Now() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// smtp://user:pass@host:port → smtp://host:port, for logs.
std::string RedactUrl(const std::string& url) {
  auto scheme = url.find("://");
  auto at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  return url.substr(0, scheme + 3) + url.substr(at + 1);
}

// The first http(s) link in a text, for the dev-mode log line of the outbox mailer.
std::string FirstLink(const std::string& text) {
  auto p = text.find("http");
  if (p == std::string::npos) return {};
  auto e = text.find_first_of(" \n\r", p);
  return text.substr(p, e == std::string::npos ? std::string::npos : e - p);
}

int Fail(const vault::core::Error& e, const char* what) {
  Log("error", what, {{"code", e.id}, {"error", e.detail}});
  return 1;
}

std::unique_ptr<vault::core::Mailer> MakeMailer(const vault::config::Config& cfg) {
  std::unique_ptr<vault::core::Mailer> inner;
  if (!cfg.smtp_url.empty()) {
    Log("info", "mail is delivered by SMTP", {{"smtp", RedactUrl(cfg.smtp_url)}});
    inner = std::make_unique<vault::mail::SmtpMailer>(cfg.smtp_url, cfg.mail_from);
  } else {
    Log("info", "mail is written to the outbox folder", {{"outbox", cfg.mail_outbox}});
    bool dev = cfg.dev;
    inner = std::make_unique<vault::mail::OutboxMailer>(
        cfg.mail_outbox, cfg.mail_from,
        [dev](const std::string& path, const vault::core::MailMessage& m) {
          // Links carry one-time tokens: logged only in local development with the outbox.
          if (dev)
            Log("info", "mail written", {{"file", path}, {"subject", m.subject}, {"link", FirstLink(m.text)}});
          else
            Log("info", "mail written", {{"file", path}, {"subject", m.subject}});
        });
  }
  return std::make_unique<vault::mail::AsyncMailer>(
      std::move(inner), [](const vault::core::MailMessage& m, const vault::core::Error& e) {
        Log("error", "mail delivery failed", {{"subject", m.subject}, {"error", e.detail}});
      });
}

int Serve(const vault::config::Config& cfg) {
  if (!vault::crypto::InitSodium()) {
    Log("error", "libsodium failed to initialise");
    return 1;
  }
  auto secret = vault::crypto::LoadOrCreateServerSecret(cfg.secret_file);
  if (!secret) return Fail(secret.error(), "cannot load the server secret");
  auto opened = vault::storage::OpenStore(cfg.database, cfg.db_pool_size);
  if (!opened) return Fail(opened.error(), "cannot open the database");
  Log("info", "database ready", {{"dialect", opened->dialect},
                                 {"migrations_applied", std::to_string(opened->migrations_applied)}});
  SystemClock clock;
  vault::crypto::SodiumRandom random;
  vault::crypto::HmacSecretHasher secrets(*secret);
  vault::crypto::Argon2idHasher hasher({cfg.argon2_memory_kib, cfg.argon2_passes});
  vault::core::PasswordPolicy policy(cfg.password_min_length);
  auto mailer = MakeMailer(cfg);

  vault::app::AccountSettings settings;
  settings.public_url = cfg.public_url;
  settings.session_idle_seconds = cfg.session_idle_seconds;
  settings.session_absolute_seconds = cfg.session_absolute_seconds;
  vault::app::AccountService accounts(
      {*opened->store, clock, random, secrets, hasher, *mailer, policy}, settings);

  vault::http::Router router;
  vault::http::Metrics metrics;
  vault::http::ServerOptions options;
  options.listen = cfg.listen;
  options.network_threads = cfg.http_threads;
  options.blocking_threads = cfg.db_pool_size;
  options.hash_threads = cfg.hash_threads;
  options.hash_queue_limit = cfg.hash_queue_limit;
  options.body_limit = cfg.body_limit_bytes;
  options.header_timeout_seconds = cfg.header_timeout_seconds;
  std::unique_ptr<vault::http::Server> server;
  vault::http::RegisterAccountRoutes(router, accounts, {cfg.public_url, cfg.dev});
  vault::http::RegisterOpsRoutes(router, metrics, *opened->store,
                                 [&server] { return server ? server->hash_threads() : 1; });
  std::vector<std::string> names;
  for (const auto& r : router.routes()) names.push_back(r.method + " " + r.pattern);
  metrics.Init(std::move(names));
  server = std::make_unique<vault::http::Server>(options, router, metrics);
  return server->Run();
}

int Migrate(const vault::config::Config& cfg) {
  auto opened = vault::storage::OpenStore(cfg.database, 1);
  if (!opened) return Fail(opened.error(), "migration failed");
  Log("info", "migrations applied", {{"dialect", opened->dialect},
                                     {"applied", std::to_string(opened->migrations_applied)}});
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Atomyx Vault: identity, workspaces, access and subscriptions"};
  std::string config_file;
  app.add_option("--config", config_file, "TOML configuration file (VAULT_* variables win)");
  auto* serve = app.add_subcommand("serve", "run the HTTP server");
  auto* migrate = app.add_subcommand("migrate", "apply pending database migrations and exit");
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);

  auto cfg = vault::config::Load(config_file, [](const char* name) { return std::getenv(name); });
  if (!cfg) return Fail(cfg.error(), "invalid configuration");
  if (serve->parsed()) return Serve(*cfg);
  if (migrate->parsed()) return Migrate(*cfg);
  return 2;
}
