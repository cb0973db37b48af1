// Internal to argon2.cpp and its kernels: the argon2id memory layout and the three
// memory-filling entry points (RFC 9106 §3.2 steps 5–6), one per instruction set. Each kernel
// translation unit is compiled with its own -m flags; argon2.cpp calls one only after checking
// that the CPU supports it. Thread-compatible: one Instance is filled by one thread.
#pragma once

#include <cstdint>

namespace vault::crypto::argon2_internal {

inline constexpr std::uint32_t kBlockWords = 128;  // a block is 1 KiB of little-endian words
inline constexpr std::uint32_t kSyncPoints = 4;    // slices per pass
inline constexpr std::uint32_t kAddressesPerBlock = 128;
inline constexpr std::uint64_t kTypeArgon2id = 2;

struct alignas(64) Block {
  std::uint64_t v[kBlockWords];
};

// A prepared instance: memory holds lanes × lane_length blocks, lane l starting at block
// l × lane_length, whose first two blocks are already derived from H0.
struct Instance {
  Block* memory = nullptr;
  std::uint32_t passes = 0;
  std::uint32_t lanes = 0;
  std::uint32_t segment_length = 0;  // blocks per lane per slice (>= 2)
  std::uint32_t lane_length = 0;     // 4 × segment_length
  std::uint32_t memory_blocks = 0;   // m' = lanes × lane_length
};

// Fill every pass of inst.memory. Identical results; they differ only in speed.
void FillMemoryGeneric(const Instance& inst);
#if defined(__x86_64__)
void FillMemoryAvx2(const Instance& inst);    // needs AVX2
void FillMemoryAvx512(const Instance& inst);  // needs AVX-512F
#endif

}  // namespace vault::crypto::argon2_internal
