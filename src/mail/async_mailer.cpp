#include "mail/async_mailer.hpp"

namespace vault::mail {

AsyncMailer::AsyncMailer(std::unique_ptr<core::Mailer> inner,
                         std::function<void(const core::MailMessage&, const core::Error&)> on_error)
    : inner_(std::move(inner)), on_error_(std::move(on_error)), thread_([this] { Loop(); }) {}

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
    if (queue_.size() >= 10000)
      return core::Fail(core::Code::kUnavailable, "mail.queue_full", "the mail queue is full");
    queue_.push_back(message);
  }
  cv_.notify_one();
  return {};
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
    if (!r && on_error_) on_error_(msg, r.error());
  }
}

}  // namespace vault::mail
