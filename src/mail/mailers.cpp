#include "mail/mailers.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "mail/mime.hpp"

namespace vault::mail {
namespace {

std::string RandomSeed() {
  unsigned char b[12];
  randombytes_buf(b, sizeof b);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string Rfc5322Date() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

struct Upload {
  const std::string* data;
  std::size_t offset = 0;
};

std::size_t ReadUpload(char* ptr, std::size_t size, std::size_t nmemb, void* userp) {
  auto* up = static_cast<Upload*>(userp);
  std::size_t n = std::min(size * nmemb, up->data->size() - up->offset);
  std::memcpy(ptr, up->data->data() + up->offset, n);
  up->offset += n;
  return n;
}

}  // namespace

OutboxMailer::OutboxMailer(
    std::string dir, std::string from,
    std::function<void(const std::string&, const core::MailMessage&)> on_written)
    : dir_(std::move(dir)), from_(std::move(from)), on_written_(std::move(on_written)) {}

core::Result<void> OutboxMailer::Send(const core::MailMessage& message) {
  auto fail = [this] {
    return core::Fail(core::Code::kUnavailable, "mail.unavailable",
                      "cannot write to the mail outbox " + dir_);
  };
  std::error_code ec;
  if (!std::filesystem::is_directory(dir_, ec)) {
    std::filesystem::create_directories(dir_, ec);
    // Only the service user may list or read the outbox: its messages hold live tokens.
    std::filesystem::permissions(dir_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  }
  std::string seed = RandomSeed();
  std::string path = dir_ + "/" + std::to_string(std::time(nullptr)) + "-" + seed + ".eml";
  std::string mime = BuildMime(from_, message, seed, Rfc5322Date());
  // 0600 at creation (not chmod afterwards): no moment where another user could open it.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fail();
  std::size_t written = 0;
  while (written < mime.size()) {
    ssize_t n = ::write(fd, mime.data() + written, mime.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0 || written != mime.size()) return fail();
  if (on_written_) on_written_(path, message);
  return {};
}

SmtpMailer::SmtpMailer(std::string url, std::string from, SmtpTls tls)
    : url_(std::move(url)), from_(std::move(from)), tls_(tls) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

core::Result<void> SmtpMailer::Send(const core::MailMessage& message) {
  CURL* curl = curl_easy_init();
  if (!curl) return core::Fail(core::Code::kUnavailable, "mail.unavailable", "curl init failed");
  std::string body = BuildMime(from_, message, RandomSeed(), Rfc5322Date());
  Upload up{&body};
  std::string mail_from = "<" + AddressOf(from_) + ">";
  std::string rcpt = "<" + message.to + ">";
  curl_slist* rcpts = curl_slist_append(nullptr, rcpt.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpts);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &up);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  // smtp:// must upgrade with STARTTLS (certificate verified, libcurl's default) before AUTH or
  // any message is sent: a server, or a man in the middle, that offers no STARTTLS gets nothing.
  // smtps:// is TLS from the start either way. Plain SMTP only when configured off.
  curl_easy_setopt(
      curl, CURLOPT_USE_SSL,
      static_cast<long>(tls_ == SmtpTls::kRequired ? CURLUSESSL_ALL : CURLUSESSL_NONE));
  char detail[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(rcpts);
  curl_easy_cleanup(curl);
  // The errors name neither the URL nor its credentials.
  if (rc == CURLE_USE_SSL_FAILED)
    return core::Fail(core::Code::kUnavailable, "mail.tls_unavailable",
                      "the SMTP server offers no STARTTLS and TLS is required, so nothing was "
                      "sent (use smtps://, or VAULT_SMTP_TLS=off only for a local sink)");
  if (rc != CURLE_OK)
    return core::Fail(core::Code::kUnavailable, "mail.unavailable",
                      std::string("SMTP delivery failed: ") + curl_easy_strerror(rc) +
                          (detail[0] ? std::string(" (") + detail + ")" : std::string()));
  return {};
}

}  // namespace vault::mail
