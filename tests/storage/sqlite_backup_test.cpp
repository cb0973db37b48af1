// SQLite online backup and restore (storage/sqlite/sqlite_backup.hpp). SQLite only: PostgreSQL
// is backed up with pg_dump (docs/backup.md).
#include "storage/sqlite/sqlite_backup.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "storage/sqlite/sqlite_conn.hpp"
#include "support/fixtures.hpp"

namespace vault::storage {
namespace {

namespace fs = std::filesystem;

class SqliteBackup : public ::testing::Test {
 protected:
  void SetUp() override {
    opened_ = db_.Open(2);  // migrated, WAL, like a server's
    path_ = SqlitePathOf(db_.url());
    dir_ = fs::path(path_).parent_path();
    auto c = SqliteConn::Open(path_);
    ASSERT_TRUE(c);
    writer_ = std::move(*c);
    ASSERT_TRUE(writer_->Exec("CREATE TABLE t (n INTEGER PRIMARY KEY, pad TEXT)"));
    // Enough rows for many pages, so a small step size takes many steps.
    ASSERT_TRUE(writer_->Exec(
        "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 400) "
        "INSERT INTO t SELECT i, printf('%.500c', 'x') FROM s"));
  }

  std::int64_t Count(const std::string& path) {
    auto c = SqliteConn::Open(path);
    EXPECT_TRUE(c);
    auto rows = (*c)->Query("SELECT COUNT(*) FROM t", {});
    EXPECT_TRUE(rows);
    return rows->front().Int(0);
  }

  static std::string Slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  }

  static void Write(const std::string& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
  }

  // Files in the folder other than the database and its WAL/SHM, e.g. forgotten temporaries.
  std::vector<std::string> Strays(const std::vector<std::string>& expected) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) {
      std::string name = e.path().filename().string();
      if (name.rfind("vault.db", 0) == 0) continue;
      if (std::find(expected.begin(), expected.end(), name) == expected.end()) out.push_back(name);
    }
    return out;
  }

  testing::TempDatabase db_{"sqlite"};
  OpenedStore opened_;
  std::string path_;
  fs::path dir_;
  std::unique_ptr<SqliteConn> writer_;
};

TEST_F(SqliteBackup, CopyIsConsistentWhileAnotherConnectionWritesBetweenSteps) {
  std::string dest = (dir_ / "b.db").string();
  int inserted = 0;
  SqliteCopyOptions options;
  options.pages_per_step = 5;
  options.max_restarts = 3;
  options.after_step = [&] {
    ASSERT_TRUE(writer_->Exec("INSERT INTO t (pad) VALUES ('during')"));
    ++inserted;
  };
  auto info = BackupSqlite(path_, dest, options);
  ASSERT_TRUE(info) << info.error().detail;
  EXPECT_EQ(Slurp(dest)[18], 1) << "a self-contained rollback-journal file, not WAL";
  // Each write started the copy over; after three the rest was copied in one step, which
  // saw every write committed before it.
  EXPECT_EQ(info->restarts, 3);
  EXPECT_EQ(Count(dest), 400 + inserted);
  EXPECT_EQ(info->schema_version, LatestSqliteSchemaVersion());
  EXPECT_GT(info->pages, 100);
  EXPECT_EQ(info->bytes, static_cast<std::int64_t>(fs::file_size(dest)));
  struct stat st {};
  ASSERT_EQ(::stat(dest.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(Strays({}), std::vector<std::string>{"b.db"});
  auto check = CheckVaultDatabase(dest);
  ASSERT_TRUE(check) << check.error().detail;
}

TEST_F(SqliteBackup, RefusesAnExistingFileUnlessForced) {
  std::string dest = (dir_ / "b.db").string();
  Write(dest, "keep me");
  auto refused = BackupSqlite(path_, dest, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::Code::kAlreadyExists);
  EXPECT_EQ(Slurp(dest), "keep me");
  EXPECT_EQ(Strays({"b.db"}), std::vector<std::string>{});
  SqliteCopyOptions force;
  force.force = true;
  ASSERT_TRUE(BackupSqlite(path_, dest, force));
  EXPECT_EQ(Count(dest), 400);
}

TEST_F(SqliteBackup, FailsWithoutCreatingAnythingWhenTheDatabaseOrFolderIsMissing) {
  auto missing = BackupSqlite((dir_ / "none.db").string(), (dir_ / "b.db").string(), {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, core::Code::kNotFound);
  EXPECT_FALSE(fs::exists(dir_ / "none.db"));
  EXPECT_FALSE(fs::exists(dir_ / "b.db"));
  auto no_dir = BackupSqlite(path_, (dir_ / "nope" / "b.db").string(), {});
  ASSERT_FALSE(no_dir);
  EXPECT_EQ(no_dir.error().code, core::Code::kUnavailable);
}

TEST_F(SqliteBackup, CheckRejectsWhatIsNotAnIntactVaultDatabase) {
  std::string backup = (dir_ / "b.db").string();
  ASSERT_TRUE(BackupSqlite(path_, backup, {}));
  std::string text = (dir_ / "text").string();
  Write(text, std::string(8192, 'x'));
  std::string truncated = (dir_ / "truncated").string();
  std::string full = Slurp(backup);
  Write(truncated, full.substr(0, full.size() / 2));
  std::string plain = (dir_ / "plain.db").string();
  {
    auto c = SqliteConn::Open(plain);
    ASSERT_TRUE(c);
    ASSERT_TRUE((*c)->Exec("CREATE TABLE x (a INTEGER)"));
  }
  for (const auto& bad : {text, truncated, plain}) {
    auto r = CheckVaultDatabase(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().id, "backup.not_vault") << bad << ": " << r.error().detail;
  }
  std::string newer = (dir_ / "newer.db").string();
  fs::copy_file(backup, newer);
  {
    auto c = SqliteConn::Open(newer);
    ASSERT_TRUE(c);
    ASSERT_TRUE((*c)->Exec(
        "INSERT INTO schema_migrations VALUES (9999, 'future', 'x'); PRAGMA journal_mode=DELETE;"));
  }
  auto r = CheckVaultDatabase(newer);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().id, "backup.newer_schema");
  EXPECT_EQ(CheckVaultDatabase((dir_ / "absent").string()).error().code, core::Code::kNotFound);
}

TEST_F(SqliteBackup, RestoreCreatesOrWithForceReplacesButNeverAnOpenDatabase) {
  std::string backup = (dir_ / "b.db").string();
  ASSERT_TRUE(BackupSqlite(path_, backup, {}));
  ASSERT_TRUE(writer_->Exec("INSERT INTO t (pad) VALUES ('after the backup')"));

  std::string fresh = (dir_ / "new" / "restored.db").string();
  auto created = RestoreSqlite(backup, fresh, {});
  ASSERT_TRUE(created) << created.error().detail;
  EXPECT_EQ(Count(fresh), 400);

  // The live database is open (the store's pool, the writer): refused, even with --force.
  auto exists = RestoreSqlite(backup, path_, {});
  ASSERT_FALSE(exists);
  EXPECT_EQ(exists.error().code, core::Code::kAlreadyExists);
  SqliteCopyOptions force;
  force.force = true;
  auto in_use = RestoreSqlite(backup, path_, force);
  ASSERT_FALSE(in_use);
  EXPECT_EQ(in_use.error().id, "restore.in_use");
  EXPECT_EQ(Count(path_), 401);

  // Closed, it is replaced by the backup and its uncheckpointed WAL does not come back.
  writer_.reset();
  opened_.store.reset();
  auto replaced = RestoreSqlite(backup, path_, force);
  ASSERT_TRUE(replaced) << replaced.error().detail;
  EXPECT_EQ(Count(path_), 400);
  EXPECT_EQ(Strays({"b.db", "new"}), std::vector<std::string>{});
}

TEST_F(SqliteBackup, RestoreVetoedBeforeTheRenameChangesNothing) {
  std::string backup = (dir_ / "b.db").string();
  ASSERT_TRUE(BackupSqlite(path_, backup, {}));
  ASSERT_TRUE(writer_->Exec("DELETE FROM t WHERE n > 10"));
  writer_.reset();
  opened_.store.reset();
  SqliteCopyOptions force;
  force.force = true;
  std::string seen;
  auto vetoed = RestoreSqlite(backup, path_, force, [&](const std::string& tmp) {
    seen = tmp;
    EXPECT_TRUE(fs::exists(tmp));
    return core::Result<void>(
        core::Fail(core::Code::kFailedPrecondition, "restore.audit", "wrong secret"));
  });
  ASSERT_FALSE(vetoed);
  EXPECT_EQ(vetoed.error().id, "restore.audit");
  EXPECT_FALSE(seen.empty());
  EXPECT_FALSE(fs::exists(seen));
  EXPECT_EQ(Count(path_), 10);
  EXPECT_EQ(Strays({"b.db"}), std::vector<std::string>{});
}

}  // namespace
}  // namespace vault::storage
