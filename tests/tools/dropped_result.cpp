// Must NOT compile (ctest dropped_result_is_a_build_error, WILL_FAIL): a Result that nobody
// looks at is a build error, so no failure is ignored by accident.
#include "core/error.hpp"

namespace {
vault::core::Result<int> MayFail() { return 1; }
}  // namespace

int main() {
  MayFail();  // dropped
  return 0;
}
