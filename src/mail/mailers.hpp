// Mailer implementations: an outbox folder (local development default) and SMTP through libcurl
// (STARTTLS when the server offers it for smtp://, implicit TLS for smtps://, AUTH from the URL's
// user:password). Both are thread-safe.
#pragma once

#include <functional>
#include <string>

#include "core/ports.hpp"

namespace vault::mail {

class OutboxMailer : public core::Mailer {
 public:
  // on_written(path, message) runs after each message is stored (the CLI logs the link in dev).
  OutboxMailer(std::string dir, std::string from,
               std::function<void(const std::string&, const core::MailMessage&)> on_written);
  core::Result<void> Send(const core::MailMessage& message) override;

 private:
  std::string dir_;
  std::string from_;
  std::function<void(const std::string&, const core::MailMessage&)> on_written_;
};

class SmtpMailer : public core::Mailer {
 public:
  SmtpMailer(std::string url, std::string from);
  core::Result<void> Send(const core::MailMessage& message) override;

 private:
  std::string url_;
  std::string from_;
};

}  // namespace vault::mail
