// ChangeFeed: the ChangeListener every service reports to. It tells this process's caches at
// once and appends the change to the database's change feed; a poller reads the feed every
// 250 ms and tells the local caches about changes made by other processes (other server nodes,
// the admin CLI), so a change reaches every node within a second on SQLite and PostgreSQL
// alike. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/ports.hpp"
#include "core/store.hpp"

namespace vault::cli {

class ChangeFeed : public core::ChangeListener {
 public:
  ChangeFeed(core::Store& store, core::Clock& clock, std::vector<core::ChangeListener*> locals);
  ~ChangeFeed() override;

  // Adds a cache to tell; call before Start.
  void AddLocal(core::ChangeListener* local) { locals_.push_back(local); }
  // Starts polling the feed for other processes' changes; Stop ends it (idempotent).
  void Start();
  void Stop();

  void WorkspaceChanged(const std::string& id) override { Publish("workspace", id); }
  void AccountChanged(const std::string& id) override { Publish("account", id); }
  void CatalogChanged() override { Publish("catalog", ""); }
  void ServiceClientChanged(const std::string& id) override { Publish("service_client", id); }
  void ApiKeyChanged(const std::string& id) override { Publish("api_key", id); }
  void SigningKeysChanged() override { Publish("signing_keys", ""); }
  void OAuthRevocationsChanged() override { Publish("oauth_revocations", ""); }

 private:
  void Publish(const std::string& kind, const std::string& subject);
  void Deliver(const std::string& kind, const std::string& subject);
  void Poll();

  core::Store& store_;
  core::Clock& clock_;
  std::vector<core::ChangeListener*> locals_;
  std::int64_t last_seq_ = 0;
  std::set<std::int64_t> seen_;  // seqs delivered inside the re-read window
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread poller_;
};

}  // namespace vault::cli
