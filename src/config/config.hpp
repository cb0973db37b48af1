// Typed server configuration, read once at start from an optional TOML file and VAULT_*
// environment variables (which win). Immutable after loading; thread-safe to read.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/error.hpp"

namespace vault::config {

struct Config {
  std::string listen = "127.0.0.1:8080";
  std::string public_url = "http://localhost:8080";
  std::string database = "sqlite:./data/vault.db";
  std::string smtp_url;  // empty → outbox; else smtp:// or smtps://
  // "required": smtp:// refuses a server without STARTTLS; "off": plain SMTP, local sinks only.
  std::string smtp_tls = "required";
  std::string mail_outbox = "./data/outbox";
  std::string mail_from = "Atomyx Vault <no-reply@localhost>";
  std::string secret_file = "./data/secret.key";
  // The keyring itself (ADR 0011), for containers: VAULT_SECRET only (never the TOML file), lines
  // separated by newlines or ';'. When set it replaces secret_file; VAULT_SECRET_FILE set as
  // well is refused. Never logged.
  std::string secret;
  // The durable mail outbox (issue 16): failed attempts before a message is dead (kept for a
  // Super Admin to retry), the wait after the first failure (doubling, with jitter, up to
  // mail_retry_max_seconds), and how often the sender looks for mail queued by other nodes
  // and retries that are due (mail queued by this process goes at once).
  int mail_max_attempts = 8;
  int mail_retry_base_seconds = 60;
  int mail_retry_max_seconds = 6 * 3600;
  int mail_poll_seconds = 5;
  // How long a sender holds the messages it claimed (a batch of 5, each SMTP attempt at most
  // 40 s): a node that dies mid-delivery leaves them to others (or to itself restarted) after
  // this long.
  int mail_claim_seconds = 300;
  // Console development: serve the console from this folder (a `vite build` output) instead of
  // the copy embedded in the binary. Empty in production.
  std::string console_dir;
  // Reverse proxies allowed to name the client (comma-separated CIDR ranges); empty → none.
  std::string trusted_proxies;
  std::string tls_cert_file;  // native TLS: both set, or neither (plain HTTP)
  std::string tls_key_file;
  // Retention job: how often it runs (0 = never), and how long answered or expired invitations
  // and processed webhook event ids are kept.
  int retention_interval_seconds = 600;
  int invitation_retention_days = 30;
  int webhook_id_retention_days = 90;
  int audit_retention_days = 0;  // 0: keep the audit log for ever
  bool dev = false;
  // Super-Admin-only routes answer 403 admin.requires_2fa to a Super Admin without 2FA: the
  // accounts that can reach every workspace are the ones a stolen password must not open.
  bool super_admin_require_2fa = true;
  // PostgreSQL: each server LISTENs for change-feed NOTIFYs and polls the feed at once (ADR
  // 0005); off, it only polls (every 250 ms). No effect on SQLite.
  bool change_notify = true;
  // `serve` runs itself once more with glibc's heap on transparent huge pages (ADR 0017,
  // src/cli/huge_pages.hpp): fewer TLB misses in the in-memory model's random reads.
  bool huge_pages = true;
  int http_threads = 0;  // 0 → one per core
  int db_pool_size = 8;
  int hash_threads = 0;       // 0 → one per core
  int hash_queue_limit = 64;  // waiting hash jobs beyond this → 503
  // SQL-bound requests waiting beyond this → 503; one that waited longer than the timeout → 503.
  int blocking_queue_limit = 256;
  int blocking_queue_timeout_ms = 2000;
  // Stop grace: after SIGTERM, /readyz answers 503 for this long while the server still serves.
  int drain_seconds = 0;
  int hash_max_wait_ms = 500;  // predicted queue wait beyond this → 503 (keeps p99 bounded)
  std::size_t argon2_memory_kib = 19 * 1024;
  unsigned argon2_passes = 2;
  std::size_t password_min_length = 10;
  std::int64_t session_idle_seconds = 7 * 24 * 3600;
  std::int64_t mfa_reset_grace_seconds = 7 * 24 * 3600;  // a reset removes a younger factor
  std::int64_t session_absolute_seconds = 30 * 24 * 3600;
  std::size_t body_limit_bytes = 1024 * 1024;
  int max_connections = 10000;  // open HTTP connections; beyond → 503 at once
  // A request's header must arrive whole within header_timeout_seconds of the connection being
  // ready for it, its body within body_timeout_seconds (slow clients are cut off).
  int header_timeout_seconds = 10;
  int body_timeout_seconds = 30;
  double ip_rate_per_second = 10;  // per-IP token bucket on credential endpoints (0 = off)
  double ip_burst = 50;
  // Test hook: a file holding a number of seconds added to the system clock (re-read on every
  // use), so black-box tests can move time forward. Never set in production.
  std::string clock_offset_file;
  // HTTP Basic credentials Chargebee sends with its webhooks (unset → webhook answers 404).
  std::string chargebee_webhook_user, chargebee_webhook_password;
  // Chargebee's API, for the reconciliation (`billing reconcile`, and in `serve` every
  // chargebee_reconcile_seconds, 0 = off). The URL defaults to https://{site}.chargebee.com/api/v2;
  // plain http:// is accepted for a loopback host only (a local fake in tests). The API key is
  // a secret: never logged.
  std::string chargebee_site, chargebee_api_url, chargebee_api_key;
  int chargebee_reconcile_seconds = 0;
  int idle_timeout_seconds = 60;
  // API keys: how many the verification cache holds (warmed at start), and how often buffered
  // last-used records are written (one transaction per flush).
  std::size_t api_key_cache = 2000000;
  // Memory for the in-memory caches, in MiB, estimated by their entries' sizes and evicted least
  // recently used first (CLOCK): 4/5 to the access model, 1/5 to the API key cache.
  std::size_t cache_mb = 2560;
  int key_usage_flush_ms = 1000;
  // OpenID Connect provider (ADR 0010): lifetime of the JWT access tokens it issues. A retired
  // signing key stays published this long plus 5 minutes.
  int oauth_access_token_seconds = 600;
};

// Reads `toml_path` (skipped when empty), then the environment through `getenv`.
// Fails invalid_argument "config.<key>" naming the bad key.
core::Result<Config> Load(const std::string& toml_path,
                          const std::function<const char*(const char*)>& getenv);

}  // namespace vault::config
