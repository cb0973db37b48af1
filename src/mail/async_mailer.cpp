#include "mail/async_mailer.hpp"

namespace vault::mail {

AsyncMailer::AsyncMailer(std::unique_ptr<core::Mailer> inner,
                         std::function<void(const core::MailMessage&, const core::Error&)> on_error,
                         std::size_t queue_limit)
    : inner_(std::move(inner)),
      on_error_(std::move(on_error)),
      queue_limit_(queue_limit),
      thread_([this] { Loop(); }) {}

AsyncMailer::~AsyncMailer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

core::Result<void> AsyncMailer::Send(const core::MailMessage& message) {
  {
    std::lock_guard lock(mu_);
    if (queue_.size() < queue_limit_) {
      queue_.push_back(message);
      cv_.notify_one();
      return {};
    }
  }
  // Callers answer the same whether or not mail went out (no enumeration), so the loss is made
  // visible here: counted for /metrics and reported, outside the lock.
  ++dropped_;
  core::Error e{core::Code::kUnavailable, "mail.queue_full", "",
                "the mail queue is full; the message was dropped"};
  if (on_error_) on_error_(message, e);
  return core::Fail(e);
}

void AsyncMailer::Loop() {
  while (true) {
    core::MailMessage msg;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      msg = std::move(queue_.front());
      queue_.pop_front();
    }
    core::Result<void> r;
    for (int attempt = 0; attempt < 3; ++attempt) {
      r = inner_->Send(msg);
      if (r) break;
    }
    if (r) {
      ++delivered_;
    } else {
      ++failed_;
      if (on_error_) on_error_(msg, r.error());
    }
  }
}

}  // namespace vault::mail
