// The base of every storage contract suite: a fresh, migrated database of one backend per test
// (the test parameter, "sqlite" or "postgres"), helpers that run a transaction and unwrap
// results without undefined behaviour, and builders of valid entities so that a test states
// only the fields it is about. Instantiate a suite with VAULT_STORE_BACKENDS(Suite).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/store.hpp"
#include "support/fixtures.hpp"

namespace vault::storage {

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    VAULT_REQUIRE_BACKEND(GetParam());
    db_ = std::make_unique<testing::TempDatabase>(GetParam());
    opened_ = db_->Open();
    store_ = opened_.store.get();
  }

  // Runs fn in a write (read) transaction that must commit. Expectations inside fn still fail
  // the test; the transaction commits regardless, which is what later steps of a test expect.
  void Write(const std::function<void(core::Tx&)>& fn) {
    ASSERT_TRUE(store_->Write([&](core::Tx& tx) -> core::Result<void> {
      fn(tx);
      return {};
    }));
  }
  void Read(const std::function<void(core::Tx&)>& fn) {
    ASSERT_TRUE(store_->Read([&](core::Tx& tx) -> core::Result<void> {
      fn(tx);
      return {};
    }));
  }

  // Runs fn(tx, i) for i in [0, n) at once, each in its own write transaction on its own
  // thread; returns the values of those that committed (in no particular order). Every
  // transaction must commit: a backend that answers a race with an error fails the test.
  template <typename T>
  std::vector<T> Concurrently(int n, const std::function<core::Result<T>(core::Tx&, int)>& fn) {
    std::mutex mu;
    std::vector<T> out;
    std::atomic<int> errors{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i)
      threads.emplace_back([&, i] {
        T value{};
        auto r = store_->Write([&](core::Tx& tx) -> core::Result<void> {
          VAULT_ASSIGN_OR_RETURN(value, fn(tx, i));
          return {};
        });
        if (!r) {
          errors++;
          return;
        }
        std::lock_guard lock(mu);
        out.push_back(std::move(value));
      });
    for (auto& t : threads) t.join();
    EXPECT_EQ(errors.load(), 0);
    return out;
  }

  // Whether a row lock taken by `lock` holds until commit: a first transaction locks and stays
  // open (up to 300 ms, or until the second got through); a second one, started once the first
  // holds the lock, locks too and notes whether the first had finished by then. Deterministic
  // both ways: a real lock makes the second wait for the commit; without one the second gets
  // through while the first is still open.
  bool SecondLockWaitsForTheFirstCommit(const std::function<core::Result<void>(core::Tx&)>& lock) {
    std::atomic<bool> first_locked{false}, first_done{false}, second_through{false};
    bool waited = false;
    std::thread second([&] {
      while (!first_locked) std::this_thread::yield();
      EXPECT_TRUE(store_->Write([&](core::Tx& tx) -> core::Result<void> {
        VAULT_TRY(lock(tx));
        waited = first_done;
        second_through = true;
        return {};
      }));
    });
    EXPECT_TRUE(store_->Write([&](core::Tx& tx) -> core::Result<void> {
      VAULT_TRY(lock(tx));
      first_locked = true;
      auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
      while (!second_through && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
      first_done = true;  // before the commit: a real lock lets the second in only after it
      return {};
    }));
    second.join();
    return waited;
  }

  // The value of a result that must succeed (a default value, and a failure, when it did not).
  template <typename T>
  static T Ok(core::Result<T> r) {
    EXPECT_TRUE(r) << (r ? "" : r.error().id + ": " + r.error().detail);
    if (!r) return T{};
    return std::move(*r);
  }
  static void Ok(const core::Result<void>& r) {
    EXPECT_TRUE(r) << (r ? "" : r.error().id + ": " + r.error().detail);
  }

  // The error id of a result, or "<succeeded>".
  template <typename T>
  static std::string ErrorId(const core::Result<T>& r) {
    return r ? std::string("<succeeded>") : r.error().id;
  }
  template <typename T>
  static core::Code ErrorCode(const core::Result<T>& r) {
    return r ? core::Code::kInternal : r.error().code;
  }

  // The ids of entities, in the order given; Sorted for listings whose order is unspecified.
  template <typename T, typename F>
  static std::vector<std::string> Ids(const std::vector<T>& items, F id) {
    std::vector<std::string> out;
    for (const auto& i : items) out.push_back(id(i));
    return out;
  }
  template <typename T>
  static std::vector<T> Sorted(std::vector<T> v) {
    std::sort(v.begin(), v.end());
    return v;
  }

  static std::string Lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  // --- Builders of valid entities.
  static core::Account MakeAccount(const std::string& id, const std::string& email) {
    core::Account a;
    a.id = id;
    a.email = email;
    a.email_norm = Lower(email);
    a.name = "Test Person";
    a.password_hash = "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA";
    a.created_at = a.updated_at = 1000;
    return a;
  }
  static core::Session MakeSession(const std::string& id, const std::string& account_id,
                                   core::Timestamp created_at) {
    return core::Session{id,         account_id,       "hash-" + id, created_at,
                         created_at, created_at + 100, "127.0.0.1",  "ua"};
  }
  static core::OneTimeToken MakeToken(const std::string& hash, core::TokenPurpose purpose,
                                      const std::string& account_id, core::Timestamp expires_at) {
    return core::OneTimeToken{hash, purpose, account_id, "a@example.com", "", 0, expires_at, {}};
  }
  static core::Workspace MakeWorkspace(const std::string& id, const std::string& shortname,
                                       const std::string& name = "Workspace") {
    return core::Workspace{id, name, shortname, "", false, 1, 1};
  }
  static core::Membership MakeMembership(const std::string& workspace_id,
                                         const std::string& account_id, core::Role role) {
    return core::Membership{workspace_id, account_id, role, 10};
  }
  static core::Invitation MakeInvitation(const std::string& id, const std::string& workspace_id,
                                         const std::string& email, core::Timestamp created_at) {
    core::Invitation i;
    i.id = id;
    i.workspace_id = workspace_id;
    i.email = email;
    i.email_norm = Lower(email);
    i.role = core::Role::kAdmin;
    i.token_hash = "tok-" + id;
    i.invited_by = "acc_owner";
    i.created_at = created_at;
    i.expires_at = created_at + 1000;
    return i;
  }
  static core::Product MakeProduct(const std::string& id, const std::string& workspace_id,
                                   const std::string& shortname, const std::string& name = "P") {
    return core::Product{id, workspace_id, "pty_submit", name, shortname, false, 1, 1};
  }
  static core::Group MakeGroup(const std::string& id, const std::string& workspace_id,
                               const std::string& name) {
    return core::Group{id, workspace_id, name, Lower(name), "", 1};
  }
  static core::Grant MakeGrant(const std::string& product_id, const std::string& workspace_id,
                               core::PrincipalType type, const std::string& principal_id,
                               const std::string& role = "viewer") {
    return core::Grant{product_id, type, principal_id, role, workspace_id, 1};
  }

  // --- Seeding: one write transaction each; the test fails when the seed is refused.
  void SeedAccounts(const std::vector<std::pair<std::string, std::string>>& id_email) {
    Write([&](core::Tx& tx) {
      for (const auto& [id, email] : id_email) Ok(tx.InsertAccount(MakeAccount(id, email)));
    });
  }
  void SeedWorkspaces(const std::vector<std::pair<std::string, std::string>>& id_shortname) {
    Write([&](core::Tx& tx) {
      for (const auto& [id, shortname] : id_shortname)
        Ok(tx.InsertWorkspace(MakeWorkspace(id, shortname)));
    });
  }
  void SeedMembers(const std::string& workspace_id,
                   const std::vector<std::pair<std::string, core::Role>>& account_role) {
    Write([&](core::Tx& tx) {
      for (const auto& [account, role] : account_role)
        Ok(tx.InsertMembership(MakeMembership(workspace_id, account, role)));
    });
  }

  std::unique_ptr<testing::TempDatabase> db_;
  OpenedStore opened_;
  core::Store* store_ = nullptr;
};

#define VAULT_STORE_BACKENDS(Suite)                                                   \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite, ::testing::ValuesIn(testing::Backends()), \
                           [](const auto& info) { return info.param; })

}  // namespace vault::storage
