// SqlConn over one SQLite connection (WAL, synchronous=FULL, foreign keys on), with a prepared
// statement cache. Used by one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/sql.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace vault::storage {

class SqliteConn : public SqlConn {
 public:
  // Opens (creating if needed) the database file; fails unavailable if it cannot.
  static core::Result<std::unique_ptr<SqliteConn>> Open(const std::string& path);
  ~SqliteConn() override;

  core::Result<std::vector<SqlRow>> Query(std::string_view sql,
                                          const std::vector<SqlValue>& params) override;
  core::Result<void> Exec(std::string_view sql) override;
  // SQLite's built-in LOWER folds ASCII letters only.
  std::string AsciiLower(std::string_view expr) const override {
    return "LOWER(" + std::string(expr) + ")";
  }

 private:
  explicit SqliteConn(sqlite3* db) : db_(db) {}
  core::Error LastError(const char* what) const;

  sqlite3* db_;
  struct Prepared {
    sqlite3_stmt* stmt = nullptr;
    // slot[i]: the statement's index of parameter "$<i+1>" (0: unused). Found once when the
    // statement is prepared: SQLite looks a name up by a linear scan of all of them, which for
    // a batch statement's hundreds of parameters made every bind quadratic.
    std::vector<int> slot;
  };
  std::unordered_map<std::string, Prepared> cache_;
};

}  // namespace vault::storage
