// Opens the configured database ("sqlite:<path>" or "postgresql://…"), applies pending
// migrations, and returns a pooled core::Store. Thread-safe result.
#pragma once

#include <memory>
#include <string>

#include "core/change_signal.hpp"
#include "core/store.hpp"

namespace vault::storage {

struct OpenedStore {
  std::unique_ptr<core::Store> store;
  std::string dialect;  // "sqlite" or "postgres"
  int migrations_applied = 0;
};

// Fails invalid_argument "config.database" for an unknown scheme, unavailable when the database
// cannot be opened, and with the migration's error when one fails.
core::Result<OpenedStore> OpenStore(const std::string& url, int pool_size, bool migrate = true);

// A change-feed wake-up for url's database (ADR 0005): LISTEN/NOTIFY on PostgreSQL; null for
// SQLite, whose readers poll (one node is the norm there). Connects on its first Wait.
std::unique_ptr<core::ChangeSignal> OpenChangeSignal(const std::string& url);

}  // namespace vault::storage
