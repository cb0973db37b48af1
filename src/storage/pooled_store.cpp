#include "storage/pooled_store.hpp"

#include "core/blocking.hpp"
#include "storage/sql_tx.hpp"

namespace vault::storage {

class PooledStore::Lease {
 public:
  // Waits for a free connection, or (may_wait false) takes one only if one is free now.
  explicit Lease(PooledStore& store, bool may_wait = true) : store_(store) {
    std::unique_lock lock(store_.mu_);
    if (may_wait) store_.available_.wait(lock, [&] { return !store_.idle_.empty(); });
    if (store_.idle_.empty()) return;
    conn_ = std::move(store_.idle_.back());
    store_.idle_.pop_back();
  }
  ~Lease() {
    if (!conn_) return;
    {
      std::lock_guard lock(store_.mu_);
      store_.idle_.push_back(std::move(conn_));
    }
    store_.available_.notify_one();
  }
  bool held() const { return conn_ != nullptr; }
  SqlConn& conn() { return *conn_; }

 private:
  PooledStore& store_;
  std::unique_ptr<SqlConn> conn_;
};

PooledStore::PooledStore(std::vector<std::unique_ptr<SqlConn>> conns, TxStatements statements)
    : idle_(std::move(conns)), statements_(std::move(statements)) {}

core::Result<void> PooledStore::Run(const std::string& begin,
                                    const std::function<core::Result<void>(core::Tx&)>& fn,
                                    bool may_wait) {
  Lease lease(*this, may_wait);
  if (!lease.held()) return core::Fail(core::WouldBlock());
  SqlConn& conn = lease.conn();
  VAULT_TRY(conn.Exec(begin));
  SqlTx tx(conn);
  core::Result<void> result = fn(tx);
  if (!result) {
    (void)conn.Exec("ROLLBACK");
    return result;
  }
  // COMMIT returns only once the write is durable (synchronous=FULL / fsync on commit).
  if (auto r = conn.Exec("COMMIT"); !r) {
    (void)conn.Exec("ROLLBACK");
    return r;
  }
  return {};
}

core::Result<void> PooledStore::DoWrite(const TxFunction& fn) {
  if (!core::BlockingAllowed()) return core::Fail(core::WouldBlock());
  if (statements_.serialize_writes) {
    std::lock_guard lock(write_mu_);
    return Run(statements_.begin_write, fn);
  }
  return Run(statements_.begin_write, fn);
}

core::Result<void> PooledStore::DoRead(const TxFunction& fn) {
  if (!core::BlockingAllowed()) {
    if (!statements_.reads_never_block) return core::Fail(core::WouldBlock());
    return Run(statements_.begin_read, fn, /*may_wait=*/false);
  }
  return Run(statements_.begin_read, fn);
}

core::Result<void> PooledStore::Ping() {
  Lease lease(*this);
  auto r = lease.conn().Query("SELECT 1", {});
  if (!r) return core::Fail(r.error());
  return {};
}

}  // namespace vault::storage
