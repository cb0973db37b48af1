// Versioned, append-only schema migrations per dialect (embedded from migrations/<dialect>/),
// and the runner that applies the pending ones under a lock in one transaction.
#pragma once

#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "storage/sql.hpp"

namespace vault::storage {

struct Migration {
  const char* dialect;  // "sqlite" or "postgres"
  int version;
  const char* name;
  const char* sql;
};

// Every embedded migration, in version order per dialect.
const std::vector<Migration>& AllMigrations();

// Applies the pending migrations of `dialect` on conn. `begin_locked` starts a transaction that
// excludes other migrators (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL).
// Returns how many were applied; fails (and rolls back) on the first failing migration.
core::Result<int> ApplyMigrations(SqlConn& conn, std::string_view dialect,
                                  std::string_view begin_locked);

}  // namespace vault::storage
