// Retention: deletes what has expired, in small batches, so no table grows forever: sessions
// past their expiry, one-time tokens (links, 2FA steps, decoys) past theirs, throttle rows
// whose window and lock are long over, invitations some days after they expired or were
// answered, webhook event ids after the provider stopped retrying, and callback signing secrets
// some days after they ended. The audit log is kept unless an audit retention is set: then
// events older than it go, oldest first, and the chain's anchor moves with them
// (AuditLog::Prune), so `audit verify` still proves what remains. RunOnce is called
// periodically by the server; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/audit_log.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/store.hpp"

namespace vault::app {

struct RetentionSettings {
  int batch = 500;        // rows per transaction (short locks, bounded WAL growth)
  int max_batches = 200;  // per kind per run, so one run stays bounded
  std::int64_t throttle_seconds = 24 * 3600;         // a window older than this is over
  std::int64_t invitation_seconds = 30 * 24 * 3600;  // kept this long after expiry
  std::int64_t webhook_id_seconds = 90 * 24 * 3600;  // Chargebee retries for days, not months
  std::int64_t audit_seconds = 0;                    // 0: the audit log is kept for ever
  // An ended callback signing secret (revoked, or its grace over) stays listed this long.
  std::int64_t callback_secret_seconds = 30 * 24 * 3600;
};

struct RetentionRun {
  // "sessions", "tokens", "throttle", "invitations", "webhook_ids", "oauth_grants",
  // "callback_secrets", "audit"
  std::string kind;
  std::int64_t deleted = 0;
};

class RetentionService {
 public:
  // audit may be null when settings.audit_seconds is 0.
  RetentionService(core::Store& store, const core::Clock& clock, RetentionSettings settings,
                   const AuditLog* audit = nullptr)
      : store_(store), clock_(clock), s_(settings), audit_(audit) {}

  // One pass over every kind; stops a kind at the first error and goes on with the next.
  // Returns what each kind deleted; the first error, if any, after all kinds ran.
  core::Result<std::vector<RetentionRun>> RunOnce();

 private:
  core::Store& store_;
  const core::Clock& clock_;
  RetentionSettings s_;
  const AuditLog* audit_;
};

}  // namespace vault::app
