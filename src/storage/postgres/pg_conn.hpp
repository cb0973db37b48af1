// SqlConn over one libpq connection, text-format parameters. Reconnects after a lost
// connection on the next call. Used by one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "storage/sql.hpp"

struct pg_conn;

namespace vault::storage {

// The channel of the change feed's NOTIFY (PgConn::SignalChange, PgChangeSignal).
inline constexpr char kChangeChannel[] = "vault_change_feed";

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
  // pg_notify inside the transaction: delivered only if and when it commits, and folded into
  // one per transaction (same channel, same empty payload) however many rows it appended.
  core::Result<void> SignalChange() override;

 private:
  explicit PgConn(pg_conn* conn) : conn_(conn) {}
  pg_conn* conn_;
};

}  // namespace vault::storage
