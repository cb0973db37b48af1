// Who administers a product inside a workspace: the accounts holding the product role named
// "admin" (the role every seeded product type has at its top; ADR-free rule shared by API keys,
// product configuration and callback signing secrets), directly or through one of their groups.
#pragma once

#include <set>
#include <string>

#include "core/error.hpp"
#include "core/store.hpp"

namespace vault::app {

// The product role whose holders administer a product.
inline constexpr const char* kProductAdminRole = "admin";

// The ids of the products of `workspace_id` that `account_id` administers.
core::Result<std::set<std::string>> AdministeredProducts(core::Tx& tx,
                                                         const std::string& workspace_id,
                                                         const std::string& account_id);

}  // namespace vault::app
