// The in-memory access model equals the database: after each write of a seeded random sequence
// (memberships, roles, grants to accounts and groups, group members, subscriptions, products
// switched off, workspace 2FA and suspension, accounts disabled, TOTP, configurations, the clock
// moving past period ends), every (account, product) answer of a model kept current by change
// notes, and of one bulk-loaded (Load) part-way through, is compared with the facts read by
// plain queries, and with the decision taken from them.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <tuple>

#include "app/access_model.hpp"
#include "app/change_store.hpp"
#include "app/product_service.hpp"
#include "app/workspace_service.hpp"
#include "support/account_fixture.hpp"

namespace vault::app {
namespace {

using core::PrincipalType;
using core::Result;
using core::Role;
using core::Tx;

// A write that reports whether it changed anything, as one that does not.
Result<void> Done(Result<bool> r) {
  if (!r) return core::Fail(r.error());
  return {};
}

// Hands each change to every model in `models` (a bulk-loaded one joins part-way).
class Fanout : public core::ChangeListener {
 public:
  std::vector<AccessModel*> models;
  void WorkspaceChanged(const std::string& id) override {
    for (auto* m : models) m->WorkspaceChanged(id);
  }
  void AccountChanged(const std::string& id) override {
    for (auto* m : models) m->AccountChanged(id);
  }
  void CatalogChanged() override {
    for (auto* m : models) m->CatalogChanged();
  }
};

class AccessModelProperty : public testing::AccountServiceTest {
 protected:
  void SetUp() override {
    AccountServiceTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    live_ = std::make_unique<AccessModel>(*opened_.store, clock_);
    fanout_.models.push_back(live_.get());
    ports_ = std::make_unique<Ports>(MailedPorts(&fanout_));
    MakeServices(*ports_);
    workspaces_ = std::make_unique<WorkspaceService>(*ports_, *service_);
    products_ = std::make_unique<ProductService>(*ports_, *workspaces_);
    for (int i = 0; i < kAccounts; ++i)
      accounts_.push_back(Register("p" + std::to_string(i) + "@example.com").account.id);
    accounts_.push_back("acc_never_existed");
    SignedIn owner = Register("owner@example.com");
    for (int w = 0; w < kWorkspaces; ++w) {
      std::string shortname = "prop" + std::to_string(w);
      auto ws = workspaces_->Create(Ctx(owner), "Prop", shortname, "");
      ASSERT_TRUE(ws);
      workspace_ids_.push_back(ws->workspace.id);
      for (int p = 0; p < 2; ++p) {
        auto made = products_->Create(Ctx(owner), shortname, "submit", "Submit",
                                      "submit" + std::to_string(p), "standard");
        ASSERT_TRUE(made) << made.error().id;
        products_of_.push_back({ws->workspace.id, made->product.id});
      }
      for (int g = 0; g < 2; ++g) {
        std::string id = "grp_prop" + std::to_string(w) + "_" + std::to_string(g);
        const std::string& ws_id = ws->workspace.id;
        ASSERT_TRUE(Write(ws_id, [&](Tx& tx) {
          return tx.InsertGroup(core::Group{id, ws_id, id, id, "", 1});
        }));
        groups_of_.push_back({ws_id, id});
      }
    }
    products_of_.push_back({"", "prd_never_existed"});
    auto types = opened_.store->Read([](Tx& tx) { return tx.ListProductTypes(); });
    ASSERT_TRUE(types);
    for (const auto& t : *types)
      if (t.key == "submit") {
        for (const auto& r : t.roles) roles_.push_back(r.name);
        for (const auto& p : t.plans) plans_.push_back(p.key);
      }
    roles_.push_back("ghost");  // a role the type does not have
    ASSERT_FALSE(roles_.empty());
  }

  // A write as the services make it: the change noted in the same transaction.
  Result<void> Write(const std::string& workspace_id, const std::function<Result<void>(Tx&)>& fn,
                     const std::string& account_id = "") {
    return ports_->store.Write([&](Tx& tx) -> Result<void> {
      VAULT_TRY(fn(tx));
      if (!workspace_id.empty()) NoteWorkspaceChanged(tx, workspace_id);
      if (!account_id.empty()) NoteAccountChanged(tx, account_id);
      return {};
    });
  }

  // The facts for (account, product) by plain queries, independent of the model.
  core::AccessFacts Reference(const std::string& account_id, const std::string& product_id) {
    core::AccessFacts f;
    auto r = opened_.store->Read([&](Tx& tx) -> Result<void> {
      VAULT_ASSIGN_OR_RETURN(auto a, tx.FindAccountById(account_id));
      if (a) {
        f.account_exists = true;
        f.account_disabled = a->disabled;
        VAULT_ASSIGN_OR_RETURN(auto totp, tx.FindTotp(account_id));
        f.account_mfa = totp && totp->confirmed;
      }
      VAULT_ASSIGN_OR_RETURN(auto p, tx.FindProductById(product_id));
      if (!p) return {};
      VAULT_ASSIGN_OR_RETURN(auto w, tx.FindWorkspace(p->workspace_id));
      if (!w) return {};
      VAULT_ASSIGN_OR_RETURN(types_, tx.ListProductTypes());
      f.product_exists = true;
      f.product = *p;
      for (const auto& t : types_)
        if (t.id == p->type_id) f.type = &t;
      VAULT_ASSIGN_OR_RETURN(f.subscription, tx.FindSubscription(product_id));
      VAULT_ASSIGN_OR_RETURN(auto config, tx.FindProductConfig(product_id));
      f.config = std::make_shared<const std::string>(config ? config->config : "{}");
      f.workspace_requires_2fa = w->require_2fa;
      f.workspace_suspended = w->suspended();
      VAULT_ASSIGN_OR_RETURN(auto m, tx.FindMembership(w->id, account_id));
      if (m) f.membership = m->role;
      VAULT_ASSIGN_OR_RETURN(auto grants, tx.ListGrants(product_id));
      VAULT_ASSIGN_OR_RETURN(auto group_members, tx.ListGroupMembers(w->id));
      for (const auto& g : grants) {
        bool group = g.principal_type == PrincipalType::kGroup;
        bool reaches = group ? std::count(group_members.begin(), group_members.end(),
                                          std::make_pair(g.principal_id, account_id)) > 0
                             : g.principal_id == account_id;
        if (!reaches) continue;
        const core::ProductRole* role = f.type ? f.type->FindRole(g.role) : nullptr;
        f.grants.push_back({group ? "group" : "direct", group ? g.principal_id : "", g.role,
                            role ? role->rank : 0});
      }
      return {};
    });
    EXPECT_TRUE(r) << r.error().detail;
    return f;
  }

  static auto Grants(const core::AccessFacts& f) {
    std::vector<std::tuple<std::string, std::string, std::string, int>> out;
    for (const auto& g : f.grants) out.emplace_back(g.via, g.group_id, g.role, g.rank);
    std::sort(out.begin(), out.end());
    return out;
  }

  // Every answer of `model` against the reference; returns how many pairs were compared.
  int Compare(AccessModel& model, const char* which, int step) {
    int compared = 0;
    for (const auto& account : accounts_)
      for (const auto& [ws, product] : products_of_) {
        SCOPED_TRACE(std::string(which) + " model, step " + std::to_string(step) + ", " + account +
                     " on " + product);
        auto expected = Reference(account, product);
        auto got = model.Facts(account, product);
        if (!got) {
          ADD_FAILURE() << got.error().detail;
          return compared;
        }
        EXPECT_EQ(got->account_exists, expected.account_exists);
        EXPECT_EQ(got->account_disabled, expected.account_disabled);
        EXPECT_EQ(got->account_mfa, expected.account_mfa);
        EXPECT_EQ(got->product_exists, expected.product_exists);
        EXPECT_EQ(got->product.id, expected.product.id);
        EXPECT_EQ(got->product.disabled, expected.product.disabled);
        EXPECT_EQ(got->membership, expected.membership);
        EXPECT_EQ(got->workspace_requires_2fa, expected.workspace_requires_2fa);
        EXPECT_EQ(got->workspace_suspended, expected.workspace_suspended);
        EXPECT_EQ(got->subscription.has_value(), expected.subscription.has_value());
        if (got->subscription && expected.subscription) {
          EXPECT_EQ(got->subscription->status, expected.subscription->status);
          EXPECT_EQ(got->subscription->plan_key, expected.subscription->plan_key);
          EXPECT_EQ(got->subscription->period_end, expected.subscription->period_end);
        }
        EXPECT_EQ(got->config ? *got->config : "", expected.config ? *expected.config : "");
        EXPECT_EQ(Grants(*got), Grants(expected));
        for (const char* permission : {"", "submissions:create", "submissions:read"}) {
          auto want = core::DecideAccess(expected, permission, clock_.Now());
          auto have = core::DecideAccess(*got, permission, clock_.Now());
          EXPECT_EQ(have.allowed, want.allowed) << permission;
          EXPECT_EQ(have.reason, want.reason) << permission;
          EXPECT_EQ(have.role, want.role) << permission;
        }
        compared++;
        if (HasFailure()) return compared;
      }
    return compared;
  }

  // One random write; returns what it did, for the failure message.
  std::string RandomWrite(std::mt19937& rng) {
    auto pick = [&](const auto& v) -> const auto& { return v[rng() % v.size()]; };
    const std::string& account = accounts_[rng() % kAccounts];  // real accounts only
    const auto& [ws, product] = products_of_[rng() % (products_of_.size() - 1)];
    const auto& [group_ws, group] = pick(groups_of_);
    static const Role kRoles[] = {Role::kOwner, Role::kAdmin, Role::kMember, Role::kBilling};
    Role role = kRoles[rng() % 4];
    Result<void> r;
    std::string what;
    switch (rng() % 12) {
      case 0:
      case 1:
        what = "member " + account + " of " + ws;
        r = Write(ws, [&](Tx& tx) -> Result<void> {
          VAULT_ASSIGN_OR_RETURN(auto m, tx.FindMembership(ws, account));
          if (m) return tx.UpdateMembershipRole(ws, account, role);
          return tx.InsertMembership({ws, account, role, clock_.Now()});
        });
        break;
      case 2:
        what = "remove " + account + " from " + ws;
        r = Write(ws, [&](Tx& tx) { return Done(tx.DeleteMembership(ws, account)); });
        break;
      case 3:
      case 4: {
        bool to_group = rng() % 2;
        std::string principal = to_group ? group : account;
        std::string grant_ws = to_group ? group_ws : ws;
        // A grant on a product of the principal's workspace (an account's: `ws`).
        std::vector<std::string> candidates;
        for (const auto& [w, p] : products_of_)
          if (w == grant_ws) candidates.push_back(p);
        std::string on = pick(candidates);
        what = "grant " + principal + " on " + on;
        r = Write(grant_ws, [&](Tx& tx) {
          return tx.PutGrant({on, to_group ? PrincipalType::kGroup : PrincipalType::kAccount,
                              principal, pick(roles_), grant_ws, clock_.Now()});
        });
        break;
      }
      case 5: {
        bool group_grant = rng() % 2;
        what = "ungrant on " + product;
        r = Write(ws, [&](Tx& tx) {
          return Done(tx.DeleteGrant(product,
                                     group_grant ? PrincipalType::kGroup : PrincipalType::kAccount,
                                     group_grant ? group : account));
        });
        break;
      }
      case 6:
        what = "group member " + account + " of " + group;
        r = Write(group_ws, [&](Tx& tx) -> Result<void> {
          if (rng() % 3 == 0) return Done(tx.RemoveGroupMember(group, account));
          return Done(tx.AddGroupMember(group_ws, group, account));
        });
        break;
      case 7: {
        static const core::SubscriptionStatus kStatuses[] = {
            core::SubscriptionStatus::kActive, core::SubscriptionStatus::kInTrial,
            core::SubscriptionStatus::kCancelled, core::SubscriptionStatus::kNonRenewing};
        core::Subscription s{product, pick(plans_), kStatuses[rng() % 4]};
        s.period_end = rng() % 2 ? 0 : clock_.Now() + static_cast<int>(rng() % 100);
        what = "subscription of " + product;
        r = Write(ws, [&](Tx& tx) { return tx.PutSubscription(s); });
        break;
      }
      case 8:
        what = "switch " + product;
        r = Write(ws, [&](Tx& tx) -> Result<void> {
          VAULT_ASSIGN_OR_RETURN(auto p, tx.FindProductById(product));
          if (!p) return core::Fail(core::Code::kNotFound, "product.not_found", product);
          p->disabled = !p->disabled;
          return tx.UpdateProduct(*p);
        });
        break;
      case 9:
        what = "workspace policy of " + ws;
        r = Write(ws, [&](Tx& tx) -> Result<void> {
          VAULT_ASSIGN_OR_RETURN(auto w, tx.FindWorkspace(ws));
          if (!w) return core::Fail(core::Code::kNotFound, "workspace.not_found", ws);
          if (rng() % 2)
            w->require_2fa = !w->require_2fa;
          else
            w->suspended_at = w->suspended_at ? 0 : clock_.Now();
          return tx.UpdateWorkspace(*w);
        });
        break;
      case 10:
        what = "account flags of " + account;
        r = Write(
            "",
            [&](Tx& tx) -> Result<void> {
              if (rng() % 2) {
                VAULT_ASSIGN_OR_RETURN(auto a, tx.FindAccountById(account));
                if (!a) return core::Fail(core::Code::kNotFound, "account.not_found", account);
                a->disabled = !a->disabled;
                return tx.UpdateAccount(*a);
              }
              VAULT_ASSIGN_OR_RETURN(auto t, tx.FindTotp(account));
              if (t) return tx.DeleteTotp(account);
              return tx.PutTotp({account, "sealed", rng() % 2 == 0, 0, clock_.Now()});
            },
            account);
        break;
      case 11:
        what = "config of " + product;
        r = Write(ws, [&](Tx& tx) {
          return tx.PutProductConfig(
              {product, "{\"n\":" + std::to_string(rng() % 1000) + "}", 1, clock_.Now(), account});
        });
        break;
    }
    EXPECT_TRUE(r) << what << ": " << r.error().detail;
    if (rng() % 4 == 0) clock_.Advance(static_cast<int>(rng() % 40));
    return what;
  }

  static constexpr int kAccounts = 6, kWorkspaces = 3;
  Fanout fanout_;
  std::unique_ptr<Ports> ports_;
  std::unique_ptr<AccessModel> live_, loaded_;
  std::unique_ptr<WorkspaceService> workspaces_;
  std::unique_ptr<ProductService> products_;
  std::vector<std::string> accounts_, workspace_ids_, roles_, plans_;
  std::vector<std::pair<std::string, std::string>> products_of_, groups_of_;
  std::vector<core::ProductType> types_;  // the reference's catalogue (its facts point into it)
};

TEST_P(AccessModelProperty, EveryAnswerEqualsTheDatabaseAfterEachRandomWrite) {
  std::mt19937 rng(20261130);
  const int kSteps = 160;
  int compared = 0;
  for (int step = 0; step < kSteps; ++step) {
    std::string what = RandomWrite(rng);
    SCOPED_TRACE("after " + what);
    if (step == kSteps / 3) {
      // A second model filled in bulk, as at start, then kept current like the first.
      loaded_ = std::make_unique<AccessModel>(*opened_.store, clock_);
      auto n = loaded_->Load();
      ASSERT_TRUE(n) << n.error().detail;
      EXPECT_EQ(*n, static_cast<std::size_t>(kWorkspaces));
      fanout_.models.push_back(loaded_.get());
    }
    compared += Compare(*live_, "live", step);
    if (loaded_) compared += Compare(*loaded_, "bulk-loaded", step);
    if (HasFailure()) return;
  }
  EXPECT_GT(compared, kSteps * kAccounts);
}

INSTANTIATE_TEST_SUITE_P(Backends, AccessModelProperty, ::testing::ValuesIn(testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vault::app
