// Who administers a product inside a workspace: the accounts holding the product role named
// "admin" (the role every seeded product type has at its top; ADR-free rule shared by API keys,
// product configuration and callback signing secrets), directly or through one of their groups.
#pragma once

#include <set>
#include <string>

#include "app/workspace_service.hpp"
#include "core/error.hpp"
#include "core/store.hpp"

namespace vault::app {

// The product role whose holders administer a product.
inline constexpr const char* kProductAdminRole = "admin";

// The ids of the products of `workspace_id` that `account_id` administers.
core::Result<std::set<std::string>> AdministeredProducts(core::Tx& tx,
                                                         const std::string& workspace_id,
                                                         const std::string& account_id);

// A product opened for one of its administrators.
struct AdministeredProduct {
  WorkspaceAccess access;
  core::Product product;
};

// Opens workspace `ws` (for writing: under its lock) and the product `product` (id or
// shortname) in it for a workspace Owner or Admin or one of the product's Admins. Fails as
// WorkspaceService::OpenIn, not_found "product.not_found", then permission_denied
// "permission.denied" for any other member.
core::Result<AdministeredProduct> OpenAdministeredProduct(
    core::Tx& tx, WorkspaceService& workspaces, const AuthContext& ctx, const std::string& ws,
    const std::string& product, bool for_write);

}  // namespace vault::app
