// SqlConn over one libpq connection, text-format parameters. Reconnects after a lost
// connection on the next call. Used by one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "storage/sql.hpp"

struct pg_conn;

namespace vault::storage {

class PgConn : public SqlConn {
 public:
  // Connects to a postgresql:// URL; fails unavailable if it cannot.
  static core::Result<std::unique_ptr<PgConn>> Open(const std::string& url);
  ~PgConn() override;

  core::Result<std::vector<SqlRow>> Query(std::string_view sql,
                                          const std::vector<SqlValue>& params) override;
  core::Result<void> Exec(std::string_view sql) override;
  // Under the "C" collation PostgreSQL's LOWER folds ASCII letters only, whatever the locale.
  std::string AsciiLower(std::string_view expr) const override {
    return "LOWER((" + std::string(expr) + ") COLLATE \"C\")";
  }

 private:
  explicit PgConn(pg_conn* conn) : conn_(conn) {}
  pg_conn* conn_;
};

}  // namespace vault::storage
