// ProductService: a product instance's own configuration (issue 19) — read by the members who
// can view the product, written by the workspace's Owners and Admins and the product's Admins.
#include <string>

#include "app/product_admins.hpp"
#include "app/product_service.hpp"

namespace vault::app {

using core::Capability;
using core::Code;
using core::Fail;
using core::Result;

Result<ProductService::ProductAccess> ProductService::OpenProductAdmin(core::Tx& tx,
                                                                       const AuthContext& ctx,
                                                                       const std::string& ws,
                                                                       const std::string& product,
                                                                       bool for_write) {
  VAULT_ASSIGN_OR_RETURN(auto found,
                         OpenAdministeredProduct(tx, workspaces_, ctx, ws, product, for_write));
  return ProductAccess{std::move(found.access), std::move(found.product)};
}

Result<void> ProductService::AuthorizeProductAdmin(const AuthContext& ctx, const std::string& ws,
                                                   const std::string& product) {
  return p_.store.Read([&](core::Tx& tx) -> Result<void> {
    VAULT_TRY(OpenProductAdmin(tx, ctx, ws, product, false));
    return {};
  });
}

Result<core::ProductConfig> ProductService::GetConfig(const AuthContext& ctx, const std::string& ws,
                                                      const std::string& product) {
  return p_.store.Read([&](core::Tx& tx) -> Result<core::ProductConfig> {
    VAULT_ASSIGN_OR_RETURN(auto found, OpenProduct(tx, ctx, ws, product, Capability::kView, false));
    VAULT_ASSIGN_OR_RETURN(auto c, tx.FindProductConfig(found.product.id));
    if (c) return std::move(*c);
    core::ProductConfig empty;
    empty.product_id = found.product.id;
    return empty;
  });
}

Result<core::ProductConfig> ProductService::PutConfig(const AuthContext& ctx, const std::string& ws,
                                                      const std::string& product,
                                                      std::string config,
                                                      std::optional<std::int64_t> expected) {
  core::ProductConfig out;
  std::string wid;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto found, OpenProductAdmin(tx, ctx, ws, product, true));
    wid = found.access.workspace.id;
    VAULT_TRY(tx.LockProduct(found.product.id));  // serialises the version check
    VAULT_ASSIGN_OR_RETURN(auto current, tx.FindProductConfig(found.product.id));
    std::int64_t version = current ? current->version : 0;
    if (expected && *expected != version)
      return Fail(Code::kFailedPrecondition, "product_config.version_mismatch",
                  "the configuration changed since version " + std::to_string(*expected) +
                      "; it is at version " + std::to_string(version));
    out.product_id = found.product.id;
    out.config = std::move(config);
    out.version = version + 1;
    out.updated_at = p_.clock.Now();
    out.updated_by = ctx.account.id;
    VAULT_TRY(tx.PutProductConfig(out));
    // The size, never the content: a configuration may hold anything its Admins put there.
    Changed(tx, wid);
    return audit_.Record(tx, ActorOf(ctx),
                         {"product.config_updated", "product", found.product.id,
                          "{\"bytes\":" + std::to_string(out.config.size()) +
                              ",\"version\":" + std::to_string(out.version) + "}",
                          wid});
  });
  if (!r) return Fail(r.error());
  return out;
}

}  // namespace vault::app
