// The storage contract for accounts, sessions, one-time tokens and the administrators' account
// search, on every backend. Coverage of every core::Tx method: tests/storage/README.md.
#include <gtest/gtest.h>

#include "storage/store_fixture.hpp"

namespace vault::storage {
namespace {

using core::Account;
using core::TokenPurpose;
using core::Tx;

class AccountStore : public StoreTest {
 protected:
  std::vector<std::string> Search(const std::string& query, const std::string& after_id = "",
                                  int limit = 100) {
    std::vector<std::string> out;
    Read([&](Tx& tx) {
      out =
          Ids(Ok(tx.SearchAccounts(query, after_id, limit)), [](const Account& a) { return a.id; });
    });
    return out;
  }
};

TEST_P(AccountStore, EveryFieldRoundTripsAndAbsentAccountsAreNotFound) {
  Account a = MakeAccount("acc_1", "Ada@Example.com");
  a.locale = "pt-BR";
  a.time_zone = "Europe/Lisbon";
  a.email_verified = true;
  a.disabled = true;
  a.super_admin = true;
  a.created_at = 11;
  a.updated_at = 12;
  a.last_sign_in_at = 13;
  a.last_workspace_id = "ws_9";
  Write([&](Tx& tx) { Ok(tx.InsertAccount(a)); });
  Read([&](Tx& tx) {
    auto by_id = Ok(tx.FindAccountById("acc_1"));
    ASSERT_TRUE(by_id);
    EXPECT_EQ(by_id->email, "Ada@Example.com");
    EXPECT_EQ(by_id->email_norm, "ada@example.com");
    EXPECT_EQ(by_id->name, a.name);
    EXPECT_EQ(by_id->locale, "pt-BR");
    EXPECT_EQ(by_id->time_zone, "Europe/Lisbon");
    EXPECT_TRUE(by_id->email_verified);
    EXPECT_EQ(by_id->password_hash, a.password_hash);
    EXPECT_TRUE(by_id->disabled);
    EXPECT_EQ(by_id->created_at, 11);
    EXPECT_EQ(by_id->updated_at, 12);
    EXPECT_TRUE(by_id->super_admin);
    EXPECT_EQ(by_id->last_sign_in_at, 13);
    EXPECT_EQ(by_id->last_workspace_id, "ws_9");
    auto by_email = Ok(tx.FindAccountByEmail("ada@example.com"));
    ASSERT_TRUE(by_email);
    EXPECT_EQ(by_email->id, "acc_1");
    EXPECT_FALSE(Ok(tx.FindAccountById("acc_2")));
    EXPECT_FALSE(Ok(tx.FindAccountByEmail("bob@example.com")));
  });
  // The id is unique too (not only the email).
  auto dup = store_->Write(
      [&](Tx& tx) { return tx.InsertAccount(MakeAccount("acc_1", "other@example.com")); });
  EXPECT_FALSE(dup);
}

TEST_P(AccountStore, UpdateChangesEveryMutableFieldButNotCreation) {
  SeedAccounts({{"acc_1", "a@example.com"}});
  Account a = MakeAccount("acc_1", "New@Example.com");
  a.name = "Renamed";
  a.locale = "fr";
  a.time_zone = "Europe/Paris";
  a.email_verified = true;
  a.password_hash = "";
  a.disabled = true;
  a.super_admin = true;
  a.created_at = 999;  // not mutable: ignored
  a.updated_at = 2000;
  a.last_sign_in_at = 1500;
  a.last_workspace_id = "ws_1";
  Write([&](Tx& tx) { Ok(tx.UpdateAccount(a)); });
  Read([&](Tx& tx) {
    auto got = Ok(tx.FindAccountById("acc_1"));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->email, "New@Example.com");
    EXPECT_EQ(got->name, "Renamed");
    EXPECT_EQ(got->locale, "fr");
    EXPECT_EQ(got->time_zone, "Europe/Paris");
    EXPECT_TRUE(got->email_verified);
    EXPECT_EQ(got->password_hash, "");
    EXPECT_TRUE(got->disabled);
    EXPECT_TRUE(got->super_admin);
    EXPECT_EQ(got->created_at, 1000);
    EXPECT_EQ(got->updated_at, 2000);
    EXPECT_EQ(got->last_sign_in_at, 1500);
    EXPECT_EQ(got->last_workspace_id, "ws_1");
    // The old address is free again; the new one finds the account.
    EXPECT_FALSE(Ok(tx.FindAccountByEmail("a@example.com")));
    EXPECT_TRUE(Ok(tx.FindAccountByEmail("new@example.com")));
  });
  auto absent = store_->Write(
      [&](Tx& tx) { return tx.UpdateAccount(MakeAccount("acc_missing", "z@example.com")); });
  EXPECT_EQ(ErrorCode(absent), core::Code::kNotFound);
}

TEST_P(AccountStore, SessionsRoundTripAndDeletingAllButOneCountsThem) {
  SeedAccounts({{"acc_1", "a@example.com"}, {"acc_2", "b@example.com"}});
  core::Session s = MakeSession("ses_1", "acc_1", 10);
  s.ip = "2001:db8::1";
  s.user_agent = "Mozilla/5.0 'quoted'";
  Write([&](Tx& tx) {
    Ok(tx.InsertSession(s));
    Ok(tx.InsertSession(MakeSession("ses_2", "acc_1", 20)));
    Ok(tx.InsertSession(MakeSession("ses_3", "acc_1", 30)));
    Ok(tx.InsertSession(MakeSession("ses_b", "acc_2", 40)));
  });
  Write([&](Tx& tx) {
    auto got = Ok(tx.FindSessionByTokenHash("hash-ses_1"));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->id, "ses_1");
    EXPECT_EQ(got->account_id, "acc_1");
    EXPECT_EQ(got->created_at, 10);
    EXPECT_EQ(got->last_seen_at, 10);
    EXPECT_EQ(got->expires_at, 110);
    EXPECT_EQ(got->ip, "2001:db8::1");
    EXPECT_EQ(got->user_agent, "Mozilla/5.0 'quoted'");
    EXPECT_FALSE(Ok(tx.FindSessionByTokenHash("hash-unknown")));
    auto sessions = Ok(tx.ListSessions("acc_1"));
    EXPECT_EQ(Ids(sessions, [](const core::Session& x) { return x.id; }),
              (std::vector<std::string>{"ses_3", "ses_2", "ses_1"}));  // newest first
    // An empty keep_id keeps none; another account's sessions are untouched.
    EXPECT_EQ(Ok(tx.DeleteSessionsOfAccount("acc_1", "")), 3);
    EXPECT_EQ(Ok(tx.DeleteSessionsOfAccount("acc_1", "")), 0);
    EXPECT_TRUE(Ok(tx.ListSessions("acc_1")).empty());
    EXPECT_EQ(Ok(tx.ListSessions("acc_2")).size(), 1u);
    EXPECT_FALSE(Ok(tx.FindSessionByTokenHash("hash-ses_1")));
    EXPECT_FALSE(Ok(tx.DeleteSession("acc_1", "ses_1")));  // already gone
  });
}

TEST_P(AccountStore, LiveSessionsComeInPagesByIdWithoutExpiredOnes) {
  SeedAccounts({{"acc_1", "a@example.com"}, {"acc_2", "b@example.com"}});
  Write([&](Tx& tx) {
    Ok(tx.InsertSession(MakeSession("ses_c", "acc_1", 10)));  // expires at 110
    Ok(tx.InsertSession(MakeSession("ses_a", "acc_2", 50)));  // 150
    Ok(tx.InsertSession(MakeSession("ses_b", "acc_1", 60)));  // 160
    Ok(tx.InsertSession(MakeSession("ses_d", "acc_2", 70)));  // 170
  });
  auto ids = [](const std::vector<core::Session>& v) {
    return Ids(v, [](const core::Session& x) { return x.id; });
  };
  Read([&](Tx& tx) {
    // ses_c expired at 110: not live at 110 (expiry is exclusive, as Authenticate has it).
    EXPECT_EQ(ids(Ok(tx.ListLiveSessions(110, "", 2))),
              (std::vector<std::string>{"ses_a", "ses_b"}));
    EXPECT_EQ(ids(Ok(tx.ListLiveSessions(110, "ses_b", 2))), (std::vector<std::string>{"ses_d"}));
    EXPECT_TRUE(Ok(tx.ListLiveSessions(110, "ses_d", 2)).empty());
    auto all = Ok(tx.ListLiveSessions(0, "", 10));
    EXPECT_EQ(ids(all), (std::vector<std::string>{"ses_a", "ses_b", "ses_c", "ses_d"}));
    EXPECT_EQ(all[0].account_id, "acc_2");
    EXPECT_EQ(all[0].token_hash, "hash-ses_a");
    EXPECT_EQ(all[0].expires_at, 150);
  });
}

TEST_P(AccountStore, ATokenIsUnusableFromItsExpiry) {
  Write([&](Tx& tx) {
    Ok(tx.InsertToken(MakeToken("th", TokenPurpose::kEmailChange, "acc_1", 100)));
  });
  Write([&](Tx& tx) {
    EXPECT_FALSE(Ok(tx.ConsumeToken("th", TokenPurpose::kEmailChange, 100)));  // at expiry
    EXPECT_EQ(Ok(tx.FindToken("th", TokenPurpose::kEmailChange))->consumed_at, std::nullopt);
    EXPECT_TRUE(Ok(tx.ConsumeToken("th", TokenPurpose::kEmailChange, 99)));  // one second before
    EXPECT_FALSE(Ok(tx.FindToken("unknown", TokenPurpose::kEmailChange)));
  });
}

TEST_P(AccountStore, TokenFieldsRoundTrip) {
  core::OneTimeToken t{"th", TokenPurpose::kSignup, "", "New@Example.com", "Ada 'L'", 5, 500, {}};
  Write([&](Tx& tx) { Ok(tx.InsertToken(t)); });
  Read([&](Tx& tx) {
    auto got = Ok(tx.FindToken("th", TokenPurpose::kSignup));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->token_hash, "th");
    EXPECT_EQ(got->purpose, TokenPurpose::kSignup);
    EXPECT_EQ(got->account_id, "");
    EXPECT_EQ(got->email, "New@Example.com");
    EXPECT_EQ(got->name, "Ada 'L'");
    EXPECT_EQ(got->created_at, 5);
    EXPECT_EQ(got->expires_at, 500);
    EXPECT_FALSE(got->consumed_at);
  });
}

TEST_P(AccountStore, VoidingTokensTouchesOnlyTheAccountsUnconsumedOnes) {
  Write([&](Tx& tx) {
    Ok(tx.InsertToken(MakeToken("reset1", TokenPurpose::kPasswordReset, "acc_1", 1000)));
    Ok(tx.InsertToken(MakeToken("reset2", TokenPurpose::kPasswordReset, "acc_1", 1000)));
    Ok(tx.InsertToken(MakeToken("email", TokenPurpose::kEmailChange, "acc_1", 1000)));
    Ok(tx.InsertToken(MakeToken("used", TokenPurpose::kEmailChange, "acc_1", 1000)));
    Ok(tx.InsertToken(MakeToken("other", TokenPurpose::kPasswordReset, "acc_2", 1000)));
    Ok(tx.InsertToken(MakeToken("signup", TokenPurpose::kSignup, "", 1000)));
    EXPECT_TRUE(Ok(tx.ConsumeToken("used", TokenPurpose::kEmailChange, 40)));
  });
  Write([&](Tx& tx) {
    EXPECT_EQ(Ok(tx.VoidTokensOfAccount("acc_1", TokenPurpose::kPasswordReset, 50)), 2);
    EXPECT_EQ(Ok(tx.VoidTokensOfAccount("acc_1", TokenPurpose::kPasswordReset, 51)), 0);
    EXPECT_EQ(Ok(tx.FindToken("email", TokenPurpose::kEmailChange))->consumed_at, std::nullopt);
    EXPECT_EQ(Ok(tx.VoidTokensOfAccount("acc_1", std::nullopt, 60)), 1);  // "email" only
    EXPECT_EQ(Ok(tx.FindToken("reset1", TokenPurpose::kPasswordReset))->consumed_at, 50);
    EXPECT_EQ(Ok(tx.FindToken("email", TokenPurpose::kEmailChange))->consumed_at, 60);
    EXPECT_EQ(Ok(tx.FindToken("used", TokenPurpose::kEmailChange))->consumed_at, 40);
    EXPECT_FALSE(Ok(tx.ConsumeToken("reset2", TokenPurpose::kPasswordReset, 70)));
    // Sign-up tokens belong to no account and are never matched, even by an empty id.
    EXPECT_EQ(Ok(tx.VoidTokensOfAccount("", std::nullopt, 70)), 0);
    EXPECT_TRUE(Ok(tx.ConsumeToken("signup", TokenPurpose::kSignup, 70)));
    EXPECT_TRUE(Ok(tx.ConsumeToken("other", TokenPurpose::kPasswordReset, 70)));
  });
}

TEST_P(AccountStore, DeletingAnAccountTakesEverythingPersonalAndNothingElse) {
  SeedAccounts({{"acc_1", "a@example.com"}, {"acc_2", "b@example.com"}});
  SeedWorkspaces({{"ws_1", "alpha"}});
  SeedMembers("ws_1", {{"acc_1", core::Role::kOwner}, {"acc_2", core::Role::kOwner}});
  Write([&](Tx& tx) {
    for (const char* acc : {"acc_1", "acc_2"}) {
      const std::string id = acc;
      Ok(tx.InsertSession(MakeSession("ses_" + id, id, 10)));
      Ok(tx.InsertToken(MakeToken("tok_" + id, TokenPurpose::kPasswordReset, id, 100)));
      Ok(tx.PutTotp({id, "sealed", true, 0, 1}));
      Ok(tx.ReplaceRecoveryCodes(id, {"rc1", "rc2"}));
      core::OAuthSubject who{"svc_1", id, "ses_" + id, "ws_1", "prd_1", "openid", 1, "pwd"};
      Ok(tx.InsertAuthorizationCode({"code-" + id, who, "https://a/cb", "ch", "", 1, 100, 0, ""}));
      Ok(tx.InsertRefreshToken({"rt_" + id, "fam_" + id, "rth-" + id, who, 1, 100, 200, 0, 0}));
    }
    Ok(tx.InsertProduct(MakeProduct("prd_1", "ws_1", "files")));
    Ok(tx.InsertGroup(MakeGroup("grp_1", "ws_1", "Team")));
    EXPECT_TRUE(Ok(tx.AddGroupMember("ws_1", "grp_1", "acc_1")));
    EXPECT_TRUE(Ok(tx.AddGroupMember("ws_1", "grp_1", "acc_2")));
    Ok(tx.PutGrant(MakeGrant("prd_1", "ws_1", core::PrincipalType::kAccount, "acc_1")));
    Ok(tx.PutGrant(MakeGrant("prd_1", "ws_1", core::PrincipalType::kAccount, "acc_2")));
  });
  Write([&](Tx& tx) { Ok(tx.DeleteAccount("acc_1")); });
  Read([&](Tx& tx) {
    EXPECT_FALSE(Ok(tx.FindAccountById("acc_1")));
    EXPECT_FALSE(Ok(tx.FindSessionByTokenHash("hash-ses_acc_1")));
    EXPECT_FALSE(Ok(tx.FindToken("tok_acc_1", TokenPurpose::kPasswordReset)));
    EXPECT_FALSE(Ok(tx.FindTotp("acc_1")));
    EXPECT_EQ(Ok(tx.CountUnusedRecoveryCodes("acc_1")), 0);
    EXPECT_FALSE(Ok(tx.FindMembership("ws_1", "acc_1")));
    EXPECT_FALSE(Ok(tx.FindAuthorizationCode("code-acc_1")));
    EXPECT_FALSE(Ok(tx.FindRefreshToken("rth-acc_1")));
    EXPECT_TRUE(Ok(tx.FindAuthorizationCode("code-acc_2")));
    EXPECT_TRUE(Ok(tx.FindRefreshToken("rth-acc_2")));
    EXPECT_EQ(Ok(tx.ListGroupMembers("ws_1")),
              (std::vector<std::pair<std::string, std::string>>{{"grp_1", "acc_2"}}));
    auto grants = Ok(tx.ListGrants("prd_1"));
    EXPECT_EQ(Ids(grants, [](const core::Grant& g) { return g.principal_id; }),
              (std::vector<std::string>{"acc_2"}));
    // The other account keeps everything.
    EXPECT_TRUE(Ok(tx.FindSessionByTokenHash("hash-ses_acc_2")));
    EXPECT_TRUE(Ok(tx.FindToken("tok_acc_2", TokenPurpose::kPasswordReset)));
    EXPECT_TRUE(Ok(tx.FindTotp("acc_2")));
    EXPECT_EQ(Ok(tx.CountUnusedRecoveryCodes("acc_2")), 2);
    EXPECT_TRUE(Ok(tx.FindMembership("ws_1", "acc_2")));
    EXPECT_TRUE(Ok(tx.FindWorkspace("ws_1")));
  });
  auto again = store_->Write([&](Tx& tx) { return tx.DeleteAccount("acc_1"); });
  EXPECT_EQ(ErrorCode(again), core::Code::kNotFound);
}

TEST_P(AccountStore, SearchMatchesEmailOrNameInAnyCaseByIdWithCursor) {
  Write([&](Tx& tx) {
    Account a = MakeAccount("acc_3", "ada@lovelace.org");
    a.name = "Ada Lovelace";
    Ok(tx.InsertAccount(a));
    Account b = MakeAccount("acc_1", "grace@navy.mil");
    b.name = "Grace HOPPER";
    Ok(tx.InsertAccount(b));
    Account c = MakeAccount("acc_2", "Alan_Turing@Example.com");
    c.name = "Alan 100% Turing";
    Ok(tx.InsertAccount(c));
  });
  EXPECT_EQ(Search(""), (std::vector<std::string>{"acc_1", "acc_2", "acc_3"}));
  EXPECT_EQ(Search("LOVELACE.ORG"), (std::vector<std::string>{"acc_3"}));  // email, any case
  EXPECT_EQ(Search("hopper"), (std::vector<std::string>{"acc_1"}));        // name, any case
  EXPECT_EQ(Search("a"), (std::vector<std::string>{"acc_1", "acc_2", "acc_3"}));
  // LIKE wildcards in the query are plain characters.
  EXPECT_EQ(Search("100%"), (std::vector<std::string>{"acc_2"}));
  EXPECT_EQ(Search("n_t"), (std::vector<std::string>{"acc_2"}));
  EXPECT_TRUE(Search("_x").empty());
  EXPECT_EQ(Search("%"), (std::vector<std::string>{"acc_2"}));
  // Pages: after_id and limit.
  EXPECT_EQ(Search("a", "", 2), (std::vector<std::string>{"acc_1", "acc_2"}));
  EXPECT_EQ(Search("a", "acc_2", 2), (std::vector<std::string>{"acc_3"}));
  EXPECT_TRUE(Search("a", "acc_3", 2).empty());
}

// Both backends fold the case of ASCII letters only: the exact name is always found, and a
// query never finds on one backend what it misses on the other.
TEST_P(AccountStore, SearchFoldsTheSameCaseOnEveryBackend) {
  Write([&](Tx& tx) {
    Account a = MakeAccount("acc_1", "e@example.com");
    a.name = "\xC3\x89lodie \xC3\x9Cnal";  // Élodie Ünal
    Ok(tx.InsertAccount(a));
  });
  EXPECT_EQ(Search("\xC3\x89lodie \xC3\x9Cnal").size(), 1u);  // as stored
  EXPECT_EQ(Search("\xC3\x89LODIE \xC3\x9CNAL").size(), 1u);  // ASCII letters in another case
  EXPECT_EQ(Search("lodie").size(), 1u);
  EXPECT_TRUE(Search("\xC3\xA9lodie").empty());  // "élodie": É is not folded
}

VAULT_STORE_BACKENDS(AccountStore);

}  // namespace
}  // namespace vault::storage
