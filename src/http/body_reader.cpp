#include "http/body_reader.hpp"

#include "http/json_body.hpp"

namespace vault::http {

BodyReader::BodyReader(std::shared_ptr<const JsonBody> body, std::string prefix)
    : body_(std::move(body)), prefix_(std::move(prefix)) {}

void BodyReader::Record(core::Error e) {
  if (!error_) error_ = prefix_.empty() ? std::move(e) : core::Prefixed(std::move(e), prefix_);
}

core::Result<void> BodyReader::status() const {
  if (error_) return core::Fail(*error_);
  return {};
}

void BodyReader::Field(const char* name, std::string& out, std::size_t max_chars) {
  if (!failed()) Take(body_->String(name, max_chars), out);
}

void BodyReader::Field(const char* name, std::optional<std::string>& out, std::size_t max_chars) {
  if (!failed()) Take(body_->OptString(name, max_chars), out);
}

void BodyReader::Field(const char* name, std::optional<bool>& out) {
  if (!failed()) Take(body_->OptBool(name), out);
}

void BodyReader::Field(const char* name, std::optional<std::int64_t>& out) {
  if (!failed()) Take(body_->OptInt(name), out);
}

void BodyReader::Field(const char* name, std::vector<std::string>& out, std::size_t max_items,
                       std::size_t max_chars) {
  if (!failed()) Take(body_->StringArray(name, max_items, max_chars), out);
}

void BodyReader::Field(const char* name, std::optional<std::vector<std::string>>& out,
                       std::size_t max_items, std::size_t max_chars) {
  if (failed() || !body_->Has(name)) return;
  std::vector<std::string> items;
  Take(body_->StringArray(name, max_items, max_chars), items);
  if (!failed()) out = std::move(items);
}

void BodyReader::Field(const char* name, JsonObjectText& out, std::size_t max_bytes,
                       int max_depth) {
  if (!failed()) Take(body_->ObjectText(name, max_bytes, max_depth), out.text);
}

std::vector<BodyReader> BodyReader::Nested(const char* name, std::size_t max_items) {
  std::vector<BodyReader> out;
  if (failed()) return out;
  if (max_items == 0) {
    auto object = body_->Object(name);
    if (!object) {
      Record(std::move(object).error());
      return out;
    }
    out.emplace_back(std::make_shared<const JsonBody>(std::move(*object)), prefix_ + name + ".");
    return out;
  }
  auto items = body_->ObjectArray(name, max_items);
  if (!items) {
    Record(std::move(items).error());
    return out;
  }
  for (std::size_t i = 0; i < items->size(); ++i)
    out.emplace_back(std::make_shared<const JsonBody>(std::move((*items)[i])),
                     prefix_ + name + "[" + std::to_string(i) + "].");
  return out;
}

}  // namespace vault::http
