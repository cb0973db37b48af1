// Handlers for API keys (SPEC §13 "API keys") and the product-facing POST /api/v1/keys/verify.
#include "http/api.hpp"

#include <boost/json.hpp>

#include "core/api_key.hpp"
#include "http/api_key_json.hpp"
#include "http/endpoint.hpp"
#include "http/handler_util.hpp"
#include "http/json_body.hpp"
#include "http/render.hpp"

namespace vault::http {
namespace {

// The key text appears in this one response only; no cache may keep it.
Response SecretResponse(const boost::json::object& o) {
  Response r = JsonOk(201, o);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

core::Result<core::Timestamp> OptTime(const JsonBody& body, const char* field) {
  VAULT_ASSIGN_OR_RETURN(auto s, body.OptString(field, 64));
  if (!s) return core::Timestamp{0};
  auto t = core::ParseRfc3339(*s);
  if (!t)
    return core::Fail(core::Code::kInvalidArgument, "validation.timestamp",
                      "an RFC 3339 time such as 2027-01-31T00:00:00Z", field);
  return *t;
}

class ApiKeysApi {
 public:
  ApiKeysApi(app::ApiKeyService& keys, core::Clock& clock) : keys_(keys), clock_(clock) {}

  void Register(Routes& routes) {
    using E = Executor;
    using A = ApiKeysApi;
    const Access S = Access::kSession;
    const std::string k = "/api/v1/workspaces/{ws}/api-keys";
    routes.Add({"POST", k, E::kBlocking, S}, this, &A::Create);
    routes.Add({"GET", k, E::kBlocking, S}, this, &A::List);
    routes.Add({"GET", k + "/{id}", E::kBlocking, S}, this, &A::Get);
    routes.Add({"DELETE", k + "/{id}", E::kBlocking, S}, this, &A::Revoke);
    routes.Add({"POST", k + "/{id}/roll", E::kBlocking, S}, this, &A::Roll);
    // The hot path: answered inline from memory; only a cache miss moves to the blocking pool.
    routes.Add({"POST", "/api/v1/keys/verify", E::kInlineFirst, Access::kServiceClient}, this,
               &A::Verify);
  }

 private:
  core::Result<Response> Create(Call& c) {
    VAULT_TRY(keys_.Authorize(c.ctx, c.param("ws")));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
    app::NewKey nk;
    VAULT_ASSIGN_OR_RETURN(auto name, body.String("name", 100));
    VAULT_ASSIGN_OR_RETURN(auto product, body.String("product", 64));
    VAULT_ASSIGN_OR_RETURN(auto env, body.String("environment", 32));
    VAULT_ASSIGN_OR_RETURN(auto perms, body.StringArray("permissions", 100, 100));
    VAULT_ASSIGN_OR_RETURN(auto ips, body.StringArray("allowed_ips", 100, 64));
    VAULT_ASSIGN_OR_RETURN(auto expires, OptTime(body, "expires_at"));
    nk.name = std::move(name);
    nk.product = std::move(product);
    nk.environment = std::move(env);
    nk.permissions = std::move(perms);
    nk.allowed_ips = std::move(ips);
    nk.expires_at = expires;
    VAULT_ASSIGN_OR_RETURN(auto issued, keys_.Create(c.ctx, c.param("ws"), nk));
    boost::json::object o = RenderKey(issued.key, clock_.Now());
    o["key"] = issued.text;
    return SecretResponse(o);
  }

  core::Result<Response> List(Call& c) {
    VAULT_TRY(keys_.Authorize(c.ctx, c.param("ws")));
    app::KeyFilter f;
    VAULT_ASSIGN_OR_RETURN(auto limit, QueryLimit(c.req, 100, 500));
    f.limit = limit;
    f.product = c.req.Query("product").value_or("");
    f.environment = c.req.Query("environment").value_or("");
    f.cursor = c.req.Query("cursor").value_or("");
    VAULT_ASSIGN_OR_RETURN(auto page, keys_.List(c.ctx, c.param("ws"), f));
    core::Timestamp now = clock_.Now();
    boost::json::array items;
    for (const auto& k : page.items) items.push_back(RenderKey(k, now));
    return JsonOk(200, boost::json::object{{"items", std::move(items)},
                                           {"next_cursor", StringOrNull(page.next_cursor)}});
  }

  core::Result<Response> Get(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto k, keys_.Get(c.ctx, c.param("ws"), c.param("id")));
    return JsonOk(200, RenderKey(k, clock_.Now()));
  }

  core::Result<Response> Revoke(Call& c) {
    VAULT_TRY(keys_.Revoke(c.ctx, c.param("ws"), c.param("id")));
    return Response::NoContent();
  }

  core::Result<Response> Roll(Call& c) {
    VAULT_TRY(keys_.Authorize(c.ctx, c.param("ws")));
    app::RollOptions opt;
    if (!c.req.body.empty()) {
      VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
      VAULT_ASSIGN_OR_RETURN(auto grace, body.OptInt("grace_seconds"));
      opt.grace_seconds = grace.value_or(0);
      VAULT_ASSIGN_OR_RETURN(auto expires, OptTime(body, "expires_at"));
      if (expires) opt.expires_at = expires;
    }
    VAULT_ASSIGN_OR_RETURN(auto rolled, keys_.Roll(c.ctx, c.param("ws"), c.param("id"), opt));
    core::Timestamp now = clock_.Now();
    boost::json::object o = RenderKey(rolled.key.key, now);
    o["key"] = rolled.key.text;
    o["previous"] = RenderKey(rolled.old, now);
    return SecretResponse(o);
  }

  core::Result<Response> Verify(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
    // Whatever a product found in its Authorization header is forwarded here; anything that is
    // not a key gets reason "malformed", so only a missing or non-string field is a 400.
    VAULT_ASSIGN_OR_RETURN(auto key, body.String("key", 4096));
    VAULT_ASSIGN_OR_RETURN(auto env_text, body.String("environment", 32));
    VAULT_ASSIGN_OR_RETURN(auto env, core::ParseEnvironment(env_text, "environment"));
    VAULT_ASSIGN_OR_RETURN(auto permission, body.OptString("permission", 100));
    VAULT_ASSIGN_OR_RETURN(auto ip, body.OptString("ip", 64));
    if (ip && !core::ParseIp(*ip))
      return core::Fail(core::Code::kInvalidArgument, "validation.ip", "an IPv4 or IPv6 address",
                        "ip");
    core::KeyCheck check{env, permission.value_or(""), ip.value_or("")};
    VAULT_ASSIGN_OR_RETURN(auto v, keys_.Verify(c.client, key, check));
    return Response::Json(200, RenderVerdict(v));
  }

  app::ApiKeyService& keys_;
  core::Clock& clock_;
};

}  // namespace

void RegisterApiKeyRoutes(Router& router, app::AccountService& accounts, app::ApiKeyService& keys,
                          app::IntegrationService& integration, core::Clock& clock,
                          const ApiOptions& options) {
  static std::vector<std::unique_ptr<ApiKeysApi>> apis;  // handlers live as long as the process
  apis.push_back(std::make_unique<ApiKeysApi>(keys, clock));
  Routes routes(router, &accounts, &integration, options);
  apis.back()->Register(routes);
}

}  // namespace vault::http
