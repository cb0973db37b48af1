#include "core/blocking.hpp"

namespace vault::core {
namespace {
thread_local bool blocking_allowed = true;
thread_local NoBlockingScope* innermost = nullptr;
}  // namespace

bool BlockingAllowed() { return blocking_allowed; }

NoBlockingScope::NoBlockingScope() : previous_(blocking_allowed), outer_(innermost) {
  blocking_allowed = false;
  innermost = this;
}

NoBlockingScope::~NoBlockingScope() {
  blocking_allowed = previous_;
  innermost = outer_;
}

Error WouldBlock() {
  if (innermost) innermost->requested_ = true;
  return Error{Code::kUnavailable, "internal.would_block", "", "needs a blocking thread"};
}

}  // namespace vault::core
