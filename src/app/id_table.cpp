#include "app/id_table.hpp"

#include <cstring>

namespace vault::app {

std::uint64_t IdTable::Hash(std::string_view s) {
  // FNV-1a then a 64-bit finaliser (MurmurHash3): ids share long prefixes ("acc_", "ws_"), so
  // the low bits the table indexes by need the final mix to spread.
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 33);
}

std::uint32_t IdTable::Probe(std::string_view id, std::uint64_t hash,
                             std::size_t* empty_slot) const {
  if (slots_.empty()) {
    if (empty_slot) *empty_slot = 0;
    return kNone;
  }
  const std::size_t mask = slots_.size() - 1;
  const std::uint64_t tag = hash >> 32;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    std::uint64_t s = slots_[i];
    if (s == 0) {
      if (empty_slot) *empty_slot = i;
      return kNone;
    }
    if ((s >> 32) == tag) {
      auto index = static_cast<std::uint32_t>((s & 0xffffffffu) - 1);
      if (names_[index] == id) return index;
    }
  }
}

std::uint32_t IdTable::Find(std::string_view id) const { return Probe(id, Hash(id), nullptr); }

std::uint32_t IdTable::Intern(std::string_view id) {
  const std::uint64_t hash = Hash(id);
  std::size_t empty = 0;
  if (std::uint32_t found = Probe(id, hash, &empty); found != kNone) return found;
  // Load factor at most 1/2: linear probing stays short.
  if ((names_.size() + 1) * 2 > slots_.size()) {
    Grow();
    Probe(id, hash, &empty);
  }
  auto index = static_cast<std::uint32_t>(names_.size());
  names_.push_back(Store(id));
  slots_[empty] = (hash >> 32) << 32 | (std::uint64_t{index} + 1);
  return index;
}

void IdTable::Grow() {
  std::vector<std::uint64_t> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, 0);
  const std::size_t mask = slots_.size() - 1;
  for (std::uint64_t s : old) {
    if (s == 0) continue;
    std::uint64_t hash = Hash(names_[(s & 0xffffffffu) - 1]);
    std::size_t i = hash & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

std::string_view IdTable::Store(std::string_view id) {
  if (id.size() > kChunk) {  // never for ids; kept correct for any string
    chunks_.push_back(std::make_unique<char[]>(id.size()));
    std::memcpy(chunks_.back().get(), id.data(), id.size());
    std::string_view out(chunks_.back().get(), id.size());
    chunks_.push_back(std::make_unique<char[]>(kChunk));
    chunk_used_ = 0;
    return out;
  }
  if (chunks_.empty() || chunk_used_ + id.size() > kChunk) {
    chunks_.push_back(std::make_unique<char[]>(kChunk));
    chunk_used_ = 0;
  }
  char* at = chunks_.back().get() + chunk_used_;
  std::memcpy(at, id.data(), id.size());
  chunk_used_ += id.size();
  return {at, id.size()};
}

std::size_t IdTable::bytes() const {
  return slots_.capacity() * sizeof(std::uint64_t) + names_.capacity() * sizeof(std::string_view) +
         chunks_.size() * kChunk;
}

}  // namespace vault::app
