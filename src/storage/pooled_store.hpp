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
  std::string begin_write;        // e.g. "BEGIN IMMEDIATE"
  std::string begin_read;         // e.g. "BEGIN"
  bool serialize_writes = false;  // one writer at a time in this process (SQLite)
  // Read transactions may run where blocking is not allowed (core::NoBlockingScope): true for
  // SQLite in WAL mode, whose readers never wait for the writer and read from the OS page cache.
  // Writes, and reads elsewhere (PostgreSQL: a network round trip), fail with WouldBlock there.
  bool reads_never_block = false;
};

class PooledStore : public core::Store {
 public:
  PooledStore(std::vector<std::unique_ptr<SqlConn>> conns, TxStatements statements);

  core::Result<void> Ping() override;

 protected:
  core::Result<void> DoWrite(const TxFunction& fn) override;
  core::Result<void> DoRead(const TxFunction& fn) override;

 private:
  class Lease;
  core::Result<void> Run(const std::string& begin,
                         const std::function<core::Result<void>(core::Tx&)>& fn,
                         bool may_wait = true);

  std::mutex mu_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<SqlConn>> idle_;
  std::mutex write_mu_;
  TxStatements statements_;
};

}  // namespace vault::storage
