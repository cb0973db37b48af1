// Internal to argon2.cpp: the per-thread argon2 work memory. One area per thread, mapped on
// first use, kept between hashes (so a hash does not re-fault and re-zero ~19 MiB of fresh
// pages), aligned for transparent huge pages, and wiped after every hash. Each thread only
// ever touches its own area, so no locking.
#pragma once

#include <cstddef>
#include <span>

namespace vault::crypto::argon2_internal {

class WorkArea {
 public:
  WorkArea() = default;
  WorkArea(const WorkArea&) = delete;
  WorkArea& operator=(const WorkArea&) = delete;
  ~WorkArea();

  // Returns at least `bytes` of 2 MiB-aligned memory (previous contents wiped), or nullptr when
  // it cannot be mapped.
  void* Acquire(std::size_t bytes);

  // Wipes the first `bytes` bytes (everything the last Acquire handed out). Unmaps the area
  // when it is larger than what a thread keeps between hashes.
  void Release(std::size_t bytes);

  // The whole mapped area, for tests that check it was wiped.
  std::span<const std::byte> Contents() const;

 private:
  void Unmap();

  void* base_ = nullptr;
  std::size_t size_ = 0;
};

// The calling thread's area.
WorkArea& ThisThreadWorkArea();

}  // namespace vault::crypto::argon2_internal
