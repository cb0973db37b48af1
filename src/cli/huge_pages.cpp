#include "cli/huge_pages.hpp"

#include <unistd.h>

#include <cstdlib>

namespace vault::cli {

void ReexecWithHugePages(char** argv) {
  // Once only: the re-executed process finds the tunable set (or the operator's own).
  if (std::getenv("GLIBC_TUNABLES")) return;
  if (::setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1) != 0) return;
  ::execv("/proc/self/exe", argv);  // the same process id, descriptors and arguments
  ::unsetenv("GLIBC_TUNABLES");     // could not: carry on with small pages
}

}  // namespace vault::cli
