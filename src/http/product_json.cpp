#include "http/product_json.hpp"

namespace vault::http {

core::Result<core::ProductType> ParseProductType(const JsonBody& body) {
  core::ProductType t;
  auto key = body.String("key", 40);
  if (!key) return core::Fail(key.error());
  auto name = body.String("name", 100);
  if (!name) return core::Fail(name.error());
  auto perms = body.StringArray("api_permissions", 200, 128);
  if (!perms) return core::Fail(perms.error());
  auto roles = body.ObjectArray("roles", 50);
  if (!roles) return core::Fail(roles.error());
  auto plans = body.ObjectArray("plans", 50);
  if (!plans) return core::Fail(plans.error());
  t.key = *key;
  t.name = *name;
  t.api_permissions = *perms;
  for (const JsonBody& r : *roles) {
    auto rn = r.String("name", 40);
    if (!rn) return core::Fail(rn.error());
    auto rank = r.OptInt("rank");
    if (!rank) return core::Fail(rank.error());
    auto rp = r.StringArray("permissions", 200, 128);
    if (!rp) return core::Fail(rp.error());
    t.roles.push_back({*rn, static_cast<int>(rank->value_or(1)), *rp});
  }
  for (const JsonBody& p : *plans) {
    auto pk = p.String("key", 40);
    if (!pk) return core::Fail(pk.error());
    auto pn = p.String("name", 100);
    if (!pn) return core::Fail(pn.error());
    auto seats = p.OptInt("seats");
    if (!seats) return core::Fail(seats.error());
    auto trial = p.OptInt("trial_days");
    if (!trial) return core::Fail(trial.error());
    auto features = p.StringArray("features", 100, 64);
    if (!features) return core::Fail(features.error());
    if (seats->value_or(0) < 0 || seats->value_or(0) > 1000000 || trial->value_or(0) < 0 || trial->value_or(0) > 365)
      return core::Fail(core::Code::kInvalidArgument, "validation.range",
                        "seats must be 0–1000000 and trial_days 0–365", "plans");
    t.plans.push_back({*pk, *pn, static_cast<int>(seats->value_or(0)), static_cast<int>(trial->value_or(0)),
                       *features});
  }
  return t;
}

core::Result<app::ChargebeeEvent> ParseChargebeeEvent(const JsonBody& body) {
  app::ChargebeeEvent e;
  auto id = body.String("id", 128);
  if (!id) return core::Fail(id.error());
  auto type = body.OptString("event_type", 128);
  if (!type) return core::Fail(type.error());
  auto occurred = body.OptInt("occurred_at");
  if (!occurred) return core::Fail(occurred.error());
  // Ordering depends on it: an event without a time cannot be placed, so it is refused.
  if (!*occurred || **occurred <= 0)
    return core::Fail(core::Code::kInvalidArgument, "validation.required",
                      "occurred_at (Unix seconds) is required", "occurred_at");
  auto content = body.Object("content");
  if (!content) return core::Fail(content.error());
  auto sub = content->Object("subscription");
  if (!sub) return core::Fail(sub.error());
  auto sid = sub->String("id", 128);
  if (!sid) return core::Fail(sid.error());
  auto status = sub->String("status", 32);
  if (!status) return core::Fail(status.error());
  auto plan = sub->OptString("plan_id", 128);
  if (!plan) return core::Fail(plan.error());
  auto items = sub->ObjectArray("subscription_items", 50);
  if (!items) return core::Fail(items.error());
  auto term_end = sub->OptInt("current_term_end");
  if (!term_end) return core::Fail(term_end.error());
  auto cf = sub->OptString("cf_vault_product_id", 64);
  if (!cf) return core::Fail(cf.error());
  auto meta = sub->OptObject("meta_data");
  if (!meta) return core::Fail(meta.error());
  auto meta_product = meta->OptString("vault_product_id", 64);
  if (!meta_product) return core::Fail(meta_product.error());
  e.event_id = *id;
  e.event_type = type->value_or("");
  e.occurred_at = occurred->value_or(0);
  e.subscription_id = *sid;
  e.status = *status;
  e.plan_id = plan->value_or("");
  if (e.plan_id.empty() && !items->empty()) {
    auto price = (*items)[0].OptString("item_price_id", 128);
    if (!price) return core::Fail(price.error());
    e.plan_id = price->value_or("");
  }
  e.term_end = term_end->value_or(0);
  e.vault_product_id = cf->value_or(meta_product->value_or(""));
  return e;
}

}  // namespace vault::http
