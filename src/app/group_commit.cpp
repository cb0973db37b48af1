#include "app/group_commit.hpp"

namespace vault::app {

core::Result<void> GroupCommit::Write(const Unit& unit) {
  Item item{&unit, std::nullopt};
  std::unique_lock lock(mu_);
  queue_.push_back(&item);
  while (!item.result) {
    if (leading_) {
      done_.wait(lock);
      continue;
    }
    leading_ = true;
    std::vector<Item*> batch;
    std::size_t n = std::min(queue_.size(), max_batch_);
    batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    lock.unlock();
    Lead(std::move(batch));
    lock.lock();
    leading_ = false;
    done_.notify_all();
  }
  return *item.result;
}

void GroupCommit::Lead(std::vector<Item*> batch) {
  if (batch.size() > 1) {
    auto all = store_.Write([&](core::Tx& tx) -> core::Result<void> {
      for (Item* it : batch) VAULT_TRY((*it->unit)(tx));
      return {};
    });
    if (all) {
      std::lock_guard lock(mu_);
      for (Item* it : batch) it->result = core::Result<void>{};
      return;
    }
  }
  // Alone (one unit, or the batch failed): each unit's own transaction and its own answer.
  for (Item* it : batch) {
    auto r = store_.Write([&](core::Tx& tx) { return (*it->unit)(tx); });
    std::lock_guard lock(mu_);
    it->result = std::move(r);
  }
}

}  // namespace vault::app
