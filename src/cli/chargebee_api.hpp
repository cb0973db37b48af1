// CurlChargebeeApi: Chargebee's REST API through libcurl, for the billing reconciliation.
// Thread-safe (one curl handle per request).
#pragma once

#include <string>

#include "app/billing_reconcile.hpp"

namespace vault::cli {

class CurlChargebeeApi : public app::ChargebeeApi {
 public:
  // api_url: e.g. https://acme.chargebee.com/api/v2 (checked by the configuration: https, or
  // http to a loopback host). api_key: the secret key, sent as HTTP Basic user.
  CurlChargebeeApi(std::string api_url, std::string api_key);
  core::Result<app::ChargebeeSubscription> FetchSubscription(const std::string& id) override;

 private:
  std::string api_url_, api_key_;
};

}  // namespace vault::cli
