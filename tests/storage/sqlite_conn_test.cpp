// SqliteConn's parameters: "$N" names bound by number whatever their order in the text, repeated
// or skipped, through the cached statement as well as the first preparation; and a statement of
// hundreds of parameters (the batch writes' shape) binds each once.
#include "storage/sqlite/sqlite_conn.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace vault::storage {
namespace {

class SqliteConnParams : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vault-conn-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::create_directories(dir_);
    auto c = SqliteConn::Open((dir_ / "t.db").string());
    ASSERT_TRUE(c);
    conn_ = std::move(*c);
  }
  void TearDown() override {
    conn_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_;
  std::unique_ptr<SqliteConn> conn_;
};

TEST_F(SqliteConnParams, NamesBindByNumberInAnyOrderRepeatedOrSkipped) {
  for (int pass = 0; pass < 2; ++pass) {  // prepared, then from the statement cache
    auto r = conn_->Query("SELECT $2, $1, $1 || $3, $3",
                          {std::string("a"), std::string("b"), std::string("c")});
    ASSERT_TRUE(r) << r.error().detail;
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ(r->front().Str(0), "b");
    EXPECT_EQ(r->front().Str(1), "a");
    EXPECT_EQ(r->front().Str(2), "ac");
    EXPECT_EQ(r->front().Str(3), "c");
    // $2 is not in the text: its value is ignored; $3 is the statement's second parameter.
    auto skipped =
        conn_->Query("SELECT $1, $3", {std::string("x"), std::string("unused"), std::int64_t{7}});
    ASSERT_TRUE(skipped) << skipped.error().detail;
    EXPECT_EQ(skipped->front().Str(0), "x");
    EXPECT_EQ(skipped->front().Int(1), 7);
  }
}

TEST_F(SqliteConnParams, HundredsOfParametersBindToTheirOwnPlaces) {
  constexpr int kParams = 768;  // a 256-row chunk of three columns
  std::string sql = "SELECT ";
  std::vector<SqlValue> params;
  for (int i = kParams; i >= 1; --i) {  // named from the last to the first
    sql += (i == kParams ? "" : " + ") + std::string("$") + std::to_string(i) + " * " +
           std::to_string(i);
    params.emplace_back(std::int64_t{i});
  }
  std::reverse(params.begin(), params.end());  // $i is i
  std::int64_t want = 0;
  for (std::int64_t i = 1; i <= kParams; ++i) want += i * i;
  for (int pass = 0; pass < 2; ++pass) {
    auto r = conn_->Query(sql, params);
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->front().Int(0), want);
  }
}

}  // namespace
}  // namespace vault::storage
