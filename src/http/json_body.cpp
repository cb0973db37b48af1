#include "http/json_body.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <string_view>

#include "core/account.hpp"
#include "core/encoding.hpp"

namespace vault::http {
namespace {

core::Error Invalid(const char* id, std::string detail, std::string field = {}) {
  return core::Error{core::Code::kInvalidArgument, id, std::move(field), std::move(detail)};
}

}  // namespace

bool IsJsonMediaType(std::string_view content_type) {
  return IsMediaType(content_type, "application/json");
}

core::Result<JsonBody> JsonBody::Parse(const Request& req) {
  // Only application/json: a cross-site form or fetch without a CORS preflight can send
  // text/plain or a form encoding, never application/json, so this closes login CSRF.
  const std::string* type = req.Header("content-type");
  if (!req.body.empty() && (!type || !IsJsonMediaType(*type)))
    return core::Fail(core::Error{core::Code::kUnsupportedMediaType, "validation.content_type",
                                  "body", "send the body as application/json"});
  if (!core::IsValidUtf8(req.body))
    return core::Fail(Invalid("validation.invalid_utf8", "the request body is not valid UTF-8"));
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 32;
  // The parser's working stack on this frame, and the document in one arena sized from the
  // body: a request body costs one allocation instead of one per string, array and object.
  // The arena lives as long as the document (the storage pointer is shared); the body limit
  // bounds it.
  unsigned char scratch[1024];
  boost::json::parser parser(boost::json::storage_ptr(), opts, scratch, sizeof scratch);
  parser.reset(boost::json::make_shared_resource<boost::json::monotonic_resource>(
      std::max<std::size_t>(256, 2 * req.body.size())));
  parser.write(req.body, ec);
  if (ec)
    return core::Fail(Invalid("validation.malformed_json",
                              "the request body is not valid JSON: " + ec.message()));
  boost::json::value v = parser.release();  // constructed: assignment would copy out of the arena
  if (!v.is_object())
    return core::Fail(Invalid("validation.type", "the request body must be a JSON object"));
  return JsonBody(std::move(v.as_object()));  // moved with its arena, not copied out of it
}

core::Result<std::optional<std::string>> JsonBody::OptString(const char* field,
                                                             std::size_t max_chars) const {
  auto it = obj_.find(field);
  if (it == obj_.end() || it->value().is_null()) return std::optional<std::string>{};
  if (!it->value().is_string())
    return core::Fail(Invalid("validation.type", std::string(field) + " must be a string", field));
  std::string s(it->value().as_string());
  // NUL has no meaning in any field, and C APIs (libpq) would silently cut the text at it.
  if (s.find('\0') != std::string::npos)
    return core::Fail(Invalid("validation.invalid_characters",
                              std::string(field) + " must not contain NUL characters", field));
  if (core::CodePointCount(s) > max_chars)
    return core::Fail(Invalid(
        "validation.too_long",
        std::string(field) + " must have at most " + std::to_string(max_chars) + " characters",
        field));
  return std::optional<std::string>{std::move(s)};
}

core::Result<std::optional<bool>> JsonBody::OptBool(const char* field) const {
  auto it = obj_.find(field);
  if (it == obj_.end() || it->value().is_null()) return std::optional<bool>{};
  if (!it->value().is_bool())
    return core::Fail(
        Invalid("validation.type", std::string(field) + " must be true or false", field));
  return std::optional<bool>{it->value().as_bool()};
}

core::Result<std::optional<std::int64_t>> JsonBody::OptInt(const char* field) const {
  auto it = obj_.find(field);
  if (it == obj_.end() || it->value().is_null()) return std::optional<std::int64_t>{};
  if (it->value().is_int64()) return std::optional<std::int64_t>{it->value().as_int64()};
  if (it->value().is_uint64() && it->value().as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return std::optional<std::int64_t>{static_cast<std::int64_t>(it->value().as_uint64())};
  return core::Fail(
      Invalid("validation.type", std::string(field) + " must be a whole number", field));
}

core::Result<JsonBody> JsonBody::OptObject(const char* field) const {
  auto it = obj_.find(field);
  JsonBody out;
  if (it == obj_.end() || it->value().is_null()) return out;
  if (!it->value().is_object())
    return core::Fail(Invalid("validation.type", std::string(field) + " must be an object", field));
  out.obj_ = it->value().as_object();
  return out;
}

namespace {
int Depth(const boost::json::value& v) {  // bounded by the parser's own nesting limit
  int inner = 0;
  if (v.is_object())
    for (const auto& kv : v.as_object()) inner = std::max(inner, Depth(kv.value()));
  else if (v.is_array())
    for (const auto& x : v.as_array()) inner = std::max(inner, Depth(x));
  else
    return 0;
  return inner + 1;
}

// A number beyond double's range parses as ±infinity, which serializes as "Infinity": not JSON,
// and a stored configuration would then break every answer it is spliced into.
bool Finite(const boost::json::value& v) {  // bounded by the parser's own nesting limit
  if (v.is_double()) return std::isfinite(v.get_double());
  if (v.is_object())
    return std::all_of(v.as_object().begin(), v.as_object().end(),
                       [](const auto& kv) { return Finite(kv.value()); });
  if (v.is_array()) return std::all_of(v.as_array().begin(), v.as_array().end(), Finite);
  return true;
}
}  // namespace

core::Result<std::string> JsonBody::ObjectText(const char* field, std::size_t max_bytes,
                                               int max_depth) const {
  auto it = obj_.find(field);
  if (it == obj_.end() || it->value().is_null())
    return core::Fail(Invalid("validation.required", std::string(field) + " is required", field));
  if (!it->value().is_object())
    return core::Fail(Invalid("validation.type", std::string(field) + " must be an object", field));
  if (Depth(it->value()) > max_depth)
    return core::Fail(Invalid(
        "validation.too_deep",
        std::string(field) + " nests deeper than " + std::to_string(max_depth) + " levels", field));
  if (!Finite(it->value()))
    return core::Fail(Invalid(
        "validation.range", std::string(field) + " holds a number too large to represent", field));
  std::string text = boost::json::serialize(it->value());
  if (text.size() > max_bytes)
    return core::Fail(core::Error{
        core::Code::kPayloadTooLarge, "validation.too_large", field,
        std::string(field) + " is larger than " + std::to_string(max_bytes) + " bytes serialized"});
  return text;
}

core::Result<JsonBody> JsonBody::Object(const char* field) const {
  if (obj_.find(field) == obj_.end())
    return core::Fail(Invalid("validation.required", std::string(field) + " is required", field));
  return OptObject(field);
}

core::Result<std::vector<JsonBody>> JsonBody::ObjectArray(const char* field,
                                                          std::size_t max_items) const {
  std::vector<JsonBody> out;
  auto it = obj_.find(field);
  if (it == obj_.end() || it->value().is_null()) return out;
  if (!it->value().is_array())
    return core::Fail(Invalid("validation.type", std::string(field) + " must be an array", field));
  const auto& arr = it->value().as_array();
  if (arr.size() > max_items)
    return core::Fail(Invalid(
        "validation.too_long",
        std::string(field) + " has more than " + std::to_string(max_items) + " items", field));
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (!arr[i].is_object())
      return core::Fail(Invalid("validation.type", std::string(field) + " items must be objects",
                                std::string(field) + "[" + std::to_string(i) + "]"));
    JsonBody b;
    b.obj_ = arr[i].as_object();
    out.push_back(std::move(b));
  }
  return out;
}

bool JsonBody::Has(const char* field) const {
  auto it = obj_.find(field);
  return it != obj_.end() && !it->value().is_null();
}

core::Result<std::vector<std::string>> JsonBody::StringArray(const char* field,
                                                             std::size_t max_items,
                                                             std::size_t max_chars) const {
  std::vector<std::string> out;
  auto it = obj_.find(field);
  if (it == obj_.end() || it->value().is_null()) return out;
  if (!it->value().is_array())
    return core::Fail(Invalid("validation.type", std::string(field) + " must be an array", field));
  const auto& arr = it->value().as_array();
  if (arr.size() > max_items)
    return core::Fail(
        Invalid("validation.too_long", std::string(field) + " has too many items", field));
  for (const auto& v : arr) {
    if (!v.is_string() || v.as_string().size() > max_chars || v.as_string().empty() ||
        std::string_view(v.as_string()).find('\0') != std::string_view::npos)
      return core::Fail(Invalid("validation.type",
                                std::string(field) +
                                    " items must be non-empty strings of at most " +
                                    std::to_string(max_chars) + " characters",
                                field));
    out.emplace_back(v.as_string());
  }
  return out;
}

core::Result<std::string> JsonBody::String(const char* field, std::size_t max_chars) const {
  VAULT_ASSIGN_OR_RETURN(auto v, OptString(field, max_chars));
  if (!v)
    return core::Fail(Invalid("validation.required", std::string(field) + " is required", field));
  return std::move(*v);
}

}  // namespace vault::http
