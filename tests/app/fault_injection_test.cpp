// Injected storage faults in every write use case: the use case is run once per write it makes,
// the n-th write failing unavailable (a lost database), on a fresh state each time. Each run must
// answer that error and leave the database exactly as it was before the call: a full dump of
// every table is compared, so no partial state and no orphan audit event can remain. A use case
// that writes in several transactions keeps what its earlier transactions committed; each case
// names those rows, and the failed transaction itself must still leave nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>

#include "app/access_model.hpp"
#include "app/admin_service.hpp"
#include "app/api_key_service.hpp"
#include "app/integration_service.hpp"
#include "app/product_service.hpp"
#include "app/workspace_service.hpp"
#include "support/account_fixture.hpp"
#include "support/fault_store.hpp"

namespace vault::app {
namespace {

using core::PrincipalType;
using core::Role;
using testing::kPassword;
using testing::RecordingMailer;

const ClientInfo kClient{"127.0.0.1", "test"};
constexpr const char* kNewPassword = "a brand new passphrase 7";

template <typename T>
core::Result<void> Void(const core::Result<T>& r) {
  if (!r) return core::Fail(r.error());
  return {};
}

// A use case ready to run; the rows (table, text the row contains) that its earlier
// transactions may leave committed when a later one fails; and the error id it answers when no
// write fails ("": success), for the calls that record a refusal.
struct Call {
  std::function<core::Result<void>()> run;
  std::vector<std::pair<std::string, std::string>> committed;
  std::string answers;
};

class FaultTest;
struct UseCase {
  const char* name;
  // Prepares a fresh state whose names and addresses all contain `tag`.
  std::function<Call(FaultTest&, const std::string& tag)> setup;
};

// Every table: its rows, each as its columns joined, sorted.
using Dump = std::map<std::string, std::vector<std::string>>;

class FaultTest : public testing::AccountServiceTest {
 protected:
  void SetUp() override {
    AccountServiceTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    fault_ = std::make_unique<testing::FaultStore>(*opened_.store);
    model_ = std::make_unique<AccessModel>(*fault_, clock_);
    Ports ports{*fault_, clock_, random_, secrets_, hasher_, mailer_, policy_, box_, otp_};
    service_ = std::make_unique<AccountService>(ports, AccountSettings{});
    workspaces_ = std::make_unique<WorkspaceService>(ports, *service_);
    products_ = std::make_unique<ProductService>(ports, *workspaces_);
    keys_ = std::make_unique<ApiKeyService>(ports, *workspaces_, *model_);
    integration_ = std::make_unique<IntegrationService>(ports, *model_);
    admin_ = std::make_unique<AdminService>(*fault_, clock_, random_, secrets_, "http://localhost");
    raw_ = Raw();
  }

  static std::vector<UseCase> AccountCases();
  static std::vector<UseCase> WorkspaceCases();
  static std::vector<UseCase> ProductAndKeyCases();

  // Runs every case with each of its writes failing in turn; returns the injection points.
  int InjectEveryWrite(const std::vector<UseCase>& cases);
  // The number of writes the use case makes (its injection points).
  int InjectEveryWrite(const UseCase& use_case);

  Dump TakeDump();

  static std::string Email(const std::string& tag, const std::string& who = "ada") {
    return who + "." + tag + "@example.com";
  }
  // Throttle row that RecheckPassword (or sign-in) commits before the change itself.
  static std::vector<std::pair<std::string, std::string>> SignInAttempt(
      const std::string& tag, const std::string& who = "ada") {
    return {{"throttle", "signin:" + Email(tag, who)}};
  }

  // A workspace with the product "submit" (the group "Team" holds its viewer grant), an Admin
  // in that group who invited friend.<tag>, and the Owner's pending invitation for guest.<tag>
  // carrying the group and an editor grant.
  struct Org {
    SignedIn owner, admin;
    AuthContext ctx;  // the Owner's
    std::string tag, ws, group;
  };
  Org NewOrg(const std::string& tag);
  // A signed-in account with TOTP on, and the code of the next step (enrolment burned this one).
  std::pair<AuthContext, std::string> WithTotp(const std::string& tag) {
    auto who = Register(Email(tag));
    std::string secret = EnableTotp(who);
    auto ctx = Ctx(who);
    clock_.Advance(30);
    return {ctx, Oathtool(secret, clock_.Now())};
  }
  // A use case run on a fresh NewOrg, needing nothing more.
  static UseCase OnOrg(const char* name,
                       std::function<core::Result<void>(FaultTest&, const Org&)> run) {
    return {name, [run](FaultTest& t, const std::string& tag) -> Call {
              return {[&t, run, o = t.NewOrg(tag)] { return run(t, o); }};
            }};
  }
  std::string InvitationToken(const std::string& email) {
    auto m = mailer_.Last(email, "You are invited");
    EXPECT_TRUE(m) << email;
    return m ? RecordingMailer::TokenIn(*m) : "";
  }

  std::unique_ptr<testing::FaultStore> fault_;
  std::unique_ptr<AccessModel> model_;
  std::unique_ptr<WorkspaceService> workspaces_;
  std::unique_ptr<ProductService> products_;
  std::unique_ptr<ApiKeyService> keys_;
  std::unique_ptr<IntegrationService> integration_;
  std::unique_ptr<AdminService> admin_;
  std::unique_ptr<storage::SqlConn> raw_;
  int tags_ = 0;
};

Dump FaultTest::TakeDump() {
  const char* tables_sql =
      opened_.dialect == "sqlite"
          ? "SELECT name FROM sqlite_master WHERE type = 'table'"
          : "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'";
  Dump dump;
  auto tables = raw_->Query(tables_sql, {});
  EXPECT_TRUE(tables);
  if (!tables) return dump;
  for (const auto& t : *tables) {
    auto rows = raw_->Query("SELECT * FROM " + t.Str(0), {});
    EXPECT_TRUE(rows) << t.Str(0);
    if (!rows) continue;
    auto& out = dump[t.Str(0)];
    for (const auto& row : *rows) {
      std::string line;
      for (const auto& col : row.cols) line += (col ? *col : "NULL") + "|";
      out.push_back(std::move(line));
    }
    std::sort(out.begin(), out.end());
  }
  return dump;
}

// Rows in one dump and not in the other: "+table: row" added, "-table: row" removed.
std::vector<std::string> Diff(const Dump& before, const Dump& after) {
  std::vector<std::string> out;
  auto one_way = [&](const Dump& a, const Dump& b, char sign) {
    static const std::vector<std::string> kNone;
    for (const auto& [table, rows] : a) {
      auto it = b.find(table);
      const auto& other = it == b.end() ? kNone : it->second;
      std::vector<std::string> only;
      std::set_difference(rows.begin(), rows.end(), other.begin(), other.end(),
                          std::back_inserter(only));
      for (auto& r : only) out.push_back(sign + table + ": " + r);
    }
  };
  one_way(after, before, '+');
  one_way(before, after, '-');
  return out;
}

int FaultTest::InjectEveryWrite(const std::vector<UseCase>& cases) {
  int total = 0;
  for (const auto& c : cases) {
    int k = InjectEveryWrite(c);
    std::cout << "[  fault   ] " << GetParam() << ": " << c.name << ": " << k << " writes\n";
    total += k;
  }
  std::cout << "[  fault   ] " << GetParam() << ": " << total << " injection points\n";
  return total;
}

int FaultTest::InjectEveryWrite(const UseCase& use_case) {
  constexpr int kMaxWrites = 200;
  for (int n = 1; n <= kMaxWrites; ++n) {
    std::string tag = "t" + std::to_string(++tags_);
    const auto* result = ::testing::UnitTest::GetInstance()->current_test_info()->result();
    int parts = result->total_part_count();
    Call call = use_case.setup(*this, tag);
    if (result->total_part_count() != parts) {
      ADD_FAILURE() << use_case.name << ": setup failed";
      return 0;
    }
    Dump before = TakeDump();
    std::vector<Dump> at_begin;  // the database as each Write transaction of the call began
    fault_->OnWriteBegin([&] { at_begin.push_back(TakeDump()); });
    std::size_t mails = mailer_.sent().size();
    fault_->FailAt(n);
    core::Result<void> r = call.run();
    auto [writes, fired, failed_tx, failed_write] = fault_->status();
    std::string where = std::string(use_case.name) + ", write " + std::to_string(n) + " (" +
                        failed_write + ") failing";
    fault_->FailAt(0);
    fault_->OnWriteBegin(nullptr);
    if (!fired) {  // the use case makes n - 1 writes: it ran unharmed
      EXPECT_EQ(ErrorId(r), call.answers.empty() ? "<succeeded>" : call.answers)
          << use_case.name << " without a fault";
      EXPECT_GT(n, 1) << use_case.name << " wrote nothing";
      return n - 1;
    }
    EXPECT_EQ(ErrorId(r), "storage.unavailable") << where;
    EXPECT_EQ(mailer_.sent().size(), mails) << where << ": mail sent for a failed call";
    Dump after = TakeDump();
    if (failed_tx == 0) {
      ADD_FAILURE() << where << ": a write in a read-only transaction";
    } else {
      // The failed transaction left nothing: the database is as it was when it began.
      for (const auto& row : Diff(at_begin[failed_tx - 1], after))
        ADD_FAILURE() << where << ": left behind " << row;
    }
    // Earlier transactions of the call committed only the rows the case names.
    for (const auto& row : Diff(before, after)) {
      bool named = std::any_of(call.committed.begin(), call.committed.end(), [&](const auto& c) {
        return row.compare(1, c.first.size() + 1, c.first + ":") == 0 &&
               row.find(c.second) != std::string::npos;
      });
      EXPECT_TRUE(named) << where << ": changed " << row;
    }
  }
  ADD_FAILURE() << use_case.name << ": more than " << kMaxWrites << " writes";
  return kMaxWrites;
}

FaultTest::Org FaultTest::NewOrg(const std::string& tag) {
  Org o;
  o.tag = tag;
  o.owner = Register(Email(tag, "owner"));
  o.ctx = Ctx(o.owner);
  o.ws = "ws-" + tag;
  EXPECT_TRUE(workspaces_->Create(o.ctx, "Acme", o.ws, ""));
  EXPECT_TRUE(products_->Create(o.ctx, o.ws, "submit", "Submit", "submit", "standard"));
  auto g = products_->CreateGroup(o.ctx, o.ws, "Team", "");
  EXPECT_TRUE(g);
  o.group = g ? g->id : "";
  EXPECT_TRUE(products_->PutGrant(o.ctx, o.ws, "submit", PrincipalType::kGroup, o.group, "viewer"));
  o.admin = Register(Email(tag, "admin"));
  EXPECT_TRUE(workspaces_->Invite(o.ctx, o.ws, o.admin.account.email, Role::kAdmin));
  auto admin = Ctx(o.admin);
  EXPECT_TRUE(workspaces_->AcceptInvitation(InvitationToken(o.admin.account.email), &admin, "", "",
                                            kClient));
  EXPECT_TRUE(products_->AddGroupMember(o.ctx, o.ws, o.group, o.admin.account.id));
  EXPECT_TRUE(workspaces_->Invite(admin, o.ws, Email(tag, "friend"), Role::kMember));
  EXPECT_TRUE(workspaces_->Invite(o.ctx, o.ws, Email(tag, "guest"), Role::kMember, {o.group},
                                  {{"submit", "editor"}}));
  return o;
}

std::vector<UseCase> FaultTest::AccountCases() {
  using T = FaultTest;
  using S = const std::string&;
  return {
      {"sign-up request",
       [](T& t, S tag) -> Call {
         return {[&t, tag] { return t.service_->SignUp("Ada", Email(tag)); }};
       }},
      {"sign-up completion",
       [](T& t, S tag) -> Call {
         std::string token = t.SignUpToken("Ada", Email(tag));
         return {
             [&t, token] { return Void(t.service_->CompleteSignUp(token, kPassword, kClient)); }};
       }},
      // Sign-in reserves the attempt in a transaction of its own, then resets the throttle
      // row (and opens the session) in the next: a failure there keeps the reservation.
      {"sign-in",
       [](T& t, S tag) -> Call {
         t.Register(Email(tag));
         return {[&t, tag] { return Void(t.service_->SignIn(Email(tag), kPassword, kClient)); },
                 SignInAttempt(tag)};
       }},
      {"sign-in with 2FA (challenge)",
       [](T& t, S tag) -> Call {
         t.EnableTotp(t.Register(Email(tag)));
         return {[&t, tag] { return Void(t.service_->SignIn(Email(tag), kPassword, kClient)); },
                 SignInAttempt(tag)};
       }},
      // The fifth wrong password records the failure, locks the address and audits the lockout.
      {"sign-in, wrong password locking the address",
       [](T& t, S tag) -> Call {
         t.Register(Email(tag));
         for (int i = 0; i < 4; ++i)
           (void)t.service_->SignIn(Email(tag), "wrong password", kClient);
         return {
             [&t, tag] { return Void(t.service_->SignIn(Email(tag), "wrong password", kClient)); },
             SignInAttempt(tag), "auth.invalid_credentials"};
       }},
      {"sign-in second step, wrong recovery code (counted, audited)",
       [](T& t, S tag) -> Call {
         t.EnableTotp(t.Register(Email(tag)));
         auto pending = t.service_->SignIn(Email(tag), kPassword, kClient);
         std::string token = pending ? pending->mfa_token : "";
         return {[&t, token] {
                   return Void(t.service_->CompleteMfa(token, "", "wrong-code", kClient));
                 },
                 {},
                 "mfa.invalid_code"};
       }},
      {"sign-in second step, TOTP code",
       [](T& t, S tag) -> Call {
         std::string secret = t.EnableTotp(t.Register(Email(tag)));
         auto pending = t.service_->SignIn(Email(tag), kPassword, kClient);
         t.clock_.Advance(30);  // the enrolment burned the current step
         std::string token = pending ? pending->mfa_token : "",
                     code = Oathtool(secret, t.clock_.Now());
         return {
             [&t, token, code] { return Void(t.service_->CompleteMfa(token, code, "", kClient)); }};
       }},
      {"sign-in second step, recovery code",
       [](T& t, S tag) -> Call {
         std::vector<std::string> recovery;
         t.EnableTotp(t.Register(Email(tag)), &recovery);
         auto pending = t.service_->SignIn(Email(tag), kPassword, kClient);
         std::string token = pending ? pending->mfa_token : "";
         return {[&t, token, code = recovery.at(0)] {
           return Void(t.service_->CompleteMfa(token, "", code, kClient));
         }};
       }},
      {"sign-out",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         return {[&t, ctx] { return t.service_->SignOut(ctx); }};
       }},
      {"session revocation",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         auto other = t.service_->SignIn(Email(tag), kPassword, kClient);
         std::string id = other && other->signed_in ? other->signed_in->session.id : "";
         return {[&t, ctx, id] { return t.service_->RevokeSession(ctx, id); }};
       }},
      {"profile update",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         return {[&t, ctx] { return Void(t.service_->UpdateProfile(ctx, {.name = "Grace"})); }};
       }},
      // The password re-check (like every one below that asks for it) reserves an attempt and
      // then resets it, each in its own transaction, before the change's transaction.
      {"password change",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         EXPECT_TRUE(t.service_->SignIn(Email(tag), kPassword, kClient));  // a session to end
         return {[&t, ctx] { return t.service_->ChangePassword(ctx, kPassword, kNewPassword); },
                 SignInAttempt(tag)};
       }},
      {"password change, wrong current password (audited)",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         return {
             [&t, ctx] { return t.service_->ChangePassword(ctx, "not my password", kNewPassword); },
             SignInAttempt(tag), "auth.invalid_credentials"};
       }},
      {"password reset request",
       [](T& t, S tag) -> Call {
         t.Register(Email(tag));
         return {[&t, tag] { return t.service_->ForgotPassword(Email(tag), kClient); }};
       }},
      {"password reset (removing a fresh second factor)",
       [](T& t, S tag) -> Call {
         t.EnableTotp(t.Register(Email(tag)));
         EXPECT_TRUE(t.service_->ForgotPassword(Email(tag), kClient));
         auto mail = t.mailer_.Last(Email(tag), "Reset your password");
         std::string token = mail ? RecordingMailer::TokenIn(*mail) : "";
         return {[&t, token] { return t.service_->ResetPassword(token, kNewPassword, kClient); }};
       }},
      {"email change request",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         return {[&t, ctx, tag] {
                   return t.service_->RequestEmailChange(ctx, Email(tag, "new"), kPassword);
                 },
                 SignInAttempt(tag)};
       }},
      {"email change confirmation",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         EXPECT_TRUE(t.service_->RequestEmailChange(ctx, Email(tag, "new"), kPassword));
         auto mail = t.mailer_.Last(Email(tag, "new"), "Confirm your new email");
         std::string token = mail ? RecordingMailer::TokenIn(*mail) : "";
         return {[&t, token] { return Void(t.service_->ConfirmEmailChange(token, kClient)); }};
       }},
      {"TOTP enrolment start",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         return {[&t, ctx] { return Void(t.service_->StartTotp(ctx, kPassword)); },
                 SignInAttempt(tag)};
       }},
      {"TOTP enrolment confirmation",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         auto e = t.service_->StartTotp(ctx, kPassword);
         std::string code = e ? Oathtool(e->secret_base32, t.clock_.Now()) : "";
         return {[&t, ctx, code] { return Void(t.service_->ConfirmTotp(ctx, code)); }};
       }},
      {"TOTP disable",
       [](T& t, S tag) -> Call {
         auto [ctx, code] = t.WithTotp(tag);
         return {[&t, ctx, code] { return t.service_->DisableTotp(ctx, kPassword, code); },
                 SignInAttempt(tag)};
       }},
      {"recovery code regeneration",
       [](T& t, S tag) -> Call {
         auto [ctx, code] = t.WithTotp(tag);
         return {[&t, ctx, code] { return Void(t.service_->RegenerateRecoveryCodes(ctx, code)); }};
       }},
      // The Admin leaves the workspace (an event in its log) and the invitation they sent goes.
      {"account deletion",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         auto ctx = t.Ctx(o.admin);
         return {[&t, ctx] { return t.service_->DeleteAccount(ctx, kPassword); },
                 SignInAttempt(tag, "admin")};
       }},
      {"admin: super admin creation",
       [](T& t, S tag) -> Call {
         return {[&t, tag] { return Void(t.admin_->CreateSuperAdmin(Email(tag), "Root")); }};
       }},
      {"admin: password reset link",
       [](T& t, S tag) -> Call {
         t.Register(Email(tag));
         return {[&t, tag] { return Void(t.admin_->ResetPassword(Email(tag))); }};
       }},
      {"admin: account disabled",
       [](T& t, S tag) -> Call {
         t.Register(Email(tag));
         return {[&t, tag] { return Void(t.admin_->SetDisabled(Email(tag), true)); }};
       }},
  };
}

std::vector<UseCase> FaultTest::WorkspaceCases() {
  using T = FaultTest;
  using S = const std::string&;
  return {
      {"workspace creation",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         return {
             [&t, ctx, tag] { return Void(t.workspaces_->Create(ctx, "Acme", "ws-" + tag, "")); }};
       }},
      {"workspace opened (remembered as the last one)",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         auto ctx = t.Ctx(o.admin);
         return {[&t, o, ctx] { return Void(t.workspaces_->Get(ctx, o.ws)); }};
       }},
      OnOrg("workspace update",
            [](T& t, const Org& o) {
              return Void(t.workspaces_->Update(o.ctx, o.ws,
                                                {.name = "Renamed", .shortname = o.ws + "-2"}));
            }),
      OnOrg("workspace deletion",
            [](T& t, const Org& o) { return t.workspaces_->Delete(o.ctx, o.ws, o.ws); }),
      OnOrg("invitation with a group and a grant",
            [](T& t, const Org& o) {
              return Void(t.workspaces_->Invite(o.ctx, o.ws, Email(o.tag, "other"), Role::kMember,
                                                {o.group}, {{"submit", "viewer"}}));
            }),
      {"invitation acceptance, signed in",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         auto ctx = t.Ctx(t.Register(Email(tag, "guest")));
         std::string token = t.InvitationToken(Email(tag, "guest"));
         return {[&t, ctx, token] {
           return Void(t.workspaces_->AcceptInvitation(token, &ctx, "", "", kClient));
         }};
       }},
      {"invitation acceptance, new account",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         std::string token = t.InvitationToken(Email(tag, "guest"));
         return {[&t, token] {
           return Void(
               t.workspaces_->AcceptInvitation(token, nullptr, "Guest", kPassword, kClient));
         }};
       }},
      {"invitation decline",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         std::string token = t.InvitationToken(Email(tag, "guest"));
         return {[&t, token] { return t.workspaces_->DeclineInvitation(token, kClient); }};
       }},
      {"invitation resend",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         auto pending = t.workspaces_->Invitations(o.ctx, o.ws);
         std::string id = pending && !pending->empty() ? pending->front().id : "";
         return {[&t, o, id] { return Void(t.workspaces_->ResendInvitation(o.ctx, o.ws, id)); }};
       }},
      {"invitation revocation",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         auto pending = t.workspaces_->Invitations(o.ctx, o.ws);
         std::string id = pending && !pending->empty() ? pending->front().id : "";
         return {[&t, o, id] { return t.workspaces_->RevokeInvitation(o.ctx, o.ws, id); }};
       }},
      // Demoted to Member, the Admin can no longer invite: their invitation is revoked too.
      OnOrg("member role change",
            [](T& t, const Org& o) {
              return Void(
                  t.workspaces_->ChangeRole(o.ctx, o.ws, o.admin.account.id, Role::kMember));
            }),
      OnOrg("member removal",
            [](T& t, const Org& o) {
              return t.workspaces_->RemoveMember(o.ctx, o.ws, o.admin.account.id);
            }),
  };
}

std::vector<UseCase> FaultTest::ProductAndKeyCases() {
  using T = FaultTest;
  using S = const std::string&;
  auto new_key = [](T& t, const Org& o) {
    auto k = t.keys_->Create(o.ctx, o.ws, {"submit", "production", "CI", {"submissions:read"}});
    EXPECT_TRUE(k);
    return k ? k->key.id : "";
  };
  return {
      OnOrg("product creation",
            [](T& t, const Org& o) {
              return Void(
                  t.products_->Create(o.ctx, o.ws, "submit", "Reports", "reports", "standard"));
            }),
      OnOrg("product update",
            [](T& t, const Org& o) {
              return Void(t.products_->Update(o.ctx, o.ws, "submit",
                                              {.name = "Renamed", .disabled = true}));
            }),
      OnOrg("product deletion",
            [](T& t, const Org& o) { return t.products_->Delete(o.ctx, o.ws, "submit"); }),
      OnOrg("subscription plan change",
            [](T& t, const Org& o) {
              return Void(t.products_->ChangePlan(o.ctx, o.ws, "submit", "enterprise"));
            }),
      OnOrg("grant",
            [](T& t, const Org& o) {
              return Void(t.products_->PutGrant(o.ctx, o.ws, "submit", PrincipalType::kAccount,
                                                o.admin.account.id, "editor"));
            }),
      OnOrg("grant removal",
            [](T& t, const Org& o) {
              return t.products_->DeleteGrant(o.ctx, o.ws, "submit", PrincipalType::kGroup,
                                              o.group);
            }),
      OnOrg("group creation",
            [](T& t, const Org& o) {
              return Void(t.products_->CreateGroup(o.ctx, o.ws, "Ops", ""));
            }),
      OnOrg("group update",
            [](T& t, const Org& o) {
              return Void(t.products_->UpdateGroup(o.ctx, o.ws, o.group, "Core", "the core"));
            }),
      OnOrg("group member added",
            [](T& t, const Org& o) {
              return t.products_->AddGroupMember(o.ctx, o.ws, o.group, o.owner.account.id);
            }),
      OnOrg("group member removed",
            [](T& t, const Org& o) {
              return t.products_->RemoveGroupMember(o.ctx, o.ws, o.group, o.admin.account.id);
            }),
      OnOrg("group deletion",
            [](T& t, const Org& o) { return t.products_->DeleteGroup(o.ctx, o.ws, o.group); }),
      OnOrg("API key creation",
            [](T& t, const Org& o) {
              return Void(t.keys_->Create(o.ctx, o.ws,
                                          {"submit", "production", "CI", {"submissions:read"}}));
            }),
      {"API key roll",
       [new_key](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         std::string id = new_key(t, o);
         return {[&t, o, id] { return Void(t.keys_->Roll(o.ctx, o.ws, id, {})); }};
       }},
      {"API key revocation",
       [new_key](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         std::string id = new_key(t, o);
         return {[&t, o, id] { return Void(t.keys_->Revoke(o.ctx, o.ws, id)); }};
       }},
      {"service client creation",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         ctx.account.super_admin = true;
         return {[&t, ctx] { return Void(t.integration_->CreateClient(ctx, "submit", "Submit")); }};
       }},
      {"service client revocation",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         ctx.account.super_admin = true;
         auto c = t.integration_->CreateClient(ctx, "submit", "Submit");
         std::string id = c ? c->client.id : "";
         return {[&t, ctx, id] { return t.integration_->RevokeClient(ctx, id); }};
       }},
      {"product type creation",
       [](T& t, S tag) -> Call {
         auto ctx = t.Ctx(t.Register(Email(tag)));
         ctx.account.super_admin = true;
         core::ProductType type{"",
                                "type-" + tag,
                                "Type",
                                {"things:read"},
                                {{"admin", 2, {"things:read"}}, {"viewer", 1, {}}},
                                {{"trial", "Trial", 5, 14, {}}, {"paid", "Paid", 0, 0, {"core"}}}};
         return {[&t, ctx, type] { return Void(t.products_->CreateProductType(ctx, type)); }};
       }},
      {"Chargebee subscription event",
       [](T& t, S tag) -> Call {
         Org o = t.NewOrg(tag);
         auto product = t.products_->Get(o.ctx, o.ws, "submit");
         ChargebeeEvent e{"ev-" + tag,
                          "subscription_changed",
                          t.clock_.Now(),
                          "sub-" + tag,
                          "active",
                          "enterprise-USD-Monthly",
                          0,
                          product ? product->product.id : ""};
         return {[&t, e] { return Void(t.integration_->ApplyChargebee(e)); }};
       }},
  };
}

TEST_P(FaultTest, AccountUseCasesLeaveNothingBehindAnyFailedWrite) {
  EXPECT_GT(InjectEveryWrite(AccountCases()), 0);
}

TEST_P(FaultTest, WorkspaceUseCasesLeaveNothingBehindAnyFailedWrite) {
  EXPECT_GT(InjectEveryWrite(WorkspaceCases()), 0);
}

TEST_P(FaultTest, ProductAndKeyUseCasesLeaveNothingBehindAnyFailedWrite) {
  EXPECT_GT(InjectEveryWrite(ProductAndKeyCases()), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, FaultTest, ::testing::ValuesIn(testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vault::app
