// AsyncMailer: a Mailer decorator that queues messages and delivers them on its own thread, so
// a request never waits on SMTP and its timing does not reveal whether a message was sent
// (no account enumeration through forgot-password or sign-up latency). Thread-safe.
// The queue is in memory and bounded: a message refused because it is full, or still queued
// when the process dies, is lost (the person can ask again); refusals are reported and counted,
// never silent.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/ports.hpp"

namespace vault::mail {

class AsyncMailer : public core::Mailer {
 public:
  static constexpr std::size_t kDefaultQueueLimit = 10000;

  // on_error(message, error) runs when a message is given up: on the delivery thread after a
  // failed delivery (tried 3x), or on the caller's thread when the queue is full
  // ("mail.queue_full"). It must not log the message's text: it holds links with tokens.
  AsyncMailer(std::unique_ptr<core::Mailer> inner,
              std::function<void(const core::MailMessage&, const core::Error&)> on_error,
              std::size_t queue_limit = kDefaultQueueLimit);
  ~AsyncMailer() override;  // delivers what is queued, then stops

  // Queues the message; fails unavailable "mail.queue_full" when queue_limit messages wait.
  core::Result<void> Send(const core::MailMessage& message) override;

  // Counts since start: messages delivered, given up after failed attempts, refused (queue full).
  long delivered() const { return delivered_.load(); }
  long failed() const { return failed_.load(); }
  long dropped() const { return dropped_.load(); }

 private:
  void Loop();

  std::unique_ptr<core::Mailer> inner_;
  std::function<void(const core::MailMessage&, const core::Error&)> on_error_;
  const std::size_t queue_limit_;
  std::atomic<long> delivered_ = 0, failed_ = 0, dropped_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<core::MailMessage> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace vault::mail
