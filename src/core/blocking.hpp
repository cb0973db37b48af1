// Whether the current thread may block (database, disk). Network threads try cheap requests
// inline with blocking disallowed; code that would block returns WouldBlock(), which records the
// request on the enclosing NoBlockingScope and unwinds like an error. The transport asks the
// scope (not the error) whether to re-run the request on a blocking pool. Thread-local; no
// synchronisation needed.
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

  // True once code inside the scope called WouldBlock(): re-run the work where it may block.
  bool blocking_requested() const { return requested_; }

 private:
  friend Error WouldBlock();
  bool previous_;
  NoBlockingScope* outer_;
  bool requested_ = false;
};

// Records on the innermost NoBlockingScope that the work needs a blocking thread, and returns
// the error that unwinds it there (unavailable; never shown to a client, whose request is
// re-run).
Error WouldBlock();

}  // namespace vault::core
