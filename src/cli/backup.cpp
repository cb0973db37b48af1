#include "cli/backup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "app/audit_log.hpp"
#include "cli/runtime.hpp"
#include "core/encoding.hpp"
#include "crypto/keyring.hpp"
#include "crypto/sodium.hpp"
#include "storage/sqlite/sqlite_backup.hpp"

namespace vault::cli {
namespace {

constexpr const char* kPgBackup =
    "With PostgreSQL, back up with pg_dump and keep the secret file with the dump:\n"
    "  umask 077  # the dump holds every hash and sealed secret\n"
    "  pg_dump --format=custom --file=vault.dump \"$VAULT_DATABASE\"\n"
    "  install -m 0600 \"$VAULT_SECRET_FILE\" vault.dump.secret\n"
    "(docs/backup.md: consistent while servers run; the dump is useless without the secret)\n";
constexpr const char* kPgRestore =
    "With PostgreSQL, stop every server, then restore into an empty database with pg_restore\n"
    "and put the dump's secret file back on every node:\n"
    "  pg_restore --no-owner --exit-on-error --single-transaction \\\n"
    "    --dbname=\"$VAULT_DATABASE\" vault.dump\n"
    "  install -m 0600 vault.dump.secret \"$VAULT_SECRET_FILE\"\n"
    "  atomyx-vault audit verify\n"
    "(docs/backup.md)\n";

bool IsPostgres(const std::string& url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

int Refuse(const char* command, const std::string& why) {
  std::fprintf(stderr, "atomyx-vault %s: %s\n", command, why.c_str());
  return 1;
}

// Writes `content` to `dest` with 0600 through a fsynced temporary file; link() (never
// replacing) unless `replace`. The content is a secret: it is not part of any message.
core::Result<void> WritePrivate(const std::string& dest, const std::string& content, bool replace) {
  std::string tmp = dest + ".tmp-" + std::to_string(::getpid());
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return core::Fail(core::Code::kUnavailable, "backup.io",
                      "cannot create " + tmp + ": " + std::strerror(errno));
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  int err = errno;
  if (ok) {
    if (replace) {
      ok = ::rename(tmp.c_str(), dest.c_str()) == 0;
      err = errno;
    } else {
      ok = ::link(tmp.c_str(), dest.c_str()) == 0;
      err = errno;
    }
  }
  ::unlink(tmp.c_str());
  if (!ok)
    return core::Fail(err == EEXIST ? core::Code::kAlreadyExists : core::Code::kUnavailable,
                      "backup.io", "cannot write " + dest + ": " + std::strerror(err));
  return {};
}

// The keyring of the file at `path`; never creates one.
core::Result<crypto::Keyring> ReadSecret(const std::string& path) {
  return crypto::ReadKeyringFile(path);
}

// The keyring this node runs with: VAULT_SECRET, else the secret file.
core::Result<crypto::Keyring> CurrentKeyring(const config::Config& cfg) {
  if (!cfg.secret.empty()) return crypto::Keyring::Parse(cfg.secret, "VAULT_SECRET", true);
  return ReadSecret(cfg.secret_file);
}

// The audit chain of the database at `path` checked with `keyring`: every event is keyed by one
// of its keys, so a chain that verifies proves the keyring is the one the database was written
// with.
core::Result<app::ChainReport> VerifyChain(const std::string& path, const crypto::Keyring& keyring,
                                           const config::Config& cfg) {
  if (!crypto::InitSodium())
    return core::Fail(core::Code::kInternal, "crypto.init", "libsodium failed to initialise");
  // Migrations bring an older backup to this binary's schema before it is checked.
  VAULT_ASSIGN_OR_RETURN(auto opened, storage::OpenStore("sqlite:" + path, 1, true));
  crypto::KeyringHasher hasher(keyring);
  crypto::SodiumRandom random;
  SystemClock clock(cfg.clock_offset_file);
  app::AuditLog log(hasher, random, clock);
  return log.Verify(*opened.store);
}

// The SQLite file of the configuration into `db` (0); with PostgreSQL the documented procedure
// is printed (2); any other URL is refused (1).
int SqliteDatabase(const config::Config& cfg, const char* command, const char* procedure,
                   std::string& db) {
  if (IsPostgres(cfg.database)) {
    std::fprintf(stderr,
                 "atomyx-vault %s: VAULT_DATABASE is PostgreSQL; this command handles SQLite "
                 "only.\n%s",
                 command, procedure);
    return 2;
  }
  db = storage::SqlitePathOf(cfg.database);
  return db.empty() ? Refuse(command, "VAULT_DATABASE must be sqlite:<path>") : 0;
}

}  // namespace

int Backup(const config::Config& cfg, const std::string& file, const BackupFlags& flags) {
  std::string db;
  if (int rc = SqliteDatabase(cfg, "backup", kPgBackup, db); rc != 0) return rc;
  std::string secret_dest = file + ".secret";
  crypto::Keyring secret;
  if (!flags.no_secret) {
    // With VAULT_SECRET, the backup's secret file holds the same keys in the file form.
    auto s = CurrentKeyring(cfg);
    if (!s)
      return Refuse("backup", s.error().detail +
                                  " (VAULT_SECRET_FILE): the database is useless without it; "
                                  "pass --no-secret if it is kept elsewhere");
    secret = std::move(*s);
    if (!flags.force && Exists(secret_dest))
      return Refuse("backup", secret_dest + " already exists (pass --force to replace it)");
  }
  storage::SqliteCopyOptions options;
  options.force = flags.force;
  options.pages_per_step = flags.step_pages;
  auto info = storage::BackupSqlite(db, file, options);
  if (!info) return Refuse("backup", info.error().detail);
  if (!flags.no_secret) {
    if (auto w = WritePrivate(secret_dest, secret.Text(), flags.force); !w) {
      ::unlink(file.c_str());  // a database without its secret is no backup
      return Refuse("backup", w.error().detail + "; the database copy was removed");
    }
  }
  std::printf("backup written: %s (%lld bytes, %lld pages, schema version %lld, mode 0600)\n",
              info->path.c_str(), static_cast<long long>(info->bytes),
              static_cast<long long>(info->pages), static_cast<long long>(info->schema_version));
  if (info->restarts > 0)
    std::printf("the copy started over %d time(s) because the server wrote meanwhile\n",
                info->restarts);
  if (flags.no_secret)
    std::printf(
        "secret file NOT copied (--no-secret): restoring needs %s as it is now; keep it safe\n",
        cfg.secret_file.c_str());
  else
    std::printf(
        "secret file copied: %s (mode 0600); the database is useless without it and it opens "
        "every session, key and TOTP seed in it: store both as securely as each other\n",
        secret_dest.c_str());
  return 0;
}

int Restore(const config::Config& cfg, const std::string& file, const BackupFlags& flags) {
  std::string db;
  if (int rc = SqliteDatabase(cfg, "restore", kPgRestore, db); rc != 0) return rc;
  if (auto v = storage::CheckVaultDatabase(file); !v) return Refuse("restore", v.error().detail);
  // Which secret the restored database will run with: the backup's, else the current one.
  std::string secret_src = file + ".secret";
  bool from_backup = Exists(secret_src);
  auto secret = from_backup ? ReadSecret(secret_src) : CurrentKeyring(cfg);
  if (!secret)
    return Refuse("restore", secret.error().detail +
                                 ": the secret file the backup was written with is needed");
  bool install = false;
  if (from_backup) {
    bool have_current = !cfg.secret.empty() || Exists(cfg.secret_file);
    auto current = have_current ? CurrentKeyring(cfg) : core::Result<crypto::Keyring>(*secret);
    if (!current) return Refuse("restore", current.error().detail);
    install = !(*current == *secret);  // ct-ok: Keyring::operator== compares keys in constant time
    // The variable cannot be rewritten from here: the operator sets it to the backup's keyring.
    if (install && !cfg.secret.empty())
      return Refuse("restore", "VAULT_SECRET differs from " + secret_src +
                                   ": set VAULT_SECRET to that file's keys (or unset it and use "
                                   "VAULT_SECRET_FILE), then restore again");
    install = install || !have_current;
    if (install && have_current && !flags.force)
      return Refuse("restore", "VAULT_SECRET_FILE " + cfg.secret_file + " differs from " +
                                   secret_src + " (pass --force to replace it; the current one " +
                                   "is kept as " + cfg.secret_file + ".before-restore)");
  }
  app::ChainReport report;
  storage::SqliteCopyOptions options;
  options.force = flags.force;
  auto info = storage::RestoreSqlite(
      file, db, options, [&](const std::string& temp_copy) -> core::Result<void> {
        VAULT_ASSIGN_OR_RETURN(report, VerifyChain(temp_copy, *secret, cfg));
        if (!report.ok)
          return core::Fail(core::Code::kFailedPrecondition, "restore.audit",
                            "the backup's audit chain does not verify with " +
                                (from_backup ? secret_src : cfg.secret_file) + " at event " +
                                std::to_string(report.first_broken_seq) + " (" + report.problem +
                                "): wrong secret file, or an edited backup");
        return {};
      });
  if (!info) return Refuse("restore", info.error().detail + "; nothing was changed");
  std::string secret_note = from_backup ? "unchanged (same as " + secret_src + ")"
                                        : "unchanged (no " + secret_src + " beside the backup)";
  if (install) {
    if (auto old = ReadSecret(cfg.secret_file); old)
      (void)WritePrivate(cfg.secret_file + ".before-restore", old->Text(),
                         true);  // best effort: the old secret is kept aside
    std::error_code ec;          // the folder may be missing in a fresh data directory
    std::filesystem::create_directories(std::filesystem::path(cfg.secret_file).parent_path(), ec);
    if (auto w = WritePrivate(cfg.secret_file, secret->Text(), true); !w)
      return Refuse("restore", "the database was restored but " + w.error().detail + ": copy " +
                                   secret_src + " to VAULT_SECRET_FILE by hand");
    secret_note = "installed from " + secret_src;
  }
  std::printf("restored: %s into %s (%lld bytes, %lld pages, schema version %lld)\n", file.c_str(),
              info->path.c_str(), static_cast<long long>(info->bytes),
              static_cast<long long>(info->pages), static_cast<long long>(info->schema_version));
  std::printf("secret file %s: %s\n", cfg.secret_file.c_str(), secret_note.c_str());
  std::printf("audit chain ok: %lld events\n", static_cast<long long>(report.events));
  return 0;
}

}  // namespace vault::cli
