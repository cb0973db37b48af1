// A minimal SQL connection interface both drivers implement, so one repository implementation
// (SqlTx) serves SQLite and PostgreSQL. SQL uses $1, $2… placeholders, valid in both dialects.
// A SqlConn is used by one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.hpp"

namespace vault::storage {

using SqlValue = std::variant<std::monostate, std::int64_t, std::string>;

struct SqlRow {
  std::vector<std::optional<std::string>> cols;
  const std::string& Str(std::size_t i) const;  // empty string for NULL
  std::int64_t Int(std::size_t i) const;        // 0 for NULL
  std::optional<std::int64_t> OptInt(std::size_t i) const;
};

// A LIKE pattern matching text that contains `query` (lower-cased), with %, _ and ! escaped
// for `LIKE … ESCAPE '!'`.
std::string LikeContains(std::string_view query);

// A row of a batch written through a VALUES list: an id, a time, a text (a session's last
// seen and IP, a key's last use and address).
struct IdTimeText {
  const std::string* id;
  std::int64_t at;
  const std::string* text;
};

class SqlConn;

// Runs one statement per chunk of `rows`, whose text is `head` + a VALUES list of the chunk's
// rows, "(CAST($1 AS TEXT), CAST($2 AS BIGINT), CAST($3 AS TEXT)), (…)" — its columns are
// column1, column2, column3 on both backends — + `tail`. Rows sharing an id are written once,
// with the newest time (an UPDATE … FROM or an upsert must not meet a row twice). Chunks hold
// 256, 128, …, 1 rows, so statements come in at most nine shapes (SQLite caches them by text)
// and a batch of thousands costs tens of round trips instead of one per row.
core::Result<void> WriteRowsInChunks(SqlConn& conn, std::string_view head, std::string_view tail,
                                     std::vector<IdTimeText> rows);

class SqlConn {
 public:
  virtual ~SqlConn() = default;
  // Runs one statement with text/integer parameters and returns its rows.
  // Fails already_exists "storage.unique_violation" on a unique constraint, unavailable when the
  // connection is lost, internal otherwise.
  virtual core::Result<std::vector<SqlRow>> Query(std::string_view sql,
                                                  const std::vector<SqlValue>& params) = 0;
  // Runs a script of several statements without parameters (migrations, BEGIN/COMMIT).
  virtual core::Result<void> Exec(std::string_view sql) = 0;
  // An SQL expression that lower-cases the ASCII letters of the text expression `expr` and
  // leaves every other character as it is, alike on every backend (as LikeContains does to a
  // query). Plain LOWER differs: SQLite folds ASCII only, PostgreSQL follows the database's
  // locale, so one backend would find a name the other misses.
  virtual std::string AsciiLower(std::string_view expr) const = 0;
  // Signals, at the commit of the open transaction, that the change feed grew (PostgreSQL:
  // NOTIFY on kChangeChannel, which other servers LISTEN to; ADR 0005). SQLite has no such
  // signal: its readers poll.
  virtual core::Result<void> SignalChange() { return {}; }
};

}  // namespace vault::storage
