// Test doubles and helpers shared by unit tests: a settable clock, a recording mailer, and
// temporary databases for every configured backend (SQLite always; PostgreSQL when
// VAULT_TEST_PG_URL is set — required when CI is set).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <regex>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ports.hpp"
#include "storage/open_store.hpp"

namespace vault::testing {

class FakeClock : public core::Clock {
 public:
  core::Timestamp Now() const override { return now_; }
  void Advance(core::Timestamp seconds) { now_ += seconds; }
  void Set(core::Timestamp t) { now_ = t; }

 private:
  std::atomic<core::Timestamp> now_{1'800'000'000};
};

class RecordingMailer : public core::Mailer {
 public:
  core::Result<void> Send(const core::MailMessage& m) override {
    std::lock_guard lock(mu_);
    sent_.push_back(m);
    return {};
  }
  std::vector<core::MailMessage> sent() {
    std::lock_guard lock(mu_);
    return sent_;
  }
  // The last message to `to` whose subject contains `subject`, or nullptr.
  std::optional<core::MailMessage> Last(const std::string& to, const std::string& subject) {
    std::lock_guard lock(mu_);
    for (auto it = sent_.rbegin(); it != sent_.rend(); ++it)
      if (it->to == to && it->subject.find(subject) != std::string::npos) return *it;
    return std::nullopt;
  }
  static std::string TokenIn(const core::MailMessage& m) {
    std::smatch match;
    if (std::regex_search(m.text, match, std::regex("token=([A-Za-z0-9_-]+)"))) return match[1];
    return {};
  }

 private:
  std::mutex mu_;
  std::vector<core::MailMessage> sent_;
};

// A fresh database of one backend, removed at destruction.
class TempDatabase {
 public:
  // backend: "sqlite" or "postgres".
  explicit TempDatabase(const std::string& backend);
  ~TempDatabase();
  const std::string& url() const { return url_; }
  // Opens (and migrates) a store on this database.
  storage::OpenedStore Open(int pool_size = 4) const;

 private:
  std::string backend_, url_, admin_url_, db_name_;
  std::filesystem::path dir_;
};

// The backends to run contract tests on.
std::vector<std::string> Backends();

// Skips (locally) or fails (under CI) when the backend is not configured.
#define VAULT_REQUIRE_BACKEND(backend)                                             \
  do {                                                                             \
    if ((backend) == "postgres" && std::getenv("VAULT_TEST_PG_URL") == nullptr) {  \
      if (std::getenv("CI") != nullptr) FAIL() << "CI must set VAULT_TEST_PG_URL"; \
      GTEST_SKIP() << "VAULT_TEST_PG_URL not set; PostgreSQL contract not run";    \
    }                                                                              \
  } while (0)

}  // namespace vault::testing
