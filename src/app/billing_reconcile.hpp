// BillingReconciler: pulls the state of every Chargebee-billed subscription from Chargebee's
// API and corrects the drift a lost webhook left (issue 19). Each correction is one
// transaction that re-reads the row and writes only if it still differs, audited once, so
// several nodes may run it at the same time. Thread-compatible (one run at a time per object).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "app/account_deps.hpp"
#include "app/audit_log.hpp"
#include "app/integration_service.hpp"

namespace vault::app {

// The port to Chargebee's API (the adapter lives in the CLI: libcurl).
class ChargebeeApi {
 public:
  virtual ~ChargebeeApi() = default;
  // GET /subscriptions/{id}. Fails not_found (Chargebee has no such subscription), unavailable
  // (network, timeout, 5xx) or invalid_argument (an answer that cannot be read); the detail
  // never holds the API key.
  virtual core::Result<ChargebeeSubscription> FetchSubscription(const std::string& id) = 0;
};

struct ReconcileFailure {
  std::string product_id;
  std::string subscription_id;
  std::string reason;
};

struct ReconcileReport {
  int checked = 0, corrected = 0, failed = 0;
  std::vector<ReconcileFailure> failures;
  // "checked N, corrected M, failed K"
  std::string Summary() const;
};

class BillingReconciler {
 public:
  BillingReconciler(Ports ports, ChargebeeApi& api);

  // Checks every subscription with provider chargebee. A subscription Chargebee cannot answer
  // for is counted failed and left alone; the others still proceed. Fails only when the list
  // of subscriptions cannot be read.
  core::Result<ReconcileReport> RunOnce();

 private:
  // "corrected", "unchanged" or "skipped" (the row changed meanwhile: no longer billed by this
  // subscription, or a webhook newer than the pull arrived).
  core::Result<std::string> Correct(const core::Subscription& seen,
                                    const ChargebeeSubscription& remote, core::Timestamp pulled_at);

  Ports p_;
  ChargebeeApi& api_;
  AuditLog audit_;
};

}  // namespace vault::app
