// Huge pages for the server's heap (ADR 0017, "Huge pages"), chosen at process start.
#pragma once

namespace vault::cli {

// Transparent huge pages for the heap (ADR 0017, "Huge pages"): the in-memory model is read at
// random over hundreds of MB, where 4 KiB pages cost a TLB miss (a two-level page walk under
// virtualisation) on almost every lookup. glibc puts its heap on huge pages only when told at
// process start (the glibc.malloc.hugetlb tunable, glibc 2.35+; the kernel's THP mode
// "madvise", Debian's default, then honours it), so `serve` runs itself once more with it set
// (unless VAULT_HUGE_PAGES=off; an operator's own GLIBC_TUNABLES wins, and a glibc or kernel
// without the feature just ignores it). Returns only when it did not re-execute.
void ReexecWithHugePages(char** argv);

}  // namespace vault::cli
