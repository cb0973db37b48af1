#include "app/product_service.hpp"

#include <algorithm>
#include <set>

#include "app/seats.hpp"
#include "core/encoding.hpp"

namespace vault::app {

using core::Capability;
using core::Code;
using core::Fail;
using core::Result;

namespace {

// A retired plan is not offered anew (subscriptions already on it keep working).
Result<void> NotRetired(const core::Plan& plan) {
  if (plan.retired)
    return Fail(Code::kFailedPrecondition, "plan.retired", "the " + plan.name + " plan is retired",
                "plan");
  return {};
}

core::Error ProductNotFound() {
  return core::Error{Code::kNotFound, "product.not_found", "", "no such product in this workspace"};
}

}  // namespace

ProductService::ProductService(Ports ports, WorkspaceService& workspaces)
    : p_(ports), workspaces_(workspaces), audit_(ports.secrets, ports.random, ports.clock) {}

Result<Paged<core::ProductType>> ProductService::ProductTypes(const PageRequest& page) {
  const PagedList list{"product-types", ""};
  VAULT_ASSIGN_OR_RETURN(auto after, OpenPage(page, list));
  return p_.store.Read([&](core::Tx& tx) -> Result<Paged<core::ProductType>> {
    VAULT_ASSIGN_OR_RETURN(auto rows, tx.ListProductTypes(after));
    return ClosePage(std::move(rows), after, list, [](const core::ProductType& t) {
      return std::pair{t.key, t.id};
    });
  });
}

Result<void> ProductService::Authorize(const AuthContext& ctx, const std::string& ws,
                                       Capability capability) {
  VAULT_TRY(workspaces_.Open(ctx, ws, capability));
  return {};
}

Result<core::ProductType> ProductService::TypeOf(core::Tx& tx, const std::string& type_id_or_key) {
  VAULT_ASSIGN_OR_RETURN(auto types, tx.ListProductTypes());
  for (auto& t : types)
    if (t.id == type_id_or_key || t.key == type_id_or_key) return std::move(t);
  return Fail(Code::kInvalidArgument, "product.unknown_type", "no such product type",
              "product_type");
}

core::Subscription ProductService::NewSubscription(const core::Product& p,
                                                   const core::Plan& plan) const {
  core::Subscription s;
  s.product_id = p.id;
  s.plan_key = plan.key;
  s.provider = "local";
  core::Timestamp now = p_.clock.Now();
  s.status =
      plan.trial_days > 0 ? core::SubscriptionStatus::kInTrial : core::SubscriptionStatus::kActive;
  s.period_end = plan.trial_days > 0 ? now + plan.trial_days * 24 * 3600 : 0;
  s.updated_at = now;
  return s;
}

Result<ProductService::ProductAccess> ProductService::OpenProduct(
    core::Tx& tx, const AuthContext& ctx, const std::string& ws, const std::string& product,
    Capability capability, bool for_write) {
  VAULT_ASSIGN_OR_RETURN(auto access, for_write ? workspaces_.OpenForWrite(tx, ctx, ws, capability)
                                                : workspaces_.OpenIn(tx, ctx, ws, capability));
  VAULT_ASSIGN_OR_RETURN(auto p, tx.FindProduct(access.workspace.id, product));
  if (!p) return Fail(ProductNotFound());
  return ProductAccess{std::move(access), std::move(*p)};
}

Result<ProductRow> ProductService::Row(core::Tx& tx, const core::Product& p,
                                       const std::string& account_id) {
  ProductRow row;
  row.product = p;
  VAULT_ASSIGN_OR_RETURN(auto type, TypeOf(tx, p.type_id));
  row.type_name = type.name;
  VAULT_ASSIGN_OR_RETURN(auto sub, tx.FindSubscription(p.id));
  row.subscription = sub;
  row.active = core::IsProductActive(p, row.subscription, p_.clock.Now());
  VAULT_ASSIGN_OR_RETURN(auto seats, tx.CountSeats(p.id));
  row.users = seats;
  VAULT_ASSIGN_OR_RETURN(auto grants, tx.ListGrants(p.id));
  VAULT_ASSIGN_OR_RETURN(auto members, tx.ListGroupMembers(p.workspace_id));
  std::set<std::string> my_groups;
  for (const auto& [g, a] : members)
    if (a == account_id) my_groups.insert(g);
  int best = 0;
  for (const auto& g : grants) {
    bool mine = g.principal_type == core::PrincipalType::kAccount
                    ? g.principal_id == account_id
                    : my_groups.contains(g.principal_id);
    const core::ProductRole* role = type.FindRole(g.role);
    if (mine && role && role->rank > best) {
      best = role->rank;
      row.my_role = role->name;
    }
  }
  return row;
}

Result<ProductRow> ProductService::Create(const AuthContext& ctx, const std::string& ws,
                                          const std::string& type, const std::string& name,
                                          const std::string& shortname, const std::string& plan) {
  VAULT_ASSIGN_OR_RETURN(auto n, core::ValidateWorkspaceName(name, "name"));
  VAULT_ASSIGN_OR_RETURN(auto s, core::ValidateProductShortname(shortname, "shortname"));
  ProductRow out;
  std::string wid;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto access,
                           workspaces_.OpenForWrite(tx, ctx, ws, Capability::kManageAccess));
    wid = access.workspace.id;
    VAULT_ASSIGN_OR_RETURN(auto t, TypeOf(tx, type));
    if (t.retired)
      return Fail(Code::kFailedPrecondition, "product_type.retired",
                  "this product type is retired: no new products", "product_type");
    const core::Plan* chosen = plan.empty() ? t.FindPlan("trial") : t.FindPlan(plan);
    if (plan.empty() && (!chosen || chosen->retired)) {  // default: the first plan still offered
      auto live = std::find_if(t.plans.begin(), t.plans.end(), [](auto& x) { return !x.retired; });
      chosen = live == t.plans.end() ? &t.plans.front() : &*live;
    }
    if (!chosen)
      return Fail(Code::kInvalidArgument, "product.unknown_plan",
                  "no such plan for this product type", "plan");
    VAULT_TRY(NotRetired(*chosen));
    core::Timestamp now = p_.clock.Now();
    core::Product p{core::NewId(p_.random, "prd"), wid, t.id, n, s, false, now, now};
    VAULT_TRY(tx.InsertProduct(p));
    VAULT_TRY(tx.PutSubscription(NewSubscription(p, *chosen)));
    if (auto e = audit_.Record(
            tx, ActorOf(ctx),
            {"product.created", "product", p.id,
             JsonSummary({{"type", t.key}, {"shortname", s}, {"plan", chosen->key}}), wid});
        !e)
      return e;
    VAULT_ASSIGN_OR_RETURN(auto row, Row(tx, p, ctx.account.id));
    out = std::move(row);
    Changed(tx, wid);
    return {};
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<Paged<ProductRow>> ProductService::List(const AuthContext& ctx, const std::string& ws,
                                               const PageRequest& page) {
  return p_.store.Read([&](core::Tx& tx) -> Result<Paged<ProductRow>> {
    VAULT_ASSIGN_OR_RETURN(auto access, workspaces_.OpenIn(tx, ctx, ws, Capability::kView));
    const PagedList list{"products", access.workspace.id};
    VAULT_ASSIGN_OR_RETURN(auto after, OpenPage(page, list));
    VAULT_ASSIGN_OR_RETURN(auto products, tx.ListProducts(access.workspace.id, after));
    auto kept = ClosePage(std::move(products), after, list, [](const core::Product& p) {
      return std::pair{p.name, p.id};
    });
    Paged<ProductRow> out{{}, std::move(kept.next_cursor)};
    for (const auto& p : kept.items) {
      VAULT_ASSIGN_OR_RETURN(auto row, Row(tx, p, ctx.account.id));
      out.items.push_back(std::move(row));
    }
    return out;
  });
}

Result<ProductRow> ProductService::Get(const AuthContext& ctx, const std::string& ws,
                                       const std::string& product) {
  return p_.store.Read([&](core::Tx& tx) -> Result<ProductRow> {
    VAULT_ASSIGN_OR_RETURN(auto found, OpenProduct(tx, ctx, ws, product, Capability::kView, false));
    return Row(tx, found.product, ctx.account.id);
  });
}

Result<ProductRow> ProductService::Update(const AuthContext& ctx, const std::string& ws,
                                          const std::string& product, const ProductPatch& patch) {
  ProductRow out;
  std::string wid;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto found,
                           OpenProduct(tx, ctx, ws, product, Capability::kManageAccess, true));
    wid = found.access.workspace.id;
    core::Product updated = found.product;
    if (patch.name) {
      VAULT_ASSIGN_OR_RETURN(auto n, core::ValidateWorkspaceName(*patch.name, "name"));
      updated.name = n;
    }
    if (patch.shortname) {
      VAULT_ASSIGN_OR_RETURN(auto s, core::ValidateProductShortname(*patch.shortname, "shortname"));
      updated.shortname = s;
    }
    if (patch.disabled) updated.disabled = *patch.disabled;
    updated.updated_at = p_.clock.Now();
    VAULT_TRY(tx.UpdateProduct(updated));
    if (auto e = audit_.Record(
            tx, ActorOf(ctx),
            {patch.disabled ? (*patch.disabled ? "product.disabled" : "product.enabled")
                            : "product.updated",
             "product", updated.id, "{}", wid});
        !e)
      return e;
    VAULT_ASSIGN_OR_RETURN(auto row, Row(tx, updated, ctx.account.id));
    out = std::move(row);
    Changed(tx, wid);
    return {};
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<void> ProductService::Delete(const AuthContext& ctx, const std::string& ws,
                                    const std::string& product) {
  std::string wid;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto found,
                           OpenProduct(tx, ctx, ws, product, Capability::kManageAccess, true));
    wid = found.access.workspace.id;
    if (auto e = audit_.Record(tx, ActorOf(ctx),
                               {"product.deleted", "product", found.product.id,
                                JsonSummary({{"shortname", found.product.shortname}}), wid});
        !e)
      return e;
    Changed(tx, wid);
    return tx.DeleteProduct(found.product.id);
  });
  return r;
}

Result<core::Subscription> ProductService::GetSubscription(const AuthContext& ctx,
                                                           const std::string& ws,
                                                           const std::string& product) {
  return p_.store.Read([&](core::Tx& tx) -> Result<core::Subscription> {
    core::Subscription out;
    VAULT_ASSIGN_OR_RETURN(auto found,
                           OpenProduct(tx, ctx, ws, product, Capability::kSeeBilling, false));
    VAULT_ASSIGN_OR_RETURN(auto s, tx.FindSubscription(found.product.id));
    if (!s)
      return Fail(Code::kNotFound, "subscription.not_found", "this product has no subscription");
    out = *s;
    return out;
  });
}

Result<ProductService::LocalSubscription> ProductService::OpenLocalSubscription(
    core::Tx& tx, const AuthContext& ctx, const std::string& ws, const std::string& product) {
  VAULT_ASSIGN_OR_RETURN(auto found,
                         OpenProduct(tx, ctx, ws, product, Capability::kChangeBilling, true));
  VAULT_TRY(tx.LockProduct(found.product.id));
  VAULT_ASSIGN_OR_RETURN(auto current, tx.FindSubscription(found.product.id));
  if (current && current->provider != "local")
    return Fail(Code::kFailedPrecondition, "subscription.external",
                "this subscription is managed by " + current->provider);
  return LocalSubscription{std::move(found), std::move(current)};
}

Result<core::Subscription> ProductService::ChangePlan(const AuthContext& ctx, const std::string& ws,
                                                      const std::string& product,
                                                      const std::string& plan) {
  core::Subscription out;
  std::string wid;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto open, OpenLocalSubscription(tx, ctx, ws, product));
    const auto& found = open.found;
    const auto& current = open.current;
    wid = found.access.workspace.id;
    VAULT_ASSIGN_OR_RETURN(auto t, TypeOf(tx, found.product.type_id));
    const core::Plan* chosen = t.FindPlan(plan);
    if (!chosen)
      return Fail(Code::kInvalidArgument, "product.unknown_plan",
                  "no such plan for this product type", "plan");
    VAULT_TRY(NotRetired(*chosen));
    out = NewSubscription(found.product, *chosen);
    VAULT_TRY(tx.PutSubscription(out));
    VAULT_TRY(CheckSeats(tx, found.product));  // a smaller plan must still fit
    Changed(tx, wid);
    return audit_.Record(
        tx, ActorOf(ctx),
        {"subscription.plan_changed", "product", found.product.id,
         JsonSummary({{"from", current ? (current)->plan_key : ""}, {"to", chosen->key}}), wid});
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<core::Subscription> ProductService::ChangeLocalSubscription(
    const AuthContext& ctx, const std::string& ws, const std::string& product, const char* action,
    const std::function<Result<void>(core::Subscription&, const core::ProductType&)>& change) {
  core::Subscription out;
  std::string wid;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto open, OpenLocalSubscription(tx, ctx, ws, product));
    const auto& found = open.found;
    const auto& current = open.current;
    wid = found.access.workspace.id;
    if (!current)
      return Fail(Code::kNotFound, "subscription.not_found", "this product has no subscription");
    VAULT_ASSIGN_OR_RETURN(auto t, TypeOf(tx, found.product.type_id));
    out = *current;
    VAULT_TRY(change(out, t));
    out.updated_at = p_.clock.Now();
    VAULT_TRY(tx.PutSubscription(out));
    Changed(tx, wid);
    return audit_.Record(
        tx, ActorOf(ctx),
        {action, "product", found.product.id,
         JsonSummary({{"plan", out.plan_key},
                      {"from", core::SubscriptionStatusName(current->status)},
                      {"to", core::SubscriptionStatusName(out.status)},
                      {"period_end", out.period_end ? core::FormatRfc3339(out.period_end) : ""}}),
         wid});
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<core::Subscription> ProductService::CancelSubscription(const AuthContext& ctx,
                                                              const std::string& ws,
                                                              const std::string& product) {
  const core::Timestamp now = p_.clock.Now();
  return ChangeLocalSubscription(
      ctx, ws, product, "subscription.cancelled",
      [&](core::Subscription& s, const core::ProductType&) -> Result<void> {
        using S = core::SubscriptionStatus;
        if (s.status == S::kNonRenewing && (s.period_end == 0 || now < s.period_end))
          return Fail(Code::kFailedPrecondition, "subscription.already_cancelling",
                      "this subscription already ends at its period end");
        bool live = (s.status == S::kInTrial || s.status == S::kActive) &&
                    (s.period_end == 0 || now < s.period_end);
        if (!live)
          return Fail(Code::kFailedPrecondition, "subscription.inactive",
                      "only a live subscription can be cancelled");
        // Local plans bill nothing and have no period of their own: an open-ended one runs for a
        // notice period, so cancelling never cuts users off at once.
        if (s.period_end == 0) s.period_end = now + kLocalNoticeSeconds;
        s.status = S::kNonRenewing;
        return {};
      });
}

Result<core::Subscription> ProductService::ResumeSubscription(const AuthContext& ctx,
                                                              const std::string& ws,
                                                              const std::string& product) {
  const core::Timestamp now = p_.clock.Now();
  return ChangeLocalSubscription(
      ctx, ws, product, "subscription.resumed",
      [&](core::Subscription& s, const core::ProductType& t) -> Result<void> {
        using S = core::SubscriptionStatus;
        if (s.status != S::kNonRenewing)
          return Fail(Code::kFailedPrecondition, "subscription.not_cancelling",
                      "this subscription is not cancelling");
        if (s.period_end != 0 && now >= s.period_end)
          return Fail(Code::kFailedPrecondition, "subscription.ended",
                      "this subscription has ended; pick a plan to start a new one");
        const core::Plan* plan = t.FindPlan(s.plan_key);
        if (plan && plan->trial_days > 0) {
          s.status = S::kInTrial;  // the trial keeps its end
        } else {
          s.status = S::kActive;
          s.period_end = 0;  // local paid plans are open-ended
        }
        return {};
      });
}

Result<Paged<core::Grant>> ProductService::Grants(const AuthContext& ctx, const std::string& ws,
                                                  const std::string& product,
                                                  const PageRequest& page) {
  return p_.store.Read([&](core::Tx& tx) -> Result<Paged<core::Grant>> {
    VAULT_ASSIGN_OR_RETURN(auto found, OpenProduct(tx, ctx, ws, product, Capability::kView, false));
    const PagedList list{"grants", found.product.id};
    VAULT_ASSIGN_OR_RETURN(auto after, OpenPage(page, list));
    VAULT_ASSIGN_OR_RETURN(auto rows, tx.ListGrants(found.product.id, after));
    return ClosePage(std::move(rows), after, list, [](const core::Grant& g) {
      return std::pair{std::string(core::PrincipalTypeName(g.principal_type)), g.principal_id};
    });
  });
}

Result<core::Grant> ProductService::PutGrant(const AuthContext& ctx, const std::string& ws,
                                             const std::string& product, core::PrincipalType type,
                                             const std::string& principal_id,
                                             const std::string& role) {
  core::Grant out;
  std::string wid;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto found,
                           OpenProduct(tx, ctx, ws, product, Capability::kManageAccess, true));
    wid = found.access.workspace.id;
    // Serialise grant changes of one product so concurrent grants cannot overshoot the seats.
    VAULT_TRY(tx.LockProduct(found.product.id));
    VAULT_ASSIGN_OR_RETURN(auto t, TypeOf(tx, found.product.type_id));
    const core::ProductRole* granted = t.FindRole(role);
    if (!granted)
      return Fail(Code::kInvalidArgument, "grant.unknown_role",
                  "this product type has no such role", "role");
    if (granted->retired)  // existing grants of it keep working; no new ones
      return Fail(Code::kFailedPrecondition, "role.retired", "this role is retired", "role");
    if (type == core::PrincipalType::kAccount) {
      VAULT_ASSIGN_OR_RETURN(auto m, tx.FindMembership(wid, principal_id));
      if (!m)
        return Fail(Code::kNotFound, "member.not_found", "no such member in this workspace",
                    "principal");
    } else {
      VAULT_ASSIGN_OR_RETURN(auto g, tx.FindGroup(wid, principal_id));
      if (!g)
        return Fail(Code::kNotFound, "group.not_found", "no such group in this workspace",
                    "principal");
    }
    out = core::Grant{found.product.id, type, principal_id, role, wid, p_.clock.Now()};
    VAULT_TRY(tx.PutGrant(out));
    VAULT_TRY(CheckSeats(tx, found.product));
    Changed(tx, wid);
    return audit_.Record(tx, ActorOf(ctx),
                         {"grant.set", "product", found.product.id,
                          JsonSummary({{"principal_type", core::PrincipalTypeName(type)},
                                       {"principal_id", principal_id},
                                       {"role", role}}),
                          wid});
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<void> ProductService::DeleteGrant(const AuthContext& ctx, const std::string& ws,
                                         const std::string& product, core::PrincipalType type,
                                         const std::string& principal_id) {
  std::string wid;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto found,
                           OpenProduct(tx, ctx, ws, product, Capability::kManageAccess, true));
    wid = found.access.workspace.id;
    VAULT_ASSIGN_OR_RETURN(auto d, tx.DeleteGrant(found.product.id, type, principal_id));
    if (!d) return Fail(Code::kNotFound, "grant.not_found", "no such grant");
    Changed(tx, wid);
    return audit_.Record(tx, ActorOf(ctx),
                         {"grant.removed", "product", found.product.id,
                          JsonSummary({{"principal_type", core::PrincipalTypeName(type)},
                                       {"principal_id", principal_id}}),
                          wid});
  });
  return r;
}

}  // namespace vault::app
