// The start-up keyring check (ADR 0011): every node on one database must hold the keys the
// database was written with. The keyring's check values are compared with those the database
// records (keyring_keys); keys the database does not know yet are registered and audited.
// Stateless: thread-safe.
#pragma once

#include <string>
#include <vector>

#include "app/audit_log.hpp"
#include "core/clock.hpp"
#include "core/store.hpp"

namespace vault::app {

struct KeyringKeyCheck {
  std::string kid;
  std::string check_value;  // crypto::CheckValue of the key
};

// Compares `keyring` (in file order, the primary last) with the database and registers the keys
// it lacks, in one transaction; returns the ids registered. Fails failed_precondition
// "keyring.mismatch" when a key's check value differs and "keyring.missing_key" when the
// database was written with a key the keyring lacks, each naming the key id.
core::Result<std::vector<std::string>> CheckKeyring(core::Store& store, const core::Clock& clock,
                                                    const AuditLog& audit,
                                                    const std::vector<KeyringKeyCheck>& keyring);

}  // namespace vault::app
