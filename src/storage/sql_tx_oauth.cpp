// SqlTx: the OpenID Connect provider's signing keys.
#include "storage/sql_tx.hpp"

namespace vault::storage {

using core::Result;

namespace {

constexpr const char* kSigningKeyCols =
    "kid, alg, public_key, sealed_private_key, created_at, retired_at, verify_until";

core::SigningKey ToSigningKey(const SqlRow& r) {
  return core::SigningKey{r.Str(0), r.Str(1), r.Str(2), r.Str(3), r.Int(4), r.Int(5), r.Int(6)};
}

}  // namespace

Result<void> SqlTx::InsertSigningKey(const core::SigningKey& k) {
  auto r = conn_.Query(std::string("INSERT INTO signing_keys (") + kSigningKeyCols +
                           ") VALUES ($1, $2, $3, $4, $5, $6, $7)",
                       {k.kid, k.alg, k.public_key, k.sealed_private_key, k.created_at,
                        k.retired_at, k.verify_until});
  if (!r) {
    if (r.error().code == core::Code::kAlreadyExists)
      return core::Fail(core::Code::kAlreadyExists, "signing_key.kid_taken",
                        "a signing key with this kid exists");
    return core::Fail(r.error());
  }
  return {};
}

Result<std::vector<core::SigningKey>> SqlTx::ListSigningKeys() {
  auto rows = conn_.Query(std::string("SELECT ") + kSigningKeyCols +
                              " FROM signing_keys ORDER BY created_at DESC, kid DESC",
                          {});
  if (!rows) return core::Fail(rows.error());
  std::vector<core::SigningKey> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(ToSigningKey(r));
  return out;
}

Result<int> SqlTx::RetireSigningKeys(const std::string& keep_kid, core::Timestamp now,
                                     core::Timestamp verify_until) {
  auto r = conn_.Query(
      "UPDATE signing_keys SET retired_at = $2, verify_until = $3 WHERE kid <> $1 AND "
      "retired_at = 0 RETURNING kid",
      {keep_kid, now, verify_until});
  if (!r) return core::Fail(r.error());
  return static_cast<int>(r->size());
}

Result<int> SqlTx::DeleteExpiredSigningKeys(core::Timestamp now) {
  auto r = conn_.Query(
      "DELETE FROM signing_keys WHERE retired_at <> 0 AND verify_until <= $1 RETURNING kid", {now});
  if (!r) return core::Fail(r.error());
  return static_cast<int>(r->size());
}

}  // namespace vault::storage
