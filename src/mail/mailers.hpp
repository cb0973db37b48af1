// Mailer implementations: an outbox folder (local development default) and SMTP through libcurl
// (smtp:// with STARTTLS required unless TLS is turned off for a local sink, implicit TLS for
// smtps://, AUTH from the URL's user:password). Both are thread-safe.
#pragma once

#include <functional>
#include <string>

#include "core/ports.hpp"

namespace vault::mail {

// Writes each message to <dir>/<time>-<random>.eml. The folder is created 0700 and each file
// 0600 whatever the umask: the messages carry live one-time tokens.
class OutboxMailer : public core::Mailer {
 public:
  // on_written(path, message) runs after each message is stored (the CLI logs the link in dev).
  OutboxMailer(std::string dir, std::string from,
               std::function<void(const std::string&, const core::MailMessage&)> on_written);
  // Fails unavailable "mail.unavailable" when the file cannot be written.
  core::Result<void> Send(const core::MailMessage& message) override;

 private:
  std::string dir_;
  std::string from_;
  std::function<void(const std::string&, const core::MailMessage&)> on_written_;
};

// What smtp:// does when the server offers no STARTTLS.
enum class SmtpTls {
  kRequired,  // refuse to send: credentials and links never travel in clear (the default)
  kOff,       // plain SMTP without STARTTLS: only for a local sink
};

class SmtpMailer : public core::Mailer {
 public:
  SmtpMailer(std::string url, std::string from, SmtpTls tls);
  // Fails unavailable "mail.tls_unavailable" when TLS is required and the server does not offer
  // it (nothing is sent), "mail.unavailable" for any other delivery failure.
  core::Result<void> Send(const core::MailMessage& message) override;

 private:
  std::string url_;
  std::string from_;
  SmtpTls tls_;
};

}  // namespace vault::mail
