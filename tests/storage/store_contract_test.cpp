// The storage contract: every backend must behave the same for every repository operation.
#include <gtest/gtest.h>

#include "core/blocking.hpp"
#include "core/store.hpp"
#include "storage/store_fixture.hpp"

namespace vault::storage {
namespace {

using core::Account;
using core::Result;
using core::Tx;

class StoreContract : public StoreTest {
 protected:
  Result<void> Insert(const Account& a) {
    return store_->Write([&](Tx& tx) { return tx.InsertAccount(a); });
  }
};

TEST_P(StoreContract, AccountRoundTripsAndEmailIsUniqueInAnyCase) {
  ASSERT_TRUE(Insert(MakeAccount("acc_1", "Ada@Example.com")));
  std::optional<Account> found;
  ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
    auto a = tx.FindAccountByEmail("ada@example.com");
    if (!a) return core::Fail(a.error());
    found = *a;
    return {};
  }));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, "acc_1");
  EXPECT_EQ(found->email, "Ada@Example.com");
  EXPECT_EQ(found->created_at, 1000);
  auto dup = Insert(MakeAccount("acc_2", "ADA@example.COM"));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().id, "account.email_taken");
}

TEST_P(StoreContract, UpdateToATakenEmailFailsAndChangesNothing) {
  ASSERT_TRUE(Insert(MakeAccount("acc_1", "a@example.com")));
  ASSERT_TRUE(Insert(MakeAccount("acc_2", "b@example.com")));
  Account b = MakeAccount("acc_2", "a@example.com");
  b.name = "Changed";
  auto r = store_->Write([&](Tx& tx) { return tx.UpdateAccount(b); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().id, "account.email_taken");
  ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
    auto a = tx.FindAccountById("acc_2");
    EXPECT_EQ((*a)->name, "Test Person");
    return {};
  }));
}

TEST_P(StoreContract, AFailedTransactionWritesNothing) {
  auto r = store_->Write([&](Tx& tx) -> Result<void> {
    if (auto i = tx.InsertAccount(MakeAccount("acc_1", "a@example.com")); !i) return i;
    return core::Fail(core::Code::kInvalidArgument, "test.abort", "abort");
  });
  ASSERT_FALSE(r);
  ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
    EXPECT_FALSE(*tx.FindAccountById("acc_1"));
    return {};
  }));
}

// Where blocking is not allowed (network threads, core::NoBlockingScope) a write never runs:
// it answers WouldBlock, untouched, so the request can be re-run on the blocking pool. A read
// runs there only on SQLite (WAL readers never wait for the writer); PostgreSQL answers
// WouldBlock, since a read is a network round trip.
TEST_P(StoreContract, NothingBlocksWhereBlockingIsNotAllowed) {
  ASSERT_TRUE(Insert(MakeAccount("acc_1", "a@example.com")));
  bool wrote = false, read = false, write_asked_to_block = false, read_asked_to_block = false;
  Result<void> w, r;
  {
    core::NoBlockingScope scope;
    w = store_->Write([&](Tx& tx) -> Result<void> {
      wrote = true;
      return tx.InsertAccount(MakeAccount("acc_2", "b@example.com"));
    });
    write_asked_to_block = scope.blocking_requested();
  }
  {
    core::NoBlockingScope scope;
    r = store_->Read([&](Tx& tx) -> Result<void> {
      auto a = tx.FindAccountById("acc_1");
      if (!a) return core::Fail(a.error());
      read = a->has_value();
      return {};
    });
    read_asked_to_block = scope.blocking_requested();
  }
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().id, "internal.would_block");
  EXPECT_TRUE(write_asked_to_block);
  EXPECT_FALSE(wrote);
  if (GetParam() == "sqlite") {
    EXPECT_TRUE(r);
    EXPECT_TRUE(read);
    EXPECT_FALSE(read_asked_to_block);
  } else {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().id, "internal.would_block");
    EXPECT_TRUE(read_asked_to_block);
    EXPECT_FALSE(read);
  }
  // Outside the scope both work again, and the refused write left nothing behind.
  ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
    EXPECT_FALSE(*tx.FindAccountById("acc_2"));
    return {};
  }));
  EXPECT_TRUE(Insert(MakeAccount("acc_2", "b@example.com")));
}

// A flush of many sessions goes in statements of up to 256 rows (256, 128, …, 1): 700 rows
// cross every chunk size but 32 and 2, and each row must land on its own session.
TEST_P(StoreContract, ABatchOfHundredsOfTouchesReachesEverySessionOnce) {
  ASSERT_TRUE(Insert(MakeAccount("acc_1", "a@example.com")));
  constexpr int kN = 700;
  std::vector<core::SessionTouch> touches;
  ASSERT_TRUE(store_->Write([&](Tx& tx) -> Result<void> {
    for (int i = 0; i < kN; ++i) {
      const std::string n = std::to_string(i);
      if (auto r = tx.InsertSession({"ses_" + n, "acc_1", "hash" + n, 10, 10, 100000, "", "ua"});
          !r)
        return r;
      touches.push_back({"ses_" + n, 1000 + i,
                         "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256)});
    }
    return tx.TouchSessions(touches);
  }));
  ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
    for (int i = 0; i < kN; ++i) {
      auto s = tx.FindSessionByTokenHash("hash" + std::to_string(i));
      EXPECT_TRUE(s && *s) << i;
      if (!s || !*s) continue;
      EXPECT_EQ((*s)->last_seen_at, 1000 + i) << i;
      EXPECT_EQ((*s)->ip, touches[i].ip) << i;
    }
    return {};
  }));
}

TEST_P(StoreContract, SessionsAreListedTouchedAndDeletedPerAccount) {
  ASSERT_TRUE(Insert(MakeAccount("acc_1", "a@example.com")));
  ASSERT_TRUE(Insert(MakeAccount("acc_2", "b@example.com")));
  ASSERT_TRUE(store_->Write([&](Tx& tx) -> Result<void> {
    for (int i = 0; i < 3; ++i) {
      core::Session s{"ses_" + std::to_string(i),
                      "acc_1",
                      "hash" + std::to_string(i),
                      10 + i,
                      10 + i,
                      100,
                      "127.0.0.1",
                      "ua"};
      if (auto r = tx.InsertSession(s); !r) return r;
    }
    return tx.InsertSession({"ses_x", "acc_2", "hashx", 10, 10, 100, "::1", "ua"});
  }));
  ASSERT_TRUE(store_->Write([&](Tx& tx) -> Result<void> {
    auto list = tx.ListSessions("acc_1");
    EXPECT_EQ(list->size(), 3u);
    EXPECT_EQ(list->front().id, "ses_2");  // newest first
    // One batch: a session twice (the newest time wins), an unknown id (skipped).
    EXPECT_TRUE(tx.TouchSessions({{"ses_0", 60, "10.0.0.2"},
                                  {"ses_none", 70, "10.0.0.9"},
                                  {"ses_0", 50, "10.0.0.1"},
                                  {"ses_1", 55, "::1"}}));
    auto s = tx.FindSessionByTokenHash("hash0");
    EXPECT_EQ((*s)->last_seen_at, 60);
    EXPECT_EQ((*s)->ip, "10.0.0.2");
    EXPECT_EQ((*tx.FindSessionByTokenHash("hash1"))->last_seen_at, 55);
    EXPECT_EQ((*tx.FindSessionByTokenHash("hash2"))->last_seen_at, 12);  // not in the batch
    EXPECT_FALSE(*tx.DeleteSession("acc_2", "ses_0"));                   // not acc_2's session
    EXPECT_TRUE(*tx.DeleteSession("acc_1", "ses_0"));
    EXPECT_EQ(*tx.DeleteSessionsOfAccount("acc_1", "ses_1"), 1);
    EXPECT_EQ(tx.ListSessions("acc_1")->size(), 1u);
    EXPECT_EQ(tx.ListSessions("acc_2")->size(), 1u);
    return {};
  }));
}

TEST_P(StoreContract, TokensAreConsumedOnceAndNotAfterExpiry) {
  core::OneTimeToken t{
      "th1", core::TokenPurpose::kPasswordReset, "acc_1", "a@example.com", "", 0, 100, {}};
  core::OneTimeToken old{
      "th2", core::TokenPurpose::kPasswordReset, "acc_1", "a@example.com", "", 0, 10, {}};
  ASSERT_TRUE(store_->Write([&](Tx& tx) -> Result<void> {
    if (auto r = tx.InsertToken(t); !r) return r;
    return tx.InsertToken(old);
  }));
  ASSERT_TRUE(store_->Write([&](Tx& tx) -> Result<void> {
    EXPECT_FALSE(*tx.FindToken("th1", core::TokenPurpose::kSignup));  // purpose is part of the key
    EXPECT_FALSE(*tx.ConsumeToken("th1", core::TokenPurpose::kSignup, 50));
    EXPECT_TRUE(*tx.ConsumeToken("th1", core::TokenPurpose::kPasswordReset, 50));
    EXPECT_FALSE(*tx.ConsumeToken("th1", core::TokenPurpose::kPasswordReset, 51));
    EXPECT_EQ((*tx.FindToken("th1", core::TokenPurpose::kPasswordReset))->consumed_at, 50);
    EXPECT_FALSE(*tx.ConsumeToken("th2", core::TokenPurpose::kPasswordReset, 50));  // expired
    return {};
  }));
}

TEST_P(StoreContract, ConcurrentConsumersOfOneTokenHaveExactlyOneWinner) {
  ASSERT_TRUE(store_->Write([&](Tx& tx) {
    return tx.InsertToken(
        {"race", core::TokenPurpose::kSignup, "", "a@example.com", "A", 0, 100, {}});
  }));
  auto won = Concurrently<bool>(
      8, [](Tx& tx, int) { return tx.ConsumeToken("race", core::TokenPurpose::kSignup, 50); });
  EXPECT_EQ(std::count(won.begin(), won.end(), true), 1);
}

TEST_P(StoreContract, MigrationsAreAppliedOnceAndRecorded) {
  EXPECT_GE(opened_.migrations_applied, 1);
  auto again = db_->Open(1);
  EXPECT_EQ(again.migrations_applied, 0);
}

TEST_P(StoreContract, HostileTextIsStoredVerbatim) {
  Account a = MakeAccount("acc_1", "a@example.com");
  a.name = "Robert'); DROP TABLE accounts;-- \xF0\x9F\x94\x92 <script>";
  ASSERT_TRUE(Insert(a));
  ASSERT_TRUE(store_->Read([&](Tx& tx) -> Result<void> {
    EXPECT_EQ((*tx.FindAccountById("acc_1"))->name, a.name);
    return {};
  }));
}

VAULT_STORE_BACKENDS(StoreContract);

}  // namespace
}  // namespace vault::storage
