#include "app/billing_reconcile.hpp"

#include "app/change_store.hpp"

namespace vault::app {

using core::Result;

std::string ReconcileReport::Summary() const {
  return "checked " + std::to_string(checked) + ", corrected " + std::to_string(corrected) +
         ", failed " + std::to_string(failed);
}

BillingReconciler::BillingReconciler(Ports ports, ChargebeeApi& api)
    : p_(ports), api_(api), audit_(ports.secrets, ports.random, ports.clock) {}

Result<ReconcileReport> BillingReconciler::RunOnce() {
  VAULT_ASSIGN_OR_RETURN(auto subs, p_.store.Read([&](core::Tx& tx) {
    return tx.ListSubscriptionsByProvider("chargebee");
  }));
  ReconcileReport report;
  for (const auto& s : subs) {
    if (s.external_id.empty()) continue;  // not linked to a Chargebee subscription yet
    ++report.checked;
    // Taken before the request: a webhook applied after this moment carries newer news.
    const core::Timestamp pulled_at = p_.clock.Now();
    auto remote = api_.FetchSubscription(s.external_id);
    if (remote) {
      if (auto t = CheckTermEnd(remote->term_end, pulled_at, "current_term_end"); !t)
        remote = core::Fail(t.error());
    }
    Result<std::string> outcome =
        remote ? Correct(s, *remote, pulled_at) : Result<std::string>(core::Fail(remote.error()));
    if (!outcome) {
      ++report.failed;
      report.failures.push_back({s.product_id, s.external_id, outcome.error().detail});
      continue;
    }
    if (*outcome == "corrected") ++report.corrected;
  }
  return report;
}

Result<std::string> BillingReconciler::Correct(const core::Subscription& seen,
                                               const ChargebeeSubscription& remote,
                                               core::Timestamp pulled_at) {
  std::string outcome = "unchanged", workspace;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    // The product lock orders this against a webhook or another node's run for the same
    // product; the row is then read again, and written only if it still differs.
    VAULT_TRY(tx.LockProduct(seen.product_id));
    VAULT_ASSIGN_OR_RETURN(auto current, tx.FindSubscription(seen.product_id));
    VAULT_ASSIGN_OR_RETURN(auto product, tx.FindProductById(seen.product_id));
    if (!current || !product || current->provider != "chargebee" ||
        current->external_id != seen.external_id || current->last_event_at > pulled_at) {
      outcome = "skipped";
      return {};
    }
    VAULT_ASSIGN_OR_RETURN(auto plans, PlansOfType(tx, product->type_id));
    auto state =
        MapChargebeeState(remote.status, remote.plan_id, remote.term_end, plans, current->plan_key);
    if (state.status == current->status && state.plan_key == current->plan_key &&
        state.period_end == current->period_end)
      return {};
    core::Subscription next = *current;
    next.status = state.status;
    next.plan_key = state.plan_key;
    next.period_end = state.period_end;
    // The pulled state is as new as the pull: a delayed webhook from before it is stale.
    next.last_event_at = std::max(current->last_event_at, pulled_at);
    next.updated_at = p_.clock.Now();
    VAULT_TRY(tx.PutSubscription(next));
    outcome = "corrected";
    workspace = product->workspace_id;
    NoteWorkspaceChanged(tx, workspace);  // checks change here and on other nodes
    return audit_.Record(
        tx, Actor{"system", "chargebee-reconcile", "", ""},
        {"subscription.reconciled", "product", next.product_id,
         JsonSummary({{"subscription", next.external_id},
                      {"from_status", std::string(core::SubscriptionStatusName(current->status))},
                      {"status", std::string(core::SubscriptionStatusName(next.status))},
                      {"from_plan", current->plan_key},
                      {"plan", next.plan_key},
                      {"from_period_end", std::to_string(current->period_end)},
                      {"period_end", std::to_string(next.period_end)}}),
         workspace});
  });
  if (!r) return core::Fail(r.error());
  return outcome;
}

}  // namespace vault::app
