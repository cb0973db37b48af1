// Request and Response: the transport-neutral HTTP messages the handlers see (no Beast types,
// so handler files compile fast). Value types; thread-compatible.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace vault::http {

// What one connection remembers of the service client that last authenticated on it
// (http/auth.cpp). Owned by the connection; its requests are answered one at a time, so it
// needs no lock.
struct ClientMemo;

// True when a Content-Type value names `media` (given in lower case): any ASCII case, any
// parameters (charset), blanks around the type.
bool IsMediaType(std::string_view content_type, std::string_view media);

struct Request {
  std::string method;                                        // "GET", "POST", …
  std::string path;                                          // decoded path without the query
  std::string query;                                         // raw query string without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_ip;
  std::string request_id;
  std::unordered_map<std::string, std::string> params;  // path parameters
  // The connection's memo slot (null outside a server connection, e.g. in tests that build a
  // Request by hand): filled and read by AuthenticateServiceClient only.
  std::shared_ptr<ClientMemo>* client_memo = nullptr;

  // First value of a header (name lower-case), or nullptr.
  const std::string* Header(std::string_view name) const;
  // Value of a cookie from the Cookie header, or empty.
  std::string Cookie(std::string_view name) const;
  // Percent-decoded value of a query parameter, or nullopt when absent.
  std::optional<std::string> Query(std::string_view name) const;
  // The name of the first query parameter whose decoded name or value is not valid UTF-8 or
  // holds a control character ("query" when that name is itself unclean or empty); empty when
  // all are clean.
  std::string BadQueryParam() const;
};

// The pairs of an application/x-www-form-urlencoded text (percent- and '+'-decoded), in order;
// nullopt when a decoded name or value is not valid UTF-8 or holds a control character.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseForm(std::string_view text);

// Produces a streamed body one chunk at a time: the next piece of text, nullopt at the end, or
// an error (the stream is then cut short: the client sees a truncated body, never a complete
// one). Called repeatedly on a blocking-pool thread, one call at a time, never concurrently;
// it may read the database (one short transaction per call). It must own everything it uses:
// it outlives the handler's Call. Dropped unfinished when the client goes away.
using BodyChunks = std::function<core::Result<std::optional<std::string>>()>;

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is `body` followed by every chunk `stream` produces, sent with
  // Transfer-Encoding: chunked (HTTP/1.1) so memory stays bounded by one chunk; `body` may hold
  // what the handler already read (a header row, a first page).
  BodyChunks stream;

  static Response Json(int status, std::string body);
  static Response NoContent();
  // A 200 whose body is `first` followed by what `next` produces (see `stream`).
  static Response Streamed(std::string content_type, std::string first, BodyChunks next);
};

}  // namespace vault::http
