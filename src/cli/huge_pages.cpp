#include "cli/huge_pages.hpp"

#include <unistd.h>

#include <cstdlib>
#include <string_view>

namespace vault::cli {

void ReexecWithHugePages(char** argv) {
  const char* setting = std::getenv("VAULT_HUGE_PAGES");
  if (!setting || std::string_view(setting) != "on" || std::getenv("GLIBC_TUNABLES")) return;
  if (::setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1) != 0) return;
  ::execv("/proc/self/exe", argv);  // the same process id, descriptors and arguments
  ::unsetenv("GLIBC_TUNABLES");     // could not: carry on with small pages
}

}  // namespace vault::cli
