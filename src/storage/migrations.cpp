#include "storage/migrations.hpp"

#include <string>

namespace vault::storage {

core::Result<int> ApplyMigrations(SqlConn& conn, std::string_view dialect,
                                  std::string_view begin_locked) {
  VAULT_TRY(conn.Exec(begin_locked));
  auto rollback = [&](core::Error e) -> core::Result<int> {
    (void)conn.Exec("ROLLBACK");
    return core::Fail(std::move(e));
  };
  if (auto r =
          conn.Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
                    "name TEXT NOT NULL, applied_at TEXT NOT NULL)");
      !r)
    return rollback(r.error());
  auto rows = conn.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {});
  if (!rows) return rollback(rows.error());
  std::int64_t current = rows->front().Int(0);
  int applied = 0;
  for (const Migration& m : AllMigrations()) {
    if (dialect != m.dialect || m.version <= current) continue;
    if (auto r = conn.Exec(m.sql); !r) {
      core::Error e = r.error();
      e.detail = "migration " + std::to_string(m.version) + " (" + m.name + ") failed: " + e.detail;
      return rollback(e);
    }
    auto ins = conn.Query(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, "
        "CAST(CURRENT_TIMESTAMP AS TEXT))",
        {std::int64_t{m.version}, std::string(m.name)});
    if (!ins) return rollback(ins.error());
    ++applied;
  }
  if (auto r = conn.Exec("COMMIT"); !r) return rollback(r.error());
  return applied;
}

}  // namespace vault::storage
