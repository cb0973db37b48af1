// ProductService: products, subscriptions (local provider), groups and grants inside a
// workspace (SPEC §4, §5), with the capability policy enforced through WorkspaceService::OpenIn
// and seat limits enforced under a product lock. Every write notifies the access model.
// Thread-safe.
#pragma once

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
  core::Result<ProductRow> Row(core::Tx& tx, const core::Product& p, const std::string& account_id);
  core::Result<core::ProductType> TypeOf(core::Tx& tx, const std::string& type_id_or_key);
  core::Subscription NewSubscription(const core::Product& p, const core::Plan& plan) const;
  void Changed(const std::string& ws) {
    if (p_.changes) p_.changes->WorkspaceChanged(ws);
  }

  Ports p_;
  WorkspaceService& workspaces_;
  AuditLog audit_;
};

}  // namespace vault::app
