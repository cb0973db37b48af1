// ChangeSignal: a wake-up for the change feed's poller when another process may have committed a
// change (PostgreSQL LISTEN/NOTIFY, ADR 0005). Only a hint: the change_feed table stays the
// source of truth, so a lost or late signal costs latency, never a missed change.
// Thread-safety: Wait is called by one thread (the poller); Interrupt may be called from any.
#pragma once

#include <chrono>

namespace vault::core {

class ChangeSignal {
 public:
  virtual ~ChangeSignal() = default;
  // Blocks until a signal arrives (true) or timeout passes or Interrupt is called (false). A
  // return after a lost connection was restored is true: signals may have been missed meanwhile.
  virtual bool Wait(std::chrono::milliseconds timeout) = 0;
  // Makes the current (or next) Wait return at once; for shutdown.
  virtual void Interrupt() = 0;
};

}  // namespace vault::core
