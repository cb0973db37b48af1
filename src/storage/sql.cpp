#include "storage/sql.hpp"

#include <charconv>

namespace vault::storage {

const std::string& SqlRow::Str(std::size_t i) const {
  static const std::string kEmpty;
  return cols.at(i) ? *cols[i] : kEmpty;
}

std::int64_t SqlRow::Int(std::size_t i) const { return OptInt(i).value_or(0); }

std::optional<std::int64_t> SqlRow::OptInt(std::size_t i) const {
  if (!cols.at(i)) return std::nullopt;
  std::int64_t v = 0;
  const std::string& s = *cols[i];
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

}  // namespace vault::storage
