// Handlers for API keys (SPEC §13 "API keys") and the product-facing POST /api/v1/keys/verify.
#include "http/api.hpp"

#include <boost/json.hpp>

#include "core/api_key.hpp"
#include "http/api_key_json.hpp"
#include "http/endpoint.hpp"
#include "http/handler_util.hpp"
#include "http/render.hpp"

namespace vault::http {
namespace {

core::Result<core::Timestamp> Rfc3339(const std::string& text, const char* field) {
  auto t = core::ParseRfc3339(text);
  if (!t)
    return core::Fail(core::Code::kInvalidArgument, "validation.timestamp",
                      "an RFC 3339 time such as 2027-01-31T00:00:00Z", field);
  return *t;
}

core::Result<std::string> IpAddress(const std::string& text, const char* field) {
  if (!core::ParseIp(text))
    return core::Fail(core::Code::kInvalidArgument, "validation.ip", "an IPv4 or IPv6 address",
                      field);
  return text;
}

struct NewKeyInput {
  app::NewKey key;
  std::optional<core::Timestamp> expires_at;  // never when absent
  void Fields(BodyReader& r) {
    r.Field("name", key.name, 100);
    r.Field("product", key.product, 64);
    r.Field("environment", key.environment, 32);
    r.Field("permissions", key.permissions, 100, 100);
    r.Field("allowed_ips", key.allowed_ips, 100, 64);
    r.Field("expires_at", expires_at, 64, Rfc3339);
  }
  app::NewKey Key() const {
    app::NewKey out = key;
    out.expires_at = expires_at.value_or(0);
    return out;
  }
};

struct RollInput {
  std::optional<std::int64_t> grace_seconds;
  std::optional<core::Timestamp> expires_at;
  void Fields(BodyReader& r) {
    r.Field("grace_seconds", grace_seconds);
    r.Field("expires_at", expires_at, 64, Rfc3339);
  }
  app::RollOptions Options() const {
    app::RollOptions out;
    out.grace_seconds = grace_seconds.value_or(0);
    if (expires_at.value_or(0)) out.expires_at = expires_at;
    return out;
  }
};

struct VerifyInput {
  // Whatever a product found in its Authorization header is forwarded here; anything that is
  // not a key gets reason "malformed", so only a missing or non-string field is a 400.
  std::string key;
  core::Environment environment;
  std::optional<std::string> permission, ip;
  std::vector<std::string> include;  // only "config": the product's configuration
  void Fields(BodyReader& r) {
    r.Field("key", key, 4096);
    r.Field("environment", environment, 32, core::ParseEnvironment);
    r.Field("permission", permission, 100);
    r.Field("ip", ip, 64, IpAddress);
    r.Field("include", include, 4, 32);
  }
  core::KeyCheck Check() const { return {environment, permission.value_or(""), ip.value_or("")}; }
};

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
    routes.Add({"POST", "/api/v1/keys/verify", E::kInlineFirst, Access::kServiceClient, Rate::kNone,
                "keys:verify"},
               this, &A::Verify);
  }

 private:
  core::Result<Response> Create(Call& c) {
    VAULT_TRY(keys_.Authorize(c.ctx, c.param("ws")));
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<NewKeyInput>());
    VAULT_ASSIGN_OR_RETURN(auto issued, keys_.Create(c.ctx, c.param("ws"), in.Key()));
    return SecretResponse(RenderIssuedKey(issued, clock_.Now()));
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
    return JsonOk(200, RenderKeyPage(page, clock_.Now()));
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
    VAULT_ASSIGN_OR_RETURN(auto in, c.OptionalBody<RollInput>());
    VAULT_ASSIGN_OR_RETURN(auto rolled,
                           keys_.Roll(c.ctx, c.param("ws"), c.param("id"), in.Options()));
    return SecretResponse(RenderRolledKey(rolled, clock_.Now()));
  }

  core::Result<Response> Verify(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<VerifyInput>());
    for (const auto& name : in.include)
      if (name != "config")
        return core::Fail(core::Code::kInvalidArgument, "validation.enum",
                          "include may only name \"config\"", "include");
    VAULT_ASSIGN_OR_RETURN(auto v, keys_.Verify(*c.client, in.key, in.Check()));
    return Response::Json(200, RenderVerdict(v, !in.include.empty()));
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
