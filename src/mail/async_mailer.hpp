// AsyncMailer: a Mailer decorator that queues messages and delivers them on its own thread, so
// a request never waits on SMTP and its timing does not reveal whether a message was sent
// (no account enumeration through forgot-password or sign-up latency). Thread-safe.
// Messages still queued when the process dies are lost; the person can ask again.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/ports.hpp"

namespace vault::mail {

class AsyncMailer : public core::Mailer {
 public:
  // on_error(message, error) runs on the delivery thread after a failed delivery (retried 3x).
  AsyncMailer(std::unique_ptr<core::Mailer> inner,
              std::function<void(const core::MailMessage&, const core::Error&)> on_error);
  ~AsyncMailer() override;  // delivers what is queued, then stops

  core::Result<void> Send(const core::MailMessage& message) override;

 private:
  void Loop();

  std::unique_ptr<core::Mailer> inner_;
  std::function<void(const core::MailMessage&, const core::Error&)> on_error_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<core::MailMessage> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace vault::mail
