// FaultStore: a core::Store decorator for failure-path tests. Its transactions forward every
// repository call to the wrapped store and count the calls that modify state (every Tx method
// except the reads: Find*, List*, Get*, Count*, Scan*, Search*, Query*, ...); once armed with
// FailAt(n), the n-th such call fails unavailable "storage.unavailable" without reaching the
// database, as a lost connection would. Thread-safe (one counter across all transactions).
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "core/store.hpp"

namespace vault::testing {

class FaultStore : public core::Store {
 public:
  explicit FaultStore(core::Store& inner) : inner_(inner) {}

  struct Status {
    int writes = 0;              // counted since FailAt
    bool fired = false;          // the armed write failed
    int failed_transaction = 0;  // in which Write transaction since FailAt (1-based; 0: a Read)
    std::string failed_write;    // its method, e.g. "UpdateAccount"
  };

  // Restarts the count; the n-th write from now fails (0: none fails, writes are only counted).
  void FailAt(int n);
  Status status() const;
  // Called before each Write transaction begins (outside it), e.g. to snapshot the database.
  void OnWriteBegin(std::function<void()> hook) { on_write_begin_ = std::move(hook); }

  // True for the Tx methods that only read.
  static bool IsRead(std::string_view method);

  core::Result<void> Ping() override { return inner_.Ping(); }

  // Counts `method` when it writes; fails it when it is the armed one. For FaultTx.
  core::Result<void> Count(std::string_view method, bool in_read);

 protected:
  core::Result<void> DoWrite(const TxFunction& fn) override;
  core::Result<void> DoRead(const TxFunction& fn) override;

 private:
  core::Store& inner_;
  std::function<void()> on_write_begin_;
  mutable std::mutex mu_;
  int fail_at_ = 0, transactions_ = 0;
  Status status_;
};

}  // namespace vault::testing
