// The change feed row of a write commits and rolls back with the write it describes (ADR 0005):
// with the feed's append failing, an API key revocation and a member removal change nothing;
// without a fault, the change and its row are there together. (The fault-injection suite runs
// every use case over the same ChangeStore and finds no feed row left by a failed write.)
#include "app/fault_injection.hpp"

namespace vault::app::fault {
namespace {

class ChangeFeedRow : public FaultTest {
 protected:
  // Feed rows for (kind, subject).
  int FeedRows(const std::string& kind, const std::string& subject) {
    auto rows = raw_->Query("SELECT COUNT(*) FROM change_feed WHERE kind = $1 AND subject = $2",
                            {kind, subject});
    EXPECT_TRUE(rows);
    return rows ? static_cast<int>(rows->front().Int(0)) : -1;
  }
  std::int64_t Scalar(const std::string& sql, const std::string& arg) {
    auto rows = raw_->Query(sql, {arg});
    EXPECT_TRUE(rows);
    return rows && !rows->empty() ? rows->front().Int(0) : -1;
  }
  // Runs call with each write failing in turn until the feed's append is the one that fails;
  // fails the test if the call never appends to the feed.
  void FailTheFeedAppend(const std::function<core::Result<void>()>& call) {
    for (int n = 1; n <= 100; ++n) {
      fault_->FailAt(n);
      auto r = call();
      auto status = fault_->status();
      fault_->FailAt(0);
      if (!status.fired) break;
      if (status.failed_write != "AppendChange") continue;
      EXPECT_FALSE(r) << "the write succeeded without its feed row";
      return;
    }
    ADD_FAILURE() << "the call never appended to the change feed";
  }
};

TEST_P(ChangeFeedRow, AnApiKeyRevocationAndItsFeedRowCommitTogether) {
  Org o = NewOrg("revoke");
  auto k = keys_->Create(o.ctx, o.ws, {"submit", "production", "CI", {"submissions:read"}});
  ASSERT_TRUE(k);
  const std::string id = k->key.id;
  const int rows_before = FeedRows("api_key", id);  // its creation's
  EXPECT_EQ(rows_before, 1);

  FailTheFeedAppend([&] { return Void(keys_->Revoke(o.ctx, o.ws, id)); });
  EXPECT_EQ(Scalar("SELECT revoked_at FROM api_keys WHERE id = $1", id), 0)
      << "revoked although its feed row failed";
  EXPECT_EQ(FeedRows("api_key", id), rows_before);

  ASSERT_TRUE(keys_->Revoke(o.ctx, o.ws, id));
  EXPECT_NE(Scalar("SELECT revoked_at FROM api_keys WHERE id = $1", id), 0);
  EXPECT_EQ(FeedRows("api_key", id), rows_before + 1);
}

TEST_P(ChangeFeedRow, AMemberRemovalAndItsFeedRowCommitTogether) {
  Org o = NewOrg("remove");
  auto ws = workspaces_->Get(o.ctx, o.ws);
  ASSERT_TRUE(ws);
  const std::string wid = ws->workspace.id;
  const std::string member_sql =
      "SELECT COUNT(*) FROM memberships WHERE account_id = $1 AND workspace_id = '" + wid + "'";
  const int rows_before = FeedRows("workspace", wid);

  FailTheFeedAppend([&] { return workspaces_->RemoveMember(o.ctx, o.ws, o.admin.account.id); });
  EXPECT_EQ(Scalar(member_sql, o.admin.account.id), 1) << "removed without its feed row";
  EXPECT_EQ(FeedRows("workspace", wid), rows_before);

  ASSERT_TRUE(workspaces_->RemoveMember(o.ctx, o.ws, o.admin.account.id));
  EXPECT_EQ(Scalar(member_sql, o.admin.account.id), 0);
  EXPECT_EQ(FeedRows("workspace", wid), rows_before + 1);
}

// A write that fails after noting a change leaves no row and tells no cache.
TEST_P(ChangeFeedRow, ARolledBackWriteNeitherAppendsNorTells) {
  std::vector<core::ChangeEntry> told;
  ChangeStore store(*opened_.store, clock_,
                    [&](const std::vector<core::ChangeEntry>& c) { told = c; });
  auto r = store.Write([&](core::Tx& tx) -> core::Result<void> {
    NoteWorkspaceChanged(tx, "ws_rolled_back");
    return core::Fail(core::Code::kInternal, "test.abort", "abort");
  });
  EXPECT_FALSE(r);
  EXPECT_EQ(FeedRows("workspace", "ws_rolled_back"), 0);
  EXPECT_TRUE(told.empty());

  ASSERT_TRUE(store.Write([&](core::Tx& tx) -> core::Result<void> {
    NoteWorkspaceChanged(tx, "ws_committed");
    NoteWorkspaceChanged(tx, "ws_committed");  // noted twice, appended once
    NoteCatalogChanged(tx);
    return {};
  }));
  EXPECT_EQ(FeedRows("workspace", "ws_committed"), 1);
  EXPECT_EQ(FeedRows("catalog", ""), 1);
  ASSERT_EQ(told.size(), 2u);
  EXPECT_EQ(told[0].kind, "workspace");
  EXPECT_EQ(told[0].subject, "ws_committed");
  EXPECT_EQ(told[1].kind, "catalog");
}

INSTANTIATE_TEST_SUITE_P(Backends, ChangeFeedRow, ::testing::ValuesIn(testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vault::app::fault
