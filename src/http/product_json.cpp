#include "http/product_json.hpp"

#include <boost/json.hpp>

#include "core/encoding.hpp"

namespace vault::http {

core::Result<core::ProductType> ParseProductType(const JsonBody& body) {
  core::ProductType t;
  VAULT_ASSIGN_OR_RETURN(auto key, body.String("key", 40));
  VAULT_ASSIGN_OR_RETURN(auto name, body.String("name", 100));
  VAULT_ASSIGN_OR_RETURN(auto perms, body.StringArray("api_permissions", 200, 128));
  VAULT_ASSIGN_OR_RETURN(auto roles, body.ObjectArray("roles", 50));
  VAULT_ASSIGN_OR_RETURN(auto plans, body.ObjectArray("plans", 50));
  VAULT_ASSIGN_OR_RETURN(auto valid_name, core::ValidateWorkspaceName(name, "name"));
  t.key = key;
  t.name = valid_name;
  t.api_permissions = perms;
  auto range = [](const char* field, std::int64_t v, std::int64_t lo,
                  std::int64_t hi) -> core::Result<void> {
    if (v < lo || v > hi)
      return core::Fail(
          core::Code::kInvalidArgument, "validation.range",
          std::string(field) + " must be from " + std::to_string(lo) + " to " + std::to_string(hi),
          field);
    return {};
  };
  for (std::size_t i = 0; i < roles.size(); ++i) {
    const JsonBody& r = (roles)[i];
    std::string at = "roles[" + std::to_string(i) + "].";
    auto rn = r.String("name", 40);
    if (!rn) return core::Fail(core::Prefixed(rn.error(), at));
    auto slug = core::ValidateProductShortname(*rn, "name");  // role names are slugs
    if (!slug) return core::Fail(core::Prefixed(slug.error(), at));
    auto rank = r.OptInt("rank");
    if (!rank) return core::Fail(core::Prefixed(rank.error(), at));
    if (auto ok = range("rank", rank->value_or(1), 1, 1000); !ok)
      return core::Fail(core::Prefixed(ok.error(), at));
    auto rp = r.StringArray("permissions", 200, 128);
    if (!rp) return core::Fail(core::Prefixed(rp.error(), at));
    t.roles.push_back({*slug, static_cast<int>(rank->value_or(1)), *rp});
  }
  for (std::size_t i = 0; i < plans.size(); ++i) {
    const JsonBody& p = (plans)[i];
    std::string at = "plans[" + std::to_string(i) + "].";
    auto pk = p.String("key", 40);
    if (!pk) return core::Fail(core::Prefixed(pk.error(), at));
    auto slug = core::ValidateProductShortname(*pk, "key");
    if (!slug) return core::Fail(core::Prefixed(slug.error(), at));
    auto pn = p.String("name", 100);
    if (!pn) return core::Fail(core::Prefixed(pn.error(), at));
    auto plan_name = core::ValidateWorkspaceName(*pn, "name");
    if (!plan_name) return core::Fail(core::Prefixed(plan_name.error(), at));
    auto seats = p.OptInt("seats");
    if (!seats) return core::Fail(core::Prefixed(seats.error(), at));
    if (auto ok = range("seats", seats->value_or(0), 0, 1000000); !ok)
      return core::Fail(core::Prefixed(ok.error(), at));
    auto trial = p.OptInt("trial_days");
    if (!trial) return core::Fail(core::Prefixed(trial.error(), at));
    if (auto ok = range("trial_days", trial->value_or(0), 0, 365); !ok)
      return core::Fail(core::Prefixed(ok.error(), at));
    auto features = p.StringArray("features", 100, 64);
    if (!features) return core::Fail(core::Prefixed(features.error(), at));
    t.plans.push_back({*slug, *plan_name, static_cast<int>(seats->value_or(0)),
                       static_cast<int>(trial->value_or(0)), *features});
  }
  return t;
}

core::Result<app::ChargebeeSubscription> ParseChargebeeSubscription(const JsonBody& sub,
                                                                    const std::string& at) {
  auto sid = sub.String("id", 128);
  if (!sid) return core::Fail(core::Prefixed(sid.error(), at));
  auto status = sub.String("status", 32);
  if (!status) return core::Fail(core::Prefixed(status.error(), at));
  auto plan = sub.OptString("plan_id", 128);
  if (!plan) return core::Fail(core::Prefixed(plan.error(), at));
  auto items = sub.ObjectArray("subscription_items", 50);
  if (!items) return core::Fail(core::Prefixed(items.error(), at));
  auto term_end = sub.OptInt("current_term_end");
  if (!term_end) return core::Fail(core::Prefixed(term_end.error(), at));
  app::ChargebeeSubscription out{*sid, *status, plan->value_or(""), term_end->value_or(0)};
  if (!out.plan_id.empty() || items->empty()) return out;
  // Product catalog 2.0: the plan is the item of type "plan" (not an addon or a charge); an
  // item without a type counts as one, and without any, the first item.
  std::size_t pick = 0;
  for (std::size_t i = items->size(); i-- > 0;) {
    auto type = (*items)[i].OptString("item_type", 32);
    if (!type)
      return core::Fail(
          core::Prefixed(type.error(), at + "subscription_items[" + std::to_string(i) + "]."));
    if (type->value_or("plan") == "plan") pick = i;
  }
  auto price = (*items)[pick].OptString("item_price_id", 128);
  if (!price)
    return core::Fail(
        core::Prefixed(price.error(), at + "subscription_items[" + std::to_string(pick) + "]."));
  out.plan_id = price->value_or("");
  return out;
}

core::Result<app::ChargebeeSubscription> ParseChargebeeAnswer(const std::string& text) {
  Request answer;
  answer.headers.emplace_back("content-type", "application/json");
  answer.body = text;
  VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(answer));
  auto sub = body.Object("subscription");
  if (!sub) return core::Fail(sub.error());
  return ParseChargebeeSubscription(*sub, "subscription.");
}

core::Result<app::ChargebeeEvent> ParseChargebeeEvent(const JsonBody& body) {
  app::ChargebeeEvent e;
  VAULT_ASSIGN_OR_RETURN(auto id, body.String("id", 128));
  VAULT_ASSIGN_OR_RETURN(auto type, body.OptString("event_type", 128));
  VAULT_ASSIGN_OR_RETURN(auto occurred, body.OptInt("occurred_at"));
  // Ordering depends on it: an event without a time cannot be placed, so it is refused.
  if (!occurred || *occurred <= 0)
    return core::Fail(core::Code::kInvalidArgument, "validation.required",
                      "occurred_at (Unix seconds) is required", "occurred_at");
  VAULT_ASSIGN_OR_RETURN(auto content, body.Object("content"));
  const std::string at = "content.subscription.";
  auto sub = content.Object("subscription");
  if (!sub) return core::Fail(core::Prefixed(sub.error(), "content."));
  VAULT_ASSIGN_OR_RETURN(auto state, ParseChargebeeSubscription(*sub, at));
  auto cf = sub->OptString("cf_vault_product_id", 64);
  if (!cf) return core::Fail(core::Prefixed(cf.error(), at));
  auto meta = sub->OptObject("meta_data");
  if (!meta) return core::Fail(core::Prefixed(meta.error(), at));
  auto meta_product = meta->OptString("vault_product_id", 64);
  if (!meta_product) return core::Fail(core::Prefixed(meta_product.error(), at + "meta_data."));
  e.event_id = id;
  e.event_type = type.value_or("");
  e.occurred_at = occurred.value_or(0);
  e.subscription_id = state.id;
  e.status = state.status;
  e.plan_id = state.plan_id;
  e.term_end = state.term_end;
  e.vault_product_id = cf->value_or(meta_product->value_or(""));
  return e;
}

boost::json::object RenderType(const core::ProductType& t) {
  boost::json::array roles, plans, perms;
  for (const auto& r : t.roles) {
    boost::json::array rp;
    for (const auto& p : r.permissions) rp.emplace_back(p);
    roles.push_back({{"name", r.name},
                     {"rank", r.rank},
                     {"permissions", std::move(rp)},
                     {"retired", r.retired}});
  }
  for (const auto& p : t.plans) {
    boost::json::array f;
    for (const auto& x : p.features) f.emplace_back(x);
    plans.push_back({{"key", p.key},
                     {"name", p.name},
                     {"seats", p.seats},
                     {"trial_days", p.trial_days},
                     {"features", std::move(f)},
                     {"retired", p.retired}});
  }
  for (const auto& p : t.api_permissions) perms.emplace_back(p);
  return {{"id", t.id},
          {"key", t.key},
          {"name", t.name},
          {"roles", std::move(roles)},
          {"api_permissions", std::move(perms)},
          {"plans", std::move(plans)},
          {"retired", t.retired}};
}

boost::json::value RenderSubscription(const std::optional<core::Subscription>& s) {
  if (!s) return nullptr;
  return boost::json::object{
      {"plan", s->plan_key},
      {"status", std::string(core::SubscriptionStatusName(s->status))},
      {"provider", s->provider},
      {"period_end", s->period_end ? boost::json::value(core::FormatRfc3339(s->period_end))
                                   : boost::json::value(nullptr)}};
}

boost::json::object RenderProduct(const app::ProductRow& r) {
  return {
      {"id", r.product.id},
      {"name", r.product.name},
      {"product_type", {{"id", r.product.type_id}, {"name", r.type_name}}},
      {"shortname", r.product.shortname},
      {"subscription", RenderSubscription(r.subscription)},
      {"status", r.active ? "active" : "inactive"},
      {"disabled", r.product.disabled},
      {"users", r.users},
      {"my_role", r.my_role.empty() ? boost::json::value(nullptr) : boost::json::value(r.my_role)},
      {"created_at", core::FormatRfc3339(r.product.created_at)}};
}

boost::json::object RenderGrant(const core::Grant& g) {
  return {
      {"product_id", g.product_id},
      {"principal",
       {{"type", std::string(core::PrincipalTypeName(g.principal_type))}, {"id", g.principal_id}}},
      {"role", g.role},
      {"created_at", core::FormatRfc3339(g.created_at)}};
}

boost::json::object RenderGroup(const core::Group& g) {
  return {{"id", g.id},
          {"name", g.name},
          {"description", g.description},
          {"created_at", core::FormatRfc3339(g.created_at)}};
}

namespace {
boost::json::array Strings(const std::vector<std::string>& list) {
  boost::json::array a;
  for (const auto& s : list) a.emplace_back(s);
  return a;
}
}  // namespace

boost::json::object RenderDecision(const app::AccessQuery& q, const core::AccessDecision& d) {
  return {{"account_id", q.account_id},
          {"product_id", q.product_id},
          {"permission",
           q.permission.empty() ? boost::json::value(nullptr) : boost::json::value(q.permission)},
          {"allowed", d.allowed},
          {"reason", d.reason},
          {"role", d.role.empty() ? boost::json::value(nullptr) : boost::json::value(d.role)},
          {"features", Strings(d.features)}};
}

std::string RenderDecisionText(const app::AccessQuery& q, const core::AccessDecision& d) {
  auto string_or_null = [](std::string& out, const std::string& s) {
    if (s.empty())
      out += "null";
    else
      core::AppendJsonString(out, s);
  };
  std::string out;
  out.reserve(128 + q.account_id.size() + q.product_id.size() + q.permission.size());
  out += "{\"account_id\":";
  core::AppendJsonString(out, q.account_id);
  out += ",\"product_id\":";
  core::AppendJsonString(out, q.product_id);
  out += ",\"permission\":";
  string_or_null(out, q.permission);
  out += d.allowed ? ",\"allowed\":true,\"reason\":" : ",\"allowed\":false,\"reason\":";
  core::AppendJsonString(out, d.reason);
  out += ",\"role\":";
  string_or_null(out, d.role);
  out += ",\"features\":[";
  for (std::size_t i = 0; i < d.features.size(); ++i) {
    if (i) out += ',';
    core::AppendJsonString(out, d.features[i]);
  }
  out += "]}";
  return out;
}

std::string WithConfig(std::string object, const core::AccessDecision& d, bool include) {
  if (!include || !d.config || object.size() < 2) return object;
  object.pop_back();  // the closing brace
  object += ",\"config\":";
  object += *d.config;
  object += '}';
  return object;
}

std::string RenderProductConfig(const core::ProductConfig& c) {
  boost::json::object o{
      {"product_id", c.product_id},
      {"version", c.version},
      {"updated_at", c.updated_at ? boost::json::value(core::FormatRfc3339(c.updated_at))
                                  : boost::json::value(nullptr)},
      {"updated_by",
       c.updated_by.empty() ? boost::json::value(nullptr) : boost::json::value(c.updated_by)}};
  core::AccessDecision d;
  d.config = std::make_shared<const std::string>(c.config);
  return WithConfig(boost::json::serialize(o), d, true);
}

boost::json::object RenderExplanation(const app::AccessQuery& q, const core::AccessDecision& d,
                                      const core::AccessFacts& f) {
  boost::json::object o = RenderDecision(q, d);
  boost::json::array grants, perms;
  for (const auto& g : f.grants)
    grants.push_back({{"via", g.via},
                      {"group_id", g.group_id.empty() ? boost::json::value(nullptr)
                                                      : boost::json::value(g.group_id)},
                      {"role", g.role},
                      {"rank", g.rank}});
  if (const core::ProductRole* role = f.type ? f.type->FindRole(d.role) : nullptr)
    for (const auto& p : role->permissions) perms.emplace_back(p);
  o["chain"] = {
      {"account",
       {{"exists", f.account_exists},
        {"disabled", f.account_disabled},
        {"mfa_enabled", f.account_mfa}}},
      {"membership",
       f.membership ? boost::json::value({{"role", std::string(core::RoleName(*f.membership))}})
                    : boost::json::value(nullptr)},
      {"workspace", {{"id", f.product.workspace_id}, {"require_2fa", f.workspace_requires_2fa}}},
      {"grants", std::move(grants)},
      {"effective_role", d.role.empty() ? boost::json::value(nullptr) : boost::json::value(d.role)},
      {"role_permissions", std::move(perms)},
      {"product", {{"exists", f.product_exists}, {"disabled", f.product.disabled}}},
      {"subscription", RenderSubscription(f.subscription)}};
  return o;
}

boost::json::object RenderServiceClient(const core::ServiceClient& c) {
  return {{"client_id", c.id},
          {"product_type_id", c.type_id},
          {"name", c.name},
          {"redirect_uris", Strings(c.redirect_uris)},
          {"public", c.is_public},
          {"created_at", core::FormatRfc3339(c.created_at)},
          {"revoked", c.revoked_at != 0},
          // When the secret replaced by the last rotation stops (or stopped) working; null when
          // it was rotated without grace.
          {"previous_secret_expires_at",
           c.previous_secret_expires_at
               ? boost::json::value(core::FormatRfc3339(c.previous_secret_expires_at))
               : boost::json::value(nullptr)}};
}

boost::json::object RenderGroupDetail(const app::GroupDetail& d) {
  boost::json::object o = RenderGroup(d.group);
  boost::json::array members, grants;
  for (const auto& m : d.member_ids) members.emplace_back(m);
  for (const auto& g : d.grants) grants.push_back({{"product_id", g.product_id}, {"role", g.role}});
  o["member_ids"] = std::move(members);
  o["products"] = std::move(grants);
  return o;
}

boost::json::object RenderDecisions(
    const std::vector<std::pair<app::AccessQuery, core::AccessDecision>>& results) {
  boost::json::array out;
  for (const auto& [q, d] : results) out.push_back(RenderDecision(q, d));
  return boost::json::object{{"results", std::move(out)}};
}

boost::json::object RenderIssuedClient(const app::IssuedClient& issued) {
  boost::json::object o{{"client_id", issued.client.id},
                        {"product_type_id", issued.client.type_id},
                        {"name", issued.client.name},
                        {"redirect_uris", Strings(issued.client.redirect_uris)},
                        {"public", issued.client.is_public}};
  if (!issued.client.is_public) o["client_secret"] = issued.secret;  // shown once
  if (issued.client.previous_secret_expires_at)
    o["previous_secret_expires_at"] = core::FormatRfc3339(issued.client.previous_secret_expires_at);
  return o;
}

}  // namespace vault::http
