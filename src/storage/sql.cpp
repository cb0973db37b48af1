#include "storage/sql.hpp"

#include <algorithm>
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

core::Result<void> WriteRowsInChunks(SqlConn& conn, std::string_view head, std::string_view tail,
                                     std::vector<IdTimeText> rows) {
  // Sorted by id, newest last, then each id's newest kept: in id order a chunk walks the table's
  // B-tree in one direction, and chunks lock rows in id ranges, so two nodes writing the same
  // rows seldom wait on each other crosswise (PostgreSQL ends a deadlock by failing one write,
  // whose callers keep their rows for the next flush).
  std::sort(rows.begin(), rows.end(), [](const IdTimeText& a, const IdTimeText& b) {
    return *a.id != *b.id ? *a.id < *b.id : a.at < b.at;
  });
  std::size_t kept = 0;
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (i + 1 == rows.size() || *rows[i + 1].id != *rows[i].id) rows[kept++] = rows[i];
  rows.resize(kept);
  constexpr std::size_t kMaxChunk = 256;
  std::size_t done = 0;
  for (std::size_t chunk = kMaxChunk; done < rows.size(); chunk /= 2) {
    while (rows.size() - done >= chunk) {
      std::string sql(head);
      std::vector<SqlValue> params;
      params.reserve(3 * chunk);
      for (std::size_t i = 0; i < chunk; ++i) {
        const IdTimeText& r = rows[done + i];
        const std::size_t n = params.size();
        sql += i ? ", " : "";
        sql += "(CAST($" + std::to_string(n + 1) + " AS TEXT), CAST($" + std::to_string(n + 2) +
               " AS BIGINT), CAST($" + std::to_string(n + 3) + " AS TEXT))";
        params.emplace_back(*r.id);
        params.emplace_back(r.at);
        params.emplace_back(*r.text);
      }
      sql += tail;
      auto q = conn.Query(sql, params);
      if (!q) return core::Fail(q.error());
      done += chunk;
    }
  }
  return {};
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
