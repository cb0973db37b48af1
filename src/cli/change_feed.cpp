#include "cli/change_feed.hpp"

#include <algorithm>
#include <chrono>

#include "app/change_store.hpp"

namespace vault::cli {
namespace {
// PostgreSQL hands out sequence numbers before commit, so a lower seq can become visible after
// a higher one: every poll re-reads this many entries below the newest seen.
constexpr std::int64_t kWindow = 1000;
// Without a signal (SQLite, VAULT_CHANGE_NOTIFY=off) the feed is polled this often; with one,
// a NOTIFY wakes the poller at once and this catch-up poll covers a lost signal.
constexpr auto kPollInterval = std::chrono::milliseconds(250);
constexpr auto kCatchUpInterval = std::chrono::milliseconds(1000);
// Every poll re-reads the window: under a burst of writes (each NOTIFYing) the poller rests this
// long after a poll, so that signals coalesce and polls stay at 100/s at most.
constexpr auto kMinSignalGap = std::chrono::milliseconds(10);
}  // namespace

ChangeFeed::ChangeFeed(core::Store& store, std::vector<core::ChangeListener*> locals,
                       std::unique_ptr<core::ChangeSignal> signal)
    : store_(store), locals_(std::move(locals)), signal_(std::move(signal)) {}

ChangeFeed::~ChangeFeed() { Stop(); }

void ChangeFeed::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (signal_) signal_->Interrupt();
  if (poller_.joinable()) poller_.join();
}

void ChangeFeed::Committed(const std::vector<core::ChangeEntry>& changes) {
  for (const auto& c : changes) app::DeliverChange(locals_, c.kind, c.subject);
}

void ChangeFeed::Start() {
  auto last = [&]() -> std::int64_t {
    std::int64_t seq = 0;
    (void)store_.Read([&](core::Tx& tx) -> core::Result<void> {
      auto s = tx.LastChangeSeq();
      if (s) seq = *s;
      return {};
    });
    return seq;
  }();
  last_seq_ = last;
  // What is already in the feed happened before this process cached anything: mark it seen.
  (void)store_.Read([&](core::Tx& tx) -> core::Result<void> {
    auto e = tx.ChangesAfter(std::max<std::int64_t>(0, last_seq_ - kWindow), 100000);
    if (e)
      for (const auto& entry : *e) seen_.insert(entry.seq);
    return {};
  });
  poller_ = std::thread([this] {
    auto next_prune = std::chrono::steady_clock::now() + std::chrono::minutes(10);
    while (true) {
      if (signal_) {
        (void)signal_->Wait(kCatchUpInterval);  // woken or not: poll (a catch-up if not)
        std::lock_guard lock(mu_);
        if (stopping_) return;
      } else {
        std::unique_lock lock(mu_);
        if (cv_.wait_for(lock, kPollInterval, [&] { return stopping_; })) return;
      }
      Poll();
      if (signal_) {
        std::unique_lock lock(mu_);
        if (cv_.wait_for(lock, kMinSignalGap, [&] { return stopping_; })) return;
      }
      if (std::chrono::steady_clock::now() >= next_prune) {  // keep the feed short
        next_prune = std::chrono::steady_clock::now() + std::chrono::minutes(10);
        (void)store_.Write([&](core::Tx& tx) { return tx.PruneChanges(last_seq_ - 100000); });
      }
    }
  });
}

void ChangeFeed::Poll() {
  std::vector<core::ChangeEntry> entries;
  auto r = store_.Read([&](core::Tx& tx) -> core::Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto e,
                           tx.ChangesAfter(std::max<std::int64_t>(0, last_seq_ - kWindow), 5000));
    entries = std::move(e);
    return {};
  });
  if (!r) return;
  for (const auto& e : entries) {
    if (seen_.contains(e.seq) || e.seq <= last_seq_ - kWindow) continue;
    seen_.insert(e.seq);
    app::DeliverChange(locals_, e.kind, e.subject);
    last_seq_ = std::max(last_seq_, e.seq);
  }
  while (!seen_.empty() && *seen_.begin() <= last_seq_ - kWindow) seen_.erase(seen_.begin());
}

}  // namespace vault::cli
