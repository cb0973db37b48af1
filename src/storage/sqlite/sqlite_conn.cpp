#include "storage/sqlite/sqlite_conn.hpp"

#include <sqlite3.h>

#include <cstdlib>

namespace vault::storage {

core::Result<std::unique_ptr<SqliteConn>> SqliteConn::Open(const std::string& path) {
  // Before SQLite's first use: without memory statistics its allocator takes no process-wide
  // mutex, which every connection of the pool otherwise contends on for each malloc.
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);  // SQLITE_MISUSE if already initialised: harmless
    return true;
  }();
  (void)configured;
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return core::Fail(core::Code::kUnavailable, "storage.unavailable",
                      "cannot open SQLite database " + path + ": " + msg);
  }
  std::unique_ptr<SqliteConn> conn(new SqliteConn(db));
  sqlite3_busy_timeout(db, 10000);
  // WAL lets readers run beside the writer; synchronous=FULL makes every COMMIT durable before
  // the API acknowledges it (NORMAL could lose the last commits on power loss).
  auto r = conn->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
  if (!r) return core::Fail(r.error());
  return conn;
}

SqliteConn::~SqliteConn() {
  for (auto& [sql, prepared] : cache_) sqlite3_finalize(prepared.stmt);
  sqlite3_close(db_);
}

core::Error SqliteConn::LastError(const char* what) const {
  int code = sqlite3_extended_errcode(db_);
  std::string msg = std::string(what) + ": " + sqlite3_errmsg(db_);
  if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
    return core::Error{core::Code::kAlreadyExists, "storage.unique_violation", "", msg};
  if ((code & 0xFF) == SQLITE_BUSY || (code & 0xFF) == SQLITE_LOCKED)
    return core::Error{core::Code::kUnavailable, "storage.busy", "", msg};
  return core::Error{core::Code::kInternal, "storage.error", "", msg};
}

core::Result<std::vector<SqlRow>> SqliteConn::Query(std::string_view sql,
                                                    const std::vector<SqlValue>& params) {
  std::string key(sql);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    Prepared p;
    if (sqlite3_prepare_v3(db_, key.c_str(), static_cast<int>(key.size()),
                           SQLITE_PREPARE_PERSISTENT, &p.stmt, nullptr) != SQLITE_OK)
      return core::Fail(LastError("prepare"));
    // Parameters are named "$1", "$2"…: bound by name, so their order in the text does not
    // matter. Each name's index is looked up here, once per statement text.
    const int count = sqlite3_bind_parameter_count(p.stmt);
    for (int idx = 1; idx <= count; ++idx) {
      const char* name = sqlite3_bind_parameter_name(p.stmt, idx);
      if (!name || name[0] != '$') continue;
      char* end = nullptr;
      const long n = std::strtol(name + 1, &end, 10);
      if (*end != '\0' || n < 1 || n > 65535) continue;  // not "$<number>": never bound
      if (p.slot.size() < static_cast<std::size_t>(n))
        p.slot.resize(static_cast<std::size_t>(n), 0);
      p.slot[static_cast<std::size_t>(n - 1)] = idx;
    }
    it = cache_.emplace(key, std::move(p)).first;
  }
  sqlite3_stmt* stmt = it->second.stmt;
  const std::vector<int>& slot = it->second.slot;
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int idx = i < slot.size() ? slot[i] : 0;
    if (idx == 0) continue;  // parameter unused by this statement
    const SqlValue& v = params[i];
    int rc = SQLITE_OK;
    if (std::holds_alternative<std::monostate>(v)) {
      rc = sqlite3_bind_null(stmt, idx);
    } else if (auto* n = std::get_if<std::int64_t>(&v)) {
      rc = sqlite3_bind_int64(stmt, idx, *n);
    } else {
      const std::string& s = std::get<std::string>(v);
      rc = sqlite3_bind_text(stmt, idx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    }
    if (rc != SQLITE_OK) return core::Fail(LastError("bind"));
  }
  std::vector<SqlRow> rows;
  while (true) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) {
      core::Error e = LastError("step");
      sqlite3_reset(stmt);
      return core::Fail(e);
    }
    SqlRow row;
    int n = sqlite3_column_count(stmt);
    row.cols.reserve(static_cast<std::size_t>(n));
    for (int c = 0; c < n; ++c) {
      if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
        row.cols.emplace_back(std::nullopt);
      } else {
        auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        row.cols.emplace_back(
            std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, c))));
      }
    }
    rows.push_back(std::move(row));
  }
  sqlite3_reset(stmt);
  return rows;
}

core::Result<void> SqliteConn::Exec(std::string_view sql) {
  // One statement (BEGIN, COMMIT, ROLLBACK on every transaction): run it prepared once and
  // cached rather than parsed again by sqlite3_exec.
  if (sql.find(';') == std::string_view::npos) {
    auto r = Query(sql, {});
    if (!r) return core::Fail(r.error());
    return {};
  }
  std::string s(sql);
  char* err = nullptr;
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    core::Error e = LastError("exec");
    sqlite3_free(err);
    return core::Fail(e);
  }
  return {};
}

}  // namespace vault::storage
