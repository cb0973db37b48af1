// Shared by the targets whose input is a JSON request body (chargebee, product_type): the body as
// the server parses it, and the check every accepted text field must pass.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/account.hpp"
#include "core/encoding.hpp"
#include "http/json_body.hpp"

namespace vault::fuzz {

// The input as an application/json request body; nullopt when JsonBody refuses it (the
// json_body target checks that).
inline std::optional<http::JsonBody> JsonInput(std::string_view text) {
  http::Request req;
  req.headers.emplace_back("content-type", "application/json");
  req.body = std::string(text);
  auto body = http::JsonBody::Parse(req);
  if (!body) return std::nullopt;
  return std::move(*body);
}

// NUL-free valid UTF-8 of at most max characters.
inline bool CleanText(const std::string& s, std::size_t max) {
  return s.find('\0') == std::string::npos && core::IsValidUtf8(s) &&
         core::CodePointCount(s) <= max;
}

}  // namespace vault::fuzz
