// The layered access decision (SPEC §1, §4): account → membership → grant (direct or through a
// group) → role carrying the permission, on an active product. Pure: the caller gathers the
// facts (from the in-memory model), this decides, with a stable reason code.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/product.hpp"
#include "core/workspace.hpp"

namespace vault::core {

struct GrantFact {
  std::string via;       // "direct" or "group"
  std::string group_id;  // for group grants
  std::string role;
  int rank = 0;
};

struct AccessFacts {
  bool account_exists = false;
  bool account_disabled = false;
  bool account_mfa = false;
  bool product_exists = false;
  Product product;
  const ProductType* type = nullptr;
  std::optional<Subscription> subscription;
  std::optional<Role> membership;  // workspace role, if a member
  bool workspace_requires_2fa = false;
  bool workspace_suspended = false;
  std::vector<GrantFact> grants;  // every grant reaching the account on this product
  // The product's configuration, serialized JSON (shared with the model; null: not known).
  std::shared_ptr<const std::string> config;
};

struct AccessDecision {
  bool allowed = false;
  // "allowed", or in order of precedence "product_not_found", "workspace_suspended",
  // "unknown_account",
  // "account_disabled", "not_member",
  // "workspace_requires_2fa", "product_inactive", "no_grant", "permission_not_in_role".
  std::string reason;
  std::string role;  // effective product role (highest rank), empty without a grant
  int rank = 0;  // of the effective role; its permissions are the type's (ProductType::FindRole)
  // The features of the product's current plan, in every answer about a product the caller
  // can see (denials included: they describe the product, not the account); empty for
  // product_not_found and for a product without a subscription.
  std::vector<std::string> features;
  // The product's configuration (serialized JSON object), with the same visibility as features;
  // null for product_not_found.
  std::shared_ptr<const std::string> config;
};

// Decides; an empty permission asks only whether the account may use the product at all.
AccessDecision DecideAccess(const AccessFacts& facts, const std::string& permission, Timestamp now);

}  // namespace vault::core
