#include "cli/chargebee_api.hpp"

#include <curl/curl.h>

#include "http/product_json.hpp"

namespace vault::cli {
namespace {

constexpr std::size_t kMaxAnswer = 1024 * 1024;  // a subscription is a few KiB

struct Answer {
  std::string body;
  bool too_large = false;
};

std::size_t Collect(char* data, std::size_t size, std::size_t n, void* user) {
  auto* a = static_cast<Answer*>(user);
  if (a->body.size() + size * n > kMaxAnswer) {
    a->too_large = true;
    return 0;  // aborts the transfer
  }
  a->body.append(data, size * n);
  return size * n;
}

core::Error Unavailable(const std::string& detail) {
  return core::Error{core::Code::kUnavailable, "chargebee.unavailable", "", detail};
}

}  // namespace

CurlChargebeeApi::CurlChargebeeApi(std::string api_url, std::string api_key)
    : api_url_(std::move(api_url)), api_key_(std::move(api_key)) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

core::Result<app::ChargebeeSubscription> CurlChargebeeApi::FetchSubscription(
    const std::string& id) {
  CURL* curl = curl_easy_init();
  if (!curl) return core::Fail(Unavailable("curl init failed"));
  char* escaped = curl_easy_escape(curl, id.data(), static_cast<int>(id.size()));
  std::string url = api_url_ + "/subscriptions/" + (escaped ? escaped : "");
  curl_free(escaped);
  Answer answer;
  char detail[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  // Only HTTP(S), no redirects: the key is never sent anywhere but the configured API.
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  // Certificates are verified (libcurl's default, set so that it stays so).
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  // Chargebee's API: HTTP Basic, the key as user and an empty password.
  curl_easy_setopt(curl, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
  curl_easy_setopt(curl, CURLOPT_USERNAME, api_key_.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, "");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  // The errors name the subscription and the failure, never the key (it is not in the URL).
  if (answer.too_large) return core::Fail(Unavailable("the answer is larger than 1 MiB"));
  if (rc != CURLE_OK)
    return core::Fail(Unavailable(std::string("request failed: ") + curl_easy_strerror(rc) +
                                  (detail[0] ? std::string(" (") + detail + ")" : "")));
  if (status == 404)
    return core::Fail(core::Code::kNotFound, "chargebee.not_found",
                      "Chargebee has no such subscription (HTTP 404)");
  if (status != 200)
    return core::Fail(Unavailable("Chargebee answered HTTP " + std::to_string(status)));
  auto sub = http::ParseChargebeeAnswer(answer.body);
  if (!sub)
    return core::Fail(core::Code::kInvalidArgument, "chargebee.bad_answer",
                      "unreadable answer: " + sub.error().detail +
                          (sub.error().field.empty() ? "" : " (" + sub.error().field + ")"));
  if (sub->id != id)
    return core::Fail(core::Code::kInvalidArgument, "chargebee.bad_answer",
                      "the answer is about another subscription");
  return sub;
}

}  // namespace vault::cli
