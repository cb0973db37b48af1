// StreamedExport: the whole of a keyset-paged list as one streamed response (CSV or NDJSON
// exports of the audit log and the access review). Each chunk is one page read by its own short
// transaction (through the same use case as a JSON page, so every page re-checks the caller's
// access), so a long export never holds a transaction open and memory stays bounded by a page.
// Thread-compatible: the server calls the producer from one thread at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "http/message.hpp"

namespace vault::http {

// Rows per chunk of a streamed export: one short read transaction each.
inline constexpr std::size_t kExportPage = 500;

// Reads the first page (after nothing) before answering, so an error there is an ordinary
// problem+json; then answers 200 with `head` and the rows rendered by `append`, streaming later
// pages as the client reads them. `read(last)` returns at most kExportPage rows after `last`
// (nullptr: from the start); a shorter page ends the export. Fails as the first read.
template <typename T>
core::Result<Response> StreamedExport(
    std::string content_type, std::string head,
    std::function<core::Result<std::vector<T>>(const T* last)> read,
    std::function<void(std::string& out, const T& row)> append) {
  struct State {
    std::function<core::Result<std::vector<T>>(const T*)> read;
    std::function<void(std::string&, const T&)> append;
    std::optional<T> last;
    bool done = false;

    std::string Take(std::vector<T> rows, std::string out) {
      for (const T& row : rows) append(out, row);
      done = rows.size() < kExportPage;
      if (!rows.empty()) last = std::move(rows.back());
      return out;
    }
  };
  auto state = std::make_shared<State>(State{std::move(read), std::move(append), {}, false});
  VAULT_ASSIGN_OR_RETURN(auto first, state->read(nullptr));
  std::string body = state->Take(std::move(first), std::move(head));
  return Response::Streamed(
      std::move(content_type), std::move(body),
      [state]() -> core::Result<std::optional<std::string>> {
        if (state->done) return std::optional<std::string>();
        VAULT_ASSIGN_OR_RETURN(auto rows, state->read(&*state->last));
        return std::optional<std::string>(state->Take(std::move(rows), std::string()));
      });
}

}  // namespace vault::http
