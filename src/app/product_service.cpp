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

Actor ActorIn(const AuthContext& ctx) {
  return Actor{"account", ctx.account.id, ctx.client.ip, ctx.client.user_agent};
}

core::Error ProductNotFound() {
  return core::Error{Code::kNotFound, "product.not_found", "", "no such product in this workspace"};
}

core::Error GroupNotFound() {
  return core::Error{Code::kNotFound, "group.not_found", "", "no such group in this workspace"};
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

ProductService::ProductService(Ports ports, WorkspaceService& workspaces)
    : p_(ports), workspaces_(workspaces), audit_(ports.secrets, ports.random, ports.clock) {}

Result<std::vector<core::ProductType>> ProductService::ProductTypes() {
  std::vector<core::ProductType> out;
  auto r = p_.store.Read([&](core::Tx& tx) -> Result<void> {
    auto t = tx.ListProductTypes();
    if (!t) return Fail(t.error());
    out = std::move(*t);
    return {};
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<core::ProductType> ProductService::CreateProductType(const AuthContext& ctx, core::ProductType type) {
  if (auto ok = RequireSuperAdmin(ctx); !ok) return Fail(ok.error());
  auto key = core::ValidateProductShortname(type.key, "key");
  if (!key) return Fail(key.error());
  type.key = *key;
  type.id = "pty_" + type.key;
  if (type.roles.empty())
    return Fail(Code::kInvalidArgument, "validation.required", "a product type needs roles", "roles");
  if (type.plans.empty())
    return Fail(Code::kInvalidArgument, "validation.required", "a product type needs plans", "plans");
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    if (auto i = tx.InsertProductType(type); !i) return i;
    return audit_.Record(tx, ActorIn(ctx), {"admin.product_type_created", "product_type", type.id,
                                            JsonSummary({{"key", type.key}})});
  });
  if (!r) return Fail(r.error());
  if (p_.changes) p_.changes->CatalogChanged();
  return type;
}

Result<core::ProductType> ProductService::TypeOf(core::Tx& tx, const std::string& type_id_or_key) {
  auto types = tx.ListProductTypes();
  if (!types) return Fail(types.error());
  for (auto& t : *types)
    if (t.id == type_id_or_key || t.key == type_id_or_key) return std::move(t);
  return Fail(Code::kInvalidArgument, "product.unknown_type", "no such product type", "product_type");
}

core::Subscription ProductService::NewSubscription(const core::Product& p, const core::Plan& plan) const {
  core::Subscription s;
  s.product_id = p.id;
  s.plan_key = plan.key;
  s.provider = "local";
  core::Timestamp now = p_.clock.Now();
  s.status = plan.trial_days > 0 ? core::SubscriptionStatus::kInTrial : core::SubscriptionStatus::kActive;
  s.period_end = plan.trial_days > 0 ? now + plan.trial_days * 24 * 3600 : 0;
  s.updated_at = now;
  return s;
}

Result<ProductRow> ProductService::Row(core::Tx& tx, const core::Product& p, const std::string& account_id) {
  ProductRow row;
  row.product = p;
  auto type = TypeOf(tx, p.type_id);
  if (!type) return Fail(type.error());
  row.type_name = type->name;
  auto sub = tx.FindSubscription(p.id);
  if (!sub) return Fail(sub.error());
  row.subscription = *sub;
  row.active = core::IsProductActive(p, row.subscription, p_.clock.Now());
  auto seats = tx.CountSeats(p.id);
  if (!seats) return Fail(seats.error());
  row.users = *seats;
  auto grants = tx.ListGrants(p.id);
  if (!grants) return Fail(grants.error());
  auto members = tx.ListGroupMembers(p.workspace_id);
  if (!members) return Fail(members.error());
  std::set<std::string> my_groups;
  for (const auto& [g, a] : *members)
    if (a == account_id) my_groups.insert(g);
  int best = 0;
  for (const auto& g : *grants) {
    bool mine = g.principal_type == core::PrincipalType::kAccount ? g.principal_id == account_id
                                                                   : my_groups.contains(g.principal_id);
    const core::ProductRole* role = type->FindRole(g.role);
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
  auto n = core::ValidateWorkspaceName(name, "name");
  if (!n) return Fail(n.error());
  auto s = core::ValidateProductShortname(shortname, "shortname");
  if (!s) return Fail(s.error());
  ProductRow out;
  std::string wid;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto access = workspaces_.OpenForWrite(tx, ctx, ws, Capability::kManageAccess);
    if (!access) return Fail(access.error());
    wid = access->workspace.id;
    auto t = TypeOf(tx, type);
    if (!t) return Fail(t.error());
    const core::Plan* chosen = plan.empty() ? t->FindPlan("trial") : t->FindPlan(plan);
    if (!chosen && plan.empty()) chosen = &t->plans.front();
    if (!chosen) return Fail(Code::kInvalidArgument, "product.unknown_plan", "no such plan for this product type", "plan");
    core::Timestamp now = p_.clock.Now();
    core::Product p{core::NewId(p_.random, "prd"), wid, t->id, *n, *s, false, now, now};
    if (auto i = tx.InsertProduct(p); !i) return i;
    if (auto sub = tx.PutSubscription(NewSubscription(p, *chosen)); !sub) return sub;
    if (auto e = audit_.Record(tx, ActorIn(ctx),
                               {"product.created", "product", p.id,
                                JsonSummary({{"type", t->key}, {"shortname", *s}, {"plan", chosen->key}}), wid});
        !e)
      return e;
    auto row = Row(tx, p, ctx.account.id);
    if (!row) return Fail(row.error());
    out = std::move(*row);
    return {};
  });
  if (!r) return Fail(r.error());
  Changed(wid);
  return out;
}

Result<std::vector<ProductRow>> ProductService::List(const AuthContext& ctx, const std::string& ws) {
  std::vector<ProductRow> out;
  auto r = p_.store.Read([&](core::Tx& tx) -> Result<void> {
    auto access = workspaces_.OpenIn(tx, ctx, ws, Capability::kView);
    if (!access) return Fail(access.error());
    auto products = tx.ListProducts(access->workspace.id);
    if (!products) return Fail(products.error());
    for (const auto& p : *products) {
      auto row = Row(tx, p, ctx.account.id);
      if (!row) return Fail(row.error());
      out.push_back(std::move(*row));
    }
    return {};
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<ProductRow> ProductService::Get(const AuthContext& ctx, const std::string& ws, const std::string& product) {
  ProductRow out;
  auto r = p_.store.Read([&](core::Tx& tx) -> Result<void> {
    auto access = workspaces_.OpenIn(tx, ctx, ws, Capability::kView);
    if (!access) return Fail(access.error());
    auto p = tx.FindProduct(access->workspace.id, product);
    if (!p) return Fail(p.error());
    if (!*p) return Fail(ProductNotFound());
    auto row = Row(tx, **p, ctx.account.id);
    if (!row) return Fail(row.error());
    out = std::move(*row);
    return {};
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<ProductRow> ProductService::Update(const AuthContext& ctx, const std::string& ws,
                                          const std::string& product, const ProductPatch& patch) {
  ProductRow out;
  std::string wid;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto access = workspaces_.OpenForWrite(tx, ctx, ws, Capability::kManageAccess);
    if (!access) return Fail(access.error());
    wid = access->workspace.id;
    auto p = tx.FindProduct(wid, product);
    if (!p) return Fail(p.error());
    if (!*p) return Fail(ProductNotFound());
    core::Product updated = **p;
    if (patch.name) {
      auto n = core::ValidateWorkspaceName(*patch.name, "name");
      if (!n) return Fail(n.error());
      updated.name = *n;
    }
    if (patch.shortname) {
      auto s = core::ValidateProductShortname(*patch.shortname, "shortname");
      if (!s) return Fail(s.error());
      updated.shortname = *s;
    }
    if (patch.disabled) updated.disabled = *patch.disabled;
    updated.updated_at = p_.clock.Now();
    if (auto u = tx.UpdateProduct(updated); !u) return u;
    if (auto e = audit_.Record(tx, ActorIn(ctx),
                               {patch.disabled ? (*patch.disabled ? "product.disabled" : "product.enabled")
                                               : "product.updated",
                                "product", updated.id, "{}", wid});
        !e)
      return e;
    auto row = Row(tx, updated, ctx.account.id);
    if (!row) return Fail(row.error());
    out = std::move(*row);
    return {};
  });
  if (!r) return Fail(r.error());
  Changed(wid);
  return out;
}

Result<void> ProductService::Delete(const AuthContext& ctx, const std::string& ws, const std::string& product) {
  std::string wid;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto access = workspaces_.OpenForWrite(tx, ctx, ws, Capability::kManageAccess);
    if (!access) return Fail(access.error());
    wid = access->workspace.id;
    auto p = tx.FindProduct(wid, product);
    if (!p) return Fail(p.error());
    if (!*p) return Fail(ProductNotFound());
    if (auto e = audit_.Record(tx, ActorIn(ctx), {"product.deleted", "product", (*p)->id,
                                                  JsonSummary({{"shortname", (*p)->shortname}}), wid});
        !e)
      return e;
    return tx.DeleteProduct((*p)->id);
  });
  if (r) Changed(wid);
  return r;
}

Result<core::Subscription> ProductService::GetSubscription(const AuthContext& ctx, const std::string& ws,
                                                           const std::string& product) {
  core::Subscription out;
  auto r = p_.store.Read([&](core::Tx& tx) -> Result<void> {
    auto access = workspaces_.OpenIn(tx, ctx, ws, Capability::kSeeBilling);
    if (!access) return Fail(access.error());
    auto p = tx.FindProduct(access->workspace.id, product);
    if (!p) return Fail(p.error());
    if (!*p) return Fail(ProductNotFound());
    auto s = tx.FindSubscription((*p)->id);
    if (!s) return Fail(s.error());
    if (!*s) return Fail(Code::kNotFound, "subscription.not_found", "this product has no subscription");
    out = **s;
    return {};
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<core::Subscription> ProductService::ChangePlan(const AuthContext& ctx, const std::string& ws,
                                                      const std::string& product, const std::string& plan) {
  core::Subscription out;
  std::string wid;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto access = workspaces_.OpenForWrite(tx, ctx, ws, Capability::kChangeBilling);
    if (!access) return Fail(access.error());
    wid = access->workspace.id;
    auto p = tx.FindProduct(wid, product);
    if (!p) return Fail(p.error());
    if (!*p) return Fail(ProductNotFound());
    if (auto l = tx.LockProduct((*p)->id); !l) return l;
    auto current = tx.FindSubscription((*p)->id);
    if (!current) return Fail(current.error());
    if (*current && (*current)->provider != "local")
      return Fail(Code::kFailedPrecondition, "subscription.external",
                  "this subscription is managed by " + (*current)->provider);
    auto t = TypeOf(tx, (*p)->type_id);
    if (!t) return Fail(t.error());
    const core::Plan* chosen = t->FindPlan(plan);
    if (!chosen) return Fail(Code::kInvalidArgument, "product.unknown_plan", "no such plan for this product type", "plan");
    out = NewSubscription(**p, *chosen);
    if (auto s = tx.PutSubscription(out); !s) return s;
    if (auto seats = CheckSeats(tx, **p); !seats) return seats;  // a smaller plan must still fit
    return audit_.Record(tx, ActorIn(ctx),
                         {"subscription.plan_changed", "product", (*p)->id,
                          JsonSummary({{"from", *current ? (*current)->plan_key : ""}, {"to", chosen->key}}), wid});
  });
  if (!r) return Fail(r.error());
  Changed(wid);
  return out;
}

Result<std::vector<core::Grant>> ProductService::Grants(const AuthContext& ctx, const std::string& ws,
                                                        const std::string& product) {
  std::vector<core::Grant> out;
  auto r = p_.store.Read([&](core::Tx& tx) -> Result<void> {
    auto access = workspaces_.OpenIn(tx, ctx, ws, Capability::kView);
    if (!access) return Fail(access.error());
    auto p = tx.FindProduct(access->workspace.id, product);
    if (!p) return Fail(p.error());
    if (!*p) return Fail(ProductNotFound());
    auto g = tx.ListGrants((*p)->id);
    if (!g) return Fail(g.error());
    out = std::move(*g);
    return {};
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<core::Grant> ProductService::PutGrant(const AuthContext& ctx, const std::string& ws,
                                             const std::string& product, core::PrincipalType type,
                                             const std::string& principal_id, const std::string& role) {
  core::Grant out;
  std::string wid;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto access = workspaces_.OpenForWrite(tx, ctx, ws, Capability::kManageAccess);
    if (!access) return Fail(access.error());
    wid = access->workspace.id;
    auto p = tx.FindProduct(wid, product);
    if (!p) return Fail(p.error());
    if (!*p) return Fail(ProductNotFound());
    // Serialise grant changes of one product so concurrent grants cannot overshoot the seats.
    if (auto l = tx.LockProduct((*p)->id); !l) return l;
    auto t = TypeOf(tx, (*p)->type_id);
    if (!t) return Fail(t.error());
    if (!t->FindRole(role))
      return Fail(Code::kInvalidArgument, "grant.unknown_role", "this product type has no such role", "role");
    if (type == core::PrincipalType::kAccount) {
      auto m = tx.FindMembership(wid, principal_id);
      if (!m) return Fail(m.error());
      if (!*m) return Fail(Code::kNotFound, "member.not_found", "no such member in this workspace", "principal");
    } else {
      auto g = tx.FindGroup(wid, principal_id);
      if (!g) return Fail(g.error());
      if (!*g) return Fail(Code::kNotFound, "group.not_found", "no such group in this workspace", "principal");
    }
    out = core::Grant{(*p)->id, type, principal_id, role, wid, p_.clock.Now()};
    if (auto g = tx.PutGrant(out); !g) return g;
    if (auto seats = CheckSeats(tx, **p); !seats) return seats;
    return audit_.Record(tx, ActorIn(ctx),
                         {"grant.set", "product", (*p)->id,
                          JsonSummary({{"principal_type", core::PrincipalTypeName(type)},
                                       {"principal_id", principal_id}, {"role", role}}),
                          wid});
  });
  if (!r) return Fail(r.error());
  Changed(wid);
  return out;
}

Result<void> ProductService::DeleteGrant(const AuthContext& ctx, const std::string& ws,
                                         const std::string& product, core::PrincipalType type,
                                         const std::string& principal_id) {
  std::string wid;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto access = workspaces_.OpenForWrite(tx, ctx, ws, Capability::kManageAccess);
    if (!access) return Fail(access.error());
    wid = access->workspace.id;
    auto p = tx.FindProduct(wid, product);
    if (!p) return Fail(p.error());
    if (!*p) return Fail(ProductNotFound());
    auto d = tx.DeleteGrant((*p)->id, type, principal_id);
    if (!d) return Fail(d.error());
    if (!*d) return Fail(Code::kNotFound, "grant.not_found", "no such grant");
    return audit_.Record(tx, ActorIn(ctx),
                         {"grant.removed", "product", (*p)->id,
                          JsonSummary({{"principal_type", core::PrincipalTypeName(type)},
                                       {"principal_id", principal_id}}),
                          wid});
  });
  if (r) Changed(wid);
  return r;
}

Result<core::Group> ProductService::CreateGroup(const AuthContext& ctx, const std::string& ws,
                                                const std::string& name, const std::string& description) {
  auto n = core::ValidateWorkspaceName(name, "name");
  if (!n) return Fail(n.error());
  auto d = core::ValidateDescription(description, "description");
  if (!d) return Fail(d.error());
  core::Group out;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto access = workspaces_.OpenForWrite(tx, ctx, ws, Capability::kManageAccess);
    if (!access) return Fail(access.error());
    out = core::Group{core::NewId(p_.random, "grp"), access->workspace.id, *n, Lower(*n), *d, p_.clock.Now()};
    if (auto i = tx.InsertGroup(out); !i) return i;
    return audit_.Record(tx, ActorIn(ctx), {"group.created", "group", out.id,
                                            JsonSummary({{"name", *n}}), out.workspace_id});
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<std::vector<core::Group>> ProductService::ListGroups(const AuthContext& ctx, const std::string& ws) {
  std::vector<core::Group> out;
  auto r = p_.store.Read([&](core::Tx& tx) -> Result<void> {
    auto access = workspaces_.OpenIn(tx, ctx, ws, Capability::kView);
    if (!access) return Fail(access.error());
    auto g = tx.ListGroups(access->workspace.id);
    if (!g) return Fail(g.error());
    out = std::move(*g);
    return {};
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<GroupDetail> ProductService::GetGroup(const AuthContext& ctx, const std::string& ws,
                                             const std::string& group) {
  GroupDetail out;
  auto r = p_.store.Read([&](core::Tx& tx) -> Result<void> {
    auto access = workspaces_.OpenIn(tx, ctx, ws, Capability::kView);
    if (!access) return Fail(access.error());
    auto g = tx.FindGroup(access->workspace.id, group);
    if (!g) return Fail(g.error());
    if (!*g) return Fail(GroupNotFound());
    out.group = **g;
    auto members = tx.ListGroupMembers(access->workspace.id);
    if (!members) return Fail(members.error());
    for (const auto& [gid, a] : *members)
      if (gid == out.group.id) out.member_ids.push_back(a);
    auto grants = tx.ListWorkspaceGrants(access->workspace.id);
    if (!grants) return Fail(grants.error());
    for (auto& gr : *grants)
      if (gr.principal_type == core::PrincipalType::kGroup && gr.principal_id == out.group.id)
        out.grants.push_back(std::move(gr));
    return {};
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<core::Group> ProductService::UpdateGroup(const AuthContext& ctx, const std::string& ws,
                                                const std::string& group, std::optional<std::string> name,
                                                std::optional<std::string> description) {
  core::Group out;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto access = workspaces_.OpenForWrite(tx, ctx, ws, Capability::kManageAccess);
    if (!access) return Fail(access.error());
    auto g = tx.FindGroup(access->workspace.id, group);
    if (!g) return Fail(g.error());
    if (!*g) return Fail(GroupNotFound());
    out = **g;
    if (name) {
      auto n = core::ValidateWorkspaceName(*name, "name");
      if (!n) return Fail(n.error());
      out.name = *n;
      out.name_norm = Lower(*n);
    }
    if (description) {
      auto d = core::ValidateDescription(*description, "description");
      if (!d) return Fail(d.error());
      out.description = *d;
    }
    if (auto u = tx.UpdateGroup(out); !u) return u;
    return audit_.Record(tx, ActorIn(ctx), {"group.updated", "group", out.id, "{}", out.workspace_id});
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<void> ProductService::DeleteGroup(const AuthContext& ctx, const std::string& ws, const std::string& group) {
  std::string wid;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto access = workspaces_.OpenForWrite(tx, ctx, ws, Capability::kManageAccess);
    if (!access) return Fail(access.error());
    wid = access->workspace.id;
    auto g = tx.FindGroup(wid, group);
    if (!g) return Fail(g.error());
    if (!*g) return Fail(GroupNotFound());
    if (auto e = audit_.Record(tx, ActorIn(ctx), {"group.deleted", "group", (*g)->id,
                                                  JsonSummary({{"name", (*g)->name}}), wid});
        !e)
      return e;
    return tx.DeleteGroup((*g)->id);
  });
  if (r) Changed(wid);
  return r;
}

Result<void> ProductService::AddGroupMember(const AuthContext& ctx, const std::string& ws,
                                            const std::string& group, const std::string& account_id) {
  std::string wid;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto access = workspaces_.OpenForWrite(tx, ctx, ws, Capability::kManageAccess);
    if (!access) return Fail(access.error());
    wid = access->workspace.id;
    auto g = tx.FindGroup(wid, group);
    if (!g) return Fail(g.error());
    if (!*g) return Fail(GroupNotFound());
    auto m = tx.FindMembership(wid, account_id);
    if (!m) return Fail(m.error());
    if (!*m) return Fail(Code::kNotFound, "member.not_found", "only members of the workspace can join its groups");
    // The group's products gain a user: lock them and re-check their seats.
    auto grants = tx.ListWorkspaceGrants(wid);
    if (!grants) return Fail(grants.error());
    std::vector<std::string> products;
    for (const auto& gr : *grants)
      if (gr.principal_type == core::PrincipalType::kGroup && gr.principal_id == (*g)->id)
        products.push_back(gr.product_id);
    std::sort(products.begin(), products.end());  // a fixed lock order avoids deadlocks
    for (const auto& pid : products)
      if (auto l = tx.LockProduct(pid); !l) return l;
    auto added = tx.AddGroupMember(wid, (*g)->id, account_id);
    if (!added) return Fail(added.error());
    if (!*added) return {};  // already a member: nothing changes
    for (const auto& pid : products) {
      auto p = tx.FindProductById(pid);
      if (!p) return Fail(p.error());
      if (*p)
        if (auto seats = CheckSeats(tx, **p); !seats) return seats;
    }
    return audit_.Record(tx, ActorIn(ctx), {"group.member_added", "group", (*g)->id,
                                            JsonSummary({{"account_id", account_id}}), wid});
  });
  if (r) Changed(wid);
  return r;
}

Result<void> ProductService::RemoveGroupMember(const AuthContext& ctx, const std::string& ws,
                                               const std::string& group, const std::string& account_id) {
  std::string wid;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    auto access = workspaces_.OpenForWrite(tx, ctx, ws, Capability::kManageAccess);
    if (!access) return Fail(access.error());
    wid = access->workspace.id;
    auto g = tx.FindGroup(wid, group);
    if (!g) return Fail(g.error());
    if (!*g) return Fail(GroupNotFound());
    auto removed = tx.RemoveGroupMember((*g)->id, account_id);
    if (!removed) return Fail(removed.error());
    if (!*removed) return Fail(Code::kNotFound, "member.not_found", "this account is not in the group");
    return audit_.Record(tx, ActorIn(ctx), {"group.member_removed", "group", (*g)->id,
                                            JsonSummary({{"account_id", account_id}}), wid});
  });
  if (r) Changed(wid);
  return r;
}

}  // namespace vault::app
