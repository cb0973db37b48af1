// Workspace use cases on both backends, including the concurrency rules.
#include "app/workspace_service.hpp"

#include <gtest/gtest.h>

#include <barrier>
#include <thread>

#include "support/account_fixture.hpp"

namespace vault::app {
namespace {

using core::Role;
using testing::kPassword;
using testing::RecordingMailer;

class WorkspaceTest : public testing::AccountServiceTest {
 protected:
  void SetUp() override {
    AccountServiceTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    workspaces_ =
        std::make_unique<WorkspaceService>(Ports{Mailed(*opened_.store), clock_, random_, secrets_,
                                                 hasher_, outbox(), policy_, box_, otp_},
                                           *service_);
  }

  // Invites email into ws with role and accepts as that (existing) account.
  void Join(const AuthContext& owner, const std::string& ws, const SignedIn& who, Role role) {
    ASSERT_TRUE(workspaces_->Invite(owner, ws, who.account.email, role));
    auto mail = mailer_.Last(who.account.email, "You are invited");
    ASSERT_TRUE(mail);
    auto ctx = Ctx(who);
    ASSERT_TRUE(workspaces_->AcceptInvitation(RecordingMailer::TokenIn(*mail), &ctx, "", "", {}));
  }

  std::unique_ptr<WorkspaceService> workspaces_;
};

TEST_P(WorkspaceTest, CreatorBecomesOwnerAndNonMembersSeeNothing) {
  SignedIn ann = Register("ann@example.com"), bob = Register("bob@example.com");
  auto w = workspaces_->Create(Ctx(ann), "Acme", "Acme", "");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->workspace.shortname, "acme");
  EXPECT_EQ(w->membership.role, Role::kOwner);
  auto hidden = workspaces_->Get(Ctx(bob), "acme");
  auto missing = workspaces_->Get(Ctx(bob), "no-such-ws");
  ASSERT_FALSE(hidden);
  EXPECT_EQ(hidden.error().id, missing.error().id);
  EXPECT_EQ(hidden.error().detail, missing.error().detail);
  EXPECT_EQ(workspaces_->Create(Ctx(bob), "Other", "ACME", "").error().id,
            "workspace.shortname_taken");
}

TEST_P(WorkspaceTest, ParallelCreationsOfOneShortnameHaveOneWinner) {
  std::vector<SignedIn> people;
  for (int i = 0; i < 8; ++i) people.push_back(Register("p" + std::to_string(i) + "@example.com"));
  std::vector<AuthContext> ctxs;
  for (auto& p : people) ctxs.push_back(Ctx(p));
  std::atomic<int> ok{0}, taken{0};
  std::barrier start(static_cast<std::ptrdiff_t>(ctxs.size()));
  std::vector<std::thread> threads;
  for (auto& c : ctxs)
    threads.emplace_back([&, c] {
      start.arrive_and_wait();
      auto r = workspaces_->Create(c, "Race", "race", "");
      if (r)
        ok++;
      else if (r.error().id == "workspace.shortname_taken")
        taken++;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(taken.load(), 7);
}

TEST_P(WorkspaceTest, TwoOwnersDemotingEachOtherLeaveOneOwner) {
  SignedIn ann = Register("ann@example.com"), bob = Register("bob@example.com");
  for (int round = 0; round < 5; ++round) {
    std::string ws = "duel-" + std::to_string(round);
    ASSERT_TRUE(workspaces_->Create(Ctx(ann), "Duel", ws, ""));
    Join(Ctx(ann), ws, bob, Role::kOwner);
    AuthContext a = Ctx(ann), b = Ctx(bob);
    std::barrier start(2);
    core::Result<core::Membership> ra = core::Fail(core::Code::kInternal, "", ""), rb = ra;
    std::thread ta([&] {
      start.arrive_and_wait();
      ra = workspaces_->ChangeRole(a, ws, bob.account.id, Role::kAdmin);
    });
    std::thread tb([&] {
      start.arrive_and_wait();
      rb = workspaces_->ChangeRole(b, ws, ann.account.id, Role::kAdmin);
    });
    ta.join();
    tb.join();
    EXPECT_NE(static_cast<bool>(ra), static_cast<bool>(rb)) << round;
    const auto& loser = ra ? rb : ra;
    EXPECT_TRUE(loser.error().id == "workspace.last_owner" ||
                loser.error().id == "permission.denied")
        << loser.error().id;
    auto members = workspaces_->Members(ra ? a : b, ws, {});
    ASSERT_TRUE(members);
    int owners = 0;
    for (const auto& m : members->items) owners += m.membership.role == Role::kOwner;
    EXPECT_EQ(owners, 1) << round;
  }
}

TEST_P(WorkspaceTest, RolesFollowThePolicyAndTheLastOwnerStays) {
  SignedIn ann = Register("ann@example.com"), max = Register("max@example.com"),
           bea = Register("bea@example.com");
  ASSERT_TRUE(workspaces_->Create(Ctx(ann), "Acme", "acme", ""));
  Join(Ctx(ann), "acme", max, Role::kAdmin);
  Join(Ctx(ann), "acme", bea, Role::kBilling);
  EXPECT_EQ(workspaces_->ChangeRole(Ctx(max), "acme", ann.account.id, Role::kMember).error().id,
            "permission.denied");
  EXPECT_EQ(workspaces_->Invite(Ctx(max), "acme", "new@example.com", Role::kOwner).error().id,
            "permission.denied");
  EXPECT_EQ(workspaces_->Update(Ctx(bea), "acme", {.description = "x"}).error().id,
            "permission.denied");
  EXPECT_EQ(workspaces_->Update(Ctx(max), "acme", {.shortname = "acme2"}).error().field,
            "shortname");
  EXPECT_TRUE(workspaces_->Update(Ctx(ann), "acme", {.shortname = "acme2"}));
  EXPECT_EQ(workspaces_->RemoveMember(Ctx(ann), "acme2", ann.account.id).error().id,
            "workspace.last_owner");
  EXPECT_EQ(workspaces_->ChangeRole(Ctx(ann), "acme2", ann.account.id, Role::kAdmin).error().id,
            "workspace.last_owner");
  ASSERT_TRUE(workspaces_->RemoveMember(Ctx(bea), "acme2", bea.account.id));  // leaving
  EXPECT_EQ(workspaces_->Get(Ctx(bea), "acme2").error().code, core::Code::kNotFound);
  EXPECT_EQ(workspaces_->Delete(Ctx(ann), "acme2", "acme").error().id,
            "workspace.confirmation_mismatch");
  EXPECT_EQ(workspaces_->Delete(Ctx(max), "acme2", "acme2").error().id, "permission.denied");
  ASSERT_TRUE(workspaces_->Delete(Ctx(ann), "acme2", "acme2"));
  EXPECT_EQ(workspaces_->Get(Ctx(ann), "acme2").error().code, core::Code::kNotFound);
}

TEST_P(WorkspaceTest, RequireTwoFactorLocksOutMembersWithoutIt) {
  SignedIn ann = Register("ann@example.com"), max = Register("max@example.com");
  ASSERT_TRUE(workspaces_->Create(Ctx(ann), "Acme", "acme", ""));
  Join(Ctx(ann), "acme", max, Role::kMember);
  EnableTotp(ann);
  ASSERT_TRUE(workspaces_->Update(Ctx(ann), "acme", {.require_2fa = true}));
  EXPECT_EQ(workspaces_->Get(Ctx(max), "acme").error().id, "workspace.requires_2fa");
  EnableTotp(max);
  EXPECT_TRUE(workspaces_->Get(Ctx(max), "acme"));
}

TEST_P(WorkspaceTest, InvitationsSignUpNewPeopleAndExpire) {
  SignedIn ann = Register("ann@example.com");
  ASSERT_TRUE(workspaces_->Create(Ctx(ann), "Acme", "acme", ""));
  ASSERT_TRUE(workspaces_->Invite(Ctx(ann), "acme", "new@example.com", Role::kBilling));
  std::string token = RecordingMailer::TokenIn(*mailer_.Last("new@example.com", "You are invited"));
  auto weak = workspaces_->AcceptInvitation(token, nullptr, "Newbie", "password123", {});
  EXPECT_EQ(weak.error().id, "password.common");
  auto joined = workspaces_->AcceptInvitation(token, nullptr, "Newbie", kPassword, {});
  ASSERT_TRUE(joined);
  ASSERT_TRUE(joined->signed_in);
  EXPECT_TRUE(joined->signed_in->account.email_verified);
  EXPECT_EQ(joined->membership.role, Role::kBilling);
  EXPECT_EQ(workspaces_->AcceptInvitation(token, nullptr, "Again", kPassword, {}).error().id,
            "token.used");

  ASSERT_TRUE(workspaces_->Invite(Ctx(ann), "acme", "late@example.com", Role::kMember));
  std::string late = RecordingMailer::TokenIn(*mailer_.Last("late@example.com", "You are invited"));
  clock_.Advance(7 * 24 * 3600);
  EXPECT_EQ(workspaces_->AcceptInvitation(late, nullptr, "Late", kPassword, {}).error().id,
            "token.expired");
}

INSTANTIATE_TEST_SUITE_P(Backends, WorkspaceTest, ::testing::ValuesIn(testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vault::app
