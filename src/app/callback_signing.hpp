// CallbackSigningService: the signing secrets of product instances (issue 19). A product signs
// the callbacks (webhooks) it sends to its tenant's systems with HMAC-SHA-256 under its
// instance's secret; Vault keeps the secret and signs and verifies for the product's service
// client, so the product never stores it.
//
// Workspace Owners and Admins and the product's Admins create a secret (shown once), list them
// (never the secret), roll the current one with a grace period during which the old one still
// signs and verifies, and revoke one. Each change is one audited transaction. Secrets are sealed
// under their own SecretBox key (purpose "callback_signing"), opened only in memory to sign.
// Stateless apart from its ports; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/paging.hpp"
#include "app/workspace_service.hpp"
#include "core/callback_secret.hpp"
#include "core/product.hpp"

namespace vault::app {

struct IssuedCallbackSecret {
  core::CallbackSecret secret;
  std::string text;  // "whsec_…": shown once, never stored in clear
};

struct RolledCallbackSecret {
  IssuedCallbackSecret issued;
  core::CallbackSecret previous;
};

struct CallbackSignature {
  std::string secret_id;
  std::string hex;  // lowercase hex HMAC-SHA-256 of "<timestamp>.<body>"
};

struct SignedCallback {
  core::Timestamp timestamp = 0;
  std::vector<CallbackSignature> signatures;  // the current secret's first
};

struct CallbackVerdict {
  bool valid = false;
  std::string secret_id;  // the secret whose signature matched
  std::string reason;     // when invalid: "timestamp_out_of_range", "signature_mismatch",
                          // "workspace_suspended"
};

// What a product asks to sign or verify: a callback of one product instance.
struct CallbackRequest {
  std::string workspace_id, product_id;
  std::string body;  // the callback's body, at most kMaxCallbackBody bytes
};

inline constexpr std::size_t kMaxCallbackBody = 1024 * 1024;

class CallbackSigningService {
 public:
  // box: the SecretBox of purpose "callback_signing"; mac: HMAC-SHA-256.
  CallbackSigningService(Ports ports, WorkspaceService& workspaces, core::SecretBox& box,
                         core::Mac& mac);

  // Whether the caller administers the product (handlers ask before reading the body). Fails
  // as OpenAdministeredProduct (404 for non-members and unknown products, 403 for others).
  core::Result<void> Authorize(const AuthContext& ctx, const std::string& ws,
                               const std::string& product);
  // A new current secret, shown once. Fails invalid_argument (label), failed_precondition
  // "callback_secret.exists" while the product has an active secret (roll it instead).
  core::Result<IssuedCallbackSecret> Create(const AuthContext& ctx, const std::string& ws,
                                            const std::string& product, const std::string& label);
  // A page of the product's secrets, newest first, every state.
  core::Result<Paged<core::CallbackSecret>> List(const AuthContext& ctx, const std::string& ws,
                                                 const std::string& product,
                                                 const PageRequest& page);
  // Replaces the active secret `id` by a new one (shown once); the old one keeps signing and
  // verifying for grace_seconds (0 to 30 days; 0 revokes it now). Fails invalid_argument
  // "validation.range" (grace_seconds), not_found "callback_secret.not_found",
  // failed_precondition "callback_secret.not_active" (revoked, expiring or expired).
  core::Result<RolledCallbackSecret> Roll(const AuthContext& ctx, const std::string& ws,
                                          const std::string& product, const std::string& id,
                                          std::int64_t grace_seconds);
  // Revokes the secret now (idempotent: a revoked one is returned unchanged, nothing recorded).
  // Fails not_found "callback_secret.not_found".
  core::Result<core::CallbackSecret> Revoke(const AuthContext& ctx, const std::string& ws,
                                            const std::string& product, const std::string& id);

  // Signs with every valid secret of the product, the current one first. `timestamp` defaults
  // to now and must be within kCallbackTimestampTolerance of it. Fails not_found
  // "product.not_found" (unknown, in another workspace or of another type than the client's),
  // permission_denied "workspace.suspended", failed_precondition "callback_secret.none",
  // invalid_argument (body, timestamp).
  core::Result<SignedCallback> Sign(const core::ServiceClient& client, const CallbackRequest& req,
                                    std::optional<core::Timestamp> timestamp);
  // Whether `signature` (a header value "v1=<hex> …") holds a valid signature of body at
  // timestamp by a valid secret. Fails as Sign for the product; a suspended workspace answers
  // invalid with reason "workspace_suspended".
  core::Result<CallbackVerdict> Verify(const core::ServiceClient& client,
                                       const CallbackRequest& req, core::Timestamp timestamp,
                                       const std::string& signature);

 private:
  // The product's valid secrets, current first, opened; fails as Sign for the product.
  struct OpenedSecret {
    std::string id, key;
  };
  core::Result<std::vector<OpenedSecret>> ValidSecrets(const core::ServiceClient& client,
                                                       const CallbackRequest& req, bool* suspended);
  core::Result<IssuedCallbackSecret> Issue(core::Tx& tx, const AuthContext& ctx,
                                           const core::Product& product, std::string label);
  std::string SignatureHex(const std::string& key, core::Timestamp t, const std::string& body);

  Ports p_;
  WorkspaceService& workspaces_;
  core::SecretBox& box_;
  core::Mac& mac_;
  AuditLog audit_;
};

}  // namespace vault::app
