#include "config/config.hpp"

#include <toml++/toml.h>

#include <charconv>
#include <cstring>

namespace vault::config {
namespace {

core::Error Bad(const std::string& key, const std::string& detail) {
  return core::Error{core::Code::kInvalidArgument, "config." + key, key, detail};
}

template <typename T>
core::Result<void> ParseNumber(const std::string& key, const std::string& text, T& out) {
  T v{};
  auto [p, ec] =
      std::from_chars(text.data(), text.data() + text.size(), v);  // doubles too (g++ 12)
  if (ec != std::errc() || p != text.data() + text.size() || v < 0)
    return core::Fail(Bad(key, key + " must be a non-negative whole number"));
  out = v;
  return {};
}

bool ParseBool(const std::string& s) { return s == "1" || s == "true" || s == "yes" || s == "on"; }

// One setting: its TOML key, its environment variable, and where it goes.
struct Field {
  const char* toml;
  const char* env;
  std::function<core::Result<void>(const std::string&)> set;
};

std::vector<Field> Fields(Config& c) {
  auto str = [](std::string& dst) {
    return [&dst](const std::string& v) -> core::Result<void> {
      dst = v;
      return {};
    };
  };
  auto num = [](const char* key, auto& dst) {
    return [key, &dst](const std::string& v) { return ParseNumber(key, v, dst); };
  };
  // Strict on/off: a typo must not quietly turn a protection (or a feature) off.
  auto on_off = [](const char* key, bool& dst) {
    return [key, &dst](const std::string& v) -> core::Result<void> {
      if (v == "1" || v == "true" || v == "yes" || v == "on") {
        dst = true;
      } else if (v == "0" || v == "false" || v == "no" || v == "off") {
        dst = false;
      } else {
        return core::Fail(Bad(key, std::string(key) + " must be on or off (true/false, 1/0)"));
      }
      return {};
    };
  };
  return {
      {"listen", "VAULT_LISTEN", str(c.listen)},
      {"public_url", "VAULT_PUBLIC_URL", str(c.public_url)},
      {"database", "VAULT_DATABASE", str(c.database)},
      {"smtp_url", "VAULT_SMTP_URL", str(c.smtp_url)},
      {"smtp_tls", "VAULT_SMTP_TLS", str(c.smtp_tls)},
      {"mail_outbox", "VAULT_MAIL_OUTBOX", str(c.mail_outbox)},
      {"mail_from", "VAULT_MAIL_FROM", str(c.mail_from)},
      {"mail_max_attempts", "VAULT_MAIL_MAX_ATTEMPTS",
       num("mail_max_attempts", c.mail_max_attempts)},
      {"mail_retry_base_seconds", "VAULT_MAIL_RETRY_BASE_SECONDS",
       num("mail_retry_base_seconds", c.mail_retry_base_seconds)},
      {"mail_retry_max_seconds", "VAULT_MAIL_RETRY_MAX_SECONDS",
       num("mail_retry_max_seconds", c.mail_retry_max_seconds)},
      {"mail_poll_seconds", "VAULT_MAIL_POLL_SECONDS",
       num("mail_poll_seconds", c.mail_poll_seconds)},
      {"mail_claim_seconds", "VAULT_MAIL_CLAIM_SECONDS",
       num("mail_claim_seconds", c.mail_claim_seconds)},
      {"secret_file", "VAULT_SECRET_FILE", str(c.secret_file)},
      {"console_dir", "VAULT_CONSOLE_DIR", str(c.console_dir)},
      {"trusted_proxies", "VAULT_TRUSTED_PROXIES", str(c.trusted_proxies)},
      {"tls_cert_file", "VAULT_TLS_CERT_FILE", str(c.tls_cert_file)},
      {"tls_key_file", "VAULT_TLS_KEY_FILE", str(c.tls_key_file)},
      {"retention_interval_seconds", "VAULT_RETENTION_INTERVAL_SECONDS",
       num("retention_interval_seconds", c.retention_interval_seconds)},
      {"invitation_retention_days", "VAULT_INVITATION_RETENTION_DAYS",
       num("invitation_retention_days", c.invitation_retention_days)},
      {"webhook_id_retention_days", "VAULT_WEBHOOK_ID_RETENTION_DAYS",
       num("webhook_id_retention_days", c.webhook_id_retention_days)},
      {"audit_retention_days", "VAULT_AUDIT_RETENTION_DAYS",
       num("audit_retention_days", c.audit_retention_days)},
      {"dev", "VAULT_DEV",
       [&c](const std::string& v) -> core::Result<void> {
         c.dev = ParseBool(v);
         return {};
       }},
      {"super_admin_require_2fa", "VAULT_SUPER_ADMIN_REQUIRE_2FA",
       on_off("super_admin_require_2fa", c.super_admin_require_2fa)},
      {"change_notify", "VAULT_CHANGE_NOTIFY", on_off("change_notify", c.change_notify)},
      {"huge_pages", "VAULT_HUGE_PAGES", on_off("huge_pages", c.huge_pages)},
      {"http_threads", "VAULT_HTTP_THREADS", num("http_threads", c.http_threads)},
      {"db_pool_size", "VAULT_DB_POOL_SIZE", num("db_pool_size", c.db_pool_size)},
      {"hash_threads", "VAULT_HASH_THREADS", num("hash_threads", c.hash_threads)},
      {"hash_queue_limit", "VAULT_HASH_QUEUE_LIMIT", num("hash_queue_limit", c.hash_queue_limit)},
      {"blocking_queue_limit", "VAULT_BLOCKING_QUEUE_LIMIT",
       num("blocking_queue_limit", c.blocking_queue_limit)},
      {"blocking_queue_timeout_ms", "VAULT_BLOCKING_QUEUE_TIMEOUT_MS",
       num("blocking_queue_timeout_ms", c.blocking_queue_timeout_ms)},
      {"drain_seconds", "VAULT_DRAIN_SECONDS", num("drain_seconds", c.drain_seconds)},
      {"hash_max_wait_ms", "VAULT_HASH_MAX_WAIT_MS", num("hash_max_wait_ms", c.hash_max_wait_ms)},
      {"argon2_memory_kib", "VAULT_ARGON2_MEMORY_KIB",
       num("argon2_memory_kib", c.argon2_memory_kib)},
      {"argon2_passes", "VAULT_ARGON2_PASSES", num("argon2_passes", c.argon2_passes)},
      {"password_min_length", "VAULT_PASSWORD_MIN_LENGTH",
       num("password_min_length", c.password_min_length)},
      {"session_idle_seconds", "VAULT_SESSION_IDLE_SECONDS",
       num("session_idle_seconds", c.session_idle_seconds)},
      {"mfa_reset_grace_seconds", "VAULT_MFA_RESET_GRACE_SECONDS",
       num("mfa_reset_grace_seconds", c.mfa_reset_grace_seconds)},
      {"session_absolute_seconds", "VAULT_SESSION_ABSOLUTE_SECONDS",
       num("session_absolute_seconds", c.session_absolute_seconds)},
      {"body_limit_bytes", "VAULT_BODY_LIMIT_BYTES", num("body_limit_bytes", c.body_limit_bytes)},
      {"max_connections", "VAULT_MAX_CONNECTIONS", num("max_connections", c.max_connections)},
      {"header_timeout_seconds", "VAULT_HEADER_TIMEOUT_SECONDS",
       num("header_timeout_seconds", c.header_timeout_seconds)},
      {"body_timeout_seconds", "VAULT_BODY_TIMEOUT_SECONDS",
       num("body_timeout_seconds", c.body_timeout_seconds)},
      {"ip_rate_per_second", "VAULT_IP_RATE_PER_SECOND",
       num("ip_rate_per_second", c.ip_rate_per_second)},
      {"ip_burst", "VAULT_IP_BURST", num("ip_burst", c.ip_burst)},
      {"clock_offset_file", "VAULT_CLOCK_OFFSET_FILE", str(c.clock_offset_file)},
      {"chargebee_webhook_user", "VAULT_CHARGEBEE_WEBHOOK_USER", str(c.chargebee_webhook_user)},
      {"chargebee_webhook_password", "VAULT_CHARGEBEE_WEBHOOK_PASSWORD",
       str(c.chargebee_webhook_password)},
      {"chargebee_site", "VAULT_CHARGEBEE_SITE", str(c.chargebee_site)},
      {"chargebee_api_url", "VAULT_CHARGEBEE_API_URL", str(c.chargebee_api_url)},
      {"chargebee_api_key", "VAULT_CHARGEBEE_API_KEY", str(c.chargebee_api_key)},
      {"chargebee_reconcile_seconds", "VAULT_CHARGEBEE_RECONCILE_SECONDS",
       num("chargebee_reconcile_seconds", c.chargebee_reconcile_seconds)},
      {"api_key_cache", "VAULT_API_KEY_CACHE", num("api_key_cache", c.api_key_cache)},
      {"cache_mb", "VAULT_CACHE_MB", num("cache_mb", c.cache_mb)},
      {"key_usage_flush_ms", "VAULT_KEY_USAGE_FLUSH_MS",
       num("key_usage_flush_ms", c.key_usage_flush_ms)},
      {"oauth_access_token_seconds", "VAULT_OAUTH_ACCESS_TOKEN_SECONDS",
       num("oauth_access_token_seconds", c.oauth_access_token_seconds)},
  };
}

// A PostgreSQL URL whose TLS is left to libpq's default (sslmode=prefer: TLS when offered, else
// clear text, so a man in the middle can strip it) while a host is not this machine. Returns the
// first such host, or "" when the URL sets sslmode, PGSSLMODE is set, or every host is local.
std::string RemotePostgresHostWithoutSslmode(const std::string& url, const char* pgsslmode) {
  bool pg = url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
  if (!pg || url.find("sslmode=") != std::string::npos || (pgsslmode && *pgsslmode)) return "";
  std::string rest = url.substr(url.find("://") + 3);
  std::string hosts = rest.substr(0, rest.find_first_of("/?"));
  if (auto at = hosts.rfind('@'); at != std::string::npos) hosts = hosts.substr(at + 1);
  // Hosts may also come as ?host=…&hostaddr=… parameters.
  for (const char* key : {"host=", "hostaddr="}) {
    for (auto p = rest.find(key); p != std::string::npos; p = rest.find(key, p + 1)) {
      if (p == 0 || (rest[p - 1] != '?' && rest[p - 1] != '&')) continue;
      std::size_t from = p + std::strlen(key);
      hosts += "," + rest.substr(from, rest.find('&', from) - from);
    }
  }
  for (std::size_t start = 0; start <= hosts.size();) {
    std::size_t comma = hosts.find(',', start);
    std::string host = hosts.substr(start, comma == std::string::npos ? comma : comma - start);
    if (host.rfind('[', 0) == 0)
      host = host.substr(1, host.find(']') - 1);  // [::1]:5432
    else if (host.rfind('/', 0) != 0)
      host = host.substr(0, host.find(':'));
    // No host, or a path (%2F-encoded or not), is the local Unix socket.
    bool local = host.empty() || host[0] == '/' || host.rfind("%2F", 0) == 0 ||
                 host.rfind("%2f", 0) == 0 || host == "localhost" || host == "::1" ||
                 host.rfind("127.", 0) == 0;
    if (!local) return host;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return "";
}

// Whether an http:// URL names this machine (127.0.0.0/8, ::1, localhost): the only place a
// clear-text API call cannot be read or changed on the way.
bool IsLoopbackHttpUrl(const std::string& url) {
  if (url.rfind("http://", 0) != 0) return false;
  std::string authority = url.substr(7, url.find_first_of("/?#", 7) - 7);
  if (authority.find('@') != std::string::npos) return false;
  std::string host;
  if (authority.rfind('[', 0) == 0) {
    auto close = authority.find(']');
    if (close == std::string::npos) return false;
    host = authority.substr(1, close - 1);
  } else {
    host = authority.substr(0, authority.find(':'));
  }
  if (host == "localhost" || host == "::1") return true;
  if (host.rfind("127.", 0) != 0) return false;
  return host.find_first_not_of("0123456789.") == std::string::npos;
}

}  // namespace

core::Result<Config> Load(const std::string& toml_path,
                          const std::function<const char*(const char*)>& getenv) {
  Config c;
  auto fields = Fields(c);
  if (!toml_path.empty()) {
    toml::table table;
    try {
      table = toml::parse_file(toml_path);
    } catch (const toml::parse_error& e) {
      return core::Fail(Bad(
          "file", std::string("cannot read ") + toml_path + ": " + std::string(e.description())));
    }
    for (const Field& f : fields) {
      const toml::node* node = table.get(f.toml);
      if (!node) continue;
      std::string text;
      if (auto s = node->value<std::string>())
        text = *s;
      else if (auto i = node->value<std::int64_t>())
        text = std::to_string(*i);
      else if (auto b = node->value<bool>())
        text = *b ? "true" : "false";
      else
        return core::Fail(Bad(f.toml, std::string(f.toml) + " has an unsupported type"));
      VAULT_TRY(f.set(text));
    }
  }
  for (const Field& f : fields) {
    const char* v = getenv(f.env);
    if (v == nullptr) continue;
    VAULT_TRY(f.set(v));
  }
  if (const char* v = getenv("VAULT_SECRET"); v && *v) {
    // Two sources of keys would leave which one counts to a precedence rule nobody remembers.
    if (const char* f = getenv("VAULT_SECRET_FILE"); f && *f)
      return core::Fail(Bad("secret", "set VAULT_SECRET or VAULT_SECRET_FILE, not both"));
    c.secret = v;
  }
  if (c.argon2_memory_kib < 8 || c.argon2_passes < 1)
    return core::Fail(Bad("argon2_memory_kib", "argon2 needs at least 8 KiB and 1 pass"));
  if (c.db_pool_size < 1) return core::Fail(Bad("db_pool_size", "db_pool_size must be at least 1"));
  if (c.max_connections < 1)
    return core::Fail(Bad("max_connections", "max_connections must be at least 1"));
  if (c.blocking_queue_limit < 0)
    return core::Fail(Bad("blocking_queue_limit", "blocking_queue_limit must not be negative"));
  if (c.blocking_queue_timeout_ms < 1)
    return core::Fail(
        Bad("blocking_queue_timeout_ms", "blocking_queue_timeout_ms must be at least 1"));
  if (c.drain_seconds < 0 || c.drain_seconds > 3600)
    return core::Fail(Bad("drain_seconds", "drain_seconds must be between 0 and 3600"));
  if (c.header_timeout_seconds < 1 || c.body_timeout_seconds < 1)
    return core::Fail(
        Bad(c.header_timeout_seconds < 1 ? "header_timeout_seconds" : "body_timeout_seconds",
            "read timeouts must be at least 1 second"));
  if (c.api_key_cache < 1)
    return core::Fail(Bad("api_key_cache", "api_key_cache must be at least 1"));
  if (c.cache_mb < 1 || c.cache_mb > (std::size_t{1} << 24))
    return core::Fail(Bad("cache_mb", "cache_mb must be between 1 and 16777216 (16 TiB)"));
  if (c.key_usage_flush_ms < 10)
    return core::Fail(Bad("key_usage_flush_ms", "key_usage_flush_ms must be at least 10"));
  // Bounded: a JWT cannot be recalled before it expires, so a long lifetime is a long risk.
  if (c.oauth_access_token_seconds < 60 || c.oauth_access_token_seconds > 86400)
    return core::Fail(
        Bad("oauth_access_token_seconds", "oauth_access_token_seconds must be 60 to 86400"));
  if (c.retention_interval_seconds < 0 || c.invitation_retention_days < 0 ||
      c.webhook_id_retention_days < 1)
    return core::Fail(Bad("retention_interval_seconds",
                          "retention settings cannot be negative, and webhook ids are kept at "
                          "least a day (the provider retries)"));
  if (c.tls_cert_file.empty() != c.tls_key_file.empty())
    return core::Fail(Bad(c.tls_cert_file.empty() ? "tls_cert_file" : "tls_key_file",
                          "native TLS needs both tls_cert_file and tls_key_file"));
  if (c.audit_retention_days < 0)
    return core::Fail(Bad("audit_retention_days",
                          "audit_retention_days cannot be negative (0 keeps the audit log)"));
  for (auto [key, value] : {std::pair{"mail_max_attempts", c.mail_max_attempts},
                            std::pair{"mail_retry_base_seconds", c.mail_retry_base_seconds},
                            std::pair{"mail_poll_seconds", c.mail_poll_seconds},
                            std::pair{"mail_claim_seconds", c.mail_claim_seconds}})
    if (value < 1) return core::Fail(Bad(key, std::string(key) + " must be at least 1"));
  if (c.mail_retry_max_seconds < c.mail_retry_base_seconds)
    return core::Fail(Bad("mail_retry_max_seconds",
                          "mail_retry_max_seconds must be at least mail_retry_base_seconds"));
  if (c.password_min_length < 8)
    return core::Fail(Bad("password_min_length", "NIST 800-63B requires at least 8 characters"));
  // Another scheme would make libcurl upload the mail over some other protocol.
  if (!c.smtp_url.empty() && c.smtp_url.rfind("smtp://", 0) != 0 &&
      c.smtp_url.rfind("smtps://", 0) != 0)
    return core::Fail(Bad("smtp_url", "smtp_url must start with smtp:// or smtps://"));
  if (c.smtp_tls != "required" && c.smtp_tls != "off")
    return core::Fail(Bad("smtp_tls", "smtp_tls must be required or off"));
  // Like SMTP: no silent fallback to clear text for the database on another machine.
  if (auto host = RemotePostgresHostWithoutSslmode(c.database, getenv("PGSSLMODE")); !host.empty())
    return core::Fail(Bad("database", "the PostgreSQL server " + host +
                                          " is not local: set sslmode in the URL (verify-full "
                                          "recommended; disable only on a trusted network)"));
  while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
  if (!c.chargebee_site.empty() &&
      c.chargebee_site.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") !=
          std::string::npos)
    return core::Fail(
        Bad("chargebee_site", "chargebee_site is the site name: lower-case letters, digits and -"));
  if (c.chargebee_api_url.empty() && !c.chargebee_site.empty())
    c.chargebee_api_url = "https://" + c.chargebee_site + ".chargebee.com/api/v2";
  // The API key travels with every request: clear text only to this machine.
  if (!c.chargebee_api_url.empty() && c.chargebee_api_url.rfind("https://", 0) != 0 &&
      !IsLoopbackHttpUrl(c.chargebee_api_url))
    return core::Fail(Bad("chargebee_api_url",
                          "chargebee_api_url must start with https:// (http:// only for a "
                          "loopback host)"));
  while (!c.chargebee_api_url.empty() && c.chargebee_api_url.back() == '/')
    c.chargebee_api_url.pop_back();
  return c;
}

}  // namespace vault::config
