// Request and Response: the transport-neutral HTTP messages the handlers see (no Beast types,
// so handler files compile fast). Value types; thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vault::http {

struct Request {
  std::string method;                                        // "GET", "POST", …
  std::string path;                                          // decoded path without the query
  std::string query;                                         // raw query string without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_ip;
  std::string request_id;
  std::unordered_map<std::string, std::string> params;  // path parameters

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

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response Json(int status, std::string body);
  static Response NoContent();
};

}  // namespace vault::http
