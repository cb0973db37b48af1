// JsonBody: parses and validates a JSON request body and reads typed fields from it, turning
// every problem into an invalid_argument Error that names the field. Thread-compatible.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "http/message.hpp"

namespace vault::http {

// True for "application/json" with any parameters (charset), in any case.
bool IsJsonMediaType(std::string_view content_type);

class JsonBody {
 public:
  // Fails unsupported_media_type "validation.content_type" (a body that is not
  // application/json), "validation.invalid_utf8", "validation.malformed_json" or
  // "validation.type" (body not an object).
  static core::Result<JsonBody> Parse(const Request& req);

  // A required string field of at most max_chars characters; fails "validation.required",
  // "validation.type" or "validation.too_long" naming the field.
  core::Result<std::string> String(const char* field, std::size_t max_chars) const;
  // Like String, but absent or null → nullopt.
  core::Result<std::optional<std::string>> OptString(const char* field,
                                                     std::size_t max_chars) const;
  // An optional boolean; fails "validation.type" naming the field.
  core::Result<std::optional<bool>> OptBool(const char* field) const;
  // An optional whole number.
  core::Result<std::optional<std::int64_t>> OptInt(const char* field) const;
  // A nested object (required), or an optional one (absent → empty object).
  core::Result<JsonBody> Object(const char* field) const;
  core::Result<JsonBody> OptObject(const char* field) const;
  // An optional array of objects (absent → empty), at most max_items.
  core::Result<std::vector<JsonBody>> ObjectArray(const char* field, std::size_t max_items) const;
  // A required JSON object kept as its compact serialization: fails "validation.required",
  // "validation.type" (not an object), "validation.too_deep" (more than max_depth nested
  // objects/arrays, the object itself counting 1), "validation.range" (a number beyond double's
  // range, such as 1e400, which would serialize as Infinity) or payload_too_large
  // "validation.too_large" (serialized beyond max_bytes), naming the field.
  core::Result<std::string> ObjectText(const char* field, std::size_t max_bytes,
                                       int max_depth) const;
  // Whether the field is present and not null.
  bool Has(const char* field) const;
  // An optional array of strings (absent → empty), each at most max_chars.
  core::Result<std::vector<std::string>> StringArray(const char* field, std::size_t max_items,
                                                     std::size_t max_chars) const;

 private:
  JsonBody() = default;
  explicit JsonBody(boost::json::object&& obj) : obj_(std::move(obj)) {}

  boost::json::object obj_;
};

}  // namespace vault::http
