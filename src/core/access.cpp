#include "core/access.hpp"

#include <algorithm>

namespace vault::core {

AccessDecision DecideAccess(const AccessFacts& f, const std::string& permission, Timestamp now) {
  AccessDecision d;
  auto deny = [&](const char* reason) {
    d.allowed = false;
    d.reason = reason;
    return std::move(d);  // every caller returns at once
  };
  // The product first: whoever asks about a product that is not there learns nothing about
  // the account (no existence or disabled oracle through made-up product ids).
  if (!f.product_exists || !f.type) return deny("product_not_found");
  d.config = f.config;
  if (f.subscription)
    if (const Plan* plan = f.type->FindPlan(f.subscription->plan_key); plan)
      d.features = plan->features;
  // A suspended workspace denies everyone, whoever asks: the product learns the one thing that
  // matters (the whole workspace is off), nothing about the account.
  if (f.workspace_suspended) return deny("workspace_suspended");
  if (!f.account_exists) return deny("unknown_account");
  if (f.account_disabled) return deny("account_disabled");
  if (!f.membership) return deny("not_member");
  if (f.workspace_requires_2fa && !f.account_mfa) return deny("workspace_requires_2fa");
  // The effective role is computed even when the product is inactive, for explain.
  for (const GrantFact& g : f.grants)
    if (g.rank > d.rank) {
      d.rank = g.rank;
      d.role = g.role;
    }
  if (!IsProductActive(f.product, f.subscription, now)) return deny("product_inactive");
  if (d.role.empty()) return deny("no_grant");
  // Read in place: a copy of the role's permissions would cost an allocation per check.
  const ProductRole* role = f.type->FindRole(d.role);
  if (!permission.empty() && (!role || std::find(role->permissions.begin(), role->permissions.end(),
                                                 permission) == role->permissions.end()))
    return deny("permission_not_in_role");
  d.allowed = true;
  d.reason = "allowed";
  return d;
}

}  // namespace vault::core
