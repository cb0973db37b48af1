#include "http/json_body.hpp"

#include <boost/json.hpp>

#include "core/account.hpp"

namespace vault::http {
namespace {

// Strict UTF-8 check (no overlongs, no surrogates, ≤ U+10FFFF).
bool IsValidUtf8(std::string_view s) {
  std::size_t i = 0, n = s.size();
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  while (i < n) {
    unsigned char c = at(i);
    if (c < 0x80) { ++i; continue; }
    std::size_t len;
    unsigned cp;
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else return false;
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((at(i + k) & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (at(i + k) & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

core::Error Invalid(const char* id, std::string detail, std::string field = {}) {
  return core::Error{core::Code::kInvalidArgument, id, std::move(field), std::move(detail)};
}

}  // namespace

core::Result<JsonBody> JsonBody::Parse(const Request& req) {
  if (!IsValidUtf8(req.body))
    return core::Fail(Invalid("validation.invalid_utf8", "the request body is not valid UTF-8"));
  boost::system::error_code ec;
  boost::json::parse_options opts;
  opts.max_depth = 32;
  boost::json::value v = boost::json::parse(req.body, ec, {}, opts);
  if (ec)
    return core::Fail(Invalid("validation.malformed_json",
                              "the request body is not valid JSON: " + ec.message()));
  if (!v.is_object())
    return core::Fail(Invalid("validation.type", "the request body must be a JSON object"));
  JsonBody body;
  body.obj_ = std::move(v.as_object());
  return body;
}

core::Result<std::optional<std::string>> JsonBody::OptString(const char* field,
                                                             std::size_t max_chars) const {
  auto it = obj_.find(field);
  if (it == obj_.end() || it->value().is_null()) return std::optional<std::string>{};
  if (!it->value().is_string())
    return core::Fail(Invalid("validation.type", std::string(field) + " must be a string", field));
  std::string s(it->value().as_string());
  if (core::CodePointCount(s) > max_chars)
    return core::Fail(Invalid("validation.too_long",
                              std::string(field) + " must have at most " +
                                  std::to_string(max_chars) + " characters",
                              field));
  return std::optional<std::string>{std::move(s)};
}

core::Result<std::optional<bool>> JsonBody::OptBool(const char* field) const {
  auto it = obj_.find(field);
  if (it == obj_.end() || it->value().is_null()) return std::optional<bool>{};
  if (!it->value().is_bool())
    return core::Fail(Invalid("validation.type", std::string(field) + " must be true or false", field));
  return std::optional<bool>{it->value().as_bool()};
}

core::Result<std::string> JsonBody::String(const char* field, std::size_t max_chars) const {
  auto v = OptString(field, max_chars);
  if (!v) return core::Fail(v.error());
  if (!*v) return core::Fail(Invalid("validation.required", std::string(field) + " is required", field));
  return std::move(**v);
}

}  // namespace vault::http
