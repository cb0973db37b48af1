// Sessions verified from memory (ADR 0016) on every backend: answers from memory after the bulk
// load, a miss read from storage then cached, expiry and idle timeout, invalidation by the change
// feed (here and from another node), unknown tokens never cached, a keyring rotation, and
// last-seen written in batches that the session list shows.
#include "app/session_cache.hpp"

#include <gtest/gtest.h>

#include <tuple>

#include "core/encoding.hpp"
#include "crypto/keyring.hpp"
#include "support/account_fixture.hpp"

namespace vault::app {
namespace {

using testing::kPassword;

class SessionCacheTest : public testing::AccountServiceTest {
 protected:
  // This node: services whose writes reach cache_ through the change feed, as in the server.
  void UseCache() {
    MakeServices(MailedPorts(cache_.get()));
    service_->UseSessionCache(cache_.get());
  }
  core::Result<AuthContext> Auth(const SignedIn& s, const std::string& ip = "127.0.0.1") {
    return service_->Authenticate(s.token, {ip, "test"});
  }

  void SetUp() override {
    AccountServiceTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    cache_ = std::make_unique<SessionCache>(*opened_.store, clock_, secrets_, AccountSettings{},
                                            1 << 20);
  }
  void TearDown() override {
    if (service_) service_->UseSessionCache(nullptr);
  }

  std::unique_ptr<SessionCache> cache_;  // made in SetUp: the store opens there
};

TEST_P(SessionCacheTest, LoadedSessionsAnswerFromMemoryAfterOneProfileRead) {
  SignedIn a = Register("ada@example.com");
  SignedIn b = Register("bob@example.com");
  auto loaded = cache_->Load();
  ASSERT_TRUE(loaded);
  EXPECT_EQ(*loaded, 2u);
  UseCache();
  auto ctx = Auth(a);
  ASSERT_TRUE(ctx) << ErrorId(ctx);
  EXPECT_EQ(cache_->db_reads(), 1u);  // the account profile, once
  EXPECT_EQ(ctx->account.email, "ada@example.com");
  EXPECT_EQ(ctx->session.id, a.session.id);
  EXPECT_EQ(ctx->session.expires_at, a.session.expires_at);
  // From the packed profile now: every field as stored, but no password hash.
  auto again = Auth(a);
  ASSERT_TRUE(again);
  const core::Account& x = ctx->account;
  const core::Account& y = again->account;
  EXPECT_EQ(std::tie(y.id, y.email, y.email_norm, y.name, y.locale, y.time_zone, y.email_verified,
                     y.disabled, y.created_at, y.updated_at, y.super_admin, y.last_sign_in_at,
                     y.last_workspace_id),
            std::tie(x.id, x.email, x.email_norm, x.name, x.locale, x.time_zone, x.email_verified,
                     x.disabled, x.created_at, x.updated_at, x.super_admin, x.last_sign_in_at,
                     x.last_workspace_id));
  EXPECT_TRUE(y.email_verified);
  EXPECT_NE(y.last_sign_in_at, 0);
  EXPECT_TRUE(y.password_hash.empty());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Auth(a));
  EXPECT_EQ(cache_->db_reads(), 1u);
  ASSERT_TRUE(Auth(b));
  EXPECT_EQ(cache_->db_reads(), 2u);
}

TEST_P(SessionCacheTest, AMissReadsStorageOnceThenAnswersFromMemory) {
  UseCache();
  SignedIn a = Register("ada@example.com");  // as if opened on another node: not in memory
  EXPECT_EQ(cache_->sessions(), 0u);
  ASSERT_TRUE(Auth(a));
  EXPECT_EQ(cache_->db_reads(), 1u);
  EXPECT_EQ(cache_->sessions(), 1u);
  ASSERT_TRUE(Auth(a));
  EXPECT_EQ(cache_->db_reads(), 1u);
}

TEST_P(SessionCacheTest, UnknownTokensAreRefusedAndNeverCached) {
  UseCache();
  for (int i = 0; i < 20; ++i) {
    auto r = service_->Authenticate(core::NewToken(random_), {"127.0.0.1", "x"});
    EXPECT_EQ(ErrorId(r), "auth.required");
  }
  EXPECT_EQ(cache_->sessions(), 0u);
  EXPECT_EQ(cache_->db_reads(), 20u);
}

TEST_P(SessionCacheTest, ExpiredAndIdleSessionsAreRefused) {
  SignedIn a = Register("ada@example.com");
  SignedIn b = Register("bob@example.com");
  ASSERT_TRUE(cache_->Load());
  UseCache();
  AccountSettings d;
  clock_.Advance(d.session_idle_seconds - 10);
  ASSERT_TRUE(Auth(a));  // a keeps going; b falls idle
  clock_.Advance(20);
  EXPECT_EQ(ErrorId(Auth(b)), "auth.required");
  // Past the absolute lifetime even a session in daily use ends.
  while (clock_.Now() < a.session.expires_at) {
    ASSERT_TRUE(Auth(a));
    clock_.Advance(d.session_idle_seconds / 2);
  }
  EXPECT_EQ(ErrorId(Auth(a)), "auth.required");
}

TEST_P(SessionCacheTest, IdleHereButUsedOnAnotherNodeIsConfirmedFromStorage) {
  SignedIn a = Register("ada@example.com");
  ASSERT_TRUE(cache_->Load());
  AccountSettings d;
  // Another node (no cache) serves the session for most of the idle timeout and writes last seen.
  clock_.Advance(d.session_idle_seconds - 100);
  ASSERT_TRUE(Auth(a));
  clock_.Advance(200);  // idle by this node's memory, not by storage
  UseCache();
  auto ctx = Auth(a);
  ASSERT_TRUE(ctx) << ErrorId(ctx);
  EXPECT_EQ(cache_->db_reads(), 1u);
}

TEST_P(SessionCacheTest, AReadAfterAnInvalidationSeesTheLastSeenNotYetWritten) {
  SignedIn a = Register("ada@example.com");
  ASSERT_TRUE(cache_->Load());
  UseCache();
  AccountSettings d;
  clock_.Advance(d.session_idle_seconds - 100);
  ASSERT_TRUE(Auth(a));                   // last seen now, buffered (no flush yet)
  cache_->SessionsChanged(a.account.id);  // e.g. the feed repeating a change: memory drops it
  clock_.Advance(200);                    // idle by the stored last-seen, not by the buffered one
  auto ctx = Auth(a);
  ASSERT_TRUE(ctx) << ErrorId(ctx);
  EXPECT_EQ(cache_->db_reads(), 2u);  // the profile, then the session after the invalidation
}

TEST_P(SessionCacheTest, SignOutAndRevocationsHereOrOnAnotherNodeEndCachedSessions) {
  SignedIn a = Register("ada@example.com");
  SignedIn a2 = Register("ada2@example.com");
  ASSERT_TRUE(cache_->Load());
  UseCache();
  ASSERT_TRUE(Auth(a));
  ASSERT_TRUE(Auth(a2));
  // Signed out on this node: the change reaches the cache after the commit.
  ASSERT_TRUE(service_->SignOut(*Auth(a)));
  EXPECT_EQ(ErrorId(Auth(a)), "auth.required");
  ASSERT_TRUE(Auth(a2));
  // Password changed on another node (services not telling this cache): memory still has the
  // session until the feed delivers the change, as the poller does.
  auto other =
      std::make_unique<ProfileService>(Ports{Mailed(*opened_.store), clock_, random_, secrets_,
                                             hasher_, outbox(), policy_, box_, otp_},
                                       AccountSettings{});
  auto keep = service_->SignIn("ada2@example.com", kPassword, {"127.0.0.1", "t"});
  ASSERT_TRUE(keep && keep->signed_in);
  ASSERT_TRUE(
      other->ChangePassword(*Auth(*keep->signed_in), kPassword, "another correct horse battery"));
  cache_->SessionsChanged(a2.account.id);
  EXPECT_EQ(ErrorId(Auth(a2)), "auth.required");
  EXPECT_TRUE(Auth(*keep->signed_in));  // the session that changed it stays
}

TEST_P(SessionCacheTest, SecondFactorEnrolmentReachesCachedSessions) {
  SignedIn a = Register("ada@example.com");
  ASSERT_TRUE(cache_->Load());
  UseCache();
  auto before = Auth(a);
  ASSERT_TRUE(before);
  EXPECT_FALSE(before->mfa_enabled);
  EnableTotp(a);
  auto after = Auth(a);
  ASSERT_TRUE(after) << ErrorId(after);
  EXPECT_TRUE(after->mfa_enabled);
}

TEST_P(SessionCacheTest, SessionsOpenedBeforeAKeyringRotationAreFoundInMemory) {
  SignedIn a = Register("ada@example.com");
  crypto::Keyring rotated =
      crypto::Keyring::Single("k0", std::string(32, 'k')).With(std::string(64, 'r'));
  crypto::KeyringHasher rotated_secrets(rotated);
  SessionCache cache(*opened_.store, clock_, rotated_secrets, AccountSettings{}, 1 << 20);
  ASSERT_TRUE(cache.Load());
  service_->UseSessionCache(&cache);
  ASSERT_TRUE(Auth(a));
  ASSERT_TRUE(Auth(a));
  EXPECT_EQ(cache.db_reads(), 1u);  // the profile only: the session was found under k0
  service_->UseSessionCache(nullptr);
}

TEST_P(SessionCacheTest, LastSeenIsWrittenInBatchesAndListedFresh) {
  SignedIn a = Register("ada@example.com");
  ASSERT_TRUE(cache_->Load());
  UseCache();
  AccountSettings d;
  clock_.Advance(d.touch_interval_seconds + 5);
  ASSERT_TRUE(Auth(a, "10.1.2.3"));
  ASSERT_TRUE(Auth(a, "10.1.2.3"));
  core::Timestamp seen = clock_.Now();
  // Nothing written yet; the list flushes first.
  EXPECT_TRUE(opened_.store->Read([&](core::Tx& tx) -> core::Result<void> {
    auto s = tx.FindSessionByTokenHash(Hash(a.token));
    EXPECT_TRUE(s && *s);
    if (s && *s) {
      EXPECT_EQ((*s)->last_seen_at, a.session.last_seen_at);
    }
    return {};
  }));
  auto page = service_->ListSessions(*Auth(a, "10.1.2.3"), PageRequest{});
  ASSERT_TRUE(page) << ErrorId(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].last_seen_at, seen);
  EXPECT_EQ(page->items[0].ip, "10.1.2.3");
  EXPECT_EQ(cache_->touch_flushes(), 1u);
  EXPECT_EQ(*cache_->FlushTouches(), 0);  // nothing left
}

INSTANTIATE_TEST_SUITE_P(Backends, SessionCacheTest, ::testing::ValuesIn(testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace vault::app
