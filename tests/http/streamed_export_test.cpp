// StreamedExport: the first page is read before answering (its error is the handler's), later
// pages are read one per chunk after the last row of the one before, a short page ends the
// stream, and an error on a later page reaches the server as the producer's error.
#include "http/streamed_export.hpp"

#include <gtest/gtest.h>

namespace vault::http {
namespace {

// A list of `n` rows 0..n-1, read in pages; records each page's starting point.
struct FakeList {
  int n = 0;
  int fail_from = -1;  // a read starting at or after this row fails
  std::vector<int> starts;

  std::function<core::Result<std::vector<int>>(const int*)> Reader() {
    return [this](const int* last) -> core::Result<std::vector<int>> {
      int start = last ? *last + 1 : 0;
      starts.push_back(start);
      if (fail_from >= 0 && start >= fail_from)
        return core::Fail(core::Code::kNotFound, "workspace.not_found", "gone");
      std::vector<int> page;
      for (int i = start; i < n && page.size() < kExportPage; ++i) page.push_back(i);
      return page;
    };
  }
};

void AppendRow(std::string& out, const int& row) { out += std::to_string(row) + "\n"; }

// Every chunk of the response (its body first) until the end or an error.
core::Result<std::string> Drain(Response& res, int* chunks) {
  std::string all = res.body;
  *chunks = 0;
  for (;;) {
    VAULT_ASSIGN_OR_RETURN(auto next, res.stream());
    if (!next) return all;
    ++*chunks;
    all += *next;
  }
}

std::string Rows(int n) {
  std::string out = "head\n";
  for (int i = 0; i < n; ++i) AppendRow(out, i);
  return out;
}

TEST(StreamedExport, WalksEveryPageOnceAfterTheLastRow) {
  const int kPage = static_cast<int>(kExportPage);
  for (int n : {0, 1, kPage - 1, kPage, kPage + 1, 3 * kPage, 3 * kPage + 7}) {
    FakeList list{n};
    auto res = StreamedExport<int>("text/plain", "head\n", list.Reader(), AppendRow);
    ASSERT_TRUE(res) << n;
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->content_type, "text/plain");
    ASSERT_TRUE(res->stream);
    EXPECT_EQ(list.starts, std::vector<int>{0}) << "only the first page before answering";
    int chunks = 0;
    auto all = Drain(*res, &chunks);
    ASSERT_TRUE(all) << n;
    EXPECT_EQ(*all, Rows(n)) << n;
    std::vector<int> want;  // a full page asks for the next one; a short page is the last
    for (int start = 0; start <= n; start += kPage) want.push_back(start);
    EXPECT_EQ(list.starts, want) << n;
    EXPECT_EQ(chunks, static_cast<int>(want.size()) - 1) << n;
    auto again = res->stream();  // ended streams stay ended
    ASSERT_TRUE(again);
    EXPECT_FALSE(*again);
  }
}

TEST(StreamedExport, AFirstPageErrorIsTheAnswer) {
  FakeList list{10, 0};
  auto res = StreamedExport<int>("text/plain", "head\n", list.Reader(), AppendRow);
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error().id, "workspace.not_found");
}

TEST(StreamedExport, ALaterPageErrorEndsTheStreamWithIt) {
  const int kPage = static_cast<int>(kExportPage);
  FakeList list{3 * kPage, kPage};
  auto res = StreamedExport<int>("text/plain", "head\n", list.Reader(), AppendRow);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->body, Rows(kPage));
  auto next = res->stream();
  ASSERT_FALSE(next);
  EXPECT_EQ(next.error().id, "workspace.not_found");
}

}  // namespace
}  // namespace vault::http
