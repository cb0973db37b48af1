// The storage contract for workspaces, logos, memberships, invitations and the administrators'
// workspace search, on every backend. Coverage of every core::Tx method:
// tests/storage/README.md.
#include <gtest/gtest.h>

#include "storage/store_fixture.hpp"

namespace vault::storage {
namespace {

using core::Invitation;
using core::InvitationStatus;
using core::Result;
using core::Role;
using core::Tx;
using core::Workspace;

class WorkspaceStore : public StoreTest {
 protected:
  std::vector<std::string> Search(const std::string& query, const std::string& after_id = "",
                                  int limit = 100) {
    std::vector<std::string> out;
    Read([&](Tx& tx) {
      out = Ids(Ok(tx.SearchWorkspaces(query, after_id, limit)),
                [](const Workspace& w) { return w.id; });
    });
    return out;
  }
  static std::vector<std::string> InvitationIds(const std::vector<Invitation>& list) {
    return Ids(list, [](const Invitation& i) { return i.id; });
  }
};

TEST_P(WorkspaceStore, RoundTripsAndIsFoundByIdOrShortnameInAnyCase) {
  Workspace w{"ws_1", "Alpha 'Team'", "alpha", "About \xE2\x9C\x93", true, 5, 6};
  Write([&](Tx& tx) { Ok(tx.InsertWorkspace(w)); });
  Read([&](Tx& tx) {
    for (const char* key : {"ws_1", "alpha", "ALPHA", "Alpha"}) {
      auto got = Ok(tx.FindWorkspace(key));
      ASSERT_TRUE(got) << key;
      EXPECT_EQ(got->id, "ws_1");
      EXPECT_EQ(got->name, w.name);
      EXPECT_EQ(got->shortname, "alpha");
      EXPECT_EQ(got->description, w.description);
      EXPECT_TRUE(got->require_2fa);
      EXPECT_EQ(got->created_at, 5);
      EXPECT_EQ(got->updated_at, 6);
    }
    EXPECT_FALSE(Ok(tx.FindWorkspace("beta")));
    EXPECT_FALSE(Ok(tx.FindWorkspace("WS_1")));  // ids are exact
  });
  auto dup =
      store_->Write([&](Tx& tx) { return tx.InsertWorkspace(MakeWorkspace("ws_2", "alpha")); });
  EXPECT_EQ(ErrorId(dup), "workspace.shortname_taken");
  EXPECT_EQ(ErrorCode(dup), core::Code::kAlreadyExists);
}

TEST_P(WorkspaceStore, UpdateChangesTheSettingsAndRefusesATakenShortname) {
  SeedWorkspaces({{"ws_1", "alpha"}, {"ws_2", "beta"}});
  Workspace w{"ws_1", "Renamed", "gamma", "New text", true, 999, 50};
  Write([&](Tx& tx) { Ok(tx.UpdateWorkspace(w)); });
  Read([&](Tx& tx) {
    auto got = Ok(tx.FindWorkspace("gamma"));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->id, "ws_1");
    EXPECT_EQ(got->name, "Renamed");
    EXPECT_EQ(got->description, "New text");
    EXPECT_TRUE(got->require_2fa);
    EXPECT_EQ(got->created_at, 1);  // creation is not an updatable field
    EXPECT_EQ(got->updated_at, 50);
    EXPECT_FALSE(Ok(tx.FindWorkspace("alpha")));  // the old shortname is free
  });
  w.shortname = "beta";
  w.name = "Must not stick";
  auto taken = store_->Write([&](Tx& tx) { return tx.UpdateWorkspace(w); });
  EXPECT_EQ(ErrorId(taken), "workspace.shortname_taken");
  Read([&](Tx& tx) { EXPECT_EQ(Ok(tx.FindWorkspace("ws_1"))->name, "Renamed"); });
}

TEST_P(WorkspaceStore, SuspensionIsStoredListedAndLifted) {
  SeedWorkspaces({{"ws_1", "alpha"}, {"ws_2", "beta"}});
  SeedAccounts({{"acc_1", "a@example.com"}});
  Write([&](Tx& tx) {
    Ok(tx.InsertMembership({"ws_1", "acc_1", core::Role::kMember, 1}));
    EXPECT_FALSE(Ok(tx.FindWorkspace("ws_1"))->suspended());  // new workspaces are not
    auto w = *Ok(tx.FindWorkspace("ws_1"));
    w.suspended_at = 77;
    w.suspension_reason = "Unpaid \xC3\xBC <b>";
    Ok(tx.UpdateWorkspace(w));
  });
  Read([&](Tx& tx) {
    auto got = Ok(tx.FindWorkspace("alpha"));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->suspended_at, 77);
    EXPECT_EQ(got->suspension_reason, "Unpaid \xC3\xBC <b>");
    auto cards = Ok(tx.ListWorkspacesOf("acc_1"));  // members still list it, marked
    ASSERT_EQ(cards.size(), 1u);
    EXPECT_TRUE(cards[0].workspace.suspended());
    EXPECT_EQ(cards[0].role, core::Role::kMember);
    auto found = Ok(tx.SearchWorkspaces("", "", 10));
    ASSERT_EQ(found.size(), 2u);
    EXPECT_TRUE(found[0].suspended());
    EXPECT_FALSE(found[1].suspended());
  });
  Write([&](Tx& tx) {
    auto w = *Ok(tx.FindWorkspace("ws_1"));
    w.suspended_at = 0;
    w.suspension_reason.clear();
    Ok(tx.UpdateWorkspace(w));
  });
  Read([&](Tx& tx) {
    auto got = Ok(tx.FindWorkspace("ws_1"));
    EXPECT_FALSE(got->suspended());
    EXPECT_EQ(got->suspension_reason, "");
  });
}

TEST_P(WorkspaceStore, ALogoIsPutReplacedAndDeletedOnce) {
  SeedWorkspaces({{"ws_1", "alpha"}});
  const std::string bytes("\x89PNG\r\n\x1a\n\0\xff\x00 raw", 16);
  Write([&](Tx& tx) {
    EXPECT_FALSE(Ok(tx.GetLogo("ws_1")));
    Ok(tx.PutLogo("ws_1", {"image/png", "old", 5}));
    Ok(tx.PutLogo("ws_1", {"image/webp", bytes, 6}));  // replaces
  });
  Write([&](Tx& tx) {
    auto logo = Ok(tx.GetLogo("ws_1"));
    ASSERT_TRUE(logo);
    EXPECT_EQ(logo->content_type, "image/webp");
    EXPECT_EQ(logo->data, bytes);  // raw bytes, NUL and 0xFF included
    EXPECT_EQ(logo->updated_at, 6);
    EXPECT_TRUE(Ok(tx.DeleteLogo("ws_1")));
    EXPECT_FALSE(Ok(tx.DeleteLogo("ws_1")));
    EXPECT_FALSE(Ok(tx.GetLogo("ws_1")));
  });
}

// Six Owners demoting themselves at once, each only while another Owner remains: with the
// workspace lock taken first, each sees the demotions before it, and one Owner is left.
TEST_P(WorkspaceStore, TheWorkspaceLockSerialisesMembershipChanges) {
  constexpr int kOwners = 6;
  SeedWorkspaces({{"ws_1", "alpha"}});
  for (int i = 0; i < kOwners; ++i) {
    const std::string id = "acc_" + std::to_string(i);
    SeedAccounts({{id, id + "@example.com"}});
    SeedMembers("ws_1", {{id, Role::kOwner}});
  }
  auto demoted = Concurrently<bool>(kOwners, [](Tx& tx, int i) -> Result<bool> {
    VAULT_TRY(tx.LockWorkspace("ws_1"));
    VAULT_ASSIGN_OR_RETURN(int owners, tx.CountOwners("ws_1"));
    if (owners < 2) return false;
    VAULT_TRY(tx.UpdateMembershipRole("ws_1", "acc_" + std::to_string(i), Role::kAdmin));
    return true;
  });
  EXPECT_EQ(std::count(demoted.begin(), demoted.end(), true), kOwners - 1);
  Read([&](Tx& tx) { EXPECT_EQ(Ok(tx.CountOwners("ws_1")), 1); });
}

TEST_P(WorkspaceStore, TheWorkspaceLockHoldsUntilCommit) {
  SeedWorkspaces({{"ws_1", "alpha"}});
  EXPECT_TRUE(SecondLockWaitsForTheFirstCommit([](Tx& tx) { return tx.LockWorkspace("ws_1"); }));
}

TEST_P(WorkspaceStore, DeletingAWorkspaceCascadesEverythingInside) {
  SeedAccounts({{"acc_1", "a@example.com"}});
  SeedWorkspaces({{"ws_1", "alpha"}, {"ws_2", "beta"}});
  for (const char* ws : {"ws_1", "ws_2"}) {
    const std::string id = ws;
    SeedMembers(id, {{"acc_1", Role::kOwner}});
    Write([&](Tx& tx) {
      Ok(tx.PutLogo(id, {"image/png", "x", 1}));
      Ok(tx.InsertInvitation(MakeInvitation("inv_" + id, id, "z@example.com", 1)));
      Ok(tx.InsertProduct(MakeProduct("prd_" + id, id, "files")));
      Ok(tx.PutSubscription({"prd_" + id, "trial", core::SubscriptionStatus::kInTrial}));
      Ok(tx.InsertGroup(MakeGroup("grp_" + id, id, "Team")));
      EXPECT_TRUE(Ok(tx.AddGroupMember(id, "grp_" + id, "acc_1")));
      Ok(tx.PutGrant(MakeGrant("prd_" + id, id, core::PrincipalType::kGroup, "grp_" + id)));
    });
  }
  Write([&](Tx& tx) { Ok(tx.DeleteWorkspace("ws_1")); });
  Read([&](Tx& tx) {
    EXPECT_FALSE(Ok(tx.FindWorkspace("ws_1")));
    EXPECT_FALSE(Ok(tx.FindWorkspace("alpha")));
    EXPECT_FALSE(Ok(tx.GetLogo("ws_1")));
    EXPECT_FALSE(Ok(tx.FindMembership("ws_1", "acc_1")));
    EXPECT_FALSE(Ok(tx.FindInvitationByToken("tok-inv_ws_1")));
    EXPECT_FALSE(Ok(tx.FindProductById("prd_ws_1")));
    EXPECT_FALSE(Ok(tx.FindSubscription("prd_ws_1")));
    EXPECT_FALSE(Ok(tx.FindGroup("ws_1", "grp_ws_1")));
    EXPECT_TRUE(Ok(tx.ListGroupMembers("ws_1")).empty());
    EXPECT_TRUE(Ok(tx.ListWorkspaceGrants("ws_1")).empty());
    // The account and the other workspace keep everything.
    EXPECT_TRUE(Ok(tx.FindAccountById("acc_1")));
    EXPECT_TRUE(Ok(tx.GetLogo("ws_2")));
    EXPECT_TRUE(Ok(tx.FindMembership("ws_2", "acc_1")));
    EXPECT_TRUE(Ok(tx.FindInvitationByToken("tok-inv_ws_2")));
    EXPECT_TRUE(Ok(tx.FindSubscription("prd_ws_2")));
    EXPECT_EQ(Ok(tx.ListGroupMembers("ws_2")).size(), 1u);
    EXPECT_EQ(Ok(tx.ListWorkspaceGrants("ws_2")).size(), 1u);
  });
  // Its shortname can be taken again.
  SeedWorkspaces({{"ws_3", "alpha"}});
}

TEST_P(WorkspaceStore, MembershipsAreUniqueAndCountOwners) {
  SeedAccounts({{"acc_1", "a@example.com"}, {"acc_2", "b@example.com"}});
  SeedWorkspaces({{"ws_1", "alpha"}, {"ws_2", "beta"}});
  SeedMembers("ws_1", {{"acc_1", Role::kOwner}, {"acc_2", Role::kBilling}});
  SeedMembers("ws_2", {{"acc_2", Role::kOwner}});
  auto dup = store_->Write(
      [&](Tx& tx) { return tx.InsertMembership(MakeMembership("ws_1", "acc_1", Role::kMember)); });
  EXPECT_EQ(ErrorId(dup), "member.exists");
  EXPECT_EQ(ErrorCode(dup), core::Code::kAlreadyExists);
  Write([&](Tx& tx) {
    auto m = Ok(tx.FindMembership("ws_1", "acc_2"));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->workspace_id, "ws_1");
    EXPECT_EQ(m->account_id, "acc_2");
    EXPECT_EQ(m->role, Role::kBilling);
    EXPECT_EQ(m->created_at, 10);
    EXPECT_FALSE(Ok(tx.FindMembership("ws_2", "acc_1")));
    EXPECT_EQ(Ok(tx.CountOwners("ws_1")), 1);
    Ok(tx.UpdateMembershipRole("ws_1", "acc_2", Role::kOwner));
    EXPECT_EQ(Ok(tx.FindMembership("ws_1", "acc_2"))->role, Role::kOwner);
    EXPECT_EQ(Ok(tx.CountOwners("ws_1")), 2);
    EXPECT_EQ(Ok(tx.CountOwners("ws_2")), 1);  // per workspace
    EXPECT_EQ(Ok(tx.FindMembership("ws_1", "acc_1"))->role, Role::kOwner);
  });
}

TEST_P(WorkspaceStore, RemovingAMemberTakesTheirAccessInThatWorkspaceOnly) {
  SeedAccounts({{"acc_1", "a@example.com"}, {"acc_2", "b@example.com"}});
  SeedWorkspaces({{"ws_1", "alpha"}, {"ws_2", "beta"}});
  for (const char* ws : {"ws_1", "ws_2"}) {
    const std::string id = ws;
    SeedMembers(id, {{"acc_1", Role::kMember}, {"acc_2", Role::kMember}});
    Write([&](Tx& tx) {
      Ok(tx.InsertProduct(MakeProduct("prd_" + id, id, "files")));
      Ok(tx.InsertGroup(MakeGroup("grp_" + id, id, "Team")));
      for (const char* acc : {"acc_1", "acc_2"}) {
        EXPECT_TRUE(Ok(tx.AddGroupMember(id, "grp_" + id, acc)));
        Ok(tx.PutGrant(MakeGrant("prd_" + id, id, core::PrincipalType::kAccount, acc)));
      }
    });
  }
  Write([&](Tx& tx) {
    EXPECT_TRUE(Ok(tx.DeleteMembership("ws_1", "acc_1")));
    EXPECT_FALSE(Ok(tx.DeleteMembership("ws_1", "acc_1")));
    EXPECT_FALSE(Ok(tx.DeleteMembership("ws_1", "acc_none")));
  });
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  Read([&](Tx& tx) {
    EXPECT_FALSE(Ok(tx.FindMembership("ws_1", "acc_1")));
    EXPECT_EQ(Ok(tx.ListGroupMembers("ws_1")), (Pairs{{"grp_ws_1", "acc_2"}}));
    EXPECT_EQ(
        Ids(Ok(tx.ListGrants("prd_ws_1")), [](const core::Grant& g) { return g.principal_id; }),
        (std::vector<std::string>{"acc_2"}));
    EXPECT_TRUE(Ok(tx.FindMembership("ws_2", "acc_1")));
    EXPECT_EQ(Sorted(Ok(tx.ListGroupMembers("ws_2"))),
              (Pairs{{"grp_ws_2", "acc_1"}, {"grp_ws_2", "acc_2"}}));
    EXPECT_EQ(Ok(tx.ListGrants("prd_ws_2")).size(), 2u);
  });
}

TEST_P(WorkspaceStore, MembersAreListedByEmailWithProfileAndConfirmedSecondFactor) {
  Write([&](Tx& tx) {
    core::Account b = MakeAccount("acc_1", "Bob@Example.com");
    b.name = "Bob";
    b.last_sign_in_at = 77;
    Ok(tx.InsertAccount(b));
    Ok(tx.InsertAccount(MakeAccount("acc_2", "alice@example.com")));
    Ok(tx.InsertAccount(MakeAccount("acc_3", "carol@example.com")));
    Ok(tx.InsertAccount(MakeAccount("acc_4", "dave@example.com")));
    Ok(tx.PutTotp({"acc_1", "sealed", true, 0, 1}));
    Ok(tx.PutTotp({"acc_3", "sealed", false, 0, 1}));  // enrolment not confirmed
    Ok(tx.InsertWorkspace(MakeWorkspace("ws_1", "alpha")));
    Ok(tx.InsertWorkspace(MakeWorkspace("ws_2", "beta")));
  });
  SeedMembers("ws_1", {{"acc_1", Role::kAdmin}, {"acc_2", Role::kOwner}, {"acc_3", Role::kMember}});
  SeedMembers("ws_2", {{"acc_4", Role::kOwner}});
  Read([&](Tx& tx) {
    auto members = Ok(tx.ListMembers("ws_1"));
    ASSERT_EQ(members.size(), 3u);
    EXPECT_EQ(Ids(members, [](const core::MemberView& m) { return m.membership.account_id; }),
              (std::vector<std::string>{"acc_2", "acc_1", "acc_3"}));
    const core::MemberView& bob = members[1];
    EXPECT_EQ(bob.membership.workspace_id, "ws_1");
    EXPECT_EQ(bob.membership.role, Role::kAdmin);
    EXPECT_EQ(bob.membership.created_at, 10);
    EXPECT_EQ(bob.name, "Bob");
    EXPECT_EQ(bob.email, "Bob@Example.com");
    EXPECT_EQ(bob.last_sign_in_at, 77);
    EXPECT_TRUE(bob.mfa_enabled);
    EXPECT_FALSE(members[0].mfa_enabled);  // none
    EXPECT_FALSE(members[2].mfa_enabled);  // unconfirmed
  });
}

TEST_P(WorkspaceStore, AnAccountsWorkspacesCarryItsRoleAndWhetherALogoExists) {
  SeedAccounts({{"acc_1", "a@example.com"}, {"acc_2", "b@example.com"}});
  Write([&](Tx& tx) {
    Ok(tx.InsertWorkspace(MakeWorkspace("ws_1", "gamma", "Gamma")));
    Ok(tx.InsertWorkspace(MakeWorkspace("ws_2", "alpha", "Alpha")));
    Ok(tx.InsertWorkspace(MakeWorkspace("ws_3", "other", "Beta")));
    Ok(tx.PutLogo("ws_1", {"image/png", "x", 1}));
  });
  SeedMembers("ws_1", {{"acc_1", Role::kMember}});
  SeedMembers("ws_2", {{"acc_1", Role::kBilling}});
  SeedMembers("ws_3", {{"acc_2", Role::kOwner}});
  Read([&](Tx& tx) {
    auto cards = Ok(tx.ListWorkspacesOf("acc_1"));
    ASSERT_EQ(cards.size(), 2u);
    EXPECT_EQ(cards[0].workspace.id, "ws_2");  // by name
    EXPECT_EQ(cards[0].workspace.shortname, "alpha");
    EXPECT_EQ(cards[0].role, Role::kBilling);
    EXPECT_FALSE(cards[0].has_logo);
    EXPECT_EQ(cards[1].workspace.id, "ws_1");
    EXPECT_EQ(cards[1].role, Role::kMember);
    EXPECT_TRUE(cards[1].has_logo);
    EXPECT_TRUE(Ok(tx.ListWorkspacesOf("acc_none")).empty());
  });
}

TEST_P(WorkspaceStore, SoleOwnerWorkspacesAreThoseWithNoOtherOwner) {
  SeedAccounts({{"acc_1", "a@example.com"}, {"acc_2", "b@example.com"}});
  SeedWorkspaces({{"ws_1", "alpha"}, {"ws_2", "beta"}, {"ws_3", "gamma"}});
  SeedMembers("ws_1", {{"acc_1", Role::kOwner}, {"acc_2", Role::kAdmin}});  // sole
  SeedMembers("ws_2", {{"acc_1", Role::kOwner}, {"acc_2", Role::kOwner}});  // shared
  SeedMembers("ws_3", {{"acc_1", Role::kAdmin}, {"acc_2", Role::kOwner}});  // not an Owner
  Read([&](Tx& tx) {
    EXPECT_EQ(Ids(Ok(tx.SoleOwnerWorkspaces("acc_1")), [](const Workspace& w) { return w.id; }),
              (std::vector<std::string>{"ws_1"}));
    EXPECT_EQ(Ids(Ok(tx.SoleOwnerWorkspaces("acc_2")), [](const Workspace& w) { return w.id; }),
              (std::vector<std::string>{"ws_3"}));
  });
}

TEST_P(WorkspaceStore, InvitationsRoundTripAndUpdateTheirState) {
  SeedWorkspaces({{"ws_1", "alpha"}, {"ws_2", "beta"}});
  Invitation inv = MakeInvitation("inv_1", "ws_1", "New@Example.com", 100);
  inv.group_ids = {"grp_1", "grp_2"};
  inv.product_grants = {{"prd_1", "editor"}, {"prd_2", "viewer"}};
  Write([&](Tx& tx) { Ok(tx.InsertInvitation(inv)); });
  auto expect_same = [&](const std::optional<Invitation>& got) {
    ASSERT_TRUE(got);
    EXPECT_EQ(got->id, "inv_1");
    EXPECT_EQ(got->workspace_id, "ws_1");
    EXPECT_EQ(got->email, "New@Example.com");
    EXPECT_EQ(got->email_norm, "new@example.com");
    EXPECT_EQ(got->role, inv.role);
    EXPECT_EQ(got->token_hash, inv.token_hash);
    EXPECT_EQ(got->invited_by, "acc_owner");
    EXPECT_EQ(got->status, inv.status);
    EXPECT_EQ(got->created_at, 100);
    EXPECT_EQ(got->expires_at, inv.expires_at);
    EXPECT_EQ(got->responded_at, inv.responded_at);
    EXPECT_EQ(got->group_ids, inv.group_ids);
    EXPECT_EQ(got->product_grants, inv.product_grants);
  };
  Read([&](Tx& tx) {
    expect_same(Ok(tx.FindInvitation("ws_1", "inv_1")));
    expect_same(Ok(tx.FindInvitationByToken("tok-inv_1")));
    EXPECT_FALSE(Ok(tx.FindInvitation("ws_2", "inv_1")));  // another workspace's
    EXPECT_FALSE(Ok(tx.FindInvitationByToken("tok-unknown")));
  });
  inv.role = Role::kBilling;
  inv.token_hash = "tok-resent";
  inv.status = InvitationStatus::kAccepted;
  inv.expires_at = 9000;
  inv.responded_at = 300;
  Write([&](Tx& tx) { Ok(tx.UpdateInvitation(inv)); });
  Read([&](Tx& tx) {
    expect_same(Ok(tx.FindInvitationByToken("tok-resent")));
    EXPECT_FALSE(Ok(tx.FindInvitationByToken("tok-inv_1")));
  });
}

TEST_P(WorkspaceStore, PendingInvitationsAreListedNewestFirstPerWorkspaceAndPerEmail) {
  SeedWorkspaces({{"ws_1", "alpha"}, {"ws_2", "beta"}});
  Write([&](Tx& tx) {
    Ok(tx.InsertInvitation(MakeInvitation("inv_1", "ws_1", "a@example.com", 10)));
    Ok(tx.InsertInvitation(MakeInvitation("inv_2", "ws_1", "B@example.com", 30)));
    Ok(tx.InsertInvitation(MakeInvitation("inv_3", "ws_1", "c@example.com", 20)));
    Ok(tx.InsertInvitation(MakeInvitation("inv_4", "ws_2", "b@example.com", 40)));
    for (auto [id, status] : {std::pair{"inv_5", InvitationStatus::kAccepted},
                              {"inv_6", InvitationStatus::kDeclined},
                              {"inv_7", InvitationStatus::kRevoked}}) {
      Invitation done = MakeInvitation(id, "ws_1", "b@example.com", 50);
      done.status = status;
      Ok(tx.InsertInvitation(done));
    }
  });
  Read([&](Tx& tx) {
    EXPECT_EQ(InvitationIds(Ok(tx.ListPendingInvitations("ws_1"))),
              (std::vector<std::string>{"inv_2", "inv_3", "inv_1"}));
    EXPECT_EQ(InvitationIds(Ok(tx.ListPendingInvitations("ws_2"))),
              (std::vector<std::string>{"inv_4"}));
    EXPECT_EQ(InvitationIds(Ok(tx.ListInvitationsForEmail("b@example.com"))),
              (std::vector<std::string>{"inv_4", "inv_2"}));
    EXPECT_TRUE(Ok(tx.ListInvitationsForEmail("z@example.com")).empty());
  });
}

TEST_P(WorkspaceStore, SearchMatchesShortnameOrNameInAnyCaseByIdWithCursor) {
  Write([&](Tx& tx) {
    Ok(tx.InsertWorkspace(MakeWorkspace("ws_3", "acme", "Acme Corp")));
    Ok(tx.InsertWorkspace(MakeWorkspace("ws_1", "umbrella", "Umbrella LABS")));
    Ok(tx.InsertWorkspace(MakeWorkspace("ws_2", "initech", "Initech 50%")));
  });
  EXPECT_EQ(Search(""), (std::vector<std::string>{"ws_1", "ws_2", "ws_3"}));
  EXPECT_EQ(Search("ACME"), (std::vector<std::string>{"ws_3"}));  // shortname, any case
  EXPECT_EQ(Search("labs"), (std::vector<std::string>{"ws_1"}));  // name, any case
  EXPECT_EQ(Search("%"), (std::vector<std::string>{"ws_2"}));     // wildcards are plain text
  EXPECT_TRUE(Search("a_m").empty());
  EXPECT_EQ(Search("", "ws_1", 1), (std::vector<std::string>{"ws_2"}));
  EXPECT_EQ(Search("", "ws_2", 5), (std::vector<std::string>{"ws_3"}));
}

// Both backends fold the case of ASCII letters only (see AccountStore for the same on names).
TEST_P(WorkspaceStore, SearchFoldsTheSameCaseOnEveryBackend) {
  SeedWorkspaces({{"ws_1", "ecole"}});
  Write([&](Tx& tx) {
    Ok(tx.UpdateWorkspace({"ws_1",
                           "\xC3\x89"
                           "cole Z\xC3\xBCrich",
                           "ecole", "", false, 1, 1}));
  });
  EXPECT_EQ(Search("\xC3\x89"
                   "cole"),
            (std::vector<std::string>{"ws_1"}));  // "École", as stored
  EXPECT_EQ(Search("\xC3\x89"
                   "COLE Z\xC3\xBCRICH"),
            (std::vector<std::string>{"ws_1"}));
  EXPECT_TRUE(Search("\xC3\xA9"
                     "cole")
                  .empty());  // "école": É is not folded
}

VAULT_STORE_BACKENDS(WorkspaceStore);

}  // namespace
}  // namespace vault::storage
