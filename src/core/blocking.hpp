// Whether the current thread may block (database, disk). Network threads try cheap requests
// inline with blocking disallowed; code that would block then fails with WouldBlock() and the
// request is re-run on a blocking pool. Thread-local; no synchronisation needed.
#pragma once

#include "core/error.hpp"

namespace vault::core {

bool BlockingAllowed();

// While alive, BlockingAllowed() is false on this thread.
class NoBlockingScope {
 public:
  NoBlockingScope();
  ~NoBlockingScope();
  NoBlockingScope(const NoBlockingScope&) = delete;
  NoBlockingScope& operator=(const NoBlockingScope&) = delete;

 private:
  bool previous_;
};

// The error meaning "needs a blocking thread; retry there" (never reaches a client).
inline constexpr const char* kWouldBlock = "internal.would_block";
inline Error WouldBlock() { return Error{Code::kUnavailable, kWouldBlock, "", "needs a blocking thread"}; }

}  // namespace vault::core
