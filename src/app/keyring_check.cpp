#include "app/keyring_check.hpp"

#include <algorithm>

#include "core/encoding.hpp"

namespace vault::app {
namespace {

constexpr const char* kWhere =
    "check VAULT_SECRET_FILE (or VAULT_SECRET) on this node: every node on one database needs the "
    "same keyring";

core::Result<void> Compare(const std::vector<core::KeyringKeyRecord>& stored,
                           const std::vector<KeyringKeyCheck>& keyring) {
  for (const auto& row : stored) {
    auto mine = std::find_if(keyring.begin(), keyring.end(),
                             [&](const KeyringKeyCheck& k) { return k.kid == row.kid; });
    if (mine == keyring.end())
      return core::Fail(core::Code::kFailedPrecondition, "keyring.missing_key",
                        "the keyring does not match the database: this database was written with "
                        "key " +
                            row.kid + ", which this node's keyring does not have (" + kWhere + ")");
    // Check values are not secrets, but compared like them out of habit: it costs nothing.
    if (!core::ConstantTimeEquals(mine->check_value, row.check_value))
      return core::Fail(core::Code::kFailedPrecondition, "keyring.mismatch",
                        "the keyring does not match the database: key " + row.kid +
                            " differs from the one the database was written with (" + kWhere + ")");
  }
  return {};
}

}  // namespace

core::Result<std::vector<std::string>> CheckKeyring(core::Store& store, const core::Clock& clock,
                                                    const AuditLog& audit,
                                                    const std::vector<KeyringKeyCheck>& keyring) {
  return store.Write([&](core::Tx& tx) -> core::Result<std::vector<std::string>> {
    VAULT_ASSIGN_OR_RETURN(auto stored, tx.ListKeyringKeys());
    VAULT_TRY(Compare(stored, keyring));
    std::vector<std::string> added;
    for (const auto& k : keyring) {
      bool known = std::any_of(stored.begin(), stored.end(),
                               [&](const core::KeyringKeyRecord& r) { return r.kid == k.kid; });
      if (known) continue;
      VAULT_ASSIGN_OR_RETURN(bool inserted,
                             tx.InsertKeyringKey({k.kid, k.check_value, clock.Now()}));
      if (!inserted) continue;  // another node registered it meanwhile: compared below
      VAULT_TRY(audit.Record(tx, Actor{"system", "keyring", "", ""},
                             {"keyring.key_added", "keyring_key", k.kid}));
      added.push_back(k.kid);
    }
    // Once more after the inserts: a node that registered the same id at the same moment with
    // another key is caught here rather than at its next start.
    VAULT_ASSIGN_OR_RETURN(auto now_stored, tx.ListKeyringKeys());
    VAULT_TRY(Compare(now_stored, keyring));
    return added;
  });
}

}  // namespace vault::app
