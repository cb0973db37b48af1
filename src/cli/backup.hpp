// `atomyx-vault backup FILE` and `atomyx-vault restore FILE`: the SQLite database with its
// server secret file (FILE.secret), and the documented pg_dump/pg_restore procedure for
// PostgreSQL (docs/backup.md). Each prints what it did for the operator and returns the exit
// code; neither ever prints or logs the secret.
#pragma once

#include <string>

#include "config/config.hpp"

namespace vault::cli {

struct BackupFlags {
  bool force = false;      // replace existing files
  bool no_secret = false;  // backup: do not copy the secret file (kept elsewhere)
  int step_pages = 256;    // backup: pages copied per step of the online backup
};

// 0 written; 1 failed (nothing new left behind); 2 PostgreSQL (the procedure is printed).
int Backup(const config::Config& cfg, const std::string& file, const BackupFlags& flags);

// 0 restored and its audit chain verified with the secret it will run with; 1 refused or
// failed (the database and the secret file unchanged); 2 PostgreSQL (the procedure is printed).
int Restore(const config::Config& cfg, const std::string& file, const BackupFlags& flags);

}  // namespace vault::cli
