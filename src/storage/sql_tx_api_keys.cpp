// SqlTx: API keys.
#include "storage/sql_tx.hpp"

namespace vault::storage {

using core::Result;

namespace {

// The key's own columns, as written by InsertApiKey.
constexpr const char* kKeyCols =
    "id, workspace_id, product_id, environment, name, secret_hash, last_four, permissions, "
    "allowed_ips, created_by, created_at, expires_at, revoked_at, rolled_from, replaced_by";
// What reads select: the key's columns and its last use, kept apart in api_key_usage
// (migration 0020) so the frequent last-use writes touch narrow rows. ToKey reads this order.
constexpr const char* kSelectKey =
    "SELECT k.id, k.workspace_id, k.product_id, k.environment, k.name, k.secret_hash, "
    "k.last_four, k.permissions, k.allowed_ips, k.created_by, k.created_at, k.expires_at, "
    "k.revoked_at, COALESCE(u.last_used_at, 0), COALESCE(u.last_used_ip, ''), k.rolled_from, "
    "k.replaced_by FROM api_keys k LEFT JOIN api_key_usage u ON u.key_id = k.id";

core::ApiKey ToKey(const SqlRow& r) {
  core::ApiKey k;
  k.id = r.Str(0);
  k.workspace_id = r.Str(1);
  k.product_id = r.Str(2);
  k.environment = core::ParseEnvironment(r.Str(3), "").value_or(core::Environment::kProduction);
  k.name = r.Str(4);
  k.secret_hash = r.Str(5);
  k.last_four = r.Str(6);
  k.permissions = core::SplitWords(r.Str(7));
  k.allowed_ips = core::SplitWords(r.Str(8));
  k.created_by = r.Str(9);
  k.created_at = r.Int(10);
  k.expires_at = r.Int(11);
  k.revoked_at = r.Int(12);
  k.last_used_at = r.Int(13);
  k.last_used_ip = r.Str(14);
  k.rolled_from = r.Str(15);
  k.replaced_by = r.Str(16);
  return k;
}

Result<std::vector<core::ApiKey>> Keys(Result<std::vector<SqlRow>> rows) {
  if (!rows) return core::Fail(rows.error());
  std::vector<core::ApiKey> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(ToKey(r));
  return out;
}

}  // namespace

Result<void> SqlTx::InsertApiKey(const core::ApiKey& k) {
  auto r = conn_.Query(
      std::string("INSERT INTO api_keys (") + kKeyCols +
          ", last_used_at, last_used_ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
          "$12, $13, $14, $15, 0, '')",
      {k.id, k.workspace_id, k.product_id, std::string(core::EnvironmentName(k.environment)),
       k.name, k.secret_hash, k.last_four, core::JoinWords(k.permissions),
       core::JoinWords(k.allowed_ips), k.created_by, k.created_at, k.expires_at, k.revoked_at,
       k.rolled_from, k.replaced_by});
  if (!r) return core::Fail(r.error());
  if (k.last_used_at > 0) return RecordApiKeyUsage({{k.id, k.last_used_at, k.last_used_ip}});
  return {};
}

Result<std::optional<core::ApiKey>> SqlTx::FindApiKey(const std::string& id) {
  auto r = Keys(conn_.Query(std::string(kSelectKey) + " WHERE k.id = $1", {id}));
  if (!r) return core::Fail(r.error());
  if (r->empty()) return std::optional<core::ApiKey>{};
  return std::optional<core::ApiKey>{std::move(r->front())};
}

Result<std::vector<core::ApiKey>> SqlTx::ListApiKeys(const core::ApiKeyQuery& q) {
  std::string sql = std::string(kSelectKey) + " WHERE k.workspace_id = $1";
  std::vector<SqlValue> params{q.workspace_id};
  auto param = [&](SqlValue v) {
    params.push_back(std::move(v));
    return "$" + std::to_string(params.size());
  };
  if (!q.product_ids.empty()) {
    sql += " AND k.product_id IN (";
    for (std::size_t i = 0; i < q.product_ids.size(); ++i)
      sql += (i ? ", " : "") + param(q.product_ids[i]);
    sql += ")";
  }
  if (!q.environment.empty()) sql += " AND k.environment = " + param(q.environment);
  if (q.before_created_at > 0) {
    std::string t = param(q.before_created_at);
    sql += " AND (k.created_at < " + t + " OR (k.created_at = " + t + " AND k.id < " +
           param(q.before_id) + "))";
  }
  sql += " ORDER BY k.created_at DESC, k.id DESC LIMIT " + param(std::int64_t{q.limit});
  return Keys(conn_.Query(sql, params));
}

Result<bool> SqlTx::RevokeApiKey(const std::string& id, core::Timestamp now) {
  auto r = conn_.Query(
      "UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at = 0 RETURNING id",
      {id, now});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

Result<bool> SqlTx::MarkApiKeyRolled(const std::string& id, const std::string& replaced_by,
                                     core::Timestamp expires_at) {
  auto r = conn_.Query(
      "UPDATE api_keys SET replaced_by = $2, expires_at = $3 WHERE id = $1 AND revoked_at = 0 AND "
      "replaced_by = '' "
      "RETURNING id",
      {id, replaced_by, expires_at});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

Result<std::vector<core::ApiKey>> SqlTx::ScanLiveApiKeys(const std::string& after_id, int limit) {
  return Keys(conn_.Query(
      std::string(kSelectKey) + " WHERE k.id > $1 AND k.revoked_at = 0 ORDER BY k.id LIMIT $2",
      {after_id, std::int64_t{limit}}));
}

Result<std::vector<std::string>> SqlTx::ScanApiKeyIds(const std::string& after_id, int limit) {
  auto rows = conn_.Query("SELECT id FROM api_keys WHERE id > $1 ORDER BY id LIMIT $2",
                          {after_id, std::int64_t{limit}});
  if (!rows) return core::Fail(rows.error());
  std::vector<std::string> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(r.Str(0));
  return out;
}

Result<void> SqlTx::RecordApiKeyUsage(const std::vector<core::ApiKeyUsage>& usage) {
  // One narrow row per key, never older than what it holds; a key deleted since its use (with
  // its product) is skipped by the join rather than failing the whole batch on the foreign key.
  // ("WHERE true": SQLite's upsert after a SELECT needs a WHERE to parse.)
  std::vector<IdTimeText> rows;
  rows.reserve(usage.size());
  for (const auto& u : usage) rows.push_back({&u.id, u.at, &u.ip});
  return WriteRowsInChunks(
      conn_,
      "INSERT INTO api_key_usage (key_id, last_used_at, last_used_ip) "
      "SELECT k.id, v.column2, v.column3 FROM (VALUES ",
      ") AS v JOIN api_keys k ON k.id = v.column1 WHERE true "
      "ON CONFLICT (key_id) DO UPDATE SET last_used_at = excluded.last_used_at, "
      "last_used_ip = excluded.last_used_ip WHERE api_key_usage.last_used_at <= "
      "excluded.last_used_at",
      std::move(rows));
}

}  // namespace vault::storage
