// The form and query parsers of http/message.hpp: percent and '+' decoding, the UTF-8 and
// control-character checks, and the query checker agreeing with the form parser (a case the
// fuzz target fuzz/form.cpp found).
#include "http/message.hpp"

#include <gtest/gtest.h>

namespace vault::http {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

Request WithQuery(std::string query) {
  Request req;
  req.query = std::move(query);
  return req;
}

TEST(ParseForm, DecodesPercentAndPlusInOrder) {
  EXPECT_EQ(ParseForm("a=1+2&b=%C3%A9&c&=x&a=3"),
            (Pairs{{"a", "1 2"}, {"b", "\xC3\xA9"}, {"c", ""}, {"", "x"}, {"a", "3"}}));
  EXPECT_EQ(ParseForm(""), Pairs{});
  EXPECT_EQ(ParseForm("a=%zz%4"), (Pairs{{"a", "%zz%4"}}));  // not an escape: kept as typed
}

TEST(ParseForm, RefusesControlCharactersAndInvalidUtf8) {
  for (const char* bad : {"a=%00", "a=%7F", "%01=x", "a=%C3", "a=%ED%A0%80", "=%0A"})
    EXPECT_FALSE(ParseForm(bad)) << bad;
}

TEST(BadQueryParam, NamesTheFirstUncleanParameter) {
  EXPECT_EQ(WithQuery("a=1&b=%C3%A9").BadQueryParam(), "");
  EXPECT_EQ(WithQuery("a=1&limit=%00").BadQueryParam(), "limit");
  EXPECT_EQ(WithQuery("%FF=1").BadQueryParam(), "query");
}

TEST(BadQueryParam, AnEmptyNameWithAnUncleanValueIsStillRefused) {
  // It used to return the empty name, which reads as "clean": the rest of the query went
  // unchecked to the handler.
  EXPECT_EQ(WithQuery("=%00").BadQueryParam(), "query");
  EXPECT_EQ(WithQuery("=%01&action=%00x").BadQueryParam(), "query");
  EXPECT_FALSE(ParseForm("=%01&action=%00x"));
}

}  // namespace
}  // namespace vault::http
