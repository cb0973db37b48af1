// http::JsonBody::Parse and every typed field reader, and BodyReader over nested input structs:
// the input is a request body (its first byte picks the Content-Type header among a few). For
// every member of the object the input holds, each reader is called with limits the member's
// name picks, and its answer is checked against an independent reading of the same JSON with
// Boost.JSON: Parse accepts exactly a valid UTF-8 JSON object (when the media type is JSON);
// a string field is returned unchanged, is valid UTF-8, holds no NUL and fits its limit, or
// the read fails naming the field; integers fit int64; ObjectText is the JSON text of the
// value, within its byte and depth limits; arrays respect their item limits; every failure is
// an invalid_argument (or payload_too_large for ObjectText) naming the field or its path.
#include "http/json_body.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/account.hpp"
#include "core/encoding.hpp"
#include "fuzz_util.hpp"
#include "http/body_reader.hpp"

namespace {

namespace json = boost::json;
using vault::core::Code;
using vault::http::BodyReader;
using vault::http::JsonBody;

bool HasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

// Whether v nests at most `levels` objects/arrays deep (a scalar is 0 deep).
bool Within(const json::value& v, int levels) {
  if (!v.is_object() && !v.is_array()) return true;
  if (levels == 0) return false;
  if (v.is_array())
    return std::all_of(v.as_array().begin(), v.as_array().end(),
                       [&](const json::value& x) { return Within(x, levels - 1); });
  return std::all_of(v.as_object().begin(), v.as_object().end(),
                     [&](const auto& kv) { return Within(kv.value(), levels - 1); });
}

void CheckError(const vault::core::Error& e, const std::string& field, bool may_be_too_large) {
  FUZZ_CHECK(e.code == Code::kInvalidArgument ||
             (may_be_too_large && e.code == Code::kPayloadTooLarge));
  FUZZ_CHECK(e.field == field || e.field.starts_with(field + "["));
  FUZZ_CHECK(!e.id.empty() && !e.detail.empty());
}

// Every reader on one member, checked against the reference value (null when absent).
void ReadMember(const JsonBody& body, const std::string& name, const json::value* ref) {
  const char* f = name.c_str();
  const bool absent = !ref || ref->is_null();
  const std::size_t limit = name.size() % 7 * 3;  // 0..18: the name picks the limits

  auto os = body.OptString(f, limit);
  if (absent) {
    FUZZ_CHECK(os && !*os);
  } else if (!ref->is_string()) {
    FUZZ_CHECK(!os && os.error().id == "validation.type");
  } else {
    std::string_view want = ref->as_string();
    bool fits = !HasNul(want) && vault::core::CodePointCount(want) <= limit;
    FUZZ_CHECK(os.has_value() == fits);
    if (os) FUZZ_CHECK(**os == want && vault::core::IsValidUtf8(**os));
  }
  if (!os) CheckError(os.error(), name, false);

  auto s = body.String(f, limit);
  FUZZ_CHECK(s.has_value() == (os && os->has_value()));
  if (s) FUZZ_CHECK(*s == **os);
  if (!s) CheckError(s.error(), name, false);

  auto b = body.OptBool(f);
  FUZZ_CHECK(b.has_value() == (absent || ref->is_bool()));
  if (b && !absent) FUZZ_CHECK(**b == ref->as_bool());
  if (!b) CheckError(b.error(), name, false);

  auto i = body.OptInt(f);
  bool whole = !absent && (ref->is_int64() || (ref->is_uint64() && ref->as_uint64() <= INT64_MAX));
  FUZZ_CHECK(i.has_value() == (absent || whole));
  if (i && !absent)
    FUZZ_CHECK(**i ==
               (ref->is_int64() ? ref->as_int64() : static_cast<std::int64_t>(ref->as_uint64())));
  if (!i) CheckError(i.error(), name, false);

  FUZZ_CHECK(body.Has(f) == !absent);

  auto o = body.Object(f);
  FUZZ_CHECK(o.has_value() == (ref && (ref->is_null() || ref->is_object())));
  if (!o) CheckError(o.error(), name, false);
  auto oo = body.OptObject(f);
  FUZZ_CHECK(oo.has_value() == (absent || ref->is_object()));

  const int depth = static_cast<int>(name.size() % 5);
  const std::size_t max_bytes = limit * 4;
  auto text = body.ObjectText(f, max_bytes, depth);
  if (text) {
    FUZZ_CHECK(!absent && ref->is_object() && text->size() <= max_bytes);
    boost::system::error_code ec;
    json::value back = json::parse(*text, ec);
    // The kept text is exactly the value's serialization and is JSON again. Not compared after
    // a second parse: Boost.JSON 1.81 parses decimals imprecisely (the last ulp may move).
    FUZZ_CHECK(!ec && *text == json::serialize(*ref));
    FUZZ_CHECK(Within(back, depth));
  } else {
    CheckError(text.error(), name, true);
  }

  const std::size_t items = name.size() % 4;
  auto arr = body.ObjectArray(f, items);
  if (arr) {
    FUZZ_CHECK(absent || (ref->is_array() && arr->size() == ref->as_array().size()));
    FUZZ_CHECK(arr->size() <= items);
  } else {
    CheckError(arr.error(), name, false);
  }
  auto strs = body.StringArray(f, items, limit);
  if (strs) {
    FUZZ_CHECK(absent || (ref->is_array() && strs->size() == ref->as_array().size()));
    FUZZ_CHECK(strs->size() <= items);
    for (std::size_t k = 0; k < strs->size(); ++k) {
      const auto& x = (*strs)[k];
      FUZZ_CHECK(!x.empty() && x.size() <= limit && !HasNul(x) && vault::core::IsValidUtf8(x));
      FUZZ_CHECK(x == std::string_view(ref->as_array()[k].as_string()));
    }
  } else {
    CheckError(strs.error(), name, false);
  }
}

// Input structs of the shape the handlers declare: every kind of field, nested and in arrays.
struct Grant {
  std::string role;
  std::optional<std::int64_t> rank;
  void Fields(BodyReader& r) {
    r.Field("role", role, 20);
    r.Field("rank", rank);
  }
};
struct Principal {
  std::string type, id;
  std::optional<bool> active;
  void Fields(BodyReader& r) {
    r.Field("type", type, 20,
            [](const std::string& t, const char* field) -> vault::core::Result<std::string> {
              if (t == "account" || t == "group") return t;
              return vault::core::Fail(Code::kInvalidArgument, "validation.enum",
                                       "account or group", field);
            });
    r.Field("id", id, 64);
    r.Field("active", active);
  }
};
struct Input {
  std::string name;
  std::optional<std::string> note;
  std::vector<std::string> tags;
  std::optional<std::vector<std::string>> scopes;
  vault::http::JsonObjectText config;
  Principal principal;
  std::vector<Grant> grants;
  void Fields(BodyReader& r) {
    r.Field("name", name, 100);
    r.Field("note", note, 200);
    r.Field("tags", tags, 5, 16);
    r.Field("scopes", scopes, 5, 16);
    r.Field("config", config, 256, 4);
    r.Field("principal", principal);
    r.Field("grants", grants, 3);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* const kTypes[] = {"application/json", "Application/JSON; charset=utf-8",
                                       " application/json ;", "text/plain", "application/jsonx"};
  const std::size_t pick = data[0] % 5;
  vault::http::Request req;
  req.headers.emplace_back("content-type", kTypes[pick]);
  req.body = std::string(vault::fuzz::AsText(data + 1, size - 1));

  auto body = JsonBody::Parse(req);
  const bool json_type = pick < 3;
  FUZZ_CHECK(vault::http::IsJsonMediaType(kTypes[pick]) == json_type);
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 32;
  json::value ref = json::parse(req.body, ec, {}, opts);
  bool want = (json_type || req.body.empty()) && vault::core::IsValidUtf8(req.body) && !ec &&
              ref.is_object();
  FUZZ_CHECK(body.has_value() == want);
  if (!body) {
    const auto& e = body.error();
    FUZZ_CHECK(e.code == (json_type || req.body.empty() ? Code::kInvalidArgument
                                                        : Code::kUnsupportedMediaType));
    return 0;
  }
  const json::object& obj = ref.as_object();
  for (const auto& kv : obj) {
    std::string name(kv.key());
    if (HasNul(name)) continue;  // a C-string field name cannot hold one
    ReadMember(*body, name, obj.if_contains(name));
  }
  ReadMember(*body, "absent-field-name", obj.if_contains("absent-field-name"));

  auto shared = std::make_shared<const JsonBody>(std::move(*body));
  Input in;
  BodyReader reader(shared);
  in.Fields(reader);
  auto st = reader.status();
  if (st) {
    const json::value* n = obj.if_contains("name");
    FUZZ_CHECK(n && n->is_string() && in.name == std::string_view(n->as_string()));
    FUZZ_CHECK(in.tags.size() <= 5 && in.grants.size() <= 3);
    FUZZ_CHECK(in.principal.type == "account" || in.principal.type == "group");
    FUZZ_CHECK(in.config.text.size() <= 256 && !in.config.text.empty());
  } else {
    const auto& field = st.error().field;
    static const char* const kNames[] = {"name",   "note",      "tags",  "scopes",
                                         "config", "principal", "grants"};
    bool named = false;
    for (const char* k : kNames) named = named || field.starts_with(k);
    FUZZ_CHECK(named);
  }
  return 0;
}
