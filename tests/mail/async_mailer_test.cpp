// AsyncMailer: delivery counts, and a full queue is reported and counted, never silent.
#include "mail/async_mailer.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "mail/mailers.hpp"

namespace vault::mail {
namespace {

// Blocks every delivery until released; fails messages whose subject is "fail".
class GateMailer : public core::Mailer {
 public:
  core::Result<void> Send(const core::MailMessage& m) override {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return open_; });
    if (m.subject == "fail") return core::Fail(core::Code::kUnavailable, "mail.unavailable", "no");
    return {};
  }
  void Open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

TEST(AsyncMailer, FullQueueIsReportedAndCounted) {
  auto gate = std::make_unique<GateMailer>();
  GateMailer* g = gate.get();
  std::vector<std::string> reported;
  std::mutex mu;
  {
    AsyncMailer mailer(
        std::move(gate),
        [&](const core::MailMessage& m, const core::Error& e) {
          std::lock_guard lock(mu);
          reported.push_back(m.subject + ":" + e.id);
        },
        /*queue_limit=*/2);
    // The first is taken by the delivery thread (blocked in the gate), or still queued: either
    // way at most 3 fit (1 in delivery + 2 queued) and the 4th and later are refused.
    int refused = 0;
    for (int i = 0; i < 5; ++i) {
      auto r = mailer.Send({"a@example.com", i == 0 ? "fail" : "ok", "t", "h"});
      if (!r) {
        EXPECT_EQ(r.error().id, "mail.queue_full");
        ++refused;
      }
    }
    EXPECT_GE(refused, 2);
    EXPECT_EQ(mailer.dropped(), refused);
    g->Open();
    // The destructor delivers what is queued.
    while (mailer.delivered() + mailer.failed() + mailer.dropped() < 5) std::this_thread::yield();
    EXPECT_EQ(mailer.failed(), 1);
    EXPECT_EQ(mailer.delivered(), 4 - refused);
  }
  long queue_full = std::count_if(reported.begin(), reported.end(), [](const std::string& s) {
    return s.find(":mail.queue_full") != std::string::npos;
  });
  EXPECT_GE(queue_full, 2);
  EXPECT_NE(std::find(reported.begin(), reported.end(), "fail:mail.unavailable"), reported.end());
}

TEST(OutboxMailer, FolderAndMessagesArePrivateWhateverTheUmask) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("vault-outbox-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  mode_t old = ::umask(0);
  OutboxMailer mailer((dir / "data" / "outbox").string(), "Vault <v@example.com>", nullptr);
  auto r = mailer.Send({"ada@example.com", "Hi", "text", "html"});
  ::umask(old);
  ASSERT_TRUE(r);
  auto mode = [](const fs::path& p) { return fs::status(p).permissions() & fs::perms::all; };
  EXPECT_EQ(mode(dir / "data" / "outbox"), fs::perms::owner_all);
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir / "data" / "outbox")) {
    EXPECT_EQ(mode(entry.path()), fs::perms::owner_read | fs::perms::owner_write);
    ++files;
  }
  EXPECT_EQ(files, 1);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vault::mail
