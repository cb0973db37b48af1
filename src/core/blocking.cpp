#include "core/blocking.hpp"

namespace vault::core {
namespace {
thread_local bool blocking_allowed = true;
}

bool BlockingAllowed() { return blocking_allowed; }

NoBlockingScope::NoBlockingScope() : previous_(blocking_allowed) { blocking_allowed = false; }
NoBlockingScope::~NoBlockingScope() { blocking_allowed = previous_; }

}  // namespace vault::core
