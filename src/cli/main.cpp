// atomyx-vault: the composition root. Parses the command line and configuration, builds the
// concrete adapters and wires them into the use cases and the HTTP server.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <thread>

#include "app/access_model.hpp"
#include "app/account_service.hpp"
#include "app/admin_service.hpp"
#include "app/billing_reconcile.hpp"
#include "app/change_store.hpp"
#include "app/mail_sender.hpp"
#include "app/mfa_service.hpp"
#include "app/profile_service.hpp"
#include "app/retention.hpp"
#include "app/session_cache.hpp"
#include "app/signing_keys.hpp"
#include "cli/backup.hpp"
#include "cli/change_feed.hpp"
#include "cli/chargebee_api.hpp"
#include "cli/huge_pages.hpp"
#include "cli/periodic.hpp"
#include "cli/runtime.hpp"
#include "http/api.hpp"
#include "http/console.hpp"
#include "http/forwarded.hpp"
#include "http/log.hpp"
#include "http/server.hpp"
#include "mail/mailers.hpp"
#include "oidc/token_service.hpp"
#include "storage/open_store.hpp"

namespace {

using vault::http::Log;

// smtp://user:pass@host:port → smtp://host:port, for logs. Up to the last '@': a password may
// hold an unencoded '@' or '/', none of which may reach the log.
std::string RedactUrl(const std::string& url) {
  auto scheme = url.find("://");
  auto at = url.rfind('@');
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

// The transport the outbox's sender delivers through: SMTP, or the outbox folder in development.
std::unique_ptr<vault::core::Mailer> MakeTransport(const vault::config::Config& cfg) {
  if (!cfg.smtp_url.empty()) {
    Log("info", "mail is delivered by SMTP",
        {{"smtp", RedactUrl(cfg.smtp_url)}, {"tls", cfg.smtp_tls}});
    return std::make_unique<vault::mail::SmtpMailer>(
        cfg.smtp_url, cfg.mail_from,
        cfg.smtp_tls == "off" ? vault::mail::SmtpTls::kOff : vault::mail::SmtpTls::kRequired);
  }
  Log("info", "mail is written to the outbox folder", {{"outbox", cfg.mail_outbox}});
  bool dev = cfg.dev;
  return std::make_unique<vault::mail::OutboxMailer>(
      cfg.mail_outbox, cfg.mail_from,
      [dev](const std::string& path, const vault::core::MailMessage& m) {
        // Links carry one-time tokens: logged only in local development with the outbox.
        if (dev)
          Log("info", "mail written",
              {{"file", path}, {"subject", m.subject}, {"link", FirstLink(m.text)}});
        else
          Log("info", "mail written", {{"file", path}, {"subject", m.subject}});
      });
}

vault::app::MailSenderSettings MailSenderSettingsOf(const vault::config::Config& cfg) {
  vault::app::MailSenderSettings s;
  s.retry.max_attempts = cfg.mail_max_attempts;
  s.retry.base_seconds = cfg.mail_retry_base_seconds;
  s.retry.max_seconds = cfg.mail_retry_max_seconds;
  s.claim_seconds = cfg.mail_claim_seconds;
  return s;
}

vault::app::SigningSettings SigningSettingsOf(const vault::config::Config& cfg) {
  vault::app::SigningSettings s;
  // A retired key is published until every token it signed has expired: the longest token
  // lifetime, plus 5 minutes for clock skew and for every node to hear of the rotation.
  s.retired_key_seconds = cfg.oauth_access_token_seconds + 300;
  return s;
}

vault::oidc::OAuthSettings OAuthSettingsOf(const vault::config::Config& cfg) {
  std::string issuer = cfg.public_url;
  while (!issuer.empty() && issuer.back() == '/') issuer.pop_back();
  return {issuer, cfg.oauth_access_token_seconds, 60};
}

bool ChargebeeApiConfigured(const vault::config::Config& cfg) {
  return !cfg.chargebee_api_key.empty() && !cfg.chargebee_api_url.empty();
}

// Every failed subscription by name: ids and the failure, never the API key.
std::string FailureList(const vault::app::ReconcileReport& report) {
  std::string out;
  for (const auto& f : report.failures)
    out += (out.empty() ? "" : "; ") + f.subscription_id + " (product " + f.product_id +
           "): " + f.reason;
  return out;
}

// The keyring's ids (never the keys) and the ones this start registered, for the log.
void LogKeyring(const vault::cli::Runtime& r) {
  std::string ids;
  for (const auto& k : r.keyring.keys()) ids += (ids.empty() ? "" : ",") + k.id;
  std::string added;
  for (const auto& id : r.keys_registered) added += (added.empty() ? "" : ",") + id;
  Log("info", "keyring matches the database",
      {{"keys", ids}, {"primary", r.keyring.primary().id}, {"registered", added}});
}

int Serve(const vault::config::Config& cfg) {
  auto proxies = vault::http::TrustedProxies::Parse(cfg.trusted_proxies);
  if (!proxies) return Fail(proxies.error(), "invalid configuration");
  auto rt = vault::cli::MakeRuntime(cfg, cfg.db_pool_size);
  if (!rt) return Fail(rt.error(), "cannot start");
  Log("info", "database ready",
      {{"dialect", (*rt)->opened.dialect},
       {"migrations_applied", std::to_string((*rt)->opened.migrations_applied)}});
  LogKeyring(**rt);
  vault::cli::Runtime& r = **rt;
  // The durable mail outbox (issue 16): services queue mail in their own transactions; the
  // sender delivers it on its own thread, woken when this process queued mail and otherwise
  // every mail_poll_seconds (other nodes' mail, retries that are due). It starts with whatever
  // is queued: mail acknowledged before a crash goes out now.
  auto transport = MakeTransport(cfg);
  vault::app::MailSender sender(
      *r.opened.store, *r.clock, r.random, *r.mail_box, *transport, MailSenderSettingsOf(cfg),
      vault::core::NewId(r.random, "node"),
      [](const std::string& id, int attempts, bool dead, const vault::core::Error& e) {
        // The row's id and the transport's error only: the message holds links with tokens.
        Log(dead ? "error" : "warn",
            dead ? "mail delivery failed; dead letter" : "mail delivery failed",
            {{"mail", id},
             {"attempts", std::to_string(attempts)},
             {"code", e.id},
             {"error", e.detail}});
      });
  std::atomic<long> mail_queued{0}, mail_dead{0};
  vault::cli::Periodic mail_job(
      std::chrono::seconds(cfg.mail_poll_seconds),
      [&sender, &r, &mail_queued, &mail_dead] {
        if (auto d = sender.DeliverDue(); !d)
          Log("error", "mail outbox unavailable", {{"error", d.error().detail}});
        auto counts = r.opened.store->Read([](vault::core::Tx& tx) { return tx.CountMail(); });
        if (counts) {
          mail_queued = static_cast<long>(counts->queued);
          mail_dead = static_cast<long>(counts->dead);
        }
      },
      false);       // not again at shutdown: what is left waits, durably, for the next start
  mail_job.Wake();  // at once: what a crashed process acknowledged
  const std::size_t cache_bytes = cfg.cache_mb << 20;
  vault::app::AccessModel model(*r.opened.store, *r.clock, cache_bytes / 5 * 4);
  // Every write notes what it changed in its own transaction; the feed row commits with it
  // (ChangeStore), this process's caches hear of it after the commit, and every other process's
  // through the feed (woken by NOTIFY on PostgreSQL).
  vault::cli::ChangeFeed feed(
      *r.opened.store, {&model},
      cfg.change_notify ? vault::storage::OpenChangeSignal(cfg.database) : nullptr);
  vault::app::ChangeStore changes_store(
      *r.opened.store, *r.clock,
      [&feed](const std::vector<vault::core::ChangeEntry>& c) { feed.Committed(c); });
  vault::app::OutboxStore services_store(changes_store, [&mail_job] { mail_job.Wake(); });

  vault::app::AccountSettings settings;
  settings.public_url = cfg.public_url;
  settings.session_idle_seconds = cfg.session_idle_seconds;
  settings.mfa_reset_grace_seconds = cfg.mfa_reset_grace_seconds;
  settings.session_absolute_seconds = cfg.session_absolute_seconds;
  vault::app::Ports ports{services_store, *r.clock,  r.random, *r.secrets, *r.hasher,
                          *r.outbox,      *r.policy, *r.box,   r.otp};
  vault::app::AccountService accounts(ports, settings);
  // Sessions verified from memory (ADR 0016): loaded in bulk below, kept current by the change
  // feed. Account profiles are bounded apart from VAULT_CACHE_MB: 64 MiB hold some 150,000.
  vault::app::SessionCache sessions(services_store, *r.clock, *r.secrets, settings, 64 << 20);
  accounts.UseSessionCache(&sessions);
  vault::app::ProfileService profile(ports, settings);
  vault::app::MfaService mfa(ports, settings);

  vault::http::Router router;
  vault::http::Metrics metrics;
  vault::http::ServerOptions options;
  options.listen = cfg.listen;
  options.tls_cert_file = cfg.tls_cert_file;
  options.tls_key_file = cfg.tls_key_file;
  options.network_threads = cfg.http_threads;
  options.blocking_threads = cfg.db_pool_size;
  options.hash_queue_limit = cfg.hash_queue_limit;
  options.blocking_queue_limit = cfg.blocking_queue_limit;
  options.blocking_queue_timeout_ms = cfg.blocking_queue_timeout_ms;
  options.drain_seconds = cfg.drain_seconds;
  options.hash_threads = r.pool->workers();
  double max_wait = cfg.hash_max_wait_ms / 1000.0;
  options.admit_hash_request = [&r, max_wait] { return r.pool->PredictedWait() <= max_wait; };
  options.body_limit = cfg.body_limit_bytes;
  options.max_connections = cfg.max_connections;
  options.header_timeout_seconds = cfg.header_timeout_seconds;
  options.body_timeout_seconds = cfg.body_timeout_seconds;
  options.proxies = *proxies;  // who may name the client (X-Forwarded-For, Forwarded)
  options.fallback = vault::http::ServeConsole;  // every GET outside the API: the web console
  if (!cfg.console_dir.empty() && !vault::http::UseConsoleDirectory(cfg.console_dir))
    Log("warn", "VAULT_CONSOLE_DIR has no index.html; serving the embedded console",
        {{"dir", cfg.console_dir}});
  std::unique_ptr<vault::http::Server> server;
  vault::http::ApiOptions api{cfg.public_url,
                              cfg.dev,
                              cfg.ip_rate_per_second,
                              cfg.ip_burst,
                              cfg.super_admin_require_2fa,
                              r.opened.store.get(),
                              r.clock.get()};
  vault::app::WorkspaceService workspaces(ports, accounts);
  vault::app::PlatformService platform(ports);
  vault::app::ProductService products(ports, workspaces);
  vault::app::IntegrationService integration(ports, model);
  vault::app::ApiKeyService keys(ports, workspaces, model, cfg.api_key_cache, cache_bytes / 5);
  vault::app::AccessReviewService review(ports, workspaces, model);
  vault::app::CallbackSigningService callback_signing(ports, workspaces, *r.callback_box, r.mac);
  if (auto n = integration.WarmUp();
      !n)  // before serving: unknown client ids need no database read
    Log("error", "service client warm-up failed", {{"error", n.error().detail}});
  vault::app::SigningKeys signing(ports, r.ed, *r.signing_box, SigningSettingsOf(cfg));
  vault::oidc::TokenService tokens(ports, integration, signing, OAuthSettingsOf(cfg));
  vault::oidc::AuthorizeService authorize(ports, integration, tokens);
  integration.SetBearerVerifier([&tokens](const std::string& token, const std::string& scope) {
    return tokens.ClientOfAccessToken(token, scope);
  });
  feed.AddLocal(&integration);
  feed.AddLocal(&tokens);
  feed.AddLocal(&keys);
  feed.AddLocal(&signing);
  feed.AddLocal(&sessions);
  feed.Start();
  // Buffered last-used records go to the database once per interval (and once more at exit).
  vault::cli::Periodic usage_flusher(std::chrono::milliseconds(cfg.key_usage_flush_ms), [&keys] {
    if (auto f = keys.FlushUsage(); !f)
      Log("error", "cannot record API key use", {{"error", f.error().detail}});
  });
  // Session last-seen updates likewise, in one transaction per interval (and once at exit); ended
  // sessions leave memory every ten minutes.
  auto next_sweep = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  vault::cli::Periodic session_flusher(
      std::chrono::milliseconds(cfg.key_usage_flush_ms), [&sessions, &next_sweep] {
        if (auto f = sessions.FlushTouches(); !f)
          Log("error", "cannot record session last seen", {{"error", f.error().detail}});
        if (std::chrono::steady_clock::now() < next_sweep) return;
        next_sweep = std::chrono::steady_clock::now() + std::chrono::minutes(10);
        sessions.Sweep();
      });
  // Retention: expired sessions, tokens, throttle rows, old invitations, webhook ids and ended
  // callback signing secrets go in small batches (docs: README, VAULT_RETENTION_*). Not run again
  // at shutdown.
  vault::app::RetentionSettings retention_settings;
  retention_settings.invitation_seconds = cfg.invitation_retention_days * 86400;
  retention_settings.webhook_id_seconds = cfg.webhook_id_retention_days * 86400;
  retention_settings.audit_seconds = std::int64_t{cfg.audit_retention_days} * 86400;
  vault::app::AuditLog retention_audit(*r.secrets, r.random, *r.clock);
  vault::app::RetentionService retention(*r.opened.store, *r.clock, retention_settings,
                                         &retention_audit);
  std::atomic<long> retention_deleted{0};
  std::unique_ptr<vault::cli::Periodic> retention_job;
  if (cfg.retention_interval_seconds > 0)
    retention_job = std::make_unique<vault::cli::Periodic>(
        std::chrono::seconds(cfg.retention_interval_seconds),
        [&retention, &retention_deleted] {
          auto runs = retention.RunOnce();
          if (!runs) {
            Log("error", "retention failed", {{"error", runs.error().detail}});
            return;
          }
          for (const auto& run : *runs) {
            if (run.deleted == 0) continue;
            retention_deleted += static_cast<long>(run.deleted);
            Log("info", "retention purged",
                {{"kind", run.kind}, {"rows", std::to_string(run.deleted)}});
          }
        },
        false);
  // Chargebee reconciliation (issue 19): corrects what a lost webhook left behind. Several
  // nodes may run it: each correction re-reads its row in its own transaction.
  std::unique_ptr<vault::cli::CurlChargebeeApi> chargebee_api;
  std::unique_ptr<vault::app::BillingReconciler> reconciler;
  std::unique_ptr<vault::cli::Periodic> reconcile_job;
  if (cfg.chargebee_reconcile_seconds > 0 && !ChargebeeApiConfigured(cfg))
    Log("warn",
        "VAULT_CHARGEBEE_RECONCILE_SECONDS is set but the Chargebee API is not configured "
        "(VAULT_CHARGEBEE_API_KEY and VAULT_CHARGEBEE_SITE or VAULT_CHARGEBEE_API_URL): no "
        "reconciliation",
        {});
  else if (cfg.chargebee_reconcile_seconds > 0) {
    chargebee_api = std::make_unique<vault::cli::CurlChargebeeApi>(cfg.chargebee_api_url,
                                                                   cfg.chargebee_api_key);
    reconciler = std::make_unique<vault::app::BillingReconciler>(ports, *chargebee_api);
    reconcile_job = std::make_unique<vault::cli::Periodic>(
        std::chrono::seconds(cfg.chargebee_reconcile_seconds),
        [&reconciler] {
          auto report = reconciler->RunOnce();
          if (!report) {
            Log("error", "billing reconciliation failed", {{"error", report.error().detail}});
            return;
          }
          Log("info", "billing reconciliation", {{"summary", report->Summary()}});
          if (report->failed > 0)
            Log("warn", "billing reconciliation could not check some subscriptions",
                {{"failures", FailureList(*report)}});
        },
        false);
  }
  metrics.AddCounter("vault_retention_deleted_total",
                     "expired rows deleted by the retention job of this process",
                     [&retention_deleted] { return retention_deleted.load(); });
  // Start-up loads run in the background, one thread each, while the server already listens;
  // /readyz answers 503 until all have ended (Metrics::loading), and a request meanwhile is
  // answered from storage. A failed load is logged and leaves storage answering.
  std::vector<std::thread> loads;
  auto start_load = [&metrics, &loads](const char* what,
                                       std::function<vault::core::Result<std::size_t>()> load) {
    metrics.loading()++;
    loads.emplace_back([&metrics, what, load = std::move(load)] {
      auto t0 = std::chrono::steady_clock::now();
      auto n = load();
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - t0)
                    .count();
      if (n)
        Log("info", std::string(what) + " loaded",
            {{"entries", std::to_string(*n)}, {"ms", std::to_string(ms)}});
      else
        Log("error", std::string(what) + " load failed", {{"error", n.error().detail}});
      metrics.loading()--;
    });
  };
  start_load("access model", [&model] { return model.Load(); });
  start_load("API key cache", [&keys] { return keys.WarmUp(); });
  start_load("session cache", [&sessions] { return sessions.Load(); });
  vault::http::RegisterAccountRoutes(router, accounts, profile, mfa, api);
  vault::http::RegisterWorkspaceRoutes(router, accounts, workspaces, platform, api);
  vault::http::RegisterMailOutboxRoutes(router, accounts, platform, api);
  vault::http::RegisterProductRoutes(router, accounts, products, integration, api,
                                     {cfg.chargebee_webhook_user, cfg.chargebee_webhook_password});
  vault::http::RegisterApiKeyRoutes(router, accounts, keys, integration, *r.clock, api);
  vault::http::RegisterAccessReviewRoutes(router, accounts, review, integration, api);
  vault::http::RegisterCallbackSigningRoutes(router, accounts, callback_signing, integration,
                                             *r.clock, api);
  vault::http::RegisterOAuthRoutes(router, signing, tokens, authorize, accounts, api);
  vault::http::RegisterOpsRoutes(router, metrics, *r.opened.store,
                                 [&server] { return server ? server->hash_threads() : 1; });
  metrics.AddCounter("vault_password_verifications_total",
                     "argon2id password verifications done by this process",
                     [&r] { return r.hasher->verifications(); });
  metrics.AddCounter("vault_password_hashes_total", "argon2id password hashes made by this process",
                     [&r] { return r.hasher->hashes(); });
  metrics.AddCounter("vault_mail_delivered_total", "mail messages delivered by this process",
                     [&sender] { return sender.delivered(); });
  metrics.AddCounter("vault_mail_failed_total",
                     "failed mail delivery attempts of this process (each is retried or dead)",
                     [&sender] { return sender.failed(); });
  metrics.AddCounter("vault_mail_dead_total",
                     "mail messages this process gave up on (dead letters a Super Admin can retry)",
                     [&sender] { return sender.dead(); });
  metrics.AddCounter("vault_mail_queued", "mail messages waiting in the outbox (all nodes)",
                     [&mail_queued] { return mail_queued.load(); });
  metrics.AddCounter("vault_mail_dead", "dead-letter mail messages in the outbox (all nodes)",
                     [&mail_dead] { return mail_dead.load(); });
  metrics.AddCounter("vault_api_key_usage_flushes_total",
                     "transactions that wrote buffered API key last-use records",
                     [&keys] { return static_cast<long>(keys.usage_flushes()); });
  metrics.AddCounter("vault_api_keys_cached", "API keys held in the verification cache",
                     [&keys] { return static_cast<long>(keys.cached_keys()); });
  metrics.AddCounter(
      "vault_cache_bytes", "estimated bytes held by the access model and API key caches",
      [&keys, &model] { return static_cast<long>(keys.cache_bytes() + model.cache_bytes()); });
  metrics.AddCounter(
      "vault_cache_evictions_total",
      "cache entries evicted (least recently used first) to stay within VAULT_CACHE_MB",
      [&keys, &model] {
        return static_cast<long>(keys.cache_evictions() + model.cache_evictions());
      });
  metrics.AddCounter("vault_sessions_cached", "sessions held in memory for verification",
                     [&sessions] { return static_cast<long>(sessions.sessions()); });
  metrics.AddCounter("vault_session_cache_bytes",
                     "bytes held by the in-memory session index and account profiles",
                     [&sessions] { return static_cast<long>(sessions.bytes()); });
  metrics.AddCounter("vault_session_db_reads_total",
                     "session authentications that read the database (not in memory)",
                     [&sessions] { return static_cast<long>(sessions.db_reads()); });
  metrics.AddCounter("vault_service_client_db_reads_total",
                     "service client authentications that read the database (changed clients)",
                     [&integration] { return static_cast<long>(integration.client_db_reads()); });
  metrics.AddCounter("vault_api_key_lookup_db_reads_total",
                     "key verifications that read the database (key not in the cache)",
                     [&keys] { return static_cast<long>(keys.lookup_db_reads()); });
  std::vector<std::string> names;
  for (const auto& route : router.routes()) names.push_back(route.method + " " + route.pattern);
  metrics.Init(std::move(names));
  server = std::make_unique<vault::http::Server>(options, router, metrics);
  int rc = server->Run();
  for (auto& t : loads) t.join();
  if (reconcile_job) reconcile_job->Stop();
  usage_flusher.Stop();  // runs a last flush: uses seen before shutdown are kept
  session_flusher.Stop();
  mail_job.Stop();  // what is left waits in the outbox for the next start or another node
  feed.Stop();      // before the caches it tells go away
  return rc;
}

int Migrate(const vault::config::Config& cfg) {
  // The runtime: migrations, then the keyring check (a node with another keyring stops here).
  auto rt = vault::cli::MakeRuntime(cfg, 1);
  if (!rt) return Fail(rt.error(), "migration failed");
  Log("info", "migrations applied",
      {{"dialect", (*rt)->opened.dialect},
       {"applied", std::to_string((*rt)->opened.migrations_applied)}});
  LogKeyring(**rt);
  return 0;
}

// `secret rotate`: a new primary key appended to the keyring file (the older keys stay, so
// nothing made with them stops working); the database registers it at the next start.
int RotateSecret(const vault::config::Config& cfg) {
  if (!vault::crypto::InitSodium()) return 1;
  if (!cfg.secret.empty()) {
    // The variable cannot be rewritten from here: the operator adds the line where it is kept.
    auto ring = vault::crypto::Keyring::Parse(cfg.secret, "VAULT_SECRET", true);
    if (!ring) return Fail(ring.error(), "cannot rotate");
    std::string id = ring->NextId();
    std::fprintf(stderr,
                 "VAULT_SECRET is set: add this line at its end (after a ';' or a newline) on "
                 "every node, then restart them:\n");
    std::printf("%s %s\n", id.c_str(), vault::crypto::NewKeySecret().c_str());
    return 0;
  }
  auto ring = vault::crypto::ReadKeyringFile(cfg.secret_file);
  if (!ring) return Fail(ring.error(), "cannot rotate");
  vault::crypto::Keyring next = ring->With(vault::crypto::NewKeySecret());
  if (auto w = vault::crypto::WriteKeyringFile(cfg.secret_file, next); !w)
    return Fail(w.error(), "cannot rotate");
  const auto& key = next.primary();
  std::printf(
      "new primary key %s (check value %s) added to %s; the older keys stay and keep verifying.\n"
      "Copy this file to every node (install -m 0600), then restart each node: a node started "
      "with the old file refuses to start once one has started with the new key.\n",
      key.id.c_str(), vault::crypto::CheckValue(key).c_str(), cfg.secret_file.c_str());
  return 0;
}

// `secret show-ids`: each key's id and check value, never the key, to compare nodes.
int ShowSecretIds(const vault::config::Config& cfg) {
  if (!vault::crypto::InitSodium()) return 1;
  auto ring = cfg.secret.empty() ? vault::crypto::ReadKeyringFile(cfg.secret_file)
                                 : vault::crypto::Keyring::Parse(cfg.secret, "VAULT_SECRET", true);
  if (!ring) return Fail(ring.error(), "cannot read the keyring");
  for (const auto& k : ring->keys())
    std::printf("%s %s%s\n", k.id.c_str(), vault::crypto::CheckValue(k).c_str(),
                &k == &ring->primary() ? " primary" : "");
  return 0;
}

// Admin commands print their result for the operator on stdout (links included: they are
// meant for the operator's terminal) and never log the link.
int Admin(const vault::config::Config& cfg, const std::string& command, const std::string& email,
          const std::string& name) {
  auto rt = vault::cli::MakeRuntime(cfg, 1);
  if (!rt) return Fail(rt.error(), "cannot open the database");
  vault::cli::Runtime& r = **rt;
  // Running servers hear of the change through the feed row its transaction writes.
  vault::app::ChangeStore store(*r.opened.store, *r.clock);
  vault::app::AdminService admin(store, *r.clock, r.random, *r.secrets, cfg.public_url);
  vault::core::Result<vault::app::AdminOutcome> out =
      command == "create-super-admin" ? admin.CreateSuperAdmin(email, name)
      : command == "reset-password"   ? admin.ResetPassword(email)
      : command == "disable-account"  ? admin.SetDisabled(email, true)
                                      : admin.SetDisabled(email, false);
  if (!out) {
    std::fprintf(stderr, "atomyx-vault admin %s: %s\n", command.c_str(),
                 out.error().detail.c_str());
    return out.error().code == vault::core::Code::kNotFound ? 3 : 1;
  }
  std::printf("%s: %s (%s)\n", command.c_str(), email.c_str(), out->account_id.c_str());
  if (!out->link.empty()) std::printf("set-password link (single use): %s\n", out->link.c_str());
  return 0;
}

// The ports of a command over `store` (a ChangeStore: running servers hear of its changes through
// the feed rows its transactions write); mail it queues goes out with a running server's next
// poll of the outbox.
vault::app::Ports CommandPorts(vault::cli::Runtime& r, vault::app::ChangeStore& store) {
  return {store, *r.clock, r.random, *r.secrets, *r.hasher, *r.outbox, *r.policy, *r.box, r.otp};
}

// Rotates the token-signing key; running servers hear of it through the change feed.
int RotateKeys(const vault::config::Config& cfg) {
  auto rt = vault::cli::MakeRuntime(cfg, 1);
  if (!rt) return Fail(rt.error(), "cannot open the database");
  vault::cli::Runtime& r = **rt;
  vault::app::ChangeStore store(*r.opened.store, *r.clock);  // tells running servers
  // Rotation needs the store, clock, randomness, keyed hashes (audit) and the change feed only.
  vault::app::Ports ports = CommandPorts(r, store);
  vault::app::SigningKeys signing(ports, r.ed, *r.signing_box, SigningSettingsOf(cfg));
  auto kid = signing.Rotate(vault::app::Actor{"system", "cli", "", ""});
  if (!kid) {
    std::fprintf(stderr, "atomyx-vault keys rotate: %s\n", kid.error().detail.c_str());
    return 1;
  }
  std::printf("%s\n", kid->c_str());
  return 0;
}

// Pulls every Chargebee-billed subscription and corrects the drift. Exit 0: every one checked;
// 1: some could not be (named on stderr); 2: the Chargebee API is not configured.
int BillingReconcile(const vault::config::Config& cfg) {
  if (!ChargebeeApiConfigured(cfg)) {
    std::fprintf(stderr,
                 "atomyx-vault billing reconcile: the Chargebee API is not configured: set "
                 "VAULT_CHARGEBEE_API_KEY and VAULT_CHARGEBEE_SITE (or VAULT_CHARGEBEE_API_URL)\n");
    return 2;
  }
  auto rt = vault::cli::MakeRuntime(cfg, 1);
  if (!rt) return Fail(rt.error(), "cannot open the database");
  vault::cli::Runtime& r = **rt;
  vault::app::ChangeStore store(*r.opened.store, *r.clock);  // tells running servers
  vault::app::Ports ports = CommandPorts(r, store);
  vault::cli::CurlChargebeeApi api(cfg.chargebee_api_url, cfg.chargebee_api_key);
  vault::app::BillingReconciler reconciler(ports, api);
  auto report = reconciler.RunOnce();
  if (!report) {
    std::fprintf(stderr, "atomyx-vault billing reconcile: %s\n", report.error().detail.c_str());
    return 1;
  }
  for (const auto& f : report->failures)
    std::fprintf(stderr, "atomyx-vault billing reconcile: subscription %s (product %s): %s\n",
                 f.subscription_id.c_str(), f.product_id.c_str(), f.reason.c_str());
  std::printf("%s\n", report->Summary().c_str());
  return report->failed > 0 ? 1 : 0;
}

int AuditVerify(const vault::config::Config& cfg) {
  auto rt = vault::cli::MakeRuntime(cfg, 1);
  if (!rt) return Fail(rt.error(), "cannot open the database");
  vault::cli::Runtime& r = **rt;
  vault::app::AuditLog log(*r.secrets, r.random, *r.clock);
  auto report = log.Verify(*r.opened.store);
  if (!report) {
    std::fprintf(stderr, "audit verify: %s\n", report.error().detail.c_str());
    return 2;
  }
  if (!report->ok) {
    std::printf("audit chain BROKEN at event %lld: %s (%lld events verified before it)\n",
                static_cast<long long>(report->first_broken_seq), report->problem.c_str(),
                static_cast<long long>(report->events));
    return 1;
  }
  if (report->pruned_through > 0)
    std::printf(
        "audit chain ok: %lld events after the retention anchor (events up to %lld were "
        "deleted by retention)\n",
        static_cast<long long>(report->events), static_cast<long long>(report->pruned_through));
  else
    std::printf("audit chain ok: %lld events\n", static_cast<long long>(report->events));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Whatever umask Vault is started with, everything it creates (database and its WAL/SHM files,
  // outbox, secret file and their folders) is private to the service user: they hold token
  // hashes, sealed secrets and live links. The adapters also set these modes themselves.
  ::umask(077);
  CLI::App app{"Atomyx Vault: identity, workspaces, access and subscriptions"};
  std::string config_file;
  app.add_option("--config", config_file, "TOML configuration file (VAULT_* variables win)");
  auto* serve = app.add_subcommand("serve", "run the HTTP server");
  auto* migrate = app.add_subcommand("migrate", "apply pending database migrations and exit");
  auto* admin = app.add_subcommand("admin", "platform administration");
  std::string email, name = "Administrator";
  auto* create_sa = admin->add_subcommand("create-super-admin",
                                          "make an account a Super Admin (creating it if needed)");
  create_sa->add_option("email", email)->required();
  create_sa->add_option("--name", name, "display name for a new account");
  auto* reset = admin->add_subcommand("reset-password", "print a single-use password-reset link");
  reset->add_option("email", email)->required();
  auto* disable =
      admin->add_subcommand("disable-account", "disable an account and end its sessions");
  disable->add_option("email", email)->required();
  auto* enable = admin->add_subcommand("enable-account", "re-enable a disabled account");
  enable->add_option("email", email)->required();
  admin->require_subcommand(1);
  auto* keys = app.add_subcommand("keys", "token-signing keys of the OpenID Connect provider");
  auto* rotate = keys->add_subcommand(
      "rotate",
      "make a new signing key (printing its kid); the previous ones stay published "
      "until the tokens they signed have expired");
  keys->require_subcommand(1);
  auto* secret = app.add_subcommand("secret", "the server keyring (VAULT_SECRET_FILE)");
  auto* secret_rotate = secret->add_subcommand(
      "rotate",
      "append a new primary key to the keyring file (older keys keep verifying); copy the file to "
      "every node and restart them");
  auto* secret_ids = secret->add_subcommand(
      "show-ids", "print each key's id and check value (never the key), the primary marked");
  secret->require_subcommand(1);
  auto* audit = app.add_subcommand("audit", "audit log tools");
  auto* verify = audit->add_subcommand("verify", "verify the audit hash chain");
  audit->require_subcommand(1);
  auto* billing = app.add_subcommand("billing", "subscription billing tools");
  auto* reconcile = billing->add_subcommand(
      "reconcile",
      "pull every Chargebee-billed subscription from Chargebee's API and correct what differs "
      "(a lost webhook); prints \"checked N, corrected M, failed K\", exits 1 if any failed");
  billing->require_subcommand(1);
  std::string backup_file;
  vault::cli::BackupFlags backup_flags;
  auto* backup = app.add_subcommand(
      "backup",
      "copy the SQLite database (online, consistent while the server writes) to FILE and the "
      "secret file to FILE.secret, both 0600; with PostgreSQL, print the pg_dump procedure");
  backup->add_option("file", backup_file, "the backup file to create")->required();
  backup->add_flag("--force", backup_flags.force, "replace FILE and FILE.secret if they exist");
  backup->add_flag("--no-secret", backup_flags.no_secret,
                   "do not copy the secret file (it is backed up elsewhere)");
  backup
      ->add_option("--step-pages", backup_flags.step_pages,
                   "database pages copied per step (each a short read; a write between two "
                   "steps starts the copy over, after 8 times the rest is copied in one step)")
      ->check(CLI::Range(1, 1 << 20));
  auto* restore = app.add_subcommand(
      "restore",
      "replace the SQLite database with the backup FILE (and install FILE.secret as the secret "
      "file) after checking it and its audit chain; the server must be stopped");
  restore->add_option("file", backup_file, "the backup file to restore")->required();
  restore->add_flag("--force", backup_flags.force,
                    "replace an existing database and a different secret file");
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);

  auto cfg = vault::config::Load(config_file, [](const char* n) { return std::getenv(n); });
  if (!cfg) return Fail(cfg.error(), "invalid configuration");
  if (serve->parsed()) {
    if (cfg->huge_pages) vault::cli::ReexecWithHugePages(argv);
    return Serve(*cfg);
  }
  if (migrate->parsed()) return Migrate(*cfg);
  if (verify->parsed()) return AuditVerify(*cfg);
  if (reconcile->parsed()) return BillingReconcile(*cfg);
  if (rotate->parsed()) return RotateKeys(*cfg);
  if (secret_rotate->parsed()) return RotateSecret(*cfg);
  if (secret_ids->parsed()) return ShowSecretIds(*cfg);
  if (backup->parsed()) return vault::cli::Backup(*cfg, backup_file, backup_flags);
  if (restore->parsed()) return vault::cli::Restore(*cfg, backup_file, backup_flags);
  for (auto* sub : {create_sa, reset, disable, enable})
    if (sub->parsed()) return Admin(*cfg, sub->get_name(), email, name);
  return 2;
}
