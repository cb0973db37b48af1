// Product types (platform catalogue), products, subscriptions, groups, grants and product
// service clients, with the pure rules about them. Value types.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace vault::core {

struct ProductRole {
  std::string name;  // e.g. "admin"
  int rank = 0;      // higher wins (seed: admin 3 > editor 2 > viewer 1)
  std::vector<std::string> permissions;
  bool retired = false;  // cannot be granted anew; existing grants keep working
};

struct Plan {
  std::string key;  // "trial", "standard", "enterprise"
  std::string name;
  int seats = 0;       // 0 = unlimited
  int trial_days = 0;  // > 0: the plan is a trial of that length
  std::vector<std::string> features;
  bool retired = false;  // cannot be chosen anew; subscriptions on it keep working
};

struct ProductType {
  std::string id;   // "pty_…"
  std::string key;  // "manage"
  std::string name;
  std::vector<std::string> api_permissions;
  std::vector<ProductRole> roles;
  std::vector<Plan> plans;
  bool retired = false;  // no new products of this type; existing ones keep working

  const ProductRole* FindRole(std::string_view name) const;
  const Plan* FindPlan(std::string_view key) const;
};

// A product instance's own configuration (issue 19): a JSON object its Admins edit, returned
// to the product by the access check and key verify. Version 0: never set (config "{}").
struct ProductConfig {
  std::string product_id;
  std::string config = "{}";  // serialized JSON object
  std::int64_t version = 0;
  Timestamp updated_at = 0;
  std::string updated_by;  // account id
};

struct Product {
  std::string id;  // "prd_…"
  std::string workspace_id;
  std::string type_id;
  std::string name;
  std::string shortname;  // unique within the workspace
  bool disabled = false;  // disabled by an administrator
  Timestamp created_at = 0;
  Timestamp updated_at = 0;
};

enum class SubscriptionStatus { kInTrial, kActive, kNonRenewing, kPaused, kCancelled };
std::string_view SubscriptionStatusName(SubscriptionStatus s);
// Parses a status (the billing provider's names); nullopt for anything else.
std::optional<SubscriptionStatus> ParseSubscriptionStatus(std::string_view s);

struct Subscription {
  std::string product_id;
  std::string plan_key;
  SubscriptionStatus status = SubscriptionStatus::kInTrial;
  std::string provider = "local";  // "local" or "chargebee"
  std::string external_id;         // the provider's subscription id
  Timestamp period_end = 0;        // 0 = open-ended
  Timestamp last_event_at = 0;     // newest provider event applied (out-of-order safety)
  Timestamp updated_at = 0;
};

// A product is Active while not disabled and its subscription is in_trial, active or
// non_renewing and inside its period (SPEC §5).
bool IsProductActive(const Product& p, const std::optional<Subscription>& s, Timestamp now);

struct Group {
  std::string id;  // "grp_…"
  std::string workspace_id;
  std::string name;
  std::string name_norm;
  std::string description;
  Timestamp created_at = 0;
};

enum class PrincipalType { kAccount, kGroup };
std::string_view PrincipalTypeName(PrincipalType t);
Result<PrincipalType> ParsePrincipalType(std::string_view s, std::string_view field);

struct Grant {
  std::string product_id;
  PrincipalType principal_type = PrincipalType::kAccount;
  std::string principal_id;
  std::string role;
  std::string workspace_id;
  Timestamp created_at = 0;
};

struct ServiceClient {
  std::string id;  // the client id, "svc_…"
  std::string type_id;
  std::string name;
  std::string secret_hash;  // keyed hash; the secret is shown once; empty for a public client
  Timestamp created_at = 0;
  Timestamp revoked_at = 0;  // 0 = live
  // As an OAuth client (ADR 0010): the exact-match redirect URIs, and whether it is public
  // (PKCE only, no secret: a browser or native app that cannot keep one).
  std::vector<std::string> redirect_uris;
  bool is_public = false;
  // After a rotation with grace: the previous secret's keyed hash, accepted until
  // previous_secret_expires_at (0 and empty: none).
  std::string previous_secret_hash;
  Timestamp previous_secret_expires_at = 0;
};

// Splits a space-separated list.
std::vector<std::string> SplitWords(std::string_view text);
std::string JoinWords(const std::vector<std::string>& words);

// Product name 1–100 chars; shortname like a workspace shortname (no reserved words).
Result<std::string> ValidateProductShortname(std::string_view s, std::string_view field);

// A permission or feature name: 1–128 characters of A-Z a-z 0-9 and ". _ : - / *". These lists
// are stored space-separated (JoinWords), so whitespace would split one name into two.
// Fails invalid_argument "validation.permission" naming `field`.
Result<void> ValidatePermissionName(std::string_view name, std::string_view field);
// ValidatePermissionName on each, naming "<field>[i]".
Result<void> ValidatePermissionNames(const std::vector<std::string>& names, std::string_view field);

}  // namespace vault::core
