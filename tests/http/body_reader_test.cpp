#include "http/body_reader.hpp"

#include <gtest/gtest.h>

#include "core/product.hpp"
#include "http/endpoint.hpp"
#include "http/json_body.hpp"

namespace vault::http {
namespace {

struct PrincipalInput {
  core::PrincipalType type = core::PrincipalType::kAccount;
  std::string id;
  void Fields(BodyReader& r) {
    r.Field("type", type, 16, core::ParsePrincipalType);
    r.Field("id", id, 64);
  }
};

struct GrantInput {
  PrincipalInput principal;
  std::optional<std::string> note;
  std::vector<PrincipalInput> also;
  void Fields(BodyReader& r) {
    r.Field("principal", principal);
    r.Field("note", note, 5);
    r.Field("also", also, 2);
  }
};

template <typename T = GrantInput>
core::Result<T> Read(const std::string& body) {
  Request req;
  req.headers.emplace_back("content-type", "application/json");
  req.body = body;
  Call c(req);
  return c.Body<T>();
}

std::string FieldOf(const core::Result<GrantInput>& r) { return r ? "<ok>" : r.error().field; }
std::string IdOf(const core::Result<GrantInput>& r) { return r ? "<ok>" : r.error().id; }

TEST(BodyReader, ReadsEveryDeclaredField) {
  auto in = Read(R"({"principal":{"type":"group","id":"grp_1"},"note":"hi",)"
                 R"("also":[{"type":"account","id":"acc_1"}]})");
  ASSERT_TRUE(in) << in.error().id;
  EXPECT_EQ(in->principal.type, core::PrincipalType::kGroup);
  EXPECT_EQ(in->principal.id, "grp_1");
  EXPECT_EQ(in->note, "hi");
  ASSERT_EQ(in->also.size(), 1u);
  EXPECT_EQ(in->also[0].id, "acc_1");
}

TEST(BodyReader, OptionalFieldsMayBeAbsentOrNull) {
  auto in = Read(R"({"principal":{"type":"account","id":"a"},"note":null})");
  ASSERT_TRUE(in);
  EXPECT_FALSE(in->note);
  EXPECT_TRUE(in->also.empty());
}

TEST(BodyReader, TheFirstProblemNamesItsFieldWithItsPath) {
  EXPECT_EQ(IdOf(Read(R"({})")), "validation.required");
  EXPECT_EQ(FieldOf(Read(R"({})")), "principal");
  EXPECT_EQ(FieldOf(Read(R"({"principal":{"id":"a"}})")), "principal.type");
  EXPECT_EQ(IdOf(Read(R"({"principal":{"type":"robot","id":"a"}})")), "validation.principal_type");
  EXPECT_EQ(FieldOf(Read(R"({"principal":{"type":"robot","id":"a"}})")), "principal.type");
  // The first problem wins: type is checked before id, principal before note.
  EXPECT_EQ(FieldOf(Read(R"({"principal":{"type":"robot"},"note":"far too long"})")),
            "principal.type");
  EXPECT_EQ(IdOf(Read(R"({"principal":{"type":"group","id":"a"},"note":"far too long"})")),
            "validation.too_long");
  EXPECT_EQ(FieldOf(Read(R"({"principal":{"type":"group","id":"a"},"also":[{"type":"group"}]})")),
            "also[0].id");
  EXPECT_EQ(FieldOf(Read(R"({"principal":{"type":"group","id":"a"},"also":[1]})")), "also[0]");
}

struct ListPatchInput {
  std::optional<std::vector<std::string>> uris;
  void Fields(BodyReader& r) { r.Field("uris", uris, 2, 10); }
};

core::Result<ListPatchInput> ReadList(const std::string& body) {
  return Read<ListPatchInput>(body);
}

TEST(BodyReader, AnOptionalListTellsAbsentFromEmpty) {
  EXPECT_FALSE(ReadList("{}")->uris);
  EXPECT_FALSE(ReadList(R"({"uris":null})")->uris);
  auto empty = ReadList(R"({"uris":[]})");
  ASSERT_TRUE(empty && empty->uris);
  EXPECT_TRUE(empty->uris->empty());
  auto two = ReadList(R"({"uris":["a","b"]})");
  ASSERT_TRUE(two && two->uris);
  EXPECT_EQ(*two->uris, (std::vector<std::string>{"a", "b"}));
  for (const char* bad : {R"({"uris":"a"})", R"({"uris":["a","b","c"]})", R"({"uris":[1]})",
                          R"({"uris":["much too long"]})", R"({"uris":[""]})"}) {
    auto r = ReadList(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().field, "uris") << bad;
  }
}

TEST(BodyReader, TheBodyMustBeAJsonObject) {
  Request req;
  req.body = R"({"principal":{}})";  // no content type
  Call c(req);
  auto in = c.Body<GrantInput>();
  ASSERT_FALSE(in);
  EXPECT_EQ(in.error().code, core::Code::kUnsupportedMediaType);
  EXPECT_EQ(IdOf(Read("[]")), "validation.type");
  EXPECT_EQ(IdOf(Read("{")), "validation.malformed_json");
}

TEST(BodyReader, OnlyTheJsonMediaTypeInAnyCaseWithParameters) {
  for (const char* ok :
       {"application/json", "Application/JSON", " application/json ; charset=utf-8",
        "APPLICATION/JSON;charset=UTF-8", "application/json\t"})
    EXPECT_TRUE(IsJsonMediaType(ok)) << ok;
  for (const char* bad : {"", "text/plain", "application/jsonx", "application/json-patch+json",
                          "application\x0fjson", "application/jsoN\x80", "application /json",
                          "multipart/form-data; boundary=application/json"})
    EXPECT_FALSE(IsJsonMediaType(bad)) << bad;
}

TEST(BodyReader, MediaTypesCompareTheTypeAloneFoldingAsciiCaseOnly) {
  constexpr const char* kForm = "application/x-www-form-urlencoded";
  EXPECT_TRUE(IsMediaType("Application/X-WWW-Form-Urlencoded; charset=UTF-8", kForm));
  EXPECT_TRUE(IsMediaType("\tapplication/x-www-form-urlencoded ", kForm));
  EXPECT_FALSE(IsMediaType("application/x-www-form-urlencoded2", kForm));
  EXPECT_FALSE(IsMediaType("application/json", kForm));
  // A non-ASCII byte is never folded onto an ASCII letter (as a locale's tolower might).
  EXPECT_FALSE(IsMediaType("application/x-www-form-urlencode\xc4", kForm));
}

struct ConfigInput {
  JsonObjectText config;
  void Fields(BodyReader& r) { r.Field("config", config, 1024, 8); }
};

// Found by fuzz/json_body.cpp: 1e400 parses as infinity, which Boost.JSON writes back as
// "Infinity" (not JSON), so a product configuration holding it broke every answer it was
// spliced into.
TEST(BodyReader, AnObjectKeptAsTextRefusesANumberItCannotWriteBack) {
  for (const char* body : {R"({"config":{"x":1e400}})", R"({"config":{"a":[1,{"b":-1e999}]}})"}) {
    auto in = Read<ConfigInput>(body);
    ASSERT_FALSE(in) << body;
    EXPECT_EQ(in.error().id, "validation.range");
    EXPECT_EQ(in.error().field, "config");
  }
  auto ok = Read<ConfigInput>(R"({"config":{"x":1e308,"y":-0.5,"z":[1e-400]}})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->config.text, R"({"x":1E308,"y":-5E-1,"z":[0E0]})");
}

}  // namespace
}  // namespace vault::http
