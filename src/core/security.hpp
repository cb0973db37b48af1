// Second-factor credentials, brute-force throttling state and audit events. Value types.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"

namespace vault::core {

struct TotpCredential {
  std::string account_id;
  std::string secret_enc;  // the 20-byte secret, sealed with the server secret (never in clear)
  bool confirmed = false;
  std::int64_t last_step = 0;  // last accepted 30 s step: a step may not be used twice
  Timestamp created_at = 0;
};

// A throttle counter row after an attempt was reserved.
struct ThrottleState {
  std::int64_t attempts = 0;  // attempts in the current window, including this one
  Timestamp window_start = 0;
  Timestamp locked_until = 0;  // 0 = not locked
};

struct AuditEvent {
  std::int64_t seq = 0;  // position in the chain (1, 2, …)
  std::string id;        // "evt_…"
  Timestamp occurred_at = 0;
  std::string actor_type;  // "account", "api_key", "system", "anonymous"
  std::string actor_id;    // opaque id (pseudonymous once the account is deleted)
  std::string ip;
  std::string user_agent;
  std::string workspace_id;  // empty for account-level events
  std::string action;        // e.g. "session.signed_in"
  std::string target_type;
  std::string target_id;
  std::string summary;  // JSON object describing the change; never secrets
  std::string prev_hash;
  std::string hash;
  // The keyring key `hash` was made with (ADR 0011); not in the hashed text: another id only
  // makes verification use another key, under which the hash does not match.
  std::string key_id = "k0";
};

// A keyring key the database was written with (ADR 0011): its id and check value, never the key.
struct KeyringKeyRecord {
  std::string kid;
  std::string check_value;  // hex HMAC(key, fixed text)
  Timestamp added_at = 0;
};

struct AuditHead {
  std::int64_t seq = 0;  // the sequence number reserved for the new event
  std::string last_hash;
};

// Where a pruned chain starts (audit retention): the newest deleted event's seq and chain hash,
// and a keyed MAC over both so that nobody without the server secret can move it. seq 0: none.
struct AuditAnchor {
  std::int64_t seq = 0;
  std::string hash;
  std::string mac;
  Timestamp at = 0;  // when the prefix up to seq was deleted
};

struct AuditQuery {
  std::string subject_id;       // events whose actor or target is this id (empty = any)
  std::string workspace_id;     // empty = any
  std::string action;           // exact action, or prefix ending in '.' (empty = any)
  std::string actor_id;         // exact actor (empty = any)
  std::string target_id;        // exact target (empty = any)
  Timestamp from = 0;           // occurred_at >= from (0 = open)
  Timestamp to = 0;             // occurred_at < to (0 = open)
  std::int64_t before_seq = 0;  // cursor: only events with seq < before_seq (0 = from newest)
  int limit = 50;
};

// The text an audit event's hash covers: every field but the hash, separated by 0x1F, so no
// field can be moved into another without changing the digest.
std::string AuditCanonical(const AuditEvent& e);

}  // namespace vault::core
