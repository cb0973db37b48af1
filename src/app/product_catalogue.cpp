// ProductService: the product catalogue kept by Super Admins — adding product types, and
// editing or retiring a type, its roles and its plans (never deleted: what uses them keeps
// working; every change reaches the access model at once).
#include "app/change_store.hpp"
#include "app/product_service.hpp"
#include "core/encoding.hpp"

namespace vault::app {

using core::Code;
using core::Fail;
using core::Result;

Result<core::ProductType> ProductService::CreateProductType(const AuthContext& ctx,
                                                            core::ProductType type) {
  VAULT_TRY(RequireSuperAdmin(ctx));
  VAULT_ASSIGN_OR_RETURN(auto key, core::ValidateProductShortname(type.key, "key"));
  type.key = key;
  type.id = "pty_" + type.key;
  if (type.roles.empty())
    return Fail(Code::kInvalidArgument, "validation.required", "a product type needs roles",
                "roles");
  if (type.plans.empty())
    return Fail(Code::kInvalidArgument, "validation.required", "a product type needs plans",
                "plans");
  VAULT_TRY(core::ValidatePermissionNames(type.api_permissions, "api_permissions"));
  for (std::size_t i = 0; i < type.roles.size(); ++i)
    VAULT_TRY(core::ValidatePermissionNames(type.roles[i].permissions,
                                            "roles[" + std::to_string(i) + "].permissions"));
  for (std::size_t i = 0; i < type.plans.size(); ++i)
    VAULT_TRY(core::ValidatePermissionNames(type.plans[i].features,
                                            "plans[" + std::to_string(i) + "].features"));
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_TRY(tx.InsertProductType(type));
    NoteCatalogChanged(tx);
    return audit_.Record(
        tx, ActorOf(ctx),
        {"admin.product_type_created", "product_type", type.id, JsonSummary({{"key", type.key}})});
  });
  if (!r) return Fail(r.error());
  return type;
}

Result<core::ProductType> ProductService::ChangeType(
    const AuthContext& ctx, const std::string& id, const char* action,
    const std::function<Result<std::string>(core::ProductType&)>& change) {
  VAULT_TRY(RequireSuperAdmin(ctx));
  core::ProductType out;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto types, tx.ListProductTypes());
    auto it = std::find_if(types.begin(), types.end(), [&](const auto& t) { return t.id == id; });
    if (it == types.end())
      return Fail(Code::kNotFound, "product_type.not_found", "no such product type");
    out = std::move(*it);
    VAULT_ASSIGN_OR_RETURN(auto summary, change(out));
    VAULT_TRY(tx.UpdateProductType(out));
    VAULT_ASSIGN_OR_RETURN(out, TypeOf(tx, id));  // the whole type, as stored
    NoteCatalogChanged(tx);
    return audit_.Record(tx, ActorOf(ctx), {action, "product_type", out.id, summary});
  });
  if (!r) return Fail(r.error());
  return out;
}

namespace {

Result<void> InRange(const char* field, std::int64_t v, std::int64_t lo, std::int64_t hi) {
  if (v < lo || v > hi)
    return Fail(
        Code::kInvalidArgument, "validation.range",
        std::string(field) + " must be from " + std::to_string(lo) + " to " + std::to_string(hi),
        field);
  return {};
}

const char* Bool(bool b) { return b ? "true" : "false"; }

}  // namespace

Result<core::ProductType> ProductService::UpdateProductType(const AuthContext& ctx,
                                                            const std::string& id,
                                                            const ProductTypePatch& patch) {
  std::string name;
  if (patch.name) {
    VAULT_ASSIGN_OR_RETURN(auto n, core::ValidateWorkspaceName(*patch.name, "name"));
    name = n;
  }
  if (patch.api_permissions)
    VAULT_TRY(core::ValidatePermissionNames(*patch.api_permissions, "api_permissions"));
  return ChangeType(
      ctx, id, "admin.product_type_updated", [&](core::ProductType& t) -> Result<std::string> {
        std::string before_name = t.name;
        if (patch.name) t.name = name;
        if (patch.api_permissions) t.api_permissions = *patch.api_permissions;
        if (patch.retired) t.retired = *patch.retired;
        return JsonSummary(
            {{"key", t.key},
             {"name", patch.name ? t.name : ""},
             {"from_name", patch.name ? before_name : ""},
             {"api_permissions", patch.api_permissions ? core::JoinWords(t.api_permissions) : ""},
             {"retired", Bool(t.retired)}});
      });
}

Result<core::ProductType> ProductService::PutProductRole(const AuthContext& ctx,
                                                         const std::string& id,
                                                         core::ProductRole role) {
  VAULT_ASSIGN_OR_RETURN(auto name, core::ValidateProductShortname(role.name, "role"));
  role.name = name;
  VAULT_TRY(InRange("rank", role.rank, 1, 1000));
  VAULT_TRY(core::ValidatePermissionNames(role.permissions, "permissions"));
  return ChangeType(
      ctx, id, "admin.product_role_put", [&](core::ProductType& t) -> Result<std::string> {
        const core::ProductRole* old = t.FindRole(role.name);
        std::string from =
            old ? std::to_string(old->rank) + " " + core::JoinWords(old->permissions) : "";
        bool created = !old;
        t.roles = {role};  // UpdateProductType upserts only what is listed
        return JsonSummary({{"key", t.key},
                            {"role", role.name},
                            {"created", Bool(created)},
                            {"from", from},
                            {"rank", std::to_string(role.rank)},
                            {"permissions", core::JoinWords(role.permissions)},
                            {"retired", Bool(role.retired)}});
      });
}

Result<core::ProductType> ProductService::PutProductPlan(const AuthContext& ctx,
                                                         const std::string& id, core::Plan plan) {
  VAULT_ASSIGN_OR_RETURN(auto key, core::ValidateProductShortname(plan.key, "plan"));
  plan.key = key;
  VAULT_ASSIGN_OR_RETURN(auto name, core::ValidateWorkspaceName(plan.name, "name"));
  plan.name = name;
  VAULT_TRY(InRange("seats", plan.seats, 0, 1000000));
  VAULT_TRY(InRange("trial_days", plan.trial_days, 0, 365));
  VAULT_TRY(core::ValidatePermissionNames(plan.features, "features"));
  return ChangeType(
      ctx, id, "admin.product_plan_put", [&](core::ProductType& t) -> Result<std::string> {
        const core::Plan* old = t.FindPlan(plan.key);
        std::string from = old ? "seats " + std::to_string(old->seats) + ", trial_days " +
                                     std::to_string(old->trial_days) + ", features " +
                                     core::JoinWords(old->features)
                               : "";
        bool created = !old;
        t.plans = {plan};
        return JsonSummary({{"key", t.key},
                            {"plan", plan.key},
                            {"created", Bool(created)},
                            {"from", from},
                            {"seats", std::to_string(plan.seats)},
                            {"trial_days", std::to_string(plan.trial_days)},
                            {"features", core::JoinWords(plan.features)},
                            {"retired", Bool(plan.retired)}});
      });
}

}  // namespace vault::app
