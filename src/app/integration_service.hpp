// IntegrationService: what product back ends use — service clients (client id + secret per
// product type deployment, issued by Super Admins, secret shown once and stored as a keyed
// hash), the access check and explain over the in-memory AccessModel, and the Chargebee
// webhook (idempotent by event id, out-of-order safe). Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "app/access_model.hpp"
#include "app/account_service.hpp"
#include "app/audit_log.hpp"
#include "app/paging.hpp"

namespace vault::app {

struct IssuedClient {
  core::ServiceClient client;
  std::string secret;  // shown once; empty for a public client
};

// A service client's OAuth settings (ADR 0010).
struct ClientOptions {
  std::vector<std::string> redirect_uris;  // exact-match list (core::ValidateRedirectUris)
  bool is_public = false;                  // PKCE only, no secret; needs a redirect URI
};

struct AccessQuery {
  std::string account_id, product_id, permission;
};

// A subscription as Chargebee's API or webhook describes it.
struct ChargebeeSubscription {
  std::string id;
  std::string status;
  std::string plan_id;  // plan_id, or the plan item's item_price_id
  core::Timestamp term_end = 0;
};

struct ChargebeeEvent {
  std::string event_id;
  std::string event_type;
  core::Timestamp occurred_at = 0;
  std::string subscription_id;
  std::string status;   // Chargebee's subscription status
  std::string plan_id;  // item price / plan id; matched to our plan keys by prefix
  core::Timestamp term_end = 0;
  std::string vault_product_id;  // meta_data / cf_vault_product_id linking a new subscription
};

// What Vault records for a Chargebee subscription (the webhook and the reconciliation both).
struct ChargebeeState {
  core::SubscriptionStatus status = core::SubscriptionStatus::kPaused;
  std::string plan_key;
  core::Timestamp period_end = 0;
};

// Maps Chargebee's status, plan id and current_term_end to Vault's state for a product of a
// type with these plans: an unknown status (or "future") deactivates (paused); the plan is the
// plan whose key prefixes Chargebee's plan id, else `current_plan` stays.
ChargebeeState MapChargebeeState(const std::string& status, const std::string& plan_id,
                                 core::Timestamp term_end, const std::vector<core::Plan>& plans,
                                 const std::string& current_plan);

// The plans of the product type with this id (none for an unknown type).
core::Result<std::vector<core::Plan>> PlansOfType(core::Tx& tx, const std::string& type_id);

// Fails invalid_argument "validation.range" naming `field` unless term_end is 0 (open-ended) or
// Unix seconds from 2000-01-01 to 100 years after now.
core::Result<void> CheckTermEnd(core::Timestamp term_end, core::Timestamp now, const char* field);

class IntegrationService : public core::ChangeListener {
 public:
  IntegrationService(Ports ports, AccessModel& model);

  // Fails invalid_argument "product.unknown_type" (product_type), "validation.redirect_uri"
  // (redirect_uris[i]), "validation.required" (redirect_uris: a public client needs one).
  core::Result<IssuedClient> CreateClient(const AuthContext& ctx, const std::string& type_key,
                                          const std::string& name,
                                          const ClientOptions& options = {});
  // A page of the service clients by id, revoked ones too.
  core::Result<Paged<core::ServiceClient>> ListClients(const AuthContext& ctx,
                                                       const PageRequest& page);
  core::Result<void> RevokeClient(const AuthContext& ctx, const std::string& id);
  // A new secret for a live confidential client (shown once); the old one stops working at
  // once (or when the grace ends) on this node and within the change-feed interval on the
  // others. Fails invalid_argument "validation.range" (grace_seconds), not_found
  // "service_client.not_found" (unknown or revoked), conflict "service_client.public".
  // grace_seconds (0 to 30 days): how long the previous secret keeps working, so a product can
  // switch without downtime; 0 stops it at once.
  core::Result<IssuedClient> RotateClientSecret(const AuthContext& ctx, const std::string& id,
                                                std::int64_t grace_seconds = 0);
  // Replaces a live client's redirect URIs (exact-match list) and returns the client; the
  // change is seen at once on this node and through the change feed on the others. Fails
  // invalid_argument "validation.redirect_uri" (redirect_uris[i]), "validation.too_long"
  // (redirect_uris), "validation.required" (redirect_uris: a public client keeps at least
  // one); not_found "service_client.not_found" (unknown or revoked).
  core::Result<core::ServiceClient> SetRedirectUris(const AuthContext& ctx, const std::string& id,
                                                    const std::vector<std::string>& uris);
  // Fails unauthenticated "client.invalid" for an unknown, revoked, public or wrong-secret
  // client. When valid_until is given it receives how long this authentication holds besides
  // ClientsGeneration: 0 for the current secret, the grace end for a previous one.
  core::Result<core::ServiceClient> AuthenticateClient(const std::string& id,
                                                       const std::string& secret,
                                                       core::Timestamp* valid_until = nullptr);
  // Changes with every client change seen here or from another node (ServiceClientChanged):
  // a caller remembering an authentication (a connection's memo) redoes it once it moved.
  std::uint64_t ClientsGeneration() const {
    return clients_generation_.load(std::memory_order_acquire);
  }
  // Whether an authentication made at `generation`, valid until `valid_until` (0: no end, as
  // AuthenticateClient reported it), still holds now.
  bool StillAuthenticated(std::uint64_t generation, core::Timestamp valid_until) const {
    return generation == ClientsGeneration() && (valid_until == 0 || p_.clock.Now() < valid_until);
  }
  // Client-credential access tokens (ADR 0010) as Bearer on the product-facing API: the
  // verifier is the OIDC token service's, set once at start; `scope` is what the route needs.
  using BearerVerifier = std::function<core::Result<core::ServiceClient>(const std::string& token,
                                                                         const std::string& scope)>;
  void SetBearerVerifier(BearerVerifier v) { bearer_ = std::move(v); }
  // Fails unauthenticated "client.invalid" (no verifier, or the token is not a live client
  // credentials token of this issuer) or permission_denied "client.scope".
  core::Result<core::ServiceClient> AuthenticateBearer(const std::string& token,
                                                       const std::string& scope);
  // The live (unrevoked) client with this id, or nullopt; served from memory like
  // AuthenticateClient. For identifying a public client, which has no secret.
  core::Result<std::optional<core::ServiceClient>> LiveClient(const std::string& id);

  // A client may only ask about products of its own type (others answer product_not_found).
  core::Result<core::AccessDecision> Check(const core::ServiceClient& client, const AccessQuery& q,
                                           core::AccessFacts* facts = nullptr);

  // Applies a Chargebee subscription event. Returns "applied", "duplicate", "stale",
  // "unmatched" (no product linked to that subscription) or "conflict" (cf_vault_product_id
  // names a product already linked to another Chargebee subscription: nothing changes). Fails
  // invalid_argument "validation.range" for occurred_at outside 2000-01-01 … now + 1 day or a
  // current_term_end outside 2000-01-01 … now + 100 years.
  core::Result<std::string> ApplyChargebee(const ChargebeeEvent& event);

  // Loads every service client (few: one per product type deployment) so that an id that was
  // never issued is answered from memory like a known one: no timing oracle on client ids.
  // Returns how many were loaded.
  core::Result<std::size_t> WarmUp();

  // How many client authentications read the database (a never-issued id must not).
  std::uint64_t client_db_reads() const { return db_reads_.load(); }

  // Marks a client to be read again (created, changed or revoked here or on another node).
  void ServiceClientChanged(const std::string& client_id) override;
  void WorkspaceChanged(const std::string&) override {}
  void AccountChanged(const std::string&) override {}
  void CatalogChanged() override {}

 private:
  BearerVerifier bearer_;
  // The client with this id (revoked too), or nullopt: from memory unless it changed, else read.
  core::Result<std::optional<core::ServiceClient>> Lookup(const std::string& id);

  Ports p_;
  AccessModel& model_;
  AuditLog audit_;
  std::shared_mutex mu_;  // shared on the hot path: every product request authenticates
  std::unordered_map<std::string, core::ServiceClient> clients_;  // every client, revoked too
  std::unordered_set<std::string> stale_;  // changed since loaded: read from the database
  bool warmed_ = false;                    // clients_ holds every client issued
  std::atomic<std::uint64_t> db_reads_{0};
  std::atomic<std::uint64_t> clients_generation_{1};
};

}  // namespace vault::app
