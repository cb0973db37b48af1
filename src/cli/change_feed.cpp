#include "cli/change_feed.hpp"

#include <algorithm>
#include <chrono>

#include "http/log.hpp"

namespace vault::cli {
namespace {
// PostgreSQL hands out sequence numbers before commit, so a lower seq can become visible after
// a higher one: every poll re-reads this many entries below the newest seen.
constexpr std::int64_t kWindow = 1000;
}  // namespace

ChangeFeed::ChangeFeed(core::Store& store, core::Clock& clock,
                       std::vector<core::ChangeListener*> locals)
    : store_(store), clock_(clock), locals_(std::move(locals)) {}

ChangeFeed::~ChangeFeed() { Stop(); }

void ChangeFeed::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (poller_.joinable()) poller_.join();
}

void ChangeFeed::Deliver(const std::string& kind, const std::string& subject) {
  for (auto* l : locals_) {
    if (kind == "workspace")
      l->WorkspaceChanged(subject);
    else if (kind == "account")
      l->AccountChanged(subject);
    else if (kind == "catalog")
      l->CatalogChanged();
    else if (kind == "service_client")
      l->ServiceClientChanged(subject);
    else if (kind == "api_key")
      l->ApiKeyChanged(subject);
    else if (kind == "signing_keys")
      l->SigningKeysChanged();
    else if (kind == "oauth_revocations")
      l->OAuthRevocationsChanged();
  }
}

void ChangeFeed::Publish(const std::string& kind, const std::string& subject) {
  Deliver(kind, subject);  // this process: at once
  auto r = store_.Write([&](core::Tx& tx) { return tx.AppendChange(kind, subject, clock_.Now()); });
  if (!r) http::Log("error", "cannot append to the change feed", {{"error", r.error().detail}});
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
    int polls = 0;
    while (true) {
      {
        std::unique_lock lock(mu_);
        if (cv_.wait_for(lock, std::chrono::milliseconds(250), [&] { return stopping_; })) return;
      }
      Poll();
      if (++polls % 2400 == 0)  // about every 10 minutes: keep the feed short
        (void)store_.Write([&](core::Tx& tx) { return tx.PruneChanges(last_seq_ - 100000); });
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
    Deliver(e.kind, e.subject);
    last_seq_ = std::max(last_seq_, e.seq);
  }
  while (!seen_.empty() && *seen_.begin() <= last_seq_ - kWindow) seen_.erase(seen_.begin());
}

}  // namespace vault::cli
