#include "storage/open_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "storage/migrations.hpp"
#include "storage/pooled_store.hpp"
#include "storage/postgres/pg_change_signal.hpp"
#include "storage/postgres/pg_conn.hpp"
#include "storage/sqlite/sqlite_conn.hpp"

namespace vault::storage {
namespace {

// Arbitrary constant naming the migration advisory lock across all Vault processes.
constexpr const char* kPgBeginLocked = "BEGIN; SELECT pg_advisory_xact_lock(7031164522)";

template <typename Open>
core::Result<std::vector<std::unique_ptr<SqlConn>>> OpenPool(int size, Open open) {
  std::vector<std::unique_ptr<SqlConn>> conns;
  for (int i = 0; i < size; ++i) {
    VAULT_ASSIGN_OR_RETURN(auto c, open());
    conns.push_back(std::move(c));
  }
  return conns;
}

// The database holds every hash, sealed secret and audit event: its folder is created 0700 and
// the file 0600, whatever the umask. SQLite gives the -wal and -shm files the database file's
// permissions, so they are 0600 too. An existing file is left as the operator set it.
core::Result<void> CreatePrivateDatabaseFile(const std::string& path) {
  if (path == ":memory:" || path.rfind("file:", 0) == 0) return {};
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::is_directory(parent, ec)) {
    fs::create_directories(parent, ec);
    fs::permissions(parent, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return core::Fail(core::Code::kUnavailable, "storage.unavailable",
                      "cannot create the SQLite database " + path + ": " + std::strerror(errno));
  ::close(fd);
  return {};
}

}  // namespace

core::Result<OpenedStore> OpenStore(const std::string& url, int pool_size, bool migrate) {
  OpenedStore out;
  TxStatements statements;
  std::string begin_locked;
  std::function<core::Result<std::unique_ptr<SqlConn>>()> open;
  if (url.rfind("sqlite:", 0) == 0) {
    std::string path = url.substr(7);
    if (path.rfind("//", 0) == 0) path = path.substr(2);
    if (path.empty())
      return core::Fail(core::Code::kInvalidArgument, "config.database", "empty SQLite path");
    VAULT_TRY(CreatePrivateDatabaseFile(path));
    out.dialect = "sqlite";
    statements = {"BEGIN IMMEDIATE", "BEGIN", true, true};
    begin_locked = "BEGIN IMMEDIATE";
    open = [path]() -> core::Result<std::unique_ptr<SqlConn>> {
      VAULT_ASSIGN_OR_RETURN(auto c, SqliteConn::Open(path));
      return std::unique_ptr<SqlConn>(std::move(c));
    };
  } else if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    out.dialect = "postgres";
    statements = {"BEGIN ISOLATION LEVEL READ COMMITTED", "BEGIN READ ONLY", false};
    begin_locked = kPgBeginLocked;
    open = [url]() -> core::Result<std::unique_ptr<SqlConn>> {
      VAULT_ASSIGN_OR_RETURN(auto c, PgConn::Open(url));
      return std::unique_ptr<SqlConn>(std::move(c));
    };
  } else {
    return core::Fail(core::Code::kInvalidArgument, "config.database",
                      "VAULT_DATABASE must start with sqlite: or postgresql://");
  }
  VAULT_ASSIGN_OR_RETURN(auto conns, OpenPool(pool_size < 1 ? 1 : pool_size, open));
  if (migrate) {
    VAULT_ASSIGN_OR_RETURN(auto applied,
                           ApplyMigrations(*conns.front(), out.dialect, begin_locked));
    out.migrations_applied = applied;
  }
  out.store = std::make_unique<PooledStore>(std::move(conns), statements);
  return out;
}

std::unique_ptr<core::ChangeSignal> OpenChangeSignal(const std::string& url) {
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0)
    return std::make_unique<PgChangeSignal>(url);
  return nullptr;
}

}  // namespace vault::storage
