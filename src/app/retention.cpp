#include "app/retention.hpp"

#include <functional>
#include <optional>

namespace vault::app {

core::Result<std::vector<RetentionRun>> RetentionService::RunOnce() {
  const core::Timestamp now = clock_.Now();
  using Purge = std::function<core::Result<int>(core::Tx&, int)>;
  const std::pair<const char*, Purge> kinds[] = {
      {"sessions", [&](core::Tx& tx, int n) { return tx.PurgeExpiredSessions(now, n); }},
      {"tokens", [&](core::Tx& tx, int n) { return tx.PurgeExpiredTokens(now, n); }},
      {"throttle",
       [&](core::Tx& tx, int n) { return tx.PurgeThrottle(now - s_.throttle_seconds, now, n); }},
      {"invitations",
       [&](core::Tx& tx, int n) { return tx.PurgeInvitations(now - s_.invitation_seconds, n); }},
      {"webhook_ids",
       [&](core::Tx& tx, int n) { return tx.PurgeWebhookEvents(now - s_.webhook_id_seconds, n); }},
      // Expired authorization codes, refresh tokens and revoked access-token ids (ADR 0010).
      {"oauth_grants", [&](core::Tx& tx, int n) { return tx.DeleteExpiredOAuthGrants(now, n); }},
      {"callback_secrets",
       [&](core::Tx& tx, int n) {
         return tx.PurgeCallbackSecrets(now - s_.callback_secret_seconds, n);
       }},
  };
  std::vector<std::pair<const char*, Purge>> all(std::begin(kinds), std::end(kinds));
  if (s_.audit_seconds > 0 && audit_)
    all.emplace_back(
        "audit", [&](core::Tx& tx, int n) { return audit_->Prune(tx, now - s_.audit_seconds, n); });
  std::vector<RetentionRun> out;
  std::optional<core::Error> first_error;
  for (const auto& [kind, purge] : all) {
    RetentionRun run{kind, 0};
    for (int i = 0; i < s_.max_batches; ++i) {
      // One batch, one transaction: locks stay short and a crash loses at most one batch.
      auto n = store_.Write([&](core::Tx& tx) { return purge(tx, s_.batch); });
      if (!n) {
        if (!first_error) first_error = n.error();
        break;
      }
      run.deleted += *n;
      if (*n < s_.batch) break;
    }
    out.push_back(run);
  }
  if (first_error) return core::Fail(*first_error);
  return out;
}

}  // namespace vault::app
