#include "crypto/argon2_work_area.hpp"

#include <sodium.h>
#include <sys/mman.h>

#include <cstdint>

namespace vault::crypto::argon2_internal {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

// Areas up to this size stay mapped between hashes: the server's default needs 19 MiB per
// hashing thread. A larger one (an unusual stored hash, a test) is given back after use.
constexpr std::size_t kKeepBytes = std::size_t{256} << 20;

}  // namespace

WorkArea::~WorkArea() { Unmap(); }

void* WorkArea::Acquire(std::size_t bytes) {
  if (bytes <= size_) return base_;
  Unmap();
  if (bytes > SIZE_MAX - 2 * kHugePage) return nullptr;
  const std::size_t size = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  // One spare huge page so the area can start on a 2 MiB boundary: only aligned 2 MiB ranges
  // can be backed by transparent huge pages.
  void* raw =
      mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
  const std::uintptr_t end = start + size + kHugePage;
  if (aligned > start) munmap(raw, aligned - start);
  if (end > aligned + size) munmap(reinterpret_cast<void*>(aligned + size), end - (aligned + size));
  base_ = reinterpret_cast<void*>(aligned);
  size_ = size;
  // Reference blocks are read at random across the whole area: with 4 KiB pages most reads
  // would also miss the TLB (a two-level page walk under a hypervisor). Best effort.
  madvise(base_, size_, MADV_HUGEPAGE);
  // The area holds password-derived data: keep it out of core dumps.
  madvise(base_, size_, MADV_DONTDUMP);
  return base_;
}

void WorkArea::Release(std::size_t bytes) {
  if (base_ == nullptr) return;
  sodium_memzero(base_, bytes < size_ ? bytes : size_);  // not elided by the optimiser
  if (size_ > kKeepBytes) Unmap();
}

std::span<const std::byte> WorkArea::Contents() const {
  return {static_cast<const std::byte*>(base_), size_};
}

void WorkArea::Unmap() {
  if (base_ != nullptr) munmap(base_, size_);
  base_ = nullptr;
  size_ = 0;
}

WorkArea& ThisThreadWorkArea() {
  thread_local WorkArea area;
  return area;
}

}  // namespace vault::crypto::argon2_internal
