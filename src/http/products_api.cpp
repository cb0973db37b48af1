// Handlers for product types, products, subscriptions, grants, groups (SPEC §13 "products",
// "grants", "groups"), the product-facing access API and the Chargebee webhook.
#include <boost/json.hpp>

#include "core/encoding.hpp"
#include "http/api.hpp"
#include "http/auth.hpp"
#include "http/handler_util.hpp"
#include "http/json_body.hpp"
#include "http/product_json.hpp"

namespace vault::http {
namespace {

class ProductsApi {
 public:
  ProductsApi(app::AccountService& accounts, app::ProductService& products,
              app::IntegrationService& integration, const ApiOptions& options,
              const BillingOptions& billing)
      : accounts_(accounts),
        products_(products),
        integration_(integration),
        billing_(billing),
        origin_(OriginOf(options.public_url)) {}

  void Register(Router& r) {
    using E = Executor;
    using A = ProductsApi;
    const std::string p = "/api/v1/workspaces/{ws}/products";
    const std::string g = "/api/v1/workspaces/{ws}/groups";
    AddRoute(r, this, "GET", "/api/v1/product-types", E::kBlocking, &A::Types);
    AddRoute(r, this, "POST", p.c_str(), E::kBlocking, &A::Create);
    AddRoute(r, this, "GET", p.c_str(), E::kBlocking, &A::List);
    AddRoute(r, this, "GET", (p + "/{product}").c_str(), E::kBlocking, &A::Get);
    AddRoute(r, this, "PATCH", (p + "/{product}").c_str(), E::kBlocking, &A::Patch);
    AddRoute(r, this, "DELETE", (p + "/{product}").c_str(), E::kBlocking, &A::Delete);
    AddRoute(r, this, "GET", (p + "/{product}/subscription").c_str(), E::kBlocking,
             &A::GetSubscription);
    AddRoute(r, this, "PUT", (p + "/{product}/subscription").c_str(), E::kBlocking,
             &A::PutSubscription);
    AddRoute(r, this, "GET", (p + "/{product}/grants").c_str(), E::kBlocking, &A::Grants);
    AddRoute(r, this, "PUT", (p + "/{product}/grants").c_str(), E::kBlocking, &A::PutGrant);
    AddRoute(r, this, "DELETE", (p + "/{product}/grants/{principal_type}/{principal_id}").c_str(),
             E::kBlocking, &A::DeleteGrant);
    AddRoute(r, this, "POST", g.c_str(), E::kBlocking, &A::CreateGroup);
    AddRoute(r, this, "GET", g.c_str(), E::kBlocking, &A::ListGroups);
    AddRoute(r, this, "GET", (g + "/{group}").c_str(), E::kBlocking, &A::GetGroup);
    AddRoute(r, this, "PATCH", (g + "/{group}").c_str(), E::kBlocking, &A::PatchGroup);
    AddRoute(r, this, "DELETE", (g + "/{group}").c_str(), E::kBlocking, &A::DeleteGroup);
    AddRoute(r, this, "PUT", (g + "/{group}/members/{account_id}").c_str(), E::kBlocking,
             &A::AddMember);
    AddRoute(r, this, "DELETE", (g + "/{group}/members/{account_id}").c_str(), E::kBlocking,
             &A::RemoveMember);
    AddRoute(r, this, "POST", "/api/v1/access/check", E::kInlineFirst, &A::Check);
    AddRoute(r, this, "POST", "/api/v1/access/explain", E::kInlineFirst, &A::Explain);
    AddRoute(r, this, "POST", "/api/v1/billing/chargebee/webhook", E::kBlocking, &A::Chargebee);
    AddRoute(r, this, "GET", "/api/v1/admin/product-types", E::kBlocking, &A::AdminTypes);
    AddRoute(r, this, "POST", "/api/v1/admin/product-types", E::kBlocking, &A::CreateType);
    AddRoute(r, this, "GET", "/api/v1/admin/service-clients", E::kBlocking, &A::ListClients);
    AddRoute(r, this, "POST", "/api/v1/admin/service-clients", E::kBlocking, &A::CreateClient);
    AddRoute(r, this, "DELETE", "/api/v1/admin/service-clients/{id}", E::kBlocking,
             &A::RevokeClient);
  }

 private:
  core::Result<app::AuthContext> Auth(const Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto a, Authenticate(req, accounts_, origin_));
    return std::move(a.ctx);
  }

  core::Result<core::ServiceClient> Client(const Request& req) {
    return AuthenticateServiceClient(req, integration_);
  }

  core::Result<Response> Types(Request& req) {
    VAULT_TRY(Auth(req));
    VAULT_ASSIGN_OR_RETURN(auto types, products_.ProductTypes());
    boost::json::array items;
    for (const auto& t : types) items.push_back(RenderType(t));
    return JsonOk(200, boost::json::object{{"items", std::move(items)}});
  }

  core::Result<Response> AdminTypes(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(app::RequireSuperAdmin(ctx));
    return Types(req);
  }

  core::Result<Response> Create(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(products_.Authorize(ctx, req.params["ws"], core::Capability::kManageAccess));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
    VAULT_ASSIGN_OR_RETURN(auto type, body.String("product_type", 64));
    VAULT_ASSIGN_OR_RETURN(auto name, body.String("name", 100));
    VAULT_ASSIGN_OR_RETURN(auto shortname, body.String("shortname", 40));
    VAULT_ASSIGN_OR_RETURN(auto plan, body.OptString("plan", 64));
    if (plan && (plan)->empty())
      return core::Fail(core::Code::kInvalidArgument, "product.unknown_plan",
                        "no such plan for this product type", "plan");
    VAULT_ASSIGN_OR_RETURN(auto row, products_.Create(ctx, req.params["ws"], type, name, shortname,
                                                      plan.value_or("")));
    return JsonOk(201, RenderProduct(row));
  }

  core::Result<Response> List(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_ASSIGN_OR_RETURN(auto rows, products_.List(ctx, req.params["ws"]));
    boost::json::array items;
    for (const auto& r : rows) items.push_back(RenderProduct(r));
    return JsonOk(200, boost::json::object{{"items", std::move(items)}});
  }

  core::Result<Response> Get(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_ASSIGN_OR_RETURN(auto row, products_.Get(ctx, req.params["ws"], req.params["product"]));
    return JsonOk(200, RenderProduct(row));
  }

  core::Result<Response> Patch(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(products_.Authorize(ctx, req.params["ws"], core::Capability::kManageAccess));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
    VAULT_ASSIGN_OR_RETURN(auto name, body.OptString("name", 100));
    VAULT_ASSIGN_OR_RETURN(auto shortname, body.OptString("shortname", 40));
    VAULT_ASSIGN_OR_RETURN(auto disabled, body.OptBool("disabled"));
    auto row =
        products_.Update(ctx, req.params["ws"], req.params["product"], {name, shortname, disabled});
    if (!row) return core::Fail(row.error());
    return JsonOk(200, RenderProduct(*row));
  }

  core::Result<Response> Delete(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(products_.Delete(ctx, req.params["ws"], req.params["product"]));
    return Response::NoContent();
  }

  core::Result<Response> GetSubscription(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_ASSIGN_OR_RETURN(auto s,
                           products_.GetSubscription(ctx, req.params["ws"], req.params["product"]));
    return JsonOk(200, RenderSubscription(s));
  }

  core::Result<Response> PutSubscription(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(products_.Authorize(ctx, req.params["ws"], core::Capability::kChangeBilling));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
    VAULT_ASSIGN_OR_RETURN(auto plan, body.String("plan", 64));
    VAULT_ASSIGN_OR_RETURN(
        auto s, products_.ChangePlan(ctx, req.params["ws"], req.params["product"], plan));
    return JsonOk(200, RenderSubscription(s));
  }

  core::Result<Response> Grants(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_ASSIGN_OR_RETURN(auto grants,
                           products_.Grants(ctx, req.params["ws"], req.params["product"]));
    boost::json::array items;
    for (const auto& g : grants) items.push_back(RenderGrant(g));
    return JsonOk(200, boost::json::object{{"items", std::move(items)}});
  }

  core::Result<Response> PutGrant(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(products_.Authorize(ctx, req.params["ws"], core::Capability::kManageAccess));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
    VAULT_ASSIGN_OR_RETURN(auto principal, body.Object("principal"));
    auto type_name = principal.String("type", 16);
    if (!type_name) return core::Fail(core::Prefixed(type_name.error(), "principal."));
    VAULT_ASSIGN_OR_RETURN(auto type, core::ParsePrincipalType(*type_name, "principal.type"));
    auto id = principal.String("id", 64);
    if (!id) return core::Fail(core::Prefixed(id.error(), "principal."));
    VAULT_ASSIGN_OR_RETURN(auto role, body.String("role", 64));
    VAULT_ASSIGN_OR_RETURN(
        auto g, products_.PutGrant(ctx, req.params["ws"], req.params["product"], type, *id, role));
    return JsonOk(200, RenderGrant(g));
  }

  core::Result<Response> DeleteGrant(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(products_.Authorize(ctx, req.params["ws"], core::Capability::kManageAccess));
    VAULT_ASSIGN_OR_RETURN(
        auto type, core::ParsePrincipalType(req.params["principal_type"], "principal_type"));
    VAULT_TRY(products_.DeleteGrant(ctx, req.params["ws"], req.params["product"], type,
                                    req.params["principal_id"]));
    return Response::NoContent();
  }

  core::Result<Response> CreateGroup(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(products_.Authorize(ctx, req.params["ws"], core::Capability::kManageAccess));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
    VAULT_ASSIGN_OR_RETURN(auto name, body.String("name", 100));
    VAULT_ASSIGN_OR_RETURN(auto description, body.OptString("description", 1000));
    VAULT_ASSIGN_OR_RETURN(
        auto g, products_.CreateGroup(ctx, req.params["ws"], name, description.value_or("")));
    return JsonOk(201, RenderGroup(g));
  }

  core::Result<Response> ListGroups(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_ASSIGN_OR_RETURN(auto groups, products_.ListGroups(ctx, req.params["ws"]));
    boost::json::array items;
    for (const auto& g : groups) items.push_back(RenderGroup(g));
    return JsonOk(200, boost::json::object{{"items", std::move(items)}});
  }

  core::Result<Response> GetGroup(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_ASSIGN_OR_RETURN(auto d, products_.GetGroup(ctx, req.params["ws"], req.params["group"]));
    boost::json::object o = RenderGroup(d.group);
    boost::json::array members, grants;
    for (const auto& m : d.member_ids) members.emplace_back(m);
    for (const auto& g : d.grants)
      grants.push_back({{"product_id", g.product_id}, {"role", g.role}});
    o["member_ids"] = std::move(members);
    o["products"] = std::move(grants);
    return JsonOk(200, o);
  }

  core::Result<Response> PatchGroup(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(products_.Authorize(ctx, req.params["ws"], core::Capability::kManageAccess));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
    VAULT_ASSIGN_OR_RETURN(auto name, body.OptString("name", 100));
    VAULT_ASSIGN_OR_RETURN(auto description, body.OptString("description", 1000));
    VAULT_ASSIGN_OR_RETURN(auto g, products_.UpdateGroup(ctx, req.params["ws"], req.params["group"],
                                                         name, description));
    return JsonOk(200, RenderGroup(g));
  }

  core::Result<Response> DeleteGroup(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(products_.DeleteGroup(ctx, req.params["ws"], req.params["group"]));
    return Response::NoContent();
  }

  core::Result<Response> AddMember(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(products_.AddGroupMember(ctx, req.params["ws"], req.params["group"],
                                       req.params["account_id"]));
    return Response::NoContent();
  }

  core::Result<Response> RemoveMember(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(products_.RemoveGroupMember(ctx, req.params["ws"], req.params["group"],
                                          req.params["account_id"]));
    return Response::NoContent();
  }

  // One {account_id, product_id, permission?} object of a check request.
  static core::Result<app::AccessQuery> Query(const JsonBody& body) {
    VAULT_ASSIGN_OR_RETURN(auto account, body.String("account_id", 64));
    VAULT_ASSIGN_OR_RETURN(auto product, body.String("product_id", 64));
    VAULT_ASSIGN_OR_RETURN(auto permission, body.OptString("permission", 128));
    return app::AccessQuery{account, product, permission.value_or("")};
  }

  core::Result<Response> Check(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto client, Client(req));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
    VAULT_ASSIGN_OR_RETURN(auto batch, body.ObjectArray("checks", 1000));
    if (!batch.empty()) {
      boost::json::array results;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        auto q = Query((batch)[i]);
        if (!q) return core::Fail(core::Prefixed(q.error(), "checks[" + std::to_string(i) + "]."));
        VAULT_ASSIGN_OR_RETURN(auto d, integration_.Check(client, *q));
        results.push_back(RenderDecision(*q, d));
      }
      return JsonOk(200, boost::json::object{{"results", std::move(results)}});
    }
    VAULT_ASSIGN_OR_RETURN(auto q, Query(body));
    VAULT_ASSIGN_OR_RETURN(auto d, integration_.Check(client, q));
    return JsonOk(200, RenderDecision(q, d));
  }

  core::Result<Response> Explain(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto client, Client(req));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
    VAULT_ASSIGN_OR_RETURN(auto q, Query(body));
    core::AccessFacts f;
    VAULT_ASSIGN_OR_RETURN(auto d, integration_.Check(client, q, &f));
    boost::json::object o = RenderDecision(q, d);
    boost::json::array grants, perms;
    for (const auto& g : f.grants)
      grants.push_back({{"via", g.via},
                        {"group_id", g.group_id.empty() ? boost::json::value(nullptr)
                                                        : boost::json::value(g.group_id)},
                        {"role", g.role},
                        {"rank", g.rank}});
    for (const auto& p : d.permissions) perms.emplace_back(p);
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
        {"effective_role",
         d.role.empty() ? boost::json::value(nullptr) : boost::json::value(d.role)},
        {"role_permissions", std::move(perms)},
        {"product", {{"exists", f.product_exists}, {"disabled", f.product.disabled}}},
        {"subscription", RenderSubscription(f.subscription)}};
    return JsonOk(200, o);
  }

  core::Result<Response> Chargebee(Request& req) {
    if (billing_.chargebee_user.empty())
      return core::Fail(core::Code::kNotFound, "billing.not_configured",
                        "the Chargebee webhook is not configured");
    auto creds = BasicCredentials(req);
    // Constant-time comparison of the configured webhook credentials.
    if (!creds || !core::ConstantTimeEquals(creds->first, billing_.chargebee_user) ||
        !core::ConstantTimeEquals(creds->second, billing_.chargebee_password))
      return core::Fail(core::Code::kUnauthenticated, "webhook.unauthenticated",
                        "bad webhook credentials");
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
    VAULT_ASSIGN_OR_RETURN(auto e, ParseChargebeeEvent(body));
    VAULT_ASSIGN_OR_RETURN(auto outcome, integration_.ApplyChargebee(e));
    return JsonOk(200, boost::json::object{{"outcome", outcome}});
  }

  core::Result<Response> CreateType(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(app::RequireSuperAdmin(ctx));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
    VAULT_ASSIGN_OR_RETURN(auto type, ParseProductType(body));
    VAULT_ASSIGN_OR_RETURN(auto t, products_.CreateProductType(ctx, std::move(type)));
    return JsonOk(201, RenderType(t));
  }

  core::Result<Response> ListClients(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(app::RequireSuperAdmin(ctx));
    VAULT_ASSIGN_OR_RETURN(auto list, integration_.ListClients(ctx));
    boost::json::array items;
    for (const auto& c : list)
      items.push_back({{"client_id", c.id},
                       {"product_type_id", c.type_id},
                       {"name", c.name},
                       {"created_at", core::FormatRfc3339(c.created_at)},
                       {"revoked", c.revoked_at != 0}});
    return JsonOk(200, boost::json::object{{"items", std::move(items)}});
  }

  core::Result<Response> CreateClient(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(app::RequireSuperAdmin(ctx));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
    VAULT_ASSIGN_OR_RETURN(auto type, body.String("product_type", 64));
    VAULT_ASSIGN_OR_RETURN(auto name, body.String("name", 100));
    VAULT_ASSIGN_OR_RETURN(auto issued, integration_.CreateClient(ctx, type, name));
    return JsonOk(201, boost::json::object{{"client_id", issued.client.id},
                                           {"client_secret", issued.secret},
                                           {"product_type_id", issued.client.type_id},
                                           {"name", issued.client.name}});
  }

  core::Result<Response> RevokeClient(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(app::RequireSuperAdmin(ctx));
    VAULT_TRY(integration_.RevokeClient(ctx, req.params["id"]));
    return Response::NoContent();
  }

  app::AccountService& accounts_;
  app::ProductService& products_;
  app::IntegrationService& integration_;
  BillingOptions billing_;
  std::string origin_;
};

}  // namespace

void RegisterProductRoutes(Router& router, app::AccountService& accounts,
                           app::ProductService& products, app::IntegrationService& integration,
                           const ApiOptions& options, const BillingOptions& billing) {
  static std::vector<std::unique_ptr<ProductsApi>> apis;  // live as long as the process
  apis.push_back(std::make_unique<ProductsApi>(accounts, products, integration, options, billing));
  apis.back()->Register(router);
}

}  // namespace vault::http
