// Handlers for product types, products, subscriptions, grants, groups (SPEC §13 "products",
// "grants", "groups"), the product-facing access API and the Chargebee webhook.
#include <boost/json.hpp>

#include "core/encoding.hpp"
#include "http/api.hpp"
#include "http/auth.hpp"
#include "http/endpoint.hpp"
#include "http/handler_util.hpp"
#include "http/json_body.hpp"
#include "http/product_json.hpp"

namespace vault::http {
namespace {

class ProductsApi {
 public:
  ProductsApi(app::ProductService& products, app::IntegrationService& integration,
              const BillingOptions& billing)
      : products_(products), integration_(integration), billing_(billing) {}

  void Register(Routes& routes) {
    using E = Executor;
    using A = ProductsApi;
    const Access S = Access::kSession, Admin = Access::kSuperAdmin;
    const std::string p = "/api/v1/workspaces/{ws}/products";
    const std::string g = "/api/v1/workspaces/{ws}/groups";
    routes.Add({"GET", "/api/v1/product-types", E::kBlocking, S}, this, &A::Types);
    routes.Add({"POST", p, E::kBlocking, S}, this, &A::Create);
    routes.Add({"GET", p, E::kBlocking, S}, this, &A::List);
    routes.Add({"GET", p + "/{product}", E::kBlocking, S}, this, &A::Get);
    routes.Add({"PATCH", p + "/{product}", E::kBlocking, S}, this, &A::Patch);
    routes.Add({"DELETE", p + "/{product}", E::kBlocking, S}, this, &A::Delete);
    routes.Add({"GET", p + "/{product}/subscription", E::kBlocking, S}, this, &A::GetSubscription);
    routes.Add({"PUT", p + "/{product}/subscription", E::kBlocking, S}, this, &A::PutSubscription);
    routes.Add({"GET", p + "/{product}/grants", E::kBlocking, S}, this, &A::Grants);
    routes.Add({"PUT", p + "/{product}/grants", E::kBlocking, S}, this, &A::PutGrant);
    routes.Add({"DELETE", p + "/{product}/grants/{principal_type}/{principal_id}", E::kBlocking, S},
               this, &A::DeleteGrant);
    routes.Add({"POST", g, E::kBlocking, S}, this, &A::CreateGroup);
    routes.Add({"GET", g, E::kBlocking, S}, this, &A::ListGroups);
    routes.Add({"GET", g + "/{group}", E::kBlocking, S}, this, &A::GetGroup);
    routes.Add({"PATCH", g + "/{group}", E::kBlocking, S}, this, &A::PatchGroup);
    routes.Add({"DELETE", g + "/{group}", E::kBlocking, S}, this, &A::DeleteGroup);
    routes.Add({"PUT", g + "/{group}/members/{account_id}", E::kBlocking, S}, this, &A::AddMember);
    routes.Add({"DELETE", g + "/{group}/members/{account_id}", E::kBlocking, S}, this,
               &A::RemoveMember);
    const Access Client = Access::kServiceClient;
    routes.Add({"POST", "/api/v1/access/check", E::kInlineFirst, Client}, this, &A::Check);
    routes.Add({"POST", "/api/v1/access/explain", E::kInlineFirst, Client}, this, &A::Explain);
    // Authenticated by the handler with the webhook's own HTTP Basic credentials.
    routes.Add({"POST", "/api/v1/billing/chargebee/webhook", E::kBlocking, Access::kPublic}, this,
               &A::Chargebee);
    routes.Add({"GET", "/api/v1/admin/product-types", E::kBlocking, Admin}, this, &A::Types);
    routes.Add({"POST", "/api/v1/admin/product-types", E::kBlocking, Admin}, this, &A::CreateType);
    routes.Add({"GET", "/api/v1/admin/service-clients", E::kBlocking, Admin}, this,
               &A::ListClients);
    routes.Add({"POST", "/api/v1/admin/service-clients", E::kBlocking, Admin}, this,
               &A::CreateClient);
    routes.Add({"DELETE", "/api/v1/admin/service-clients/{id}", E::kBlocking, Admin}, this,
               &A::RevokeClient);
  }

 private:
  core::Result<Response> Types(Call&) {
    VAULT_ASSIGN_OR_RETURN(auto types, products_.ProductTypes());
    boost::json::array items;
    for (const auto& t : types) items.push_back(RenderType(t));
    return JsonOk(200, boost::json::object{{"items", std::move(items)}});
  }

  core::Result<Response> Create(Call& c) {
    VAULT_TRY(products_.Authorize(c.ctx, c.param("ws"), core::Capability::kManageAccess));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
    VAULT_ASSIGN_OR_RETURN(auto type, body.String("product_type", 64));
    VAULT_ASSIGN_OR_RETURN(auto name, body.String("name", 100));
    VAULT_ASSIGN_OR_RETURN(auto shortname, body.String("shortname", 40));
    VAULT_ASSIGN_OR_RETURN(auto plan, body.OptString("plan", 64));
    if (plan && (plan)->empty())
      return core::Fail(core::Code::kInvalidArgument, "product.unknown_plan",
                        "no such plan for this product type", "plan");
    VAULT_ASSIGN_OR_RETURN(
        auto row, products_.Create(c.ctx, c.param("ws"), type, name, shortname, plan.value_or("")));
    return JsonOk(201, RenderProduct(row));
  }

  core::Result<Response> List(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto rows, products_.List(c.ctx, c.param("ws")));
    boost::json::array items;
    for (const auto& r : rows) items.push_back(RenderProduct(r));
    return JsonOk(200, boost::json::object{{"items", std::move(items)}});
  }

  core::Result<Response> Get(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto row, products_.Get(c.ctx, c.param("ws"), c.param("product")));
    return JsonOk(200, RenderProduct(row));
  }

  core::Result<Response> Patch(Call& c) {
    VAULT_TRY(products_.Authorize(c.ctx, c.param("ws"), core::Capability::kManageAccess));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
    VAULT_ASSIGN_OR_RETURN(auto name, body.OptString("name", 100));
    VAULT_ASSIGN_OR_RETURN(auto shortname, body.OptString("shortname", 40));
    VAULT_ASSIGN_OR_RETURN(auto disabled, body.OptBool("disabled"));
    auto row =
        products_.Update(c.ctx, c.param("ws"), c.param("product"), {name, shortname, disabled});
    if (!row) return core::Fail(row.error());
    return JsonOk(200, RenderProduct(*row));
  }

  core::Result<Response> Delete(Call& c) {
    VAULT_TRY(products_.Delete(c.ctx, c.param("ws"), c.param("product")));
    return Response::NoContent();
  }

  core::Result<Response> GetSubscription(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto s,
                           products_.GetSubscription(c.ctx, c.param("ws"), c.param("product")));
    return JsonOk(200, RenderSubscription(s));
  }

  core::Result<Response> PutSubscription(Call& c) {
    VAULT_TRY(products_.Authorize(c.ctx, c.param("ws"), core::Capability::kChangeBilling));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
    VAULT_ASSIGN_OR_RETURN(auto plan, body.String("plan", 64));
    VAULT_ASSIGN_OR_RETURN(auto s,
                           products_.ChangePlan(c.ctx, c.param("ws"), c.param("product"), plan));
    return JsonOk(200, RenderSubscription(s));
  }

  core::Result<Response> Grants(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto grants, products_.Grants(c.ctx, c.param("ws"), c.param("product")));
    boost::json::array items;
    for (const auto& g : grants) items.push_back(RenderGrant(g));
    return JsonOk(200, boost::json::object{{"items", std::move(items)}});
  }

  core::Result<Response> PutGrant(Call& c) {
    VAULT_TRY(products_.Authorize(c.ctx, c.param("ws"), core::Capability::kManageAccess));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
    VAULT_ASSIGN_OR_RETURN(auto principal, body.Object("principal"));
    auto type_name = principal.String("type", 16);
    if (!type_name) return core::Fail(core::Prefixed(type_name.error(), "principal."));
    VAULT_ASSIGN_OR_RETURN(auto type, core::ParsePrincipalType(*type_name, "principal.type"));
    auto id = principal.String("id", 64);
    if (!id) return core::Fail(core::Prefixed(id.error(), "principal."));
    VAULT_ASSIGN_OR_RETURN(auto role, body.String("role", 64));
    VAULT_ASSIGN_OR_RETURN(
        auto g, products_.PutGrant(c.ctx, c.param("ws"), c.param("product"), type, *id, role));
    return JsonOk(200, RenderGrant(g));
  }

  core::Result<Response> DeleteGrant(Call& c) {
    VAULT_TRY(products_.Authorize(c.ctx, c.param("ws"), core::Capability::kManageAccess));
    VAULT_ASSIGN_OR_RETURN(auto type,
                           core::ParsePrincipalType(c.param("principal_type"), "principal_type"));
    VAULT_TRY(products_.DeleteGrant(c.ctx, c.param("ws"), c.param("product"), type,
                                    c.param("principal_id")));
    return Response::NoContent();
  }

  core::Result<Response> CreateGroup(Call& c) {
    VAULT_TRY(products_.Authorize(c.ctx, c.param("ws"), core::Capability::kManageAccess));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
    VAULT_ASSIGN_OR_RETURN(auto name, body.String("name", 100));
    VAULT_ASSIGN_OR_RETURN(auto description, body.OptString("description", 1000));
    VAULT_ASSIGN_OR_RETURN(
        auto g, products_.CreateGroup(c.ctx, c.param("ws"), name, description.value_or("")));
    return JsonOk(201, RenderGroup(g));
  }

  core::Result<Response> ListGroups(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto groups, products_.ListGroups(c.ctx, c.param("ws")));
    boost::json::array items;
    for (const auto& g : groups) items.push_back(RenderGroup(g));
    return JsonOk(200, boost::json::object{{"items", std::move(items)}});
  }

  core::Result<Response> GetGroup(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto d, products_.GetGroup(c.ctx, c.param("ws"), c.param("group")));
    boost::json::object o = RenderGroup(d.group);
    boost::json::array members, grants;
    for (const auto& m : d.member_ids) members.emplace_back(m);
    for (const auto& g : d.grants)
      grants.push_back({{"product_id", g.product_id}, {"role", g.role}});
    o["member_ids"] = std::move(members);
    o["products"] = std::move(grants);
    return JsonOk(200, o);
  }

  core::Result<Response> PatchGroup(Call& c) {
    VAULT_TRY(products_.Authorize(c.ctx, c.param("ws"), core::Capability::kManageAccess));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
    VAULT_ASSIGN_OR_RETURN(auto name, body.OptString("name", 100));
    VAULT_ASSIGN_OR_RETURN(auto description, body.OptString("description", 1000));
    VAULT_ASSIGN_OR_RETURN(
        auto g, products_.UpdateGroup(c.ctx, c.param("ws"), c.param("group"), name, description));
    return JsonOk(200, RenderGroup(g));
  }

  core::Result<Response> DeleteGroup(Call& c) {
    VAULT_TRY(products_.DeleteGroup(c.ctx, c.param("ws"), c.param("group")));
    return Response::NoContent();
  }

  core::Result<Response> AddMember(Call& c) {
    VAULT_TRY(
        products_.AddGroupMember(c.ctx, c.param("ws"), c.param("group"), c.param("account_id")));
    return Response::NoContent();
  }

  core::Result<Response> RemoveMember(Call& c) {
    VAULT_TRY(
        products_.RemoveGroupMember(c.ctx, c.param("ws"), c.param("group"), c.param("account_id")));
    return Response::NoContent();
  }

  // One {account_id, product_id, permission?} object of a check request.
  static core::Result<app::AccessQuery> Query(const JsonBody& body) {
    VAULT_ASSIGN_OR_RETURN(auto account, body.String("account_id", 64));
    VAULT_ASSIGN_OR_RETURN(auto product, body.String("product_id", 64));
    VAULT_ASSIGN_OR_RETURN(auto permission, body.OptString("permission", 128));
    return app::AccessQuery{account, product, permission.value_or("")};
  }

  core::Result<Response> Check(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
    VAULT_ASSIGN_OR_RETURN(auto batch, body.ObjectArray("checks", 1000));
    if (!batch.empty()) {
      boost::json::array results;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        auto q = Query((batch)[i]);
        if (!q) return core::Fail(core::Prefixed(q.error(), "checks[" + std::to_string(i) + "]."));
        VAULT_ASSIGN_OR_RETURN(auto d, integration_.Check(c.client, *q));
        results.push_back(RenderDecision(*q, d));
      }
      return JsonOk(200, boost::json::object{{"results", std::move(results)}});
    }
    VAULT_ASSIGN_OR_RETURN(auto q, Query(body));
    VAULT_ASSIGN_OR_RETURN(auto d, integration_.Check(c.client, q));
    return JsonOk(200, RenderDecision(q, d));
  }

  core::Result<Response> Explain(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
    VAULT_ASSIGN_OR_RETURN(auto q, Query(body));
    core::AccessFacts f;
    VAULT_ASSIGN_OR_RETURN(auto d, integration_.Check(c.client, q, &f));
    return JsonOk(200, RenderExplanation(q, d, f));
  }

  core::Result<Response> Chargebee(Call& c) {
    if (billing_.chargebee_user.empty())
      return core::Fail(core::Code::kNotFound, "billing.not_configured",
                        "the Chargebee webhook is not configured");
    auto creds = BasicCredentials(c.req);
    // Constant-time comparison of the configured webhook credentials.
    if (!creds || !core::ConstantTimeEquals(creds->first, billing_.chargebee_user) ||
        !core::ConstantTimeEquals(creds->second, billing_.chargebee_password))
      return core::Fail(core::Code::kUnauthenticated, "webhook.unauthenticated",
                        "bad webhook credentials");
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
    VAULT_ASSIGN_OR_RETURN(auto e, ParseChargebeeEvent(body));
    VAULT_ASSIGN_OR_RETURN(auto outcome, integration_.ApplyChargebee(e));
    return JsonOk(200, boost::json::object{{"outcome", outcome}});
  }

  core::Result<Response> CreateType(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
    VAULT_ASSIGN_OR_RETURN(auto type, ParseProductType(body));
    VAULT_ASSIGN_OR_RETURN(auto t, products_.CreateProductType(c.ctx, std::move(type)));
    return JsonOk(201, RenderType(t));
  }

  core::Result<Response> ListClients(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto list, integration_.ListClients(c.ctx));
    boost::json::array items;
    for (const auto& sc : list) items.push_back(RenderServiceClient(sc));
    return JsonOk(200, boost::json::object{{"items", std::move(items)}});
  }

  core::Result<Response> CreateClient(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
    VAULT_ASSIGN_OR_RETURN(auto type, body.String("product_type", 64));
    VAULT_ASSIGN_OR_RETURN(auto name, body.String("name", 100));
    VAULT_ASSIGN_OR_RETURN(auto issued, integration_.CreateClient(c.ctx, type, name));
    return JsonOk(201, boost::json::object{{"client_id", issued.client.id},
                                           {"client_secret", issued.secret},
                                           {"product_type_id", issued.client.type_id},
                                           {"name", issued.client.name}});
  }

  core::Result<Response> RevokeClient(Call& c) {
    VAULT_TRY(integration_.RevokeClient(c.ctx, c.param("id")));
    return Response::NoContent();
  }

  app::ProductService& products_;
  app::IntegrationService& integration_;
  BillingOptions billing_;
};

}  // namespace

void RegisterProductRoutes(Router& router, app::AccountService& accounts,
                           app::ProductService& products, app::IntegrationService& integration,
                           const ApiOptions& options, const BillingOptions& billing) {
  static std::vector<std::unique_ptr<ProductsApi>> apis;  // live as long as the process
  apis.push_back(std::make_unique<ProductsApi>(products, integration, billing));
  Routes routes(router, &accounts, &integration, options);
  apis.back()->Register(routes);
}

}  // namespace vault::http
