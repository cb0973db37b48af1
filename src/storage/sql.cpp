#include "storage/sql.hpp"

#include <cctype>
#include <charconv>

namespace vault::storage {

std::string LikeContains(std::string_view query) {
  std::string pattern = "%";
  for (char c : query) {
    if (c == '%' || c == '_' || c == '!') pattern += '!';
    pattern += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return pattern + "%";
}

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
