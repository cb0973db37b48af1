// Callback signing secrets (issue 19): the per-product HMAC-SHA-256 keys with which a product
// signs the callbacks (webhooks) it sends to its tenant's systems, and the signature format
// (`X-Atomyx-Timestamp`, `X-Atomyx-Signature: v1=<hex> v1=<hex>`, like Stripe's). Pure values
// and functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"

namespace vault::core {

// 32 random bytes: 256 bits, the HMAC-SHA-256 block's worth of key strength and beyond any
// guessing, as for every other secret Vault issues.
inline constexpr std::size_t kCallbackSecretBytes = 32;
// The secret text's prefix ("whsec_" + base64url of the key: the Standard Webhooks shape).
inline constexpr std::string_view kCallbackSecretPrefix = "whsec_";
// How far a verified timestamp may be from now (either side): a replayed callback older than
// this is refused whatever its signature.
inline constexpr Timestamp kCallbackTimestampTolerance = 300;

struct CallbackSecret {
  std::string id;  // "cbs_…"
  std::string workspace_id, product_id;
  std::string label;
  std::string sealed;     // the key bytes sealed by the SecretBox; the clear key is never stored
  std::string last_four;  // the shown text's last four characters, to recognise it
  std::string created_by;
  Timestamp created_at = 0;
  Timestamp expires_at = 0;  // 0: no end; a roll with a grace period sets it
  Timestamp revoked_at = 0;  // 0: not revoked
  std::string replaced_by;   // the secret a roll issued in its place
};

enum class CallbackSecretState { kActive, kExpiring, kExpired, kRevoked };
CallbackSecretState StateOf(const CallbackSecret& s, Timestamp now);
// "active", "expiring", "expired", "revoked".
std::string_view CallbackSecretStateName(CallbackSecretState state);
// Whether the secret signs and verifies at `now`: active, or expiring and still in its grace.
bool CallbackSecretValid(const CallbackSecret& s, Timestamp now);

// The text shown once: "whsec_" + base64url (no padding) of the key bytes.
std::string FormatCallbackSecret(std::string_view key);
// What is signed: "<timestamp>.<body>" (the timestamp in decimal Unix seconds).
std::string CallbackSignedPayload(Timestamp timestamp, std::string_view body);
// The `v1=` values of a signature header ("v1=<hex> v1=<hex>", separated by spaces or commas),
// lowercased; other schemes and malformed entries are skipped, at most 16 values.
std::vector<std::string> CallbackSignatureCandidates(std::string_view header);

}  // namespace vault::core
