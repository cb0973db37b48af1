// BodyReader: reads a JSON request body into a typed input. An input struct declares each of
// its fields once, in the order they are checked, in a `Fields(BodyReader&)` member; the type of
// the member says what the field is:
//
//   struct ChangeEmailInput {
//     std::string new_email;           // std::string: required
//     std::optional<std::string> note; // std::optional: may be absent or null
//     void Fields(BodyReader& r) {
//       r.Field("new_email", new_email, kMaxEmail);
//       r.Field("note", note, 200);
//     }
//   };
//   VAULT_ASSIGN_OR_RETURN(auto in, c.Body<ChangeEmailInput>());   // http/endpoint.hpp
//
// Strings take their limit in characters; a parse function turns a string into a typed value
// where it is read (`r.Field("role", role, 20, core::ParseRole)`); a nested input struct is a
// required object, a std::vector of them an array of objects. The first problem stops the
// reading and is the Error of JsonBody (invalid_argument, field named; a nested field carries
// its path: "principal.type", "grants[0].role"). Keeps Boost.JSON out of the handlers' headers.
// Thread-compatible.
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace vault::http {

class JsonBody;

class BodyReader;

// An input struct: declares its fields in `void Fields(BodyReader&)`.
template <typename T>
concept BodyInput = requires(T t, BodyReader& r) {
  t.Fields(r);
};

// A JSON object field kept as its serialized text (Field(name, out, max_bytes, max_depth)).
struct JsonObjectText {
  std::string text;
};

class BodyReader {
 public:
  // Reads the fields of `body`; prefix is the path of a nested object ("principal.").
  explicit BodyReader(std::shared_ptr<const JsonBody> body, std::string prefix = {});

  // A string of at most max_chars characters: required, or optional (absent or null: nullopt).
  void Field(const char* name, std::string& out, std::size_t max_chars);
  void Field(const char* name, std::optional<std::string>& out, std::size_t max_chars);
  // An optional boolean, an optional whole number.
  void Field(const char* name, std::optional<bool>& out);
  void Field(const char* name, std::optional<std::int64_t>& out);
  // An array of at most max_items strings (absent: empty), each at most max_chars.
  void Field(const char* name, std::vector<std::string>& out, std::size_t max_items,
             std::size_t max_chars);
  // The same, optional: absent or null is nullopt (a PATCH that leaves the list alone), [] is
  // an empty list.
  void Field(const char* name, std::optional<std::vector<std::string>>& out, std::size_t max_items,
             std::size_t max_chars);

  // A required JSON object, at most max_bytes serialized and max_depth levels deep.
  void Field(const char* name, JsonObjectText& out, std::size_t max_bytes, int max_depth);

  // A string turned into a T by parse(text, field) -> core::Result<T>, where it is read:
  // required, or optional (absent or null: nullopt, parse not called).
  template <typename T, typename Parse>
  requires std::invocable<Parse, const std::string&, const char*>
  void Field(const char* name, T& out, std::size_t max_chars, Parse parse) {
    std::string text;
    Field(name, text, max_chars);
    if (!failed()) Take(parse(text, name), out);
  }
  template <typename T, typename Parse>
  requires std::invocable<Parse, const std::string&, const char*>
  void Field(const char* name, std::optional<T>& out, std::size_t max_chars, Parse parse) {
    std::optional<std::string> text;
    Field(name, text, max_chars);
    if (!failed() && text) Take(parse(*text, name), out);
  }

  // A required nested object, read into its input struct.
  template <BodyInput T>
  void Field(const char* name, T& out) {
    for (BodyReader& sub : Nested(name, 0)) Read(sub, out);
  }
  // An array of at most max_items objects (absent: empty), each read into its input struct.
  template <BodyInput T>
  void Field(const char* name, std::vector<T>& out, std::size_t max_items) {
    for (BodyReader& sub : Nested(name, max_items)) {
      if (failed()) return;
      Read(sub, out.emplace_back());
    }
  }

  bool failed() const { return error_.has_value(); }
  // The first problem met, if any.
  core::Result<void> status() const;

 private:
  template <typename T, typename V>
  void Take(core::Result<V> parsed, T& out) {
    if (parsed)
      out = std::move(*parsed);
    else
      Record(std::move(parsed).error());
  }
  template <BodyInput T>
  void Read(BodyReader& sub, T& out) {
    out.Fields(sub);
    if (sub.error_) error_ = std::move(sub.error_);
  }
  // Records e (with this reader's prefix) unless an earlier problem was recorded.
  void Record(core::Error e);
  // The readers of a required object (max_items 0: one reader) or of each object of an array.
  std::vector<BodyReader> Nested(const char* name, std::size_t max_items);

  std::shared_ptr<const JsonBody> body_;
  std::string prefix_;
  std::optional<core::Error> error_;
};

}  // namespace vault::http
