// AuditLog: appends hash-chained audit events inside the caller's transaction, queries them,
// and verifies the chain. Each event's hash is HMAC-SHA-256 (server secret) over the previous
// hash and the event's canonical text, so an edit, deletion or reordering made directly in the
// database breaks the chain and cannot be re-sealed without the server secret. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ports.hpp"
#include "core/security.hpp"
#include "core/store.hpp"

namespace vault::app {

// Who did it and from where; copied into every event.
struct Actor {
  std::string type = "anonymous";  // "account", "system", "anonymous"
  std::string id;
  std::string ip;
  std::string user_agent;
};

struct AuditEntry {
  std::string action;
  std::string target_type;
  std::string target_id;
  std::string summary = "{}";  // JSON object; never secrets
  std::string workspace_id;
};

struct ChainReport {
  bool ok = true;
  std::int64_t events = 0;
  std::int64_t first_broken_seq = 0;  // 0 when ok
  std::string problem;                // what is wrong at first_broken_seq
  std::int64_t pruned_through = 0;    // events up to this seq were deleted by retention (0: none)
};

class AuditLog {
 public:
  AuditLog(core::SecretHasher& secrets, core::Random& random, core::Clock& clock)
      : secrets_(secrets), random_(random), clock_(clock) {}

  // Appends one event in tx (commits or rolls back with the change it records).
  core::Result<void> Record(core::Tx& tx, const Actor& actor, const AuditEntry& entry) const;

  // Walks the whole chain in order; names the first event that was edited, removed or moved.
  // After retention it starts at the anchor (whose MAC it checks), so the remaining events are
  // proven and so is that only events older than them were deleted.
  core::Result<ChainReport> Verify(core::Store& store) const;

  // Audit retention: deletes, in tx, up to `limit` of the oldest events that occurred before
  // `before`, moves the anchor to the newest of them, and records an `audit.pruned` event.
  // Returns how many events were deleted (0: nothing old enough).
  core::Result<int> Prune(core::Tx& tx, core::Timestamp before, int limit) const;

  std::string AnchorMac(std::int64_t seq, const std::string& hash) const;
  // The chain hash of e under the key it names (e.key_id); nullopt when the keyring lacks it.
  std::optional<std::string> HashOf(const core::AuditEvent& e) const;

 private:
  core::SecretHasher& secrets_;
  core::Random& random_;
  core::Clock& clock_;
};

// {"key":"value",…} from string pairs, JSON-escaped.
std::string JsonSummary(
    std::initializer_list<std::pair<std::string_view, std::string_view>> fields);

}  // namespace vault::app
