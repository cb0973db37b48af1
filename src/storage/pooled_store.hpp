// PooledStore: core::Store over a fixed pool of SqlConns. Each Write/Read borrows a connection,
// brackets fn in BEGIN…COMMIT (ROLLBACK on error) and returns the connection. Thread-safe.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/store.hpp"
#include "storage/sql.hpp"

namespace vault::storage {

struct TxStatements {
  std::string begin_write;  // e.g. "BEGIN IMMEDIATE"
  std::string begin_read;   // e.g. "BEGIN"
  bool serialize_writes = false;  // one writer at a time in this process (SQLite)
};

class PooledStore : public core::Store {
 public:
  PooledStore(std::vector<std::unique_ptr<SqlConn>> conns, TxStatements statements);

  core::Result<void> Write(const std::function<core::Result<void>(core::Tx&)>& fn) override;
  core::Result<void> Read(const std::function<core::Result<void>(core::Tx&)>& fn) override;
  core::Result<void> Ping() override;

 private:
  class Lease;
  core::Result<void> Run(const std::string& begin,
                         const std::function<core::Result<void>(core::Tx&)>& fn);

  std::mutex mu_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<SqlConn>> idle_;
  std::mutex write_mu_;
  TxStatements statements_;
};

}  // namespace vault::storage
