// Internal to the argon2id kernels: the memory-filling loop of RFC 9106 §3.2 (steps 5–6) and
// its indexing (§3.4), written once over a compression kernel K that provides
//
//   template <bool kXor> static void Compress(const Block& x, const Block& y, Block& next);
//     next = G(x, y), or next ^= G(x, y) when kXor (passes after the first, version 0x13);
//     next never aliases x or y.
//
// Include only from a kernel translation unit (argon2_generic.cpp, argon2_avx2.cpp,
// argon2_avx512.cpp). Everything here has internal linkage on purpose: each kernel TU is
// compiled with different -m flags, and a shared inline copy could let the linker keep the
// AVX-512 build of a helper for the portable path. For the same reason this file and the kernels
// use no standard-library templates, only <cstdint> types. Thread-compatible.
#pragma once

#include <cstdint>

#include "crypto/argon2_fill.hpp"

namespace vault::crypto::argon2_internal {
namespace {

// Index within its lane of the block that block `index` of segment (pass, slice) references
// (RFC 9106 §3.4.2): the reference area is every block already final for this position,
// and j1 picks one of them with a quadratic bias toward the most recent.
inline std::uint32_t ReferenceIndex(const Instance& inst, std::uint32_t pass, std::uint32_t slice,
                                    std::uint32_t index, std::uint32_t j1, bool same_lane) {
  const std::uint64_t seg = inst.segment_length;
  // Pass 0 may only use the slices before this one; later passes use the whole lane but the
  // segment being overwritten.
  std::uint64_t area = pass == 0 ? slice * seg : inst.lane_length - seg;
  if (same_lane) {
    area = area + index - 1;  // this segment's blocks so far but the previous one (X input)
  } else if (index == 0) {
    area -= 1;  // §3.4.2: a segment's first block excludes the last block of another lane's area
  }
  const std::uint64_t x = (static_cast<std::uint64_t>(j1) * j1) >> 32;
  const std::uint64_t y = (area * x) >> 32;
  const std::uint64_t relative = area - 1 - y;
  const std::uint64_t start =
      (pass == 0 || slice == kSyncPoints - 1) ? 0 : static_cast<std::uint64_t>(slice + 1) * seg;
  // start + relative < 2 × lane_length: a conditional subtraction instead of a division, which
  // would sit on the critical path of every block.
  const std::uint64_t position = start + relative;
  return static_cast<std::uint32_t>(position >= inst.lane_length ? position - inst.lane_length
                                                                 : position);
}

inline std::uint32_t ReferenceLane(const Instance& inst, std::uint64_t pseudo) {
  return inst.lanes == 1 ? 0 : static_cast<std::uint32_t>((pseudo >> 32) % inst.lanes);
}

inline const Block& ReferenceBlock(const Instance& inst, std::uint32_t lane, std::uint32_t index) {
  return inst.memory[static_cast<std::uint64_t>(lane) * inst.lane_length + index];
}

inline void ZeroBlock(Block& b) {
  for (std::uint32_t k = 0; k < kBlockWords; ++k) b.v[k] = 0;
}

// Argon2i-style pseudo-random values for one segment (RFC 9106 §3.4.1.2): block counter i of
// Z = (pass, lane, slice, m', t, type) compressed twice with the zero block. Depends on public
// parameters only, never on the password or on memory contents.
template <class K>
class AddressGenerator {
 public:
  AddressGenerator(const Instance& inst, std::uint32_t pass, std::uint32_t lane,
                   std::uint32_t slice) {
    ZeroBlock(zero_);
    ZeroBlock(input_);
    input_.v[0] = pass;
    input_.v[1] = lane;
    input_.v[2] = slice;
    input_.v[3] = inst.memory_blocks;
    input_.v[4] = inst.passes;
    input_.v[5] = kTypeArgon2id;
  }

  // Computes the next 128 values.
  void Next() {
    ++input_.v[6];
    K::template Compress<false>(zero_, input_, scratch_);
    K::template Compress<false>(zero_, scratch_, addresses_);
  }

  std::uint64_t At(std::uint32_t i) const { return addresses_.v[i]; }

 private:
  Block zero_, input_, scratch_, addresses_;
};

// Slices 0 and 1 of pass 0: argon2id's data-independent half-pass.
//
// SIDE-CHANNEL STATEMENT (re-review it with any change to this loop or the kernels): here no
// branch and no memory address depends on the password, salt, secret, associated data or any
// block content.
//  - Reference positions (ref_lane, ref_index) come only from AddressGenerator, whose input is
//    the public tuple (pass, lane, slice, m', t, type, counter); the memory contents are never
//    read to choose an address here. The block written and the previous block read are at
//    fixed positions (curr, curr - 1).
//  - Every branch tests loop counters or public parameters (slice, i, lanes), and all the
//    position arithmetic (including ReferenceLane's modulo) takes public operands.
//  - K::Compress is straight-line code: 64-bit adds, 32×32-bit multiplies, xors, rotates and
//    fixed shuffles, with no table lookups and no data-dependent branches or loop bounds.
// So a cache- or branch-timing observer learns nothing about the password during this
// half-pass. The remaining slices use argon2d indexing (§3.4.1.1) on purpose and do leak
// block-content-dependent addresses; that is argon2id's design, not an implementation choice.
template <class K>
void FillIndependentSegment(const Instance& inst, std::uint32_t lane, std::uint32_t slice) {
  AddressGenerator<K> addresses(inst, 0, lane, slice);
  Block* const lane_base = inst.memory + static_cast<std::uint64_t>(lane) * inst.lane_length;
  std::uint32_t start = 0;
  if (slice == 0) {
    start = 2;  // blocks 0 and 1 come from H0
    addresses.Next();
  }
  for (std::uint32_t i = start; i < inst.segment_length; ++i) {
    if (i % kAddressesPerBlock == 0) addresses.Next();
    const std::uint64_t pseudo = addresses.At(i % kAddressesPerBlock);
    const std::uint32_t ref_lane = slice == 0 ? lane : ReferenceLane(inst, pseudo);
    const std::uint32_t ref_index =
        ReferenceIndex(inst, 0, slice, i, static_cast<std::uint32_t>(pseudo), ref_lane == lane);
    const std::uint32_t curr = slice * inst.segment_length + i;  // >= 2: no wrap in pass 0
    K::template Compress<false>(lane_base[curr - 1], ReferenceBlock(inst, ref_lane, ref_index),
                                lane_base[curr]);
  }
}

// Every other segment: argon2d indexing from the first word of the previous block.
template <class K, bool kXor>
void FillDependentSegment(const Instance& inst, std::uint32_t pass, std::uint32_t lane,
                          std::uint32_t slice) {
  Block* const lane_base = inst.memory + static_cast<std::uint64_t>(lane) * inst.lane_length;
  for (std::uint32_t i = 0; i < inst.segment_length; ++i) {
    const std::uint32_t curr = slice * inst.segment_length + i;
    const std::uint32_t prev = curr == 0 ? inst.lane_length - 1 : curr - 1;
    const std::uint64_t pseudo = lane_base[prev].v[0];
    const std::uint32_t ref_lane = ReferenceLane(inst, pseudo);
    const std::uint32_t ref_index =
        ReferenceIndex(inst, pass, slice, i, static_cast<std::uint32_t>(pseudo), ref_lane == lane);
    K::template Compress<kXor>(lane_base[prev], ReferenceBlock(inst, ref_lane, ref_index),
                               lane_base[curr]);
  }
}

// Lanes of one slice are filled one after another: within a slice no lane reads another
// lane's current segment, so the order does not change the result.
template <class K>
void FillMemory(const Instance& inst) {
  for (std::uint32_t pass = 0; pass < inst.passes; ++pass) {
    for (std::uint32_t slice = 0; slice < kSyncPoints; ++slice) {
      for (std::uint32_t lane = 0; lane < inst.lanes; ++lane) {
        if (pass == 0 && slice < kSyncPoints / 2) {
          FillIndependentSegment<K>(inst, lane, slice);
        } else if (pass == 0) {
          FillDependentSegment<K, false>(inst, pass, lane, slice);
        } else {
          FillDependentSegment<K, true>(inst, pass, lane, slice);
        }
      }
    }
  }
}

}  // namespace
}  // namespace vault::crypto::argon2_internal
