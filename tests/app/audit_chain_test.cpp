// The audit chain's hash covers every field of an event (prev_hash included), and verification
// detects an event spliced in from a fork of the chain even when the splicer also fixes the
// link columns and the chain head.
#include <gtest/gtest.h>

#include <functional>
#include <utility>

#include "support/account_fixture.hpp"

namespace vault::app {
namespace {

using testing::kPassword;

core::AuditEvent SampleEvent() {
  core::AuditEvent e;
  e.seq = 7;
  e.id = "evt_sample";
  e.occurred_at = 1'800'000'123;
  e.actor_type = "account";
  e.actor_id = "acc_1";
  e.ip = "192.0.2.1";
  e.user_agent = "agent/1";
  e.workspace_id = "ws_1";
  e.action = "session.signed_in";
  e.target_type = "session";
  e.target_id = "ses_1";
  e.summary = "{\"k\":\"v\"}";
  e.prev_hash = "c0ffee";
  return e;
}

using Mutation = std::pair<const char*, std::function<void(core::AuditEvent&)>>;

// One change per hashed field of AuditEvent.
std::vector<Mutation> EveryFieldChanged() {
  core::AuditEvent e;
  // Names every member: a member added to AuditEvent fails to compile here until it is listed
  // (and given a mutation below, or hash-exempted like `hash`, the output, and `key_id`, which
  // picks the key: KeyIdPicksTheKeyRatherThanEnteringTheText below).
  [[maybe_unused]] auto& [seq, id, occurred_at, actor_type, actor_id, ip, user_agent, workspace_id,
                          action, target_type, target_id, summary, prev_hash, hash, key_id] = e;
  return {
      {"seq", [](core::AuditEvent& x) { ++x.seq; }},
      {"id", [](core::AuditEvent& x) { x.id += "x"; }},
      {"occurred_at", [](core::AuditEvent& x) { ++x.occurred_at; }},
      {"actor_type", [](core::AuditEvent& x) { x.actor_type = "system"; }},
      {"actor_id", [](core::AuditEvent& x) { x.actor_id += "x"; }},
      {"ip", [](core::AuditEvent& x) { x.ip = "192.0.2.2"; }},
      {"user_agent", [](core::AuditEvent& x) { x.user_agent += "x"; }},
      {"workspace_id", [](core::AuditEvent& x) { x.workspace_id.clear(); }},
      {"action", [](core::AuditEvent& x) { x.action = "session.signed_out"; }},
      {"target_type", [](core::AuditEvent& x) { x.target_type += "x"; }},
      {"target_id", [](core::AuditEvent& x) { x.target_id += "x"; }},
      {"summary", [](core::AuditEvent& x) { x.summary = "{}"; }},
      {"prev_hash", [](core::AuditEvent& x) { x.prev_hash = "c0ffef"; }},
  };
}

class AuditHashTest : public ::testing::Test {
 protected:
  crypto::HmacSecretHasher secrets_{std::string(32, 'k')};
  crypto::SodiumRandom random_;
  testing::FakeClock clock_;
  AuditLog log_{secrets_, random_, clock_};
};

TEST_F(AuditHashTest, ChangingAnySingleFieldChangesTheHash) {
  const core::AuditEvent original = SampleEvent();
  const std::string hash = *log_.HashOf(original);
  auto mutations = EveryFieldChanged();
  EXPECT_EQ(mutations.size(), 13u);  // every member of AuditEvent but `hash` and `key_id`
  for (const auto& [field, mutate] : mutations) {
    core::AuditEvent changed = original;
    mutate(changed);
    EXPECT_NE(log_.HashOf(changed), hash) << field << " is not covered by the audit hash";
  }
  core::AuditEvent same = original;
  same.hash = "anything";  // the stored hash is the output, not an input
  EXPECT_EQ(log_.HashOf(same), hash);
}

TEST_F(AuditHashTest, KeyIdPicksTheKeyRatherThanEnteringTheText) {
  core::AuditEvent e = SampleEvent();
  ASSERT_EQ(e.key_id, "k0");  // the single secret of this hasher
  EXPECT_EQ(log_.HashOf(e), secrets_.KeyedHash("audit", core::AuditCanonical(e)));
  e.key_id = "k1";  // a key this keyring lacks: no hash, so verification names it
  EXPECT_FALSE(log_.HashOf(e));
}

TEST_F(AuditHashTest, MovingTextAcrossAFieldBoundaryChangesTheHash) {
  // "ab" + "c" and "a" + "bc" must not hash alike, for every pair of neighbouring text fields.
  using Field = std::string core::AuditEvent::*;
  const std::vector<Field> text = {
      &core::AuditEvent::id,      &core::AuditEvent::actor_type,  &core::AuditEvent::actor_id,
      &core::AuditEvent::ip,      &core::AuditEvent::user_agent,  &core::AuditEvent::workspace_id,
      &core::AuditEvent::action,  &core::AuditEvent::target_type, &core::AuditEvent::target_id,
      &core::AuditEvent::summary, &core::AuditEvent::prev_hash};
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    core::AuditEvent a = SampleEvent(), b = SampleEvent();
    a.*text[i] = "ab";
    a.*text[i + 1] = "c";
    b.*text[i] = "a";
    b.*text[i + 1] = "bc";
    EXPECT_NE(log_.HashOf(a), log_.HashOf(b)) << "fields " << i << " and " << i + 1;
  }
}

class AuditSpliceTest : public testing::AccountServiceTest {
 protected:
  // Five events on a chain: a sign-up and four sign-ins of `email`.
  static void MakeChain(AccountService& service, testing::RecordingMailer& mailer,
                        const std::string& email) {
    ASSERT_TRUE(service.SignUp("Ada", email));
    auto m = mailer.Last(email, "Verify your email");
    ASSERT_TRUE(m);
    ASSERT_TRUE(service.CompleteSignUp(testing::RecordingMailer::TokenIn(*m), kPassword, {}));
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(service.SignIn(email, kPassword, {}));
  }

  // Event `seq` of a fork: another chain with the same server secret (a restored backup, a
  // staging copy), whose events are correctly hashed but follow different predecessors.
  core::AuditEvent ForkedEvent(std::int64_t seq) {
    testing::TempDatabase fork_db(GetParam());
    storage::OpenedStore fork = fork_db.Open();
    testing::MailRelay fork_mail(*fork.store, clock_, random_, mailer_);
    AccountService forked(Ports{fork_mail.Over(*fork.store), clock_, random_, secrets_, hasher_,
                                fork_mail.outbox(), policy_, box_, otp_},
                          AccountSettings{});
    MakeChain(forked, mailer_, "bob@example.com");
    core::AuditEvent out;
    EXPECT_TRUE(fork.store->Read([&](core::Tx& tx) -> core::Result<void> {
      auto events = tx.AuditEventsAfter(seq - 1, 1);
      if (!events || events->empty()) return core::Fail(core::Code::kNotFound, "x", "no event");
      out = events->front();
      return {};
    }));
    EXPECT_TRUE(forked.audit().Verify(*fork.store)->ok);  // valid where it was made
    return out;
  }

  // Replaces event e.seq of this chain with e, and optionally points the head at it.
  void Splice(const core::AuditEvent& e, bool move_head) {
    auto raw = Raw();
    ASSERT_TRUE(raw->Query("DELETE FROM audit_events WHERE seq = $1", {e.seq}));
    ASSERT_TRUE(raw->Query(
        "INSERT INTO audit_events (seq, id, occurred_at, actor_type, actor_id, ip, user_agent, "
        "workspace_id, action, target_type, target_id, summary, prev_hash, hash) VALUES ($1, $2, "
        "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        {e.seq, e.id, e.occurred_at, e.actor_type, e.actor_id, e.ip, e.user_agent, e.workspace_id,
         e.action, e.target_type, e.target_id, e.summary, e.prev_hash, e.hash}));
    if (move_head) {
      ASSERT_TRUE(raw->Query("UPDATE audit_head SET last_hash = $1 WHERE id = 1", {e.hash}));
    }
  }

  // Events 1..5, then ten days later event 6, then a pruning of what is older than a day.
  void PruneAfterTenDays() {
    MakeChain(*service_, mailer_, "ada@example.com");
    clock_.Advance(10 * 86400);
    ASSERT_TRUE(service_->SignIn("ada@example.com", kPassword, {}));
    ASSERT_TRUE(opened_.store->Write(
        [&](core::Tx& tx) { return service_->audit().Prune(tx, clock_.Now() - 86400, 500); }));
  }

  ChainReport Verify() {
    auto report = service_->audit().Verify(*opened_.store);
    EXPECT_TRUE(report);
    return report ? *report : ChainReport{};
  }
};

TEST_P(AuditSpliceTest, ForkedEventSplicedAsItIsBreaksTheLink) {
  MakeChain(*service_, mailer_, "ada@example.com");
  ASSERT_EQ(Verify().events, 5);
  core::AuditEvent forked = ForkedEvent(5);
  Splice(forked, /*move_head=*/true);
  ChainReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_broken_seq, 5);
}

TEST_P(AuditSpliceTest, ForkedEventWithRewrittenLinksAtTheHeadIsDetected) {
  // The splicer also rewrites the event's prev_hash to this chain's predecessor and points the
  // head at the event: every link column agrees, so only the hash covering prev_hash can tell.
  MakeChain(*service_, mailer_, "ada@example.com");
  std::vector<core::AuditEvent> events = Events();
  ASSERT_EQ(events.size(), 5u);
  core::AuditEvent forked = ForkedEvent(5);
  ASSERT_NE(forked.prev_hash, events[3].hash);
  forked.prev_hash = events[3].hash;
  Splice(forked, /*move_head=*/true);
  ChainReport report = Verify();
  EXPECT_FALSE(report.ok) << "a forked event was accepted as event 5";
  EXPECT_EQ(report.first_broken_seq, 5);
  EXPECT_NE(report.problem.find("altered"), std::string::npos) << report.problem;
}

TEST_P(AuditSpliceTest, ForkedEventWithRewrittenLinksInTheMiddleIsNamed) {
  MakeChain(*service_, mailer_, "ada@example.com");
  std::vector<core::AuditEvent> events = Events();
  core::AuditEvent forked = ForkedEvent(3);
  forked.prev_hash = events[1].hash;
  Splice(forked, /*move_head=*/false);
  ChainReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_broken_seq, 3);  // the spliced event itself, not only its successor
}

// Audit retention (issue 16): pruning the oldest events keeps the rest provable.
TEST_P(AuditSpliceTest, PruningOldEventsKeepsTheRestVerifiable) {
  MakeChain(*service_, mailer_, "ada@example.com");  // events 1..5 at the fake clock's now
  clock_.Advance(10 * 86400);
  ASSERT_TRUE(service_->SignIn("ada@example.com", kPassword, {}));  // event 6, ten days later
  auto pruned = opened_.store->Write(
      [&](core::Tx& tx) { return service_->audit().Prune(tx, clock_.Now() - 86400, 500); });
  ASSERT_TRUE(pruned);
  EXPECT_EQ(*pruned, 5);  // only what is older than a day
  std::vector<core::AuditEvent> events = Events();
  ASSERT_EQ(events.size(), 2u);  // event 6 and the audit.pruned record (7)
  EXPECT_EQ(events[0].seq, 6);
  EXPECT_EQ(events[1].action, "audit.pruned");
  ChainReport report = Verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.pruned_through, 5);
  EXPECT_EQ(report.events, 2);
  // Nothing old enough: a second pass deletes nothing and records nothing.
  auto again = opened_.store->Write(
      [&](core::Tx& tx) { return service_->audit().Prune(tx, clock_.Now() - 86400, 500); });
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(Events().size(), 2u);
}

TEST_P(AuditSpliceTest, DeletingMoreAndMovingTheAnchorWithoutTheKeyIsDetected) {
  PruneAfterTenDays();
  std::vector<core::AuditEvent> events = Events();
  ASSERT_EQ(events.size(), 2u);
  // Someone with database access deletes event 6 too and copies its seq and hash into the
  // anchor; without the server secret the anchor's MAC cannot follow.
  auto raw = Raw();
  ASSERT_TRUE(raw->Query("DELETE FROM audit_events WHERE seq = 6", {}));
  ASSERT_TRUE(raw->Query("UPDATE audit_head SET anchor_seq = 6, anchor_hash = $1 WHERE id = 1",
                         {events[0].hash}));
  ChainReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_broken_seq, 6);
  EXPECT_NE(report.problem.find("anchor"), std::string::npos) << report.problem;
}

TEST_P(AuditSpliceTest, DeletingTheOldestRemainingEventAfterPruningIsDetected) {
  PruneAfterTenDays();
  ASSERT_TRUE(Raw()->Query("DELETE FROM audit_events WHERE seq = 6", {}));
  ChainReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_broken_seq, 6);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditSpliceTest, ::testing::ValuesIn(testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vault::app
