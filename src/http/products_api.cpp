// Handlers for product types, products, subscriptions, grants, groups (SPEC §13 "products",
// "grants", "groups"), the product-facing access API and the Chargebee webhook.
#include <boost/json.hpp>

#include "core/encoding.hpp"
#include "http/api.hpp"
#include "http/auth.hpp"
#include "http/endpoint.hpp"
#include "http/handler_util.hpp"
#include "http/product_json.hpp"
#include "http/render.hpp"

namespace vault::http {
namespace {

// A plan, when given, is named (the empty name is no plan of any type).
core::Result<std::string> PlanName(const std::string& text, const char* field) {
  if (text.empty())
    return core::Fail(core::Code::kInvalidArgument, "product.unknown_plan",
                      "no such plan for this product type", field);
  return text;
}

struct CreateProductInput {
  std::string product_type, name, shortname;
  std::optional<std::string> plan;
  void Fields(BodyReader& r) {
    r.Field("product_type", product_type, 64);
    r.Field("name", name, 100);
    r.Field("shortname", shortname, 40);
    r.Field("plan", plan, 64, PlanName);
  }
};

struct ProductPatchInput {
  app::ProductPatch patch;
  void Fields(BodyReader& r) {
    r.Field("name", patch.name, 100);
    r.Field("shortname", patch.shortname, 40);
    r.Field("disabled", patch.disabled);
  }
};

struct PlanInput {
  std::string plan;
  void Fields(BodyReader& r) { r.Field("plan", plan, 64); }
};

struct ProductTypePatchInput {
  app::ProductTypePatch patch;
  void Fields(BodyReader& r) {
    r.Field("name", patch.name, 100);
    r.Field("api_permissions", patch.api_permissions, 200, 128);
    r.Field("retired", patch.retired);
  }
};

// PUT replaces the whole role or plan: omitted fields take their defaults (retired: false).
struct RoleInput {
  std::optional<std::int64_t> rank;
  std::vector<std::string> permissions;
  std::optional<bool> retired;
  void Fields(BodyReader& r) {
    r.Field("rank", rank);
    r.Field("permissions", permissions, 200, 128);
    r.Field("retired", retired);
  }
};

struct PlanDefinitionInput {
  std::string name;
  std::optional<std::int64_t> seats, trial_days;
  std::vector<std::string> features;
  std::optional<bool> retired;
  void Fields(BodyReader& r) {
    r.Field("name", name, 100);
    r.Field("seats", seats);
    r.Field("trial_days", trial_days);
    r.Field("features", features, 100, 64);
    r.Field("retired", retired);
  }
};

// Whole numbers in range are checked by the service; this only keeps them within an int.
int Clamped(std::optional<std::int64_t> v, int fallback) {
  if (!v) return fallback;
  return static_cast<int>(std::clamp<std::int64_t>(*v, -1, 100000000));
}

struct PrincipalInput {
  core::PrincipalType type;
  std::string id;
  void Fields(BodyReader& r) {
    r.Field("type", type, 16, core::ParsePrincipalType);
    r.Field("id", id, 64);
  }
};

struct GrantInput {
  PrincipalInput principal;
  std::string role;
  void Fields(BodyReader& r) {
    r.Field("principal", principal);
    r.Field("role", role, 64);
  }
};

struct GroupInput {
  std::string name;
  std::optional<std::string> description;
  void Fields(BodyReader& r) {
    r.Field("name", name, 100);
    r.Field("description", description, 1000);
  }
};

struct GroupPatchInput {
  std::optional<std::string> name, description;
  void Fields(BodyReader& r) {
    r.Field("name", name, 100);
    r.Field("description", description, 1000);
  }
};

// One {account_id, product_id, permission?} object of a check request.
struct AccessQueryInput {
  std::string account_id, product_id;
  std::optional<std::string> permission;
  void Fields(BodyReader& r) {
    r.Field("account_id", account_id, 64);
    r.Field("product_id", product_id, 64);
    r.Field("permission", permission, 128);
  }
  app::AccessQuery Query() const { return {account_id, product_id, permission.value_or("")}; }
};

// `include`: optional parts of an answer; only "config" exists (the hot answers stay small
// unless a product asks for its configuration).
core::Result<std::string> IncludeName(const std::string& text, const char* field) {
  if (text != "config")
    return core::Fail(core::Code::kInvalidArgument, "validation.enum",
                      "include may only name \"config\"", field);
  return text;
}

struct IncludeInput {
  std::vector<std::string> include;
  void Fields(BodyReader& r) { r.Field("include", include, 4, 32); }
};

struct CheckBatchInput {  // absent or empty: the body is one AccessQueryInput
  std::vector<AccessQueryInput> checks;
  void Fields(BodyReader& r) { r.Field("checks", checks, 1000); }
};

struct ServiceClientInput {
  std::string product_type, name;
  std::vector<std::string> redirect_uris;
  std::optional<bool> is_public;
  void Fields(BodyReader& r) {
    r.Field("product_type", product_type, 64);
    r.Field("name", name, 100);
    // Twice the URI limit here, so that core::ValidateRedirectUris names the long item itself.
    r.Field("redirect_uris", redirect_uris, core::kMaxRedirectUris, 2 * core::kMaxRedirectUriChars);
    r.Field("public", is_public);
  }
};

struct ServiceClientPatchInput {  // the only field a client's owner may change after creation
  std::optional<std::vector<std::string>> redirect_uris;
  void Fields(BodyReader& r) {
    r.Field("redirect_uris", redirect_uris, core::kMaxRedirectUris, 2 * core::kMaxRedirectUriChars);
  }
};

// A product's configuration: at most 16 KiB serialized and 8 levels deep (docs/api.md).
constexpr std::size_t kMaxConfigBytes = 16 * 1024;
constexpr int kMaxConfigDepth = 8;

struct ConfigInput {
  JsonObjectText config;
  std::optional<std::int64_t> version;
  void Fields(BodyReader& r) {
    r.Field("config", config, kMaxConfigBytes, kMaxConfigDepth);
    r.Field("version", version);
  }
};

Response ConfigResponse(const core::ProductConfig& c) {
  Response r = Response::Json(200, RenderProductConfig(c));
  r.headers.emplace_back("ETag", "\"" + std::to_string(c.version) + "\"");
  return r;
}

// If-Match: absent, or one quoted version ("3"); anything else is refused by name.
core::Result<std::optional<std::int64_t>> IfMatchVersion(const Request& req) {
  const std::string* h = req.Header("if-match");
  if (!h) return std::optional<std::int64_t>();
  const std::string& t = *h;
  bool ok = t.size() >= 3 && t.size() <= 20 && t.front() == '"' && t.back() == '"';
  std::int64_t v = 0;
  for (std::size_t i = 1; ok && i + 1 < t.size(); ++i) {
    ok = t[i] >= '0' && t[i] <= '9';
    v = v * 10 + (t[i] - '0');
  }
  if (!ok)
    return core::Fail(core::Code::kInvalidArgument, "validation.if_match",
                      "If-Match must be one quoted version such as \"3\"", "If-Match");
  return std::optional<std::int64_t>(v);
}

core::Result<std::vector<std::string>> Includes(Call& c) {
  VAULT_ASSIGN_OR_RETURN(auto in, c.Body<IncludeInput>());
  for (const auto& name : in.include) VAULT_TRY(IncludeName(name, "include"));
  return in.include;
}

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
    routes.Add({"GET", p + "/{product}/config", E::kBlocking, S}, this, &A::GetConfig);
    routes.Add({"PUT", p + "/{product}/config", E::kBlocking, S}, this, &A::PutConfig);
    routes.Add({"POST", p + "/{product}/subscription/cancel", E::kBlocking, S}, this,
               &A::CancelSubscription);
    routes.Add({"POST", p + "/{product}/subscription/resume", E::kBlocking, S}, this,
               &A::ResumeSubscription);
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
    const Rate None = Rate::kNone;
    routes.Add({"POST", "/api/v1/access/check", E::kInlineFirst, Client, None, "access:check"},
               this, &A::Check);
    routes.Add({"POST", "/api/v1/access/explain", E::kInlineFirst, Client, None, "access:check"},
               this, &A::Explain);
    // Authenticated by the handler with the webhook's own HTTP Basic credentials.
    routes.Add({"POST", "/api/v1/billing/chargebee/webhook", E::kBlocking, Access::kPublic}, this,
               &A::Chargebee);
    routes.Add({"GET", "/api/v1/admin/product-types", E::kBlocking, Admin}, this, &A::Types);
    routes.Add({"POST", "/api/v1/admin/product-types", E::kBlocking, Admin}, this, &A::CreateType);
    routes.Add({"PATCH", "/api/v1/admin/product-types/{id}", E::kBlocking, Admin}, this,
               &A::PatchType);
    routes.Add({"PUT", "/api/v1/admin/product-types/{id}/roles/{role}", E::kBlocking, Admin}, this,
               &A::PutRole);
    routes.Add({"PUT", "/api/v1/admin/product-types/{id}/plans/{plan}", E::kBlocking, Admin}, this,
               &A::PutPlan);
    routes.Add({"GET", "/api/v1/admin/service-clients", E::kBlocking, Admin}, this,
               &A::ListClients);
    routes.Add({"POST", "/api/v1/admin/service-clients", E::kBlocking, Admin}, this,
               &A::CreateClient);
    routes.Add({"PATCH", "/api/v1/admin/service-clients/{id}", E::kBlocking, Admin}, this,
               &A::PatchClient);
    routes.Add({"DELETE", "/api/v1/admin/service-clients/{id}", E::kBlocking, Admin}, this,
               &A::RevokeClient);
    routes.Add({"POST", "/api/v1/admin/service-clients/{id}/secret", E::kBlocking, Admin}, this,
               &A::RotateClientSecret);
  }

 private:
  core::Result<Response> Types(Call& c) {
    const auto page = QueryPage(c.req);
    VAULT_ASSIGN_OR_RETURN(auto types, products_.ProductTypes(page));
    return JsonOk(200, RenderPaged(types, RenderType));
  }

  core::Result<Response> Create(Call& c) {
    VAULT_TRY(products_.Authorize(c.ctx, c.param("ws"), core::Capability::kManageAccess));
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<CreateProductInput>());
    VAULT_ASSIGN_OR_RETURN(auto row, products_.Create(c.ctx, c.param("ws"), in.product_type,
                                                      in.name, in.shortname, in.plan.value_or("")));
    return JsonOk(201, RenderProduct(row));
  }

  core::Result<Response> List(Call& c) {
    const auto page = QueryPage(c.req);
    VAULT_ASSIGN_OR_RETURN(auto rows, products_.List(c.ctx, c.param("ws"), page));
    return JsonOk(200, RenderPaged(rows, RenderProduct));
  }

  core::Result<Response> Get(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto row, products_.Get(c.ctx, c.param("ws"), c.param("product")));
    return JsonOk(200, RenderProduct(row));
  }

  core::Result<Response> Patch(Call& c) {
    VAULT_TRY(products_.Authorize(c.ctx, c.param("ws"), core::Capability::kManageAccess));
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<ProductPatchInput>());
    VAULT_ASSIGN_OR_RETURN(auto row,
                           products_.Update(c.ctx, c.param("ws"), c.param("product"), in.patch));
    return JsonOk(200, RenderProduct(row));
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
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<PlanInput>());
    VAULT_ASSIGN_OR_RETURN(auto s,
                           products_.ChangePlan(c.ctx, c.param("ws"), c.param("product"), in.plan));
    return JsonOk(200, RenderSubscription(s));
  }

  core::Result<Response> GetConfig(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto cfg, products_.GetConfig(c.ctx, c.param("ws"), c.param("product")));
    return ConfigResponse(cfg);
  }

  core::Result<Response> PutConfig(Call& c) {
    VAULT_TRY(products_.AuthorizeProductAdmin(c.ctx, c.param("ws"), c.param("product")));
    VAULT_ASSIGN_OR_RETURN(auto if_match, IfMatchVersion(c.req));
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<ConfigInput>());
    if (in.version && *in.version < 0)
      return core::Fail(core::Code::kInvalidArgument, "validation.range",
                        "version is a whole number from 0", "version");
    if (in.version && if_match && *in.version != *if_match)
      return core::Fail(core::Code::kInvalidArgument, "validation.conflict",
                        "version and If-Match name different versions", "version");
    VAULT_ASSIGN_OR_RETURN(auto cfg, products_.PutConfig(c.ctx, c.param("ws"), c.param("product"),
                                                         std::move(in.config.text),
                                                         in.version ? in.version : if_match));
    return ConfigResponse(cfg);
  }

  core::Result<Response> CancelSubscription(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto s,
                           products_.CancelSubscription(c.ctx, c.param("ws"), c.param("product")));
    return JsonOk(200, RenderSubscription(s));
  }

  core::Result<Response> ResumeSubscription(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto s,
                           products_.ResumeSubscription(c.ctx, c.param("ws"), c.param("product")));
    return JsonOk(200, RenderSubscription(s));
  }

  core::Result<Response> Grants(Call& c) {
    const auto page = QueryPage(c.req);
    VAULT_ASSIGN_OR_RETURN(auto grants,
                           products_.Grants(c.ctx, c.param("ws"), c.param("product"), page));
    return JsonOk(200, RenderPaged(grants, RenderGrant));
  }

  core::Result<Response> PutGrant(Call& c) {
    VAULT_TRY(products_.Authorize(c.ctx, c.param("ws"), core::Capability::kManageAccess));
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<GrantInput>());
    VAULT_ASSIGN_OR_RETURN(auto g, products_.PutGrant(c.ctx, c.param("ws"), c.param("product"),
                                                      in.principal.type, in.principal.id, in.role));
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
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<GroupInput>());
    VAULT_ASSIGN_OR_RETURN(
        auto g, products_.CreateGroup(c.ctx, c.param("ws"), in.name, in.description.value_or("")));
    return JsonOk(201, RenderGroup(g));
  }

  core::Result<Response> ListGroups(Call& c) {
    const auto page = QueryPage(c.req);
    VAULT_ASSIGN_OR_RETURN(auto groups, products_.ListGroups(c.ctx, c.param("ws"), page));
    return JsonOk(200, RenderPaged(groups, RenderGroup));
  }

  core::Result<Response> GetGroup(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto d, products_.GetGroup(c.ctx, c.param("ws"), c.param("group")));
    return JsonOk(200, RenderGroupDetail(d));
  }

  core::Result<Response> PatchGroup(Call& c) {
    VAULT_TRY(products_.Authorize(c.ctx, c.param("ws"), core::Capability::kManageAccess));
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<GroupPatchInput>());
    VAULT_ASSIGN_OR_RETURN(auto g, products_.UpdateGroup(c.ctx, c.param("ws"), c.param("group"),
                                                         in.name, in.description));
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

  core::Result<Response> Check(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto batch, c.Body<CheckBatchInput>());
    VAULT_ASSIGN_OR_RETURN(auto include, Includes(c));
    const bool config = !include.empty();
    if (batch.checks.empty()) {
      VAULT_ASSIGN_OR_RETURN(auto in, c.Body<AccessQueryInput>());
      app::AccessQuery q = in.Query();
      VAULT_ASSIGN_OR_RETURN(auto d, integration_.Check(*c.client, q));
      return Response::Json(200, WithConfig(RenderDecisionText(q, d), d, config));
    }
    std::string out = "{\"results\":[";
    for (std::size_t i = 0; i < batch.checks.size(); ++i) {
      app::AccessQuery q = batch.checks[i].Query();
      VAULT_ASSIGN_OR_RETURN(auto d, integration_.Check(*c.client, q));
      if (i) out += ',';
      out += WithConfig(RenderDecisionText(q, d), d, config);
    }
    out += "]}";
    return Response::Json(200, std::move(out));
  }

  core::Result<Response> Explain(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<AccessQueryInput>());
    VAULT_ASSIGN_OR_RETURN(auto include, Includes(c));
    app::AccessQuery q = in.Query();
    core::AccessFacts f;
    VAULT_ASSIGN_OR_RETURN(auto d, integration_.Check(*c.client, q, &f));
    return Response::Json(
        200, WithConfig(boost::json::serialize(RenderExplanation(q, d, f)), d, !include.empty()));
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
    VAULT_ASSIGN_OR_RETURN(auto e, c.Body(ParseChargebeeEvent));
    VAULT_ASSIGN_OR_RETURN(auto outcome, integration_.ApplyChargebee(e));
    return JsonOk(200, boost::json::object{{"outcome", outcome}});
  }

  core::Result<Response> CreateType(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto type, c.Body(ParseProductType));
    VAULT_ASSIGN_OR_RETURN(auto t, products_.CreateProductType(c.ctx, std::move(type)));
    return JsonOk(201, RenderType(t));
  }

  core::Result<Response> PatchType(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<ProductTypePatchInput>());
    VAULT_ASSIGN_OR_RETURN(auto t, products_.UpdateProductType(c.ctx, c.param("id"), in.patch));
    return JsonOk(200, RenderType(t));
  }

  core::Result<Response> PutRole(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<RoleInput>());
    core::ProductRole role{c.param("role"), Clamped(in.rank, 1), in.permissions,
                           in.retired.value_or(false)};
    VAULT_ASSIGN_OR_RETURN(auto t, products_.PutProductRole(c.ctx, c.param("id"), role));
    return JsonOk(200, RenderType(t));
  }

  core::Result<Response> PutPlan(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<PlanDefinitionInput>());
    core::Plan plan{c.param("plan"),           in.name,     Clamped(in.seats, 0),
                    Clamped(in.trial_days, 0), in.features, in.retired.value_or(false)};
    VAULT_ASSIGN_OR_RETURN(auto t, products_.PutProductPlan(c.ctx, c.param("id"), plan));
    return JsonOk(200, RenderType(t));
  }

  core::Result<Response> ListClients(Call& c) {
    const auto page = QueryPage(c.req);
    VAULT_ASSIGN_OR_RETURN(auto list, integration_.ListClients(c.ctx, page));
    return JsonOk(200, RenderPaged(list, RenderServiceClient));
  }

  core::Result<Response> CreateClient(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<ServiceClientInput>());
    VAULT_ASSIGN_OR_RETURN(
        auto issued, integration_.CreateClient(c.ctx, in.product_type, in.name,
                                               {in.redirect_uris, in.is_public.value_or(false)}));
    return JsonOk(201, RenderIssuedClient(issued));
  }

  core::Result<Response> PatchClient(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<ServiceClientPatchInput>());
    if (!in.redirect_uris)
      return core::Fail(core::Code::kInvalidArgument, "validation.required",
                        "redirect_uris is required", "redirect_uris");
    VAULT_ASSIGN_OR_RETURN(auto client,
                           integration_.SetRedirectUris(c.ctx, c.param("id"), *in.redirect_uris));
    return JsonOk(200, RenderServiceClient(client));
  }

  struct RotateSecretInput {
    std::optional<std::int64_t> grace_seconds;
    void Fields(BodyReader& r) { r.Field("grace_seconds", grace_seconds); }
  };

  core::Result<Response> RotateClientSecret(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto in, c.OptionalBody<RotateSecretInput>());
    VAULT_ASSIGN_OR_RETURN(auto issued, integration_.RotateClientSecret(
                                            c.ctx, c.param("id"), in.grace_seconds.value_or(0)));
    return JsonOk(200, RenderIssuedClient(issued));
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
