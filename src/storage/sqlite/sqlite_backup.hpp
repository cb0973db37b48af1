// Online backup and restore of a Vault SQLite database with SQLite's backup API
// (sqlite3_backup_init/step/finish). Each function opens its own connections; safe to call from
// any thread, and beside a running server for BackupSqlite (WAL: its writers are never blocked).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/error.hpp"

namespace vault::storage {

struct SqliteCopyOptions {
  bool force = false;                // replace an existing destination
  int pages_per_step = 256;          // pages copied per sqlite3_backup_step (one short read each)
  int max_restarts = 8;              // source changes tolerated before copying the rest in one step
  std::function<void()> after_step;  // tests: runs between two steps (e.g. writes to the source)
};

struct SqliteCopyInfo {
  std::string path;                 // the file written
  std::int64_t bytes = 0;           // its size
  std::int64_t pages = 0;           // its page count
  std::int64_t schema_version = 0;  // highest applied migration
  int restarts = 0;  // times the copy started over because the source changed between steps
};

// The file of a "sqlite:<path>" database URL; empty when the URL is not a SQLite one.
std::string SqlitePathOf(const std::string& database_url);

// The highest schema migration this binary knows for SQLite.
std::int64_t LatestSqliteSchemaVersion();

// Checks that `path` is an intact Vault SQLite database (quick_check, schema_migrations present,
// version 1..LatestSqliteSchemaVersion()) and returns its schema version. Opens it read-only.
// Fails not_found (no such file), invalid_argument "backup.not_vault" (not SQLite, damaged,
// truncated, no schema_migrations) or failed_precondition "backup.newer_schema".
core::Result<std::int64_t> CheckVaultDatabase(const std::string& path);

// Copies the live database at `db_path` into the new file `dest` (0600): in steps of
// `pages_per_step` pages, each a short read transaction, so writers go on; a step that finds the
// source changed starts the copy over, and after `max_restarts` the rest is copied under one read
// transaction (WAL: still no writer waits). The copy is a consistent snapshot, checked, in
// rollback-journal mode (one self-contained file), fsynced, written under a temporary name and
// renamed. Fails not_found when db_path does not exist, already_exists when dest exists and
// !force, unavailable on I/O errors; leaves no temporary file behind.
core::Result<SqliteCopyInfo> BackupSqlite(const std::string& db_path, const std::string& dest,
                                          const SqliteCopyOptions& options);

// Replaces (or creates) the database at `db_path` with the backup `backup` after
// CheckVaultDatabase: copied to a temporary file beside db_path, checked, fsynced and renamed
// over it, so db_path is either the old database or the whole backup. `before_rename` (may be
// empty) sees the temporary copy's path and can veto the restore (e.g. checking the audit chain
// against the secret). Fails already_exists when db_path exists and !force,
// failed_precondition "restore.in_use" when a process (a running server) has it open, and as
// CheckVaultDatabase.
core::Result<SqliteCopyInfo> RestoreSqlite(
    const std::string& backup, const std::string& db_path, const SqliteCopyOptions& options,
    const std::function<core::Result<void>(const std::string& temp_copy)>& before_rename = {});

}  // namespace vault::storage
