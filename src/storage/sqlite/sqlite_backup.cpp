#include "storage/sqlite/sqlite_backup.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "storage/migrations.hpp"

namespace vault::storage {
namespace {

using core::Code;
using core::Fail;

// One connection, closed on every path out.
struct Db {
  sqlite3* p = nullptr;
  Db() = default;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db() { Close(); }
  void Close() {
    sqlite3_close(p);
    p = nullptr;
  }
};

core::Error Unavailable(const std::string& what) {
  return core::Error{Code::kUnavailable, "backup.io", "", what};
}

core::Error NotVault(const std::string& path, const std::string& why) {
  return core::Error{Code::kInvalidArgument, "backup.not_vault", "",
                     path + " is not an intact Vault SQLite database: " + why};
}

core::Result<void> Open(Db& db, const std::string& path, int flags) {
  if (sqlite3_open_v2(path.c_str(), &db.p, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK)
    return Fail(Unavailable("cannot open " + path + ": " +
                            (db.p ? sqlite3_errmsg(db.p) : "out of memory")));
  sqlite3_extended_result_codes(db.p, 1);
  return {};
}

// The first column of the first row of `sql` (empty when no row); fails with SQLite's message.
core::Result<std::string> Scalar(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK)
    return Fail(Unavailable(sqlite3_errmsg(db)));
  std::string out;
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    if (text) out = text;
  } else if (rc != SQLITE_DONE) {
    std::string msg = sqlite3_errmsg(db);
    sqlite3_finalize(stmt);
    return Fail(Unavailable(msg));
  }
  sqlite3_finalize(stmt);
  return out;
}

core::Result<void> Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    return Fail(Unavailable(msg));
  }
  return {};
}

// Integrity (quick_check: every page reachable and well-formed, which a truncated file is not),
// then the Vault schema: schema_migrations present, a version this binary can run.
core::Result<std::int64_t> VaultVersionOf(sqlite3* db, const std::string& path) {
  auto check = Scalar(db, "PRAGMA quick_check");
  if (!check) return Fail(NotVault(path, check.error().detail));
  if (*check != "ok") return Fail(NotVault(path, "integrity check: " + *check));
  auto table = Scalar(db,
                      "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
                      "name = 'schema_migrations'");
  if (!table) return Fail(NotVault(path, table.error().detail));
  if (*table != "1") return Fail(NotVault(path, "it has no schema_migrations table"));
  auto version = Scalar(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!version) return Fail(NotVault(path, version.error().detail));
  std::int64_t v = std::stoll(version->empty() ? "0" : *version);
  if (v < 1) return Fail(NotVault(path, "no migration was ever applied to it"));
  if (v > LatestSqliteSchemaVersion())
    return Fail(Code::kFailedPrecondition, "backup.newer_schema",
                path + " has schema version " + std::to_string(v) + ", newer than this binary's " +
                    std::to_string(LatestSqliteSchemaVersion()) +
                    ": restore it with a newer Vault");
  return v;
}

std::string TempBeside(const std::string& path) {
  std::random_device rd;  // uniqueness only: the file is created O_EXCL
  char suffix[24];
  std::snprintf(suffix, sizeof suffix, ".tmp-%08x%08x", rd(), rd());
  return path + suffix;
}

// Creates `path` empty with 0600 (whatever the umask), failing if it exists.
core::Result<void> CreatePrivate(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Fail(Unavailable("cannot create " + path + ": " + std::strerror(errno)));
  ::fchmod(fd, 0600);
  ::close(fd);
  return {};
}

core::Result<void> Fsync(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Fail(Unavailable("cannot open " + path + ": " + std::strerror(errno)));
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return Fail(Unavailable("cannot fsync " + path + ": " + std::strerror(errno)));
  return {};
}

std::string ParentOf(const std::string& path) {
  auto parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

// Moves the complete temporary file to its name: link() when it must not replace anything
// (EEXIST is atomic: no check-then-write race), rename() when it may. Then the folder is
// fsynced so the new name survives a crash.
core::Result<void> Publish(const std::string& tmp, const std::string& dest, bool replace) {
  if (replace) {
    if (::rename(tmp.c_str(), dest.c_str()) != 0)
      return Fail(Unavailable("cannot rename to " + dest + ": " + std::strerror(errno)));
  } else {
    if (::link(tmp.c_str(), dest.c_str()) != 0) {
      int e = errno;
      if (e == EEXIST)
        return Fail(Code::kAlreadyExists, "backup.exists",
                    dest + " already exists (pass --force to replace it)");
      return Fail(Unavailable("cannot create " + dest + ": " + std::strerror(e)));
    }
    ::unlink(tmp.c_str());
  }
  return Fsync(ParentOf(dest), O_RDONLY | O_DIRECTORY);
}

// Removes the temporary file (and any journal SQLite left beside it) unless released.
struct TempFile {
  std::string path;
  ~TempFile() {
    if (path.empty()) return;
    for (const char* s : {"", "-journal", "-wal", "-shm"}) ::unlink((path + s).c_str());
  }
};

std::int64_t DataVersion(sqlite3* db) {
  auto v = Scalar(db, "PRAGMA data_version");
  return v && !v->empty() ? std::stoll(*v) : -1;
}

// Copies src into dst with the backup API (see BackupSqlite for the stepping).
core::Result<void> Copy(sqlite3* src, sqlite3* dst, const SqliteCopyOptions& options,
                        int& restarts) {
  sqlite3_backup* b = sqlite3_backup_init(dst, "main", src, "main");
  if (!b) return Fail(Unavailable(std::string("backup: ") + sqlite3_errmsg(dst)));
  std::int64_t seen = DataVersion(src);
  int busy_waits = 0;
  int rc = SQLITE_OK;
  while (true) {
    int pages = restarts >= options.max_restarts || options.pages_per_step < 1
                    ? -1
                    : options.pages_per_step;
    rc = sqlite3_backup_step(b, pages);
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_OK) {
      if (options.after_step) options.after_step();
      // Another connection committed since the last step: the next step starts over.
      if (std::int64_t v = DataVersion(src); v != seen) {
        seen = v;
        ++restarts;
      }
      continue;
    }
    if ((rc & 0xFF) == SQLITE_BUSY || (rc & 0xFF) == SQLITE_LOCKED) {
      if (++busy_waits > 3000) break;  // 30 s of a locked source: give up
      sqlite3_sleep(10);
      continue;
    }
    break;
  }
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE)
    return Fail(Unavailable(std::string("backup step failed: ") + sqlite3_errstr(rc)));
  if (sqlite3_errcode(dst) != SQLITE_OK)
    return Fail(Unavailable(std::string("backup failed: ") + sqlite3_errmsg(dst)));
  return {};
}

// Copies the open source into a new private temporary file beside `dest`, checks it and leaves
// it closed and fsynced; returns what it holds.
core::Result<SqliteCopyInfo> CopyToTemp(sqlite3* src, const std::string& label,
                                        const SqliteCopyOptions& options, TempFile& tmp) {
  VAULT_TRY(CreatePrivate(tmp.path));
  SqliteCopyInfo info;
  Db dst;
  VAULT_TRY(Open(dst, tmp.path, SQLITE_OPEN_READWRITE));
  VAULT_TRY(Copy(src, dst.p, options, info.restarts));
  // One self-contained file: the WAL flag copied from a live database is cleared. Reopened
  // first: this connection still believes the file it created is in rollback mode.
  dst.Close();
  VAULT_TRY(Open(dst, tmp.path, SQLITE_OPEN_READWRITE));
  VAULT_TRY(Exec(dst.p, "PRAGMA journal_mode=DELETE"));
  VAULT_ASSIGN_OR_RETURN(info.schema_version, VaultVersionOf(dst.p, label));
  VAULT_ASSIGN_OR_RETURN(auto pages, Scalar(dst.p, "PRAGMA page_count"));
  info.pages = std::stoll(pages);
  dst.Close();
  VAULT_TRY(Fsync(tmp.path, O_RDONLY));
  struct stat st {};
  if (::stat(tmp.path.c_str(), &st) == 0) info.bytes = st.st_size;
  return info;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

std::string SqlitePathOf(const std::string& database_url) {
  if (database_url.rfind("sqlite:", 0) != 0) return {};
  std::string path = database_url.substr(7);
  if (path.rfind("//", 0) == 0) path = path.substr(2);
  return path;
}

std::int64_t LatestSqliteSchemaVersion() {
  std::int64_t latest = 0;
  for (const Migration& m : AllMigrations())
    if (std::string_view(m.dialect) == "sqlite" && m.version > latest) latest = m.version;
  return latest;
}

core::Result<std::int64_t> CheckVaultDatabase(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return Fail(Code::kNotFound, "backup.not_found", path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Fail(NotVault(path, "not a regular file"));
  Db db;
  if (auto o = Open(db, path, SQLITE_OPEN_READONLY); !o)
    return Fail(NotVault(path, o.error().detail));
  return VaultVersionOf(db.p, path);
}

core::Result<SqliteCopyInfo> BackupSqlite(const std::string& db_path, const std::string& dest,
                                          const SqliteCopyOptions& options) {
  if (!Exists(db_path))
    return Fail(Code::kNotFound, "backup.no_database", "no database at " + db_path);
  if (!options.force && Exists(dest))
    return Fail(Code::kAlreadyExists, "backup.exists",
                dest + " already exists (pass --force to replace it)");
  Db src;
  // Read-write without create: a WAL reader needs the -shm file, and a missing database must
  // not be created empty.
  VAULT_TRY(Open(src, db_path, SQLITE_OPEN_READWRITE));
  sqlite3_busy_timeout(src.p, 10000);
  TempFile tmp{TempBeside(dest)};
  VAULT_ASSIGN_OR_RETURN(auto info, CopyToTemp(src.p, db_path, options, tmp));
  VAULT_TRY(Publish(tmp.path, dest, options.force));
  tmp.path.clear();
  info.path = dest;
  return info;
}

core::Result<SqliteCopyInfo> RestoreSqlite(
    const std::string& backup, const std::string& db_path, const SqliteCopyOptions& options,
    const std::function<core::Result<void>(const std::string&)>& before_rename) {
  VAULT_TRY(CheckVaultDatabase(backup));
  Db current;
  if (Exists(db_path)) {
    if (!options.force)
      return Fail(Code::kAlreadyExists, "restore.exists",
                  "a database already exists at " + db_path +
                      " (stop the server and pass --force to replace it)");
    // Exclusive locking mode needs every other connection closed (a server keeps its pool
    // open, idle or not), and keeps the lock until this connection closes.
    VAULT_TRY(Open(current, db_path, SQLITE_OPEN_READWRITE));
    if (!Exec(current.p, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;"))
      return Fail(Code::kFailedPrecondition, "restore.in_use",
                  db_path + " is in use (is a server running on it?): stop it first");
  } else {
    std::error_code ec;
    auto parent = std::filesystem::path(db_path).parent_path();
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
      std::filesystem::create_directories(parent, ec);
      std::filesystem::permissions(parent, std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::replace, ec);
    }
  }
  Db src;
  VAULT_TRY(Open(src, backup, SQLITE_OPEN_READONLY));
  TempFile tmp{TempBeside(db_path)};
  VAULT_ASSIGN_OR_RETURN(auto info, CopyToTemp(src.p, backup, options, tmp));
  src.Close();
  if (before_rename) {
    VAULT_TRY(before_rename(tmp.path));
    VAULT_TRY(Fsync(tmp.path, O_RDONLY));
  }
  // The old database's WAL must not be replayed onto the restored file: its last connection
  // (ours) checkpoints and removes it on close; whatever is left goes before the rename.
  current.Close();
  for (const char* s : {"-wal", "-shm", "-journal"}) ::unlink((db_path + s).c_str());
  VAULT_TRY(Publish(tmp.path, db_path, true));
  tmp.path.clear();
  info.path = db_path;
  return info;
}

}  // namespace vault::storage
