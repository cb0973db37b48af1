// The layered access model end to end through the services and the in-memory AccessModel.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include "app/access_model.hpp"
#include "app/access_review.hpp"
#include "app/billing_reconcile.hpp"
#include "app/integration_service.hpp"
#include "app/platform_service.hpp"
#include "app/product_service.hpp"
#include "app/workspace_service.hpp"
#include "support/account_fixture.hpp"

namespace vault::app {
namespace {

using core::Role;
using testing::RecordingMailer;

class AccessTest : public testing::AccountServiceTest {
 protected:
  void SetUp() override {
    AccountServiceTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    model_ = std::make_unique<AccessModel>(*opened_.store, clock_);
    Ports ports = MailedPorts(model_.get());
    MakeServices(ports);
    workspaces_ = std::make_unique<WorkspaceService>(ports, *service_);
    products_ = std::make_unique<ProductService>(ports, *workspaces_);
    integration_ = std::make_unique<IntegrationService>(ports, *model_);
    owner_ = Register("owner@example.com");
    ASSERT_TRUE(workspaces_->Create(Ctx(owner_), "Acme", "acme", ""));
    auto p = products_->Create(Ctx(owner_), "acme", "submit", "Submit", "submit", "standard");
    ASSERT_TRUE(p) << p.error().id;
    product_ = p->product.id;
  }

  SignedIn Member(const std::string& email, Role role = Role::kMember) {
    SignedIn s = Register(email);
    EXPECT_TRUE(workspaces_->Invite(Ctx(owner_), "acme", email, role));
    auto ctx = Ctx(s);
    EXPECT_TRUE(workspaces_->AcceptInvitation(
        RecordingMailer::TokenIn(*mailer_.Last(email, "invited")), &ctx, "", "", {}));
    return s;
  }

  core::AccessDecision Check(const SignedIn& who,
                             const std::string& permission = "submissions:create") {
    auto d = model_->Check(who.account.id, product_, permission);
    EXPECT_TRUE(d);
    return *d;
  }

  std::unique_ptr<AccessModel> model_;
  std::unique_ptr<WorkspaceService> workspaces_;
  std::unique_ptr<ProductService> products_;
  std::unique_ptr<IntegrationService> integration_;
  SignedIn owner_;
  std::string product_;
};

TEST_P(AccessTest, MembershipAloneGrantsNothing) {
  SignedIn m = Member("m@example.com");
  EXPECT_EQ(Check(m).reason, "no_grant");
  EXPECT_EQ(Check(owner_).reason, "no_grant");  // not even for the workspace Owner
  SignedIn stranger = Register("stranger@example.com");
  EXPECT_EQ(Check(stranger).reason, "not_member");
  EXPECT_EQ(model_->Check("acc_nobody", product_, "")->reason, "unknown_account");
  EXPECT_EQ(model_->Check(m.account.id, "prd_nothing", "")->reason, "product_not_found");
}

// A suspension reaches the cached model through the change listener, at once, and denies
// everyone (even an unknown account) before any account fact; resuming restores the grant.
TEST_P(AccessTest, ASuspendedWorkspaceDeniesEveryoneUntilResumed) {
  SignedIn m = Member("m@example.com");
  ASSERT_TRUE(products_->PutGrant(Ctx(owner_), "acme", "submit", core::PrincipalType::kAccount,
                                  m.account.id, "editor"));
  EXPECT_TRUE(Check(m).allowed);  // cached
  Ports ports = MailedPorts(model_.get());
  PlatformService platform(ports);
  SignedIn root = Register("root@example.com");
  AuthContext sa = Ctx(root);
  sa.account.super_admin = true;
  ASSERT_TRUE(platform.SuspendWorkspace(sa, "acme", "Unpaid"));
  EXPECT_EQ(Check(m).reason, "workspace_suspended");
  EXPECT_EQ(model_->Check("acc_nobody", product_, "")->reason, "workspace_suspended");
  auto key = model_->KeyProduct(product_, "");
  ASSERT_TRUE(key);
  EXPECT_TRUE(key->workspace_suspended);
  // Members may read, not write.
  EXPECT_TRUE(workspaces_->Members(Ctx(owner_), "acme", {}));
  auto refused = workspaces_->Update(Ctx(owner_), "acme", {.description = "x"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().id, "workspace.suspended");
  EXPECT_EQ(platform.SuspendWorkspace(sa, "acme", "Again").error().id,
            "workspace.already_suspended");
  EXPECT_EQ(platform.SuspendWorkspace(sa, "acme", " ").error().id, "validation.reason");
  EXPECT_EQ(platform.SuspendWorkspace(Ctx(owner_), "acme", "x").error().id, "admin.required");
  ASSERT_TRUE(platform.ResumeWorkspace(sa, "acme"));
  EXPECT_TRUE(Check(m).allowed);
  EXPECT_FALSE(model_->KeyProduct(product_, "")->workspace_suspended);
  EXPECT_EQ(platform.ResumeWorkspace(sa, "acme").error().id, "workspace.not_suspended");
}

TEST_P(AccessTest, DirectAndGroupGrantsTakeTheHighestRankAndRevocationIsImmediate) {
  SignedIn m = Member("m@example.com");
  ASSERT_TRUE(products_->PutGrant(Ctx(owner_), "acme", "submit", core::PrincipalType::kAccount,
                                  m.account.id, "viewer"));
  auto viewer = Check(m);
  EXPECT_EQ(viewer.reason, "permission_not_in_role");
  EXPECT_EQ(viewer.role, "viewer");
  EXPECT_TRUE(Check(m, "submissions:read").allowed);
  auto group = products_->CreateGroup(Ctx(owner_), "acme", "Editors", "");
  ASSERT_TRUE(group);
  ASSERT_TRUE(products_->AddGroupMember(Ctx(owner_), "acme", group->id, m.account.id));
  ASSERT_TRUE(products_->PutGrant(Ctx(owner_), "acme", "submit", core::PrincipalType::kGroup,
                                  group->id, "editor"));
  auto editor = Check(m);
  EXPECT_TRUE(editor.allowed);
  EXPECT_EQ(editor.role, "editor");  // group editor outranks direct viewer
  ASSERT_TRUE(products_->RemoveGroupMember(Ctx(owner_), "acme", group->id, m.account.id));
  EXPECT_EQ(Check(m).role, "viewer");  // the very next check
  ASSERT_TRUE(products_->DeleteGrant(Ctx(owner_), "acme", "submit", core::PrincipalType::kAccount,
                                     m.account.id));
  EXPECT_EQ(Check(m).reason, "no_grant");
}

TEST_P(AccessTest, RemovingAMemberOrGroupRemovesAccessAtOnce) {
  SignedIn m = Member("m@example.com");
  auto group = products_->CreateGroup(Ctx(owner_), "acme", "Team", "");
  ASSERT_TRUE(products_->AddGroupMember(Ctx(owner_), "acme", group->id, m.account.id));
  ASSERT_TRUE(products_->PutGrant(Ctx(owner_), "acme", "submit", core::PrincipalType::kGroup,
                                  group->id, "admin"));
  EXPECT_TRUE(Check(m).allowed);
  ASSERT_TRUE(products_->DeleteGroup(Ctx(owner_), "acme", group->id));
  EXPECT_EQ(Check(m).reason, "no_grant");
  ASSERT_TRUE(products_->PutGrant(Ctx(owner_), "acme", "submit", core::PrincipalType::kAccount,
                                  m.account.id, "admin"));
  EXPECT_TRUE(Check(m).allowed);
  ASSERT_TRUE(workspaces_->RemoveMember(Ctx(owner_), "acme", m.account.id));
  EXPECT_EQ(Check(m).reason, "not_member");
  // Re-joining does not bring the old grant back: removal deleted it.
  ASSERT_TRUE(workspaces_->Invite(Ctx(owner_), "acme", "m@example.com", Role::kMember));
  auto ctx = Ctx(m);
  ASSERT_TRUE(workspaces_->AcceptInvitation(
      RecordingMailer::TokenIn(*mailer_.Last("m@example.com", "invited")), &ctx, "", "", {}));
  EXPECT_EQ(Check(m).reason, "no_grant");
}

TEST_P(AccessTest, InactiveProductsDenyAndTrialsExpireByTheClock) {
  SignedIn m = Member("m@example.com");
  ASSERT_TRUE(products_->PutGrant(Ctx(owner_), "acme", "submit", core::PrincipalType::kAccount,
                                  m.account.id, "editor"));
  EXPECT_TRUE(Check(m).allowed);
  ASSERT_TRUE(products_->Update(Ctx(owner_), "acme", "submit", {.disabled = true}));
  EXPECT_EQ(Check(m).reason, "product_inactive");
  ASSERT_TRUE(products_->Update(Ctx(owner_), "acme", "submit", {.disabled = false}));
  ASSERT_TRUE(products_->ChangePlan(Ctx(owner_), "acme", "submit", "trial"));
  EXPECT_TRUE(Check(m).allowed);
  clock_.Advance(14 * 24 * 3600);
  EXPECT_EQ(Check(m).reason, "product_inactive");
}

TEST_P(AccessTest, DisabledAccountsAndMissingTwoFactorAreDenied) {
  SignedIn m = Member("m@example.com");
  ASSERT_TRUE(products_->PutGrant(Ctx(owner_), "acme", "submit", core::PrincipalType::kAccount,
                                  m.account.id, "editor"));
  EnableTotp(owner_);
  ASSERT_TRUE(workspaces_->Update(Ctx(owner_), "acme", {.require_2fa = true}));
  EXPECT_EQ(Check(m).reason, "workspace_requires_2fa");
  EnableTotp(m);
  EXPECT_TRUE(Check(m).allowed);
  ASSERT_TRUE(opened_.store->Write([&](core::Tx& tx) -> core::Result<void> {
    auto a = tx.FindAccountById(m.account.id);
    (*a)->disabled = true;
    return tx.UpdateAccount(**a);
  }));
  model_->AccountChanged(m.account.id);
  EXPECT_EQ(Check(m).reason, "account_disabled");
}

TEST_P(AccessTest, SeatLimitsHoldUnderConcurrentGrants) {
  ASSERT_TRUE(products_->ChangePlan(Ctx(owner_), "acme", "submit", "trial"));  // 5 seats
  std::vector<SignedIn> people;
  for (int i = 0; i < 8; ++i) people.push_back(Member("p" + std::to_string(i) + "@example.com"));
  std::atomic<int> ok{0}, full{0};
  std::vector<std::thread> threads;
  for (auto& p : people)
    threads.emplace_back([&, id = p.account.id] {
      auto r = products_->PutGrant(Ctx(owner_), "acme", "submit", core::PrincipalType::kAccount, id,
                                   "viewer");
      if (r)
        ok++;
      else if (r.error().id == "product.seat_limit")
        full++;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 5);
  EXPECT_EQ(full.load(), 3);
  auto row = products_->Get(Ctx(owner_), "acme", "submit");
  EXPECT_EQ(row->users, 5);
  // A group grant that would add a sixth user is refused too.
  auto group = products_->CreateGroup(Ctx(owner_), "acme", "Late", "");
  ASSERT_TRUE(products_->PutGrant(Ctx(owner_), "acme", "submit", core::PrincipalType::kGroup,
                                  group->id, "viewer"));
  const SignedIn* outsider = nullptr;
  for (const auto& p : people)
    if (Check(p).reason == "no_grant") outsider = &p;
  ASSERT_NE(outsider, nullptr);
  EXPECT_EQ(
      products_->AddGroupMember(Ctx(owner_), "acme", group->id, outsider->account.id).error().id,
      "product.seat_limit");
  EXPECT_EQ(Check(*outsider).reason, "no_grant");  // nothing was written
}

TEST_P(AccessTest, ServiceClientsSeeOnlyTheirProductType) {
  SignedIn m = Member("m@example.com");
  ASSERT_TRUE(products_->PutGrant(Ctx(owner_), "acme", "submit", core::PrincipalType::kAccount,
                                  m.account.id, "editor"));
  AuthContext admin = Ctx(owner_);
  admin.account.super_admin = true;
  auto submit = integration_->CreateClient(admin, "submit", "Submit prod");
  auto manage = integration_->CreateClient(admin, "manage", "Manage prod");
  ASSERT_TRUE(submit && manage);
  EXPECT_FALSE(integration_->AuthenticateClient(submit->client.id, manage->secret));
  auto client = integration_->AuthenticateClient(submit->client.id, submit->secret);
  ASSERT_TRUE(client);
  EXPECT_TRUE(
      integration_->Check(*client, {m.account.id, product_, "submissions:create"})->allowed);
  auto other = integration_->AuthenticateClient(manage->client.id, manage->secret);
  EXPECT_EQ(integration_->Check(*other, {m.account.id, product_, "submissions:create"})->reason,
            "product_not_found");
  // Nothing about the account leaks through another type's product: the facts are a stranger's.
  core::AccessFacts facts;
  ASSERT_TRUE(integration_->Check(*other, {m.account.id, product_, ""}, &facts));
  EXPECT_FALSE(facts.account_exists);
  EXPECT_EQ(integration_->Check(*other, {"acc_nobody", product_, ""})->reason, "product_not_found");
  ASSERT_TRUE(integration_->RevokeClient(admin, submit->client.id));
  EXPECT_FALSE(integration_->AuthenticateClient(submit->client.id, submit->secret));
}

TEST_P(AccessTest, ServiceClientRedirectUrisChangeInTheClientCacheAtOnce) {
  AuthContext admin = Ctx(owner_);
  admin.account.super_admin = true;
  ASSERT_TRUE(integration_->WarmUp());
  // Another node: warmed before the change, told of it only through the change feed.
  Ports ports = MailedPorts(model_.get());
  IntegrationService other(ports, *model_);
  auto pub =
      integration_->CreateClient(admin, "submit", "Web app", {{"https://app.example/cb"}, true});
  ASSERT_TRUE(pub) << pub.error().id;
  const std::string id = pub->client.id;
  ASSERT_TRUE(other.WarmUp());
  auto uris = [&](IntegrationService& s) { return s.LiveClient(id).value()->redirect_uris; };
  EXPECT_EQ(uris(*integration_), (std::vector<std::string>{"https://app.example/cb"}));

  const std::vector<std::string> next = {"https://app.example/new", "http://127.0.0.1:9000/cb"};
  EXPECT_EQ(integration_->SetRedirectUris(Ctx(owner_), id, next).error().code,
            core::Code::kPermissionDenied);  // a Super Admin's only
  auto bad =
      integration_->SetRedirectUris(admin, id, {"https://ok.example/cb", "http://x.example/"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().field, "redirect_uris[1]");
  auto none = integration_->SetRedirectUris(admin, id, {});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().id, "validation.required");  // a public client keeps one
  EXPECT_EQ(uris(*integration_), (std::vector<std::string>{"https://app.example/cb"}));

  auto done = integration_->SetRedirectUris(admin, id, next);
  ASSERT_TRUE(done) << done.error().id;
  EXPECT_EQ(done->redirect_uris, next);
  EXPECT_TRUE(done->is_public);
  EXPECT_EQ(uris(*integration_), next);  // this node: at once
  EXPECT_EQ(uris(other), (std::vector<std::string>{"https://app.example/cb"}));  // cached
  other.ServiceClientChanged(id);  // what the change feed delivers
  EXPECT_EQ(uris(other), next);

  // a confidential client may drop every URI; unknown and revoked clients are not found
  auto conf = integration_->CreateClient(admin, "submit", "Back end", {{"https://b.example/cb"}});
  ASSERT_TRUE(conf);
  EXPECT_TRUE(integration_->SetRedirectUris(admin, conf->client.id, {}));
  EXPECT_TRUE(integration_->LiveClient(conf->client.id).value()->redirect_uris.empty());
  EXPECT_EQ(integration_->SetRedirectUris(admin, "svc_nosuch", next).error().id,
            "service_client.not_found");
  ASSERT_TRUE(integration_->RevokeClient(admin, id));
  EXPECT_EQ(integration_->SetRedirectUris(admin, id, next).error().id, "service_client.not_found");
}

TEST_P(AccessTest, ChargebeeEventsAreIdempotentAndOrderSafe) {
  SignedIn m = Member("m@example.com");
  ASSERT_TRUE(products_->PutGrant(Ctx(owner_), "acme", "submit", core::PrincipalType::kAccount,
                                  m.account.id, "editor"));
  const core::Timestamp t = clock_.Now() - 10000;  // events within the accepted range
  ChargebeeEvent e{"ev_1",   "subscription_created",   t + 1000, "cb_sub_1",
                   "active", "enterprise-USD-monthly", 0,        product_};
  ASSERT_TRUE(integration_->ApplyChargebee(e));
  EXPECT_EQ(*integration_->ApplyChargebee(e), "duplicate");
  EXPECT_EQ(products_->GetSubscription(Ctx(owner_), "acme", "submit")->plan_key, "enterprise");
  ChargebeeEvent cancelled{
      "ev_3", "subscription_cancelled", t + 3000, "cb_sub_1", "cancelled", "", 0, ""};
  EXPECT_EQ(*integration_->ApplyChargebee(cancelled), "applied");
  EXPECT_EQ(Check(m).reason, "product_inactive");
  ChargebeeEvent late{"ev_2", "subscription_renewed", t + 2000, "cb_sub_1", "active", "", 0, ""};
  EXPECT_EQ(*integration_->ApplyChargebee(late), "stale");  // older than the cancellation
  EXPECT_EQ(Check(m).reason, "product_inactive");
  ChargebeeEvent unknown{"ev_4", "subscription_created", t + 4000, "cb_other", "active", "", 0, ""};
  EXPECT_EQ(*integration_->ApplyChargebee(unknown), "unmatched");
  // A linked product is never re-linked to another subscription.
  ChargebeeEvent hijack{"ev_5",  "subscription_created", t + 5000, "cb_other", "active", "", 0,
                        product_};
  EXPECT_EQ(*integration_->ApplyChargebee(hijack), "conflict");
  EXPECT_EQ(Check(m).reason, "product_inactive");
  // Times out of range are input errors naming the field, and change nothing.
  ChargebeeEvent future{
      "ev_6", "subscription_renewed", clock_.Now() + 2 * 86400, "cb_sub_1", "active", "", 0, ""};
  EXPECT_EQ(integration_->ApplyChargebee(future).error().field, "occurred_at");
  ChargebeeEvent term{"ev_7", "subscription_renewed", t + 6000, "cb_sub_1", "active",
                      "",     4'000'000'000'000,      ""};
  EXPECT_EQ(integration_->ApplyChargebee(term).error().field,
            "content.subscription.current_term_end");
  EXPECT_EQ(Check(m).reason, "product_inactive");
}

// A Chargebee API answering from a map; `during` runs inside the request (a webhook arriving
// while the reconciliation pulls).
struct FakeChargebeeApi : ChargebeeApi {
  std::map<std::string, ChargebeeSubscription> subs;
  std::function<void()> during;
  core::Result<ChargebeeSubscription> FetchSubscription(const std::string& id) override {
    if (during) during();
    auto it = subs.find(id);
    if (it == subs.end()) return core::Fail(core::Code::kNotFound, "chargebee.not_found", "404");
    return it->second;
  }
};

TEST_P(AccessTest, ReconciliationCorrectsDriftOnceAndAWebhookDuringThePullWins) {
  SignedIn m = Member("m@example.com");
  ASSERT_TRUE(products_->PutGrant(Ctx(owner_), "acme", "submit", core::PrincipalType::kAccount,
                                  m.account.id, "editor"));
  const core::Timestamp t = clock_.Now() - 10000;
  ChargebeeEvent linked{"ev_1",   "subscription_created", t, "cb_sub_1",
                        "active", "standard-USD-monthly", 0, product_};
  ASSERT_EQ(*integration_->ApplyChargebee(linked), "applied");
  Ports ports = MailedPorts(model_.get());
  FakeChargebeeApi api;
  BillingReconciler reconciler(ports, api);
  // A lost cancellation: corrected, and the check answers at once.
  api.subs["cb_sub_1"] = {"cb_sub_1", "cancelled", "standard-USD-monthly", 0};
  auto report = reconciler.RunOnce();
  ASSERT_TRUE(report);
  EXPECT_EQ(report->Summary(), "checked 1, corrected 1, failed 0");
  EXPECT_EQ(Check(m).reason, "product_inactive");
  EXPECT_EQ(reconciler.RunOnce()->Summary(), "checked 1, corrected 0, failed 0");
  // A webhook newer than the pull arrives while it runs: it wins, the pulled state is dropped.
  api.subs["cb_sub_1"] = {"cb_sub_1", "paused", "enterprise-USD-monthly", 0};
  api.during = [&] {
    api.during = nullptr;
    ChargebeeEvent renewed{"ev_2",
                           "subscription_reactivated",
                           clock_.Now() + 60,
                           "cb_sub_1",
                           "active",
                           "standard-USD-monthly",
                           0,
                           ""};
    EXPECT_EQ(*integration_->ApplyChargebee(renewed), "applied");
  };
  EXPECT_EQ(reconciler.RunOnce()->Summary(), "checked 1, corrected 0, failed 0");
  auto sub = products_->GetSubscription(Ctx(owner_), "acme", "submit");
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->status, core::SubscriptionStatus::kActive);
  EXPECT_EQ(sub->plan_key, "standard");
  EXPECT_EQ(Check(m).reason, "allowed");
  // Chargebee no longer knows it: failed, named, nothing written.
  api.subs.clear();
  report = reconciler.RunOnce();
  ASSERT_TRUE(report);
  EXPECT_EQ(report->Summary(), "checked 1, corrected 0, failed 1");
  ASSERT_EQ(report->failures.size(), 1u);
  EXPECT_EQ(report->failures[0].subscription_id, "cb_sub_1");
  EXPECT_EQ(report->failures[0].product_id, product_);
  EXPECT_EQ(products_->GetSubscription(Ctx(owner_), "acme", "submit")->status,
            core::SubscriptionStatus::kActive);
}

TEST(ChargebeeMapping, StatusPlanAndTermEndMapAsTheWebhookDoes) {
  std::vector<core::Plan> plans{{"standard", "Standard", 25, 0, {}},
                                {"enterprise", "Enterprise", 0, 0, {}}};
  auto s = MapChargebeeState("non_renewing", "enterprise-EUR-yearly", 1900000000, plans, "trial");
  EXPECT_EQ(s.status, core::SubscriptionStatus::kNonRenewing);
  EXPECT_EQ(s.plan_key, "enterprise");
  EXPECT_EQ(s.period_end, 1900000000);
  // Not started yet, or unknown: not active. An unknown plan or none keeps the current one.
  EXPECT_EQ(MapChargebeeState("future", "", 0, plans, "standard").status,
            core::SubscriptionStatus::kPaused);
  EXPECT_EQ(MapChargebeeState("in_dunning", "x", 0, plans, "standard").status,
            core::SubscriptionStatus::kPaused);
  EXPECT_EQ(MapChargebeeState("active", "gold-USD", 0, plans, "standard").plan_key, "standard");
  EXPECT_EQ(MapChargebeeState("active", "", 0, plans, "enterprise").plan_key, "enterprise");
  // A prefix of the plan id, not a substring.
  EXPECT_EQ(MapChargebeeState("active", "my-standard", 0, plans, "enterprise").plan_key,
            "enterprise");
  EXPECT_EQ(MapChargebeeState("cancelled", "standard", 0, plans, "x").status,
            core::SubscriptionStatus::kCancelled);
}

TEST_P(AccessTest, InvitationsCarryGroupsAndProductGrants) {
  auto group = products_->CreateGroup(Ctx(owner_), "acme", "Editors", "");
  ASSERT_TRUE(group);
  ASSERT_TRUE(products_->PutGrant(Ctx(owner_), "acme", "submit", core::PrincipalType::kGroup,
                                  group->id, "editor"));
  auto inv = workspaces_->Invite(Ctx(owner_), "acme", "new@example.com", Role::kMember, {group->id},
                                 {{"submit", "viewer"}});
  ASSERT_TRUE(inv) << inv.error().id;
  EXPECT_EQ(
      workspaces_
          ->Invite(Ctx(owner_), "acme", "x@example.com", Role::kMember, {}, {{"submit", "boss"}})
          .error()
          .id,
      "grant.unknown_role");
  EXPECT_EQ(workspaces_->Invite(Ctx(owner_), "acme", "y@example.com", Role::kMember, {"grp_nope"})
                .error()
                .id,
            "group.not_found");
  auto joined = workspaces_->AcceptInvitation(
      RecordingMailer::TokenIn(*mailer_.Last("new@example.com", "invited")), nullptr, "New",
      testing::kPassword, {});
  ASSERT_TRUE(joined) << joined.error().id;
  auto d = Check(joined->signed_in.value());
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.role, "editor");  // the group's editor outranks the direct viewer grant
  auto grants = products_->Grants(Ctx(owner_), "acme", "submit", {});
  EXPECT_EQ(grants->items.size(), 2u);
  auto members = workspaces_->Members(Ctx(owner_), "acme", {});
  ASSERT_TRUE(members);
  bool shown = false;
  for (const auto& m : members->items)
    if (m.membership.account_id == joined->signed_in->account.id) {
      ASSERT_EQ(m.groups.size(), 1u);  // the members page lists the groups
      EXPECT_EQ(m.groups[0].second, "Editors");
      shown = true;
    }
  EXPECT_TRUE(shown);
}

TEST_P(AccessTest, AccessReviewListsEveryMemberAndProductAsTheModelDecides) {
  SignedIn m = Member("m@example.com");
  SignedIn billing = Member("b@example.com", Role::kBilling);
  SignedIn admin = Member("a@example.com", Role::kAdmin);
  auto second = products_->Create(Ctx(owner_), "acme", "manage", "Jobs", "jobs", "standard");
  ASSERT_TRUE(second) << second.error().id;
  ASSERT_TRUE(products_->PutGrant(Ctx(owner_), "acme", "submit", core::PrincipalType::kAccount,
                                  m.account.id, "viewer"));
  auto group = products_->CreateGroup(Ctx(owner_), "acme", "Editors", "");
  ASSERT_TRUE(group);
  ASSERT_TRUE(products_->AddGroupMember(Ctx(owner_), "acme", group->id, m.account.id));
  ASSERT_TRUE(products_->PutGrant(Ctx(owner_), "acme", "submit", core::PrincipalType::kGroup,
                                  group->id, "editor"));
  AccessReviewService review(MailedPorts(model_.get()), *workspaces_, *model_);

  // Owners and Admins only; a non-member cannot tell the workspace exists.
  EXPECT_EQ(review.Page(Ctx(m), "acme", {}).error().code, core::Code::kPermissionDenied);
  EXPECT_EQ(review.Page(Ctx(billing), "acme", {}).error().code, core::Code::kPermissionDenied);
  SignedIn stranger = Register("stranger@example.com");
  EXPECT_EQ(review.Page(Ctx(stranger), "acme", {}).error().id, "workspace.not_found");
  EXPECT_TRUE(review.Authorize(Ctx(admin), "acme"));

  auto all = review.Page(Ctx(admin), "acme", {.limit = 1000});
  ASSERT_TRUE(all) << all.error().id;
  ASSERT_EQ(all->size(), 4u * 2u);  // four members × two products
  for (std::size_t i = 1; i < all->size(); ++i)
    EXPECT_LT(ReviewCursor((*all)[i - 1]), ReviewCursor((*all)[i]));
  for (const auto& row : *all) {
    auto d = model_->Check(row.account.id, row.product.id, "");
    ASSERT_TRUE(d);
    EXPECT_EQ(row.decision.reason, d->reason);
    EXPECT_EQ(row.decision.role, d->role);
    if (row.account.id == m.account.id && row.product.id == product_) {
      EXPECT_EQ(row.decision.role, "editor");
      EXPECT_EQ(row.account.email, "m@example.com");
      ASSERT_EQ(row.sources.size(), 2u);
      bool via_group = false;
      for (const auto& s : row.sources)
        if (s.type == "group") {
          via_group = true;
          EXPECT_EQ(s.group_id, group->id);
          EXPECT_EQ(s.group_name, "Editors");
          EXPECT_EQ(s.role, "editor");
        }
      EXPECT_TRUE(via_group);
    }
  }

  // Pages of three walk the same rows exactly once, even with a member added in between.
  std::vector<std::string> walked;
  AccessReviewQuery q{.limit = 3};
  for (int pages = 0; pages < 10; ++pages) {
    auto page = review.Page(Ctx(owner_), "acme", q);
    ASSERT_TRUE(page);
    for (const auto& row : *page) walked.push_back(ReviewCursor(row));
    if (pages == 0) Member("zz@example.com");
    if (page->size() < 3) break;
    q.after = ParseReviewCursor(ReviewCursor(page->back()));
  }
  std::set<std::string> unique(walked.begin(), walked.end());
  EXPECT_EQ(unique.size(), walked.size());
  EXPECT_GE(walked.size(), 8u);
  for (const auto& row : *all) EXPECT_TRUE(unique.count(ReviewCursor(row))) << ReviewCursor(row);
}

TEST(AccessReviewCursor, RoundTripsAndRefusesAnythingElse) {
  AccessReviewRow row;
  row.account.id = "acc_1";
  row.product.id = "prd_2";
  auto back = ParseReviewCursor(ReviewCursor(row));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->first, "acc_1");
  EXPECT_EQ(back->second, "prd_2");
  for (const char* bad : {"", "~", "acc_1", "acc_1~", "~prd_2", "a~b~c"})
    EXPECT_FALSE(ParseReviewCursor(bad)) << bad;
  EXPECT_FALSE(ParseReviewCursor(std::string(150, 'a') + "~" + std::string(100, 'b')));
}

INSTANTIATE_TEST_SUITE_P(Backends, AccessTest, ::testing::ValuesIn(testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vault::app
