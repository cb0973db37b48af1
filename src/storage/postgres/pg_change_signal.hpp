// PgChangeSignal: core::ChangeSignal over a dedicated PostgreSQL connection that LISTENs on the
// change feed's channel (ADR 0005). Connects on the first Wait; after a lost connection it
// reconnects (at most once a second) and LISTENs again, and that Wait returns true, since
// signals sent meanwhile are lost. Thread-safety: Wait from one thread; Interrupt from any.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "core/change_signal.hpp"

struct pg_conn;

namespace vault::storage {

class PgChangeSignal : public core::ChangeSignal {
 public:
  explicit PgChangeSignal(std::string url);
  ~PgChangeSignal() override;
  PgChangeSignal(const PgChangeSignal&) = delete;
  PgChangeSignal& operator=(const PgChangeSignal&) = delete;

  bool Wait(std::chrono::milliseconds timeout) override;
  void Interrupt() override;

 private:
  // Connects and LISTENs; false (and no connection) when it cannot.
  bool Connect();
  void Disconnect();
  // Waits for the wake-up pipe only (no connection); false.
  bool Sleep(std::chrono::milliseconds timeout);

  std::string url_;
  pg_conn* conn_ = nullptr;
  int wake_[2] = {-1, -1};  // self-pipe: Interrupt writes, Wait polls it with the socket
  std::chrono::steady_clock::time_point next_connect_{};
};

}  // namespace vault::storage
