// IdTable: interns id strings (accounts, workspaces, products, groups, role names) as dense
// 32-bit indexes 0, 1, 2, … in an open-addressed hash table, so the in-memory access model
// stores 4-byte indexes in sorted vectors instead of heap strings in node maps (ADR 0014). An id
// keeps its index for the table's life; the table never forgets one (Vault never reuses ids, so
// this grows with what ever existed: 40-70 bytes per id with the table at half load or less). Names
// stay valid for the table's life (stored in fixed chunks that never move). Not synchronised: the
// owner guards it (Find and Name may run under a shared lock, Intern needs the exclusive one).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace vault::app {

class IdTable {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffu;

  // The index of `id`, or kNone when it was never interned.
  std::uint32_t Find(std::string_view id) const;
  // The index of `id`, interning it first when new.
  std::uint32_t Intern(std::string_view id);
  // The id of an index Find or Intern returned.
  std::string_view Name(std::uint32_t index) const { return names_[index]; }
  std::size_t size() const { return names_.size(); }
  // Bytes held: slots, name views and the character chunks.
  std::size_t bytes() const;

 private:
  static std::uint64_t Hash(std::string_view s);
  std::uint32_t Probe(std::string_view id, std::uint64_t hash, std::size_t* empty_slot) const;
  void Grow();
  std::string_view Store(std::string_view id);

  // A slot: 0 when empty, else the hash's high 32 bits << 32 | (index + 1), so most probes that
  // do not match are rejected without reading the name.
  std::vector<std::uint64_t> slots_;
  std::vector<std::string_view> names_;
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::size_t chunk_used_ = 0;
  static constexpr std::size_t kChunk = 1 << 20;
};

}  // namespace vault::app
