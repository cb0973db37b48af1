#include "app/seats.hpp"

namespace vault::app {

core::Result<void> CheckSeats(core::Tx& tx, const core::Product& p) {
  VAULT_ASSIGN_OR_RETURN(auto sub, tx.FindSubscription(p.id));
  if (!sub) return {};
  VAULT_ASSIGN_OR_RETURN(auto types, tx.ListProductTypes());
  const core::Plan* plan = nullptr;
  for (const auto& t : types)
    if (t.id == p.type_id) plan = t.FindPlan((sub)->plan_key);
  if (!plan || plan->seats == 0) return {};
  VAULT_ASSIGN_OR_RETURN(auto seats, tx.CountSeats(p.id));
  if (seats > plan->seats)
    return core::Fail(core::Code::kFailedPrecondition, "product.seat_limit",
                      "the " + plan->name + " plan of this product allows " +
                          std::to_string(plan->seats) + " users; this change would make " +
                          std::to_string(seats));
  return {};
}

}  // namespace vault::app
