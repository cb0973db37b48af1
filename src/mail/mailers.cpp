#include "mail/mailers.hpp"

#include <curl/curl.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>

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

// Address part of "Name <addr>" or the whole string.
std::string BareAddress(const std::string& from) {
  auto lt = from.find('<'), gt = from.find('>');
  if (lt != std::string::npos && gt != std::string::npos && gt > lt) return from.substr(lt + 1, gt - lt - 1);
  return from;
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
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  std::string seed = RandomSeed();
  std::string path = dir_ + "/" + std::to_string(std::time(nullptr)) + "-" + seed + ".eml";
  std::ofstream f(path, std::ios::binary);
  f << BuildMime(from_, message, seed, Rfc5322Date());
  f.close();
  if (!f)
    return core::Fail(core::Code::kUnavailable, "mail.unavailable",
                      "cannot write to the mail outbox " + dir_);
  if (on_written_) on_written_(path, message);
  return {};
}

SmtpMailer::SmtpMailer(std::string url, std::string from)
    : url_(std::move(url)), from_(std::move(from)) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

core::Result<void> SmtpMailer::Send(const core::MailMessage& message) {
  CURL* curl = curl_easy_init();
  if (!curl) return core::Fail(core::Code::kUnavailable, "mail.unavailable", "curl init failed");
  std::string body = BuildMime(from_, message, RandomSeed(), Rfc5322Date());
  Upload up{&body};
  std::string mail_from = "<" + BareAddress(from_) + ">";
  std::string rcpt = "<" + message.to + ">";
  curl_slist* rcpts = curl_slist_append(nullptr, rcpt.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpts);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &up);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  // STARTTLS when offered; smtps:// is TLS from the start. Local sinks without TLS still work.
  curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(rcpts);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK)
    return core::Fail(core::Code::kUnavailable, "mail.unavailable",
                      std::string("SMTP delivery failed: ") + curl_easy_strerror(rc));
  return {};
}

}  // namespace vault::mail
