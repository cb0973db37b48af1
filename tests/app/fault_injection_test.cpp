// Injected storage faults in every write use case: the use case is run once per write it makes,
// the n-th write failing unavailable (a lost database), on a fresh state each time. Each run must
// answer that error and leave the database exactly as it was before the call: a full dump of
// every table is compared, so no partial state and no orphan audit event can remain. A use case
// that writes in several transactions keeps what its earlier transactions committed; each case
// names those rows, and the failed transaction itself must still leave nothing.
#include "app/fault_injection.hpp"

namespace vault::app::fault {

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

std::pair<AuthContext, std::string> FaultTest::NewProductType(const std::string& tag) {
  auto ctx = Ctx(Register(Email(tag)));
  ctx.account.super_admin = true;
  core::ProductType type{"",
                         "edit-" + tag,
                         "Type",
                         {"things:read"},
                         {{"viewer", 1, {}}},
                         {{"paid", "Paid", 0, 0, {"core"}}}};
  auto created = products_->CreateProductType(ctx, type);
  EXPECT_TRUE(created);
  return {ctx, created ? created->id : ""};
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

}  // namespace vault::app::fault
