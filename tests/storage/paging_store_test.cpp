// The storage contract of keyset paging (core::Page) for every paged list, on every backend:
// walking a list in small pages, each read in its own transaction while rows are inserted
// between the pages (before and after the walk's position, with ties on the sort key), yields
// every row that existed before the walk exactly once, never a row twice, in the list's order.
// Coverage of every core::Tx method: tests/storage/README.md.
#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "storage/store_fixture.hpp"

namespace vault::storage {
namespace {

using core::Page;
using core::Result;
using core::Tx;

class PagingStore : public StoreTest {
 protected:
  // Reads a list in pages of `limit`, each in its own read transaction; `advance` moves the page
  // past the last row; `between(n)` runs after page n. Returns the ids in the order read.
  template <typename T>
  std::vector<std::string> Walk(const std::function<Result<std::vector<T>>(Tx&, const Page&)>& list,
                                const std::function<void(Page&, const T&)>& advance,
                                const std::function<std::string(const T&)>& id, int limit,
                                const std::function<void(int)>& between = {}) {
    std::vector<std::string> out;
    Page page;
    page.limit = limit;
    for (int n = 1; n < 1000; ++n) {
      std::vector<T> rows;
      Read([&](Tx& tx) { rows = Ok(list(tx, page)); });
      EXPECT_LE(rows.size(), static_cast<std::size_t>(limit));
      for (const auto& r : rows) out.push_back(id(r));
      if (rows.size() < static_cast<std::size_t>(limit)) return out;
      advance(page, rows.back());
      if (between) between(n);
    }
    ADD_FAILURE() << "the walk does not end";
    return out;
  }

  // The walk in pages of 2 with `insert(n)` between pages, against the whole list read before
  // (a Page{} read) and after: each earlier row once, no repeats, the whole list's order.
  template <typename T>
  void ExpectWalk(const std::function<Result<std::vector<T>>(Tx&, const Page&)>& list,
                  const std::function<void(Page&, const T&)>& advance,
                  const std::function<std::string(const T&)>& id,
                  const std::function<void(Tx&, int)>& insert) {
    auto whole = [&] { return Walk<T>(list, advance, id, 100000); };
    std::vector<std::string> before = whole();
    ASSERT_GE(before.size(), 5u);
    std::vector<std::string> seen = Walk<T>(list, advance, id, 2, [&](int n) {
      if (n <= 3) Write([&](Tx& tx) { insert(tx, n); });
    });
    std::set<std::string> unique(seen.begin(), seen.end());
    EXPECT_EQ(unique.size(), seen.size()) << "a row repeats";
    for (const auto& b : before) EXPECT_TRUE(unique.contains(b)) << b << " is missing";
    std::vector<std::string> after = whole();
    EXPECT_EQ(after.size(), before.size() + 6) << "two rows inserted after each of 3 pages";
    std::vector<std::string> in_order;
    for (const auto& a : after)
      if (unique.contains(a)) in_order.push_back(a);
    EXPECT_EQ(seen, in_order) << "the pages follow the list's order";
  }
};

TEST_P(PagingStore, MembersPageByEmailThenAccountId) {
  SeedWorkspaces({{"ws_1", "alpha"}, {"ws_2", "beta"}});
  for (int i = 0; i < 6; ++i) {
    std::string id = "acc_" + std::to_string(i);
    SeedAccounts({{id, "m" + std::to_string(i) + "@example.com"}});
    SeedMembers("ws_1", {{id, core::Role::kMember}});
  }
  SeedAccounts({{"acc_other", "a-other@example.com"}});
  SeedMembers("ws_2", {{"acc_other", core::Role::kOwner}});
  ExpectWalk<core::MemberView>(
      [](Tx& tx, const Page& p) { return tx.ListMembers("ws_1", p); },
      [](Page& p, const core::MemberView& m) {
        p.after_key = Lower(m.email);
        p.after_id = m.membership.account_id;
      },
      [](const core::MemberView& m) { return m.membership.account_id; },
      [](Tx& tx, int n) {
        for (std::string first : {"a", "z"}) {
          std::string id = "acc_new" + first + std::to_string(n);
          Ok(tx.InsertAccount(MakeAccount(id, first + std::to_string(n) + "@example.com")));
          Ok(tx.InsertMembership(MakeMembership("ws_1", id, core::Role::kMember)));
        }
      });
}

TEST_P(PagingStore, PendingInvitationsPageNewestFirstThenIdThroughTies) {
  SeedWorkspaces({{"ws_1", "alpha"}});
  Write([&](Tx& tx) {
    for (int i = 0; i < 7; ++i)
      Ok(tx.InsertInvitation(MakeInvitation("inv_" + std::to_string(i), "ws_1",
                                            "i" + std::to_string(i) + "@example.com",
                                            100 + i / 3)));  // three share each time
  });
  ExpectWalk<core::Invitation>(
      [](Tx& tx, const Page& p) { return tx.ListPendingInvitations("ws_1", p); },
      [](Page& p, const core::Invitation& i) {
        p.after_time = i.created_at;
        p.after_id = i.id;
      },
      [](const core::Invitation& i) { return i.id; },
      [](Tx& tx, int n) {
        for (core::Timestamp at : {core::Timestamp{50}, core::Timestamp{500}})
          Ok(tx.InsertInvitation(MakeInvitation("inv_new" + std::to_string(at + n), "ws_1",
                                                "n" + std::to_string(at + n) + "@example.com",
                                                at)));
      });
}

TEST_P(PagingStore, ProductsPageByNameThenIdThroughEqualNames) {
  SeedWorkspaces({{"ws_1", "alpha"}});
  Write([&](Tx& tx) {
    for (int i = 0; i < 7; ++i)
      Ok(tx.InsertProduct(MakeProduct("prd_" + std::to_string(i), "ws_1", "p" + std::to_string(i),
                                      i < 4 ? "Same" : "Other")));
  });
  ExpectWalk<core::Product>(
      [](Tx& tx, const Page& p) { return tx.ListProducts("ws_1", p); },
      [](Page& p, const core::Product& x) {
        p.after_key = x.name;
        p.after_id = x.id;
      },
      [](const core::Product& x) { return x.id; },
      [](Tx& tx, int n) {
        std::string s = std::to_string(n);
        Ok(tx.InsertProduct(MakeProduct("prd_new_a" + s, "ws_1", "na" + s, "Aardvark")));
        Ok(tx.InsertProduct(MakeProduct("prd_0new" + s, "ws_1", "nz" + s, "Same")));
      });
}

TEST_P(PagingStore, GroupsPageByNormalisedNameThenId) {
  SeedWorkspaces({{"ws_1", "alpha"}});
  Write([&](Tx& tx) {
    for (int i = 0; i < 6; ++i)
      Ok(tx.InsertGroup(MakeGroup("grp_" + std::to_string(i), "ws_1", "G" + std::to_string(i))));
  });
  ExpectWalk<core::Group>([](Tx& tx, const Page& p) { return tx.ListGroups("ws_1", p); },
                          [](Page& p, const core::Group& g) {
                            p.after_key = g.name_norm;
                            p.after_id = g.id;
                          },
                          [](const core::Group& g) { return g.id; },
                          [](Tx& tx, int n) {
                            std::string s = std::to_string(n);
                            Ok(tx.InsertGroup(MakeGroup("grp_a" + s, "ws_1", "A" + s)));
                            Ok(tx.InsertGroup(MakeGroup("grp_z" + s, "ws_1", "Z" + s)));
                          });
}

TEST_P(PagingStore, GrantsPageAccountsFirstThenByPrincipalId) {
  SeedWorkspaces({{"ws_1", "alpha"}});
  Write([&](Tx& tx) {
    Ok(tx.InsertProduct(MakeProduct("prd_1", "ws_1", "p1")));
    for (int i = 0; i < 4; ++i) {
      std::string s = std::to_string(i);
      Ok(tx.InsertAccount(MakeAccount("acc_" + s, "a" + s + "@example.com")));
      Ok(tx.InsertMembership(MakeMembership("ws_1", "acc_" + s, core::Role::kMember)));
      Ok(tx.PutGrant(MakeGrant("prd_1", "ws_1", core::PrincipalType::kAccount, "acc_" + s)));
      Ok(tx.InsertGroup(MakeGroup("grp_" + s, "ws_1", "G" + s)));
      Ok(tx.PutGrant(MakeGrant("prd_1", "ws_1", core::PrincipalType::kGroup, "grp_" + s)));
    }
  });
  ExpectWalk<core::Grant>(
      [](Tx& tx, const Page& p) { return tx.ListGrants("prd_1", p); },
      [](Page& p, const core::Grant& g) {
        p.after_key = std::string(core::PrincipalTypeName(g.principal_type));
        p.after_id = g.principal_id;
      },
      [](const core::Grant& g) { return g.principal_id; },
      [](Tx& tx, int n) {
        std::string s = std::to_string(n);
        Ok(tx.InsertAccount(MakeAccount("acc_0new" + s, "new" + s + "@example.com")));
        Ok(tx.InsertMembership(MakeMembership("ws_1", "acc_0new" + s, core::Role::kMember)));
        Ok(tx.PutGrant(MakeGrant("prd_1", "ws_1", core::PrincipalType::kAccount, "acc_0new" + s)));
        Ok(tx.InsertGroup(MakeGroup("grp_znew" + s, "ws_1", "New" + s)));
        Ok(tx.PutGrant(MakeGrant("prd_1", "ws_1", core::PrincipalType::kGroup, "grp_znew" + s)));
      });
}

TEST_P(PagingStore, SessionsPageNewestFirstThenIdThroughTies) {
  SeedAccounts({{"acc_1", "a@example.com"}, {"acc_2", "b@example.com"}});
  Write([&](Tx& tx) {
    for (int i = 0; i < 7; ++i)
      Ok(tx.InsertSession(MakeSession("ses_" + std::to_string(i), "acc_1", 100 + i / 3)));
    Ok(tx.InsertSession(MakeSession("ses_other", "acc_2", 100)));
  });
  ExpectWalk<core::Session>(
      [](Tx& tx, const Page& p) { return tx.ListSessions("acc_1", p); },
      [](Page& p, const core::Session& s) {
        p.after_time = s.created_at;
        p.after_id = s.id;
      },
      [](const core::Session& s) { return s.id; },
      [](Tx& tx, int n) {
        std::string s = std::to_string(n);
        Ok(tx.InsertSession(MakeSession("ses_0new" + s, "acc_1", 101)));  // a tie, sorting early
        Ok(tx.InsertSession(MakeSession("ses_late" + s, "acc_1", 900)));
      });
}

TEST_P(PagingStore, ProductTypesPageByKeyThenId) {
  auto type = [](const std::string& key) {
    core::ProductType t;
    t.id = "pty_" + key;
    t.key = key;
    t.name = "Type " + key;
    t.roles = {{"boss", 1, {}}};
    t.plans = {{"basic", "Basic", 0, 0, {}}};
    return t;
  };
  Write([&](Tx& tx) {
    for (std::string k : {"b1", "c1", "t1"}) Ok(tx.InsertProductType(type(k)));
  });
  ExpectWalk<core::ProductType>([](Tx& tx, const Page& p) { return tx.ListProductTypes(p); },
                                [](Page& p, const core::ProductType& t) {
                                  p.after_key = t.key;
                                  p.after_id = t.id;
                                },
                                [](const core::ProductType& t) { return t.id; },
                                [&](Tx& tx, int n) {
                                  std::string s = std::to_string(n);
                                  Ok(tx.InsertProductType(type("aa" + s)));
                                  Ok(tx.InsertProductType(type("zz" + s)));
                                });
  // each type still carries its roles and plans when paged
  Read([&](Tx& tx) {
    Page p;
    p.limit = 1;
    p.after_key = "aa3";
    p.after_id = "pty_aa3";
    auto one = Ok(tx.ListProductTypes(p));
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0].key, "b1");
    ASSERT_EQ(one[0].roles.size(), 1u);
    ASSERT_EQ(one[0].plans.size(), 1u);
  });
}

TEST_P(PagingStore, ServiceClientsPageById) {
  Write([&](Tx& tx) {
    for (int i = 0; i < 6; ++i)
      Ok(tx.InsertServiceClient(
          {"svc_" + std::to_string(i), "pty_submit", "Backend", "hash", 10, i == 2 ? 20 : 0}));
  });
  ExpectWalk<core::ServiceClient>(
      [](Tx& tx, const Page& p) { return tx.ListServiceClients(p); },
      [](Page& p, const core::ServiceClient& c) { p.after_id = c.id; },
      [](const core::ServiceClient& c) { return c.id; },
      [](Tx& tx, int n) {
        std::string s = std::to_string(n);
        Ok(tx.InsertServiceClient({"svc_0" + s, "pty_manage", "Early", "hash", 11, 0}));
        Ok(tx.InsertServiceClient({"svc_9" + s, "pty_manage", "Late", "hash", 11, 0}));
      });
}

VAULT_STORE_BACKENDS(PagingStore);

}  // namespace
}  // namespace vault::storage
