// SqlTx: callback signing secrets of product instances (issue 19).
#include "storage/sql_tx.hpp"

namespace vault::storage {

using core::Result;

namespace {

constexpr const char* kSecretCols =
    "id, workspace_id, product_id, label, sealed_secret, last_four, created_by, created_at, "
    "expires_at, revoked_at, replaced_by";

core::CallbackSecret ToSecret(const SqlRow& r) {
  core::CallbackSecret s;
  s.id = r.Str(0);
  s.workspace_id = r.Str(1);
  s.product_id = r.Str(2);
  s.label = r.Str(3);
  s.sealed = r.Str(4);
  s.last_four = r.Str(5);
  s.created_by = r.Str(6);
  s.created_at = r.Int(7);
  s.expires_at = r.Int(8);
  s.revoked_at = r.Int(9);
  s.replaced_by = r.Str(10);
  return s;
}

Result<std::vector<core::CallbackSecret>> Secrets(Result<std::vector<SqlRow>> rows) {
  if (!rows) return core::Fail(rows.error());
  std::vector<core::CallbackSecret> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(ToSecret(r));
  return out;
}

}  // namespace

Result<void> SqlTx::InsertCallbackSecret(const core::CallbackSecret& s) {
  auto r = conn_.Query(std::string("INSERT INTO callback_secrets (") + kSecretCols +
                           ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                       {s.id, s.workspace_id, s.product_id, s.label, s.sealed, s.last_four,
                        s.created_by, s.created_at, s.expires_at, s.revoked_at, s.replaced_by});
  if (!r) return core::Fail(r.error());
  return {};
}

Result<std::optional<core::CallbackSecret>> SqlTx::FindCallbackSecret(const std::string& id) {
  VAULT_ASSIGN_OR_RETURN(auto rows, Secrets(conn_.Query(std::string("SELECT ") + kSecretCols +
                                                            " FROM callback_secrets WHERE id = $1",
                                                        {id})));
  if (rows.empty()) return std::optional<core::CallbackSecret>{};
  return std::optional<core::CallbackSecret>{std::move(rows.front())};
}

Result<std::vector<core::CallbackSecret>> SqlTx::ListCallbackSecrets(const std::string& product_id,
                                                                     const core::Page& page) {
  std::vector<SqlValue> params{product_id};
  std::string tail = Keyset(page, "created_at", "id", true, params);
  return Secrets(conn_.Query(
      std::string("SELECT ") + kSecretCols + " FROM callback_secrets WHERE product_id = $1" + tail,
      params));
}

Result<std::vector<core::CallbackSecret>> SqlTx::ListValidCallbackSecrets(
    const std::string& product_id, core::Timestamp now) {
  return Secrets(conn_.Query(
      std::string("SELECT ") + kSecretCols +
          " FROM callback_secrets WHERE product_id = $1 AND revoked_at = 0 AND (expires_at = 0 OR "
          "expires_at > $2) ORDER BY created_at DESC, id DESC",
      {product_id, now}));
}

Result<bool> SqlTx::RollCallbackSecret(const std::string& id, const std::string& replaced_by,
                                       core::Timestamp expires_at) {
  auto r = conn_.Query(
      "UPDATE callback_secrets SET replaced_by = $2, expires_at = $3 WHERE id = $1 AND "
      "revoked_at = 0 AND expires_at = 0 AND replaced_by = '' RETURNING id",
      {id, replaced_by, expires_at});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

Result<bool> SqlTx::RevokeCallbackSecret(const std::string& id, core::Timestamp now) {
  auto r = conn_.Query(
      "UPDATE callback_secrets SET revoked_at = $2 WHERE id = $1 AND revoked_at = 0 RETURNING id",
      {id, now});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

Result<int> SqlTx::PurgeCallbackSecrets(core::Timestamp before, int limit) {
  return Purge("callback_secrets", "id",
               "(revoked_at > 0 AND revoked_at < $1) OR (expires_at > 0 AND expires_at < $1)",
               {before}, limit);
}

}  // namespace vault::storage
