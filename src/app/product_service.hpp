// ProductService: products, subscriptions (local provider), groups and grants inside a
// workspace (SPEC §4, §5), with the capability policy enforced through WorkspaceService::OpenIn
// and seat limits enforced under a product lock. Every write notifies the access model.
// Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/paging.hpp"
#include "app/workspace_service.hpp"
#include "core/product.hpp"

namespace vault::app {

struct ProductRow {
  core::Product product;
  std::string type_name;
  std::optional<core::Subscription> subscription;
  bool active = false;
  int users = 0;        // distinct accounts with effective access
  std::string my_role;  // the caller's effective role, empty without access
};

struct ProductPatch {
  std::optional<std::string> name, shortname;
  std::optional<bool> disabled;
};

struct ProductTypePatch {
  std::optional<std::string> name;
  std::optional<std::vector<std::string>> api_permissions;
  std::optional<bool> retired;
};

struct GroupDetail {
  core::Group group;
  std::vector<std::string> member_ids;
  std::vector<core::Grant> grants;  // product assignments
};

class ProductService {
 public:
  ProductService(Ports ports, WorkspaceService& workspaces);

  // A page of the catalogue by (key, id).
  core::Result<Paged<core::ProductType>> ProductTypes(const PageRequest& page);
  // Whether the caller may do what `capability` covers in workspace `ws` (WorkspaceService::Open
  // errors); handlers ask before validating a body, so authorisation always comes first.
  core::Result<void> Authorize(const AuthContext& ctx, const std::string& ws,
                               core::Capability capability);
  // Super Admins add product types to the catalogue.
  core::Result<core::ProductType> CreateProductType(const AuthContext& ctx, core::ProductType type);
  // Super Admins edit or retire a type, and create, replace or retire one of its roles or plans
  // (never deleted: what uses them keeps working). not_found "product_type.not_found".
  core::Result<core::ProductType> UpdateProductType(const AuthContext& ctx, const std::string& id,
                                                    const ProductTypePatch& patch);
  core::Result<core::ProductType> PutProductRole(const AuthContext& ctx, const std::string& id,
                                                 core::ProductRole role);
  core::Result<core::ProductType> PutProductPlan(const AuthContext& ctx, const std::string& id,
                                                 core::Plan plan);

  // plan empty → the type's trial plan (or its first plan).
  core::Result<ProductRow> Create(const AuthContext& ctx, const std::string& ws,
                                  const std::string& type, const std::string& name,
                                  const std::string& shortname, const std::string& plan);
  // A page of the workspace's products by (name, id).
  core::Result<Paged<ProductRow>> List(const AuthContext& ctx, const std::string& ws,
                                       const PageRequest& page);
  core::Result<ProductRow> Get(const AuthContext& ctx, const std::string& ws,
                               const std::string& product);
  core::Result<ProductRow> Update(const AuthContext& ctx, const std::string& ws,
                                  const std::string& product, const ProductPatch& patch);
  core::Result<void> Delete(const AuthContext& ctx, const std::string& ws,
                            const std::string& product);

  core::Result<core::Subscription> GetSubscription(const AuthContext& ctx, const std::string& ws,
                                                   const std::string& product);
  // Local provider: Owner/Billing pick a plan (trial plans run for trial_days from now).
  core::Result<core::Subscription> ChangePlan(const AuthContext& ctx, const std::string& ws,
                                              const std::string& product, const std::string& plan);

  // The product's configuration ({} at version 0 when never set): every member who can view
  // the product.
  core::Result<core::ProductConfig> GetConfig(const AuthContext& ctx, const std::string& ws,
                                              const std::string& product);
  // Whether the caller administers the product (a workspace Owner or Admin, or a holder of the
  // product's "admin" role); handlers ask before reading a body.
  core::Result<void> AuthorizeProductAdmin(const AuthContext& ctx, const std::string& ws,
                                           const std::string& product);
  // Replaces the configuration (already validated JSON object text); with `expected`, fails
  // failed_precondition "product_config.version_mismatch" unless it is the current version.
  core::Result<core::ProductConfig> PutConfig(const AuthContext& ctx, const std::string& ws,
                                              const std::string& product, std::string config,
                                              std::optional<std::int64_t> expected);
  // Local provider: cancel at period end → non_renewing, live until period_end (a trial keeps
  // its trial end; an open-ended plan gets kLocalNoticeSeconds from now), then inactive by the
  // clock. Fails failed_precondition "subscription.external" (Chargebee manages it),
  // "subscription.already_cancelling", "subscription.inactive" (paused, cancelled or past its end).
  core::Result<core::Subscription> CancelSubscription(const AuthContext& ctx, const std::string& ws,
                                                      const std::string& product);
  // Undoes a cancel before period_end: back to in_trial (a trial plan, same trial end) or active
  // (open-ended). Fails failed_precondition "subscription.external", "subscription.not_cancelling",
  // "subscription.ended" (past period_end: pick a plan anew).
  core::Result<core::Subscription> ResumeSubscription(const AuthContext& ctx, const std::string& ws,
                                                      const std::string& product);
  static constexpr core::Timestamp kLocalNoticeSeconds = 30 * 24 * 3600;

  // A page of the product's grants by (principal type, principal id): accounts first.
  core::Result<Paged<core::Grant>> Grants(const AuthContext& ctx, const std::string& ws,
                                          const std::string& product, const PageRequest& page);
  // Fails failed_precondition "product.seat_limit" beyond the plan's seats, invalid_argument
  // "grant.unknown_role", not_found for a principal outside the workspace.
  core::Result<core::Grant> PutGrant(const AuthContext& ctx, const std::string& ws,
                                     const std::string& product, core::PrincipalType type,
                                     const std::string& principal_id, const std::string& role);
  core::Result<void> DeleteGrant(const AuthContext& ctx, const std::string& ws,
                                 const std::string& product, core::PrincipalType type,
                                 const std::string& principal_id);

  core::Result<core::Group> CreateGroup(const AuthContext& ctx, const std::string& ws,
                                        const std::string& name, const std::string& description);
  // A page of the workspace's groups by (name ignoring case, id).
  core::Result<Paged<core::Group>> ListGroups(const AuthContext& ctx, const std::string& ws,
                                              const PageRequest& page);
  core::Result<GroupDetail> GetGroup(const AuthContext& ctx, const std::string& ws,
                                     const std::string& group);
  core::Result<core::Group> UpdateGroup(const AuthContext& ctx, const std::string& ws,
                                        const std::string& group, std::optional<std::string> name,
                                        std::optional<std::string> description);
  core::Result<void> DeleteGroup(const AuthContext& ctx, const std::string& ws,
                                 const std::string& group);
  core::Result<void> AddGroupMember(const AuthContext& ctx, const std::string& ws,
                                    const std::string& group, const std::string& account_id);
  core::Result<void> RemoveGroupMember(const AuthContext& ctx, const std::string& ws,
                                       const std::string& group, const std::string& account_id);

 private:
  struct ProductAccess {
    WorkspaceAccess access;
    core::Product product;
  };
  // Opens the workspace (for writing: under its lock) and finds the product in it; fails
  // not_found "product.not_found".
  core::Result<ProductAccess> OpenProduct(core::Tx& tx, const AuthContext& ctx,
                                          const std::string& ws, const std::string& product,
                                          core::Capability capability, bool for_write);
  // OpenProduct for the product's administrators; others fail permission_denied.
  core::Result<ProductAccess> OpenProductAdmin(core::Tx& tx, const AuthContext& ctx,
                                               const std::string& ws, const std::string& product,
                                               bool for_write);
  struct LocalSubscription {
    ProductAccess found;
    std::optional<core::Subscription> current;
  };
  // OpenProduct for changing billing, under the product lock, with its subscription; fails
  // failed_precondition "subscription.external" when another provider manages it.
  core::Result<LocalSubscription> OpenLocalSubscription(core::Tx& tx, const AuthContext& ctx,
                                                        const std::string& ws,
                                                        const std::string& product);
  core::Result<ProductRow> Row(core::Tx& tx, const core::Product& p, const std::string& account_id);
  core::Result<core::ProductType> TypeOf(core::Tx& tx, const std::string& type_id_or_key);
  // Loads type `id`, lets `change` edit it (returning the audit summary or failing), stores it,
  // audits `action` and tells the access model the catalogue changed.
  core::Result<core::ProductType> ChangeType(
      const AuthContext& ctx, const std::string& id, const char* action,
      const std::function<core::Result<std::string>(core::ProductType&)>& change);
  core::Subscription NewSubscription(const core::Product& p, const core::Plan& plan) const;
  // The write shared by cancel and resume: `change` turns the current local subscription into the
  // next one (or fails), then it is stored and audited as `action` with the new status.
  core::Result<core::Subscription> ChangeLocalSubscription(
      const AuthContext& ctx, const std::string& ws, const std::string& product, const char* action,
      const std::function<core::Result<void>(core::Subscription&, const core::ProductType&)>&
          change);
  // Notes in tx that the workspace's access changed (app/change_store.hpp).
  static void Changed(core::Tx& tx, const std::string& ws) { NoteWorkspaceChanged(tx, ws); }

  Ports p_;
  WorkspaceService& workspaces_;
  AuditLog audit_;
};

}  // namespace vault::app
