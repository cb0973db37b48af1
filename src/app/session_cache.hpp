// SessionCache: bearer sessions verified from memory (ADR 0016). A SessionIndex holds every live
// session (loaded in bulk at start, then kept by the change feed: a "sessions" or "account" change
// of an account invalidates its sessions and profile, here and on every node); a bounded CLOCK
// cache holds the account profiles an AuthContext carries. A token not found in memory (a session
// opened on another node a moment ago, or one invalidated) is looked up in storage and, when
// live, cached; an unknown token is not. Last-seen updates are applied in memory at once and
// written to storage in batches, one transaction per FlushTouches. Thread-safe: the index and the
// profile cache take shared locks to read and brief exclusive ones to change; the touch buffer has
// its own mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "app/account_deps.hpp"
#include "app/clock_cache.hpp"
#include "app/session_index.hpp"

namespace vault::app {

class SessionCache : public core::ChangeListener {
 public:
  // profile_bytes bounds the account profiles kept (their estimated size).
  SessionCache(core::Store& store, core::Clock& clock, const core::SecretHasher& secrets,
               const AccountSettings& settings, std::size_t profile_bytes);

  // Loads every live session from storage, in pages; returns how many were cached.
  core::Result<std::size_t> Load();
  // The live session of token (under any keyring key) with its account, or nullopt when there is
  // none (unknown, signed out, expired, idle, account disabled or gone). Fails only when a
  // storage read does.
  core::Result<std::optional<AuthContext>> Authenticate(const std::string& token,
                                                        const ClientInfo& client);
  // Writes the buffered last-seen updates in one transaction; returns how many. On failure they
  // stay buffered for the next flush.
  core::Result<int> FlushTouches();
  // Frees the memory of ended sessions; returns how many went.
  std::size_t Sweep();

  void WorkspaceChanged(const std::string&) override {}
  void AccountChanged(const std::string& account_id) override { Invalidate(account_id); }
  void CatalogChanged() override {}
  void SessionsChanged(const std::string& account_id) override { Invalidate(account_id); }

  std::size_t sessions() const { return index_.size(); }
  std::size_t bytes() const;
  std::uint64_t db_reads() const { return db_reads_.load(); }
  std::uint64_t touch_flushes() const { return flushes_.load(); }

 private:
  struct Profile {
    core::Account account;
    bool mfa_enabled = false;
    std::uint32_t epoch = 0;  // SessionIndex epoch taken before it was read
  };
  // A profile as the cache keeps it: the account's fields packed in one buffer (about half the
  // memory of a core::Account), without the password hash.
  struct PackedProfile {
    std::string fields;
    bool mfa_enabled = false;
    std::uint32_t epoch = 0;
  };
  struct Touch {
    core::Timestamp at = 0;
    std::string ip;
  };

  core::Result<std::optional<AuthContext>> FromStore(const std::string& token,
                                                     const ClientInfo& client, core::Timestamp now);
  // The account's profile read from storage (counted), cached; nullopt when gone or disabled.
  core::Result<std::optional<Profile>> LoadProfile(const std::string& account_id);
  void PutProfile(const Profile& p);
  void Invalidate(const std::string& account_id);
  void QueueTouch(const std::string& session_id, core::Timestamp at, const std::string& ip);

  core::Store& store_;
  core::Clock& clock_;
  const core::SecretHasher& secrets_;
  AccountSettings settings_;
  SessionIndex index_;
  mutable std::shared_mutex profiles_mu_;
  ClockCache<std::string, PackedProfile> profiles_;
  std::mutex touch_mu_;
  std::unordered_map<std::string, Touch> touches_;  // by session id
  std::atomic<std::uint64_t> db_reads_{0}, flushes_{0};
};

}  // namespace vault::app
