// Handlers for API keys (SPEC §13 "API keys") and the product-facing POST /api/v1/keys/verify.
#include "http/api.hpp"

#include <boost/json.hpp>

#include "core/api_key.hpp"
#include "http/auth.hpp"
#include "http/handler_util.hpp"
#include "http/json_body.hpp"

namespace vault::http {
namespace {

boost::json::value TimeOrNull(core::Timestamp t) {
  return t ? boost::json::value(core::FormatRfc3339(t)) : boost::json::value(nullptr);
}

boost::json::value StringOrNull(const std::string& s) {
  return s.empty() ? boost::json::value(nullptr) : boost::json::value(s);
}

boost::json::array Strings(const std::vector<std::string>& v) {
  boost::json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

// The verify answer, written directly: it is on every product request, and building a
// boost::json::object for it cost more than the key check itself.
Response VerdictResponse(const app::KeyVerdict& v) {
  std::string out;
  out.reserve(256 + v.name.size());
  if (!v.reason.empty()) {
    out = "{\"valid\":false,\"reason\":";
    AppendJsonString(out, v.reason);
    out += '}';
    return Response::Json(200, std::move(out));
  }
  auto field = [&out](const char* name, std::string_view value) {
    out += ",\"";
    out += name;
    out += "\":";
    AppendJsonString(out, value);
  };
  out = "{\"valid\":true";
  field("key_id", v.key_id);
  field("name", v.name);
  field("workspace_id", v.workspace_id);
  field("product_id", v.product_id);
  field("environment", core::EnvironmentName(v.environment));
  out += ",\"permissions\":[";
  for (std::size_t i = 0; i < v.permissions.size(); ++i) {
    if (i) out += ',';
    AppendJsonString(out, v.permissions[i]);
  }
  out += ']';
  if (v.expires_at) {
    field("expires_at", core::FormatRfc3339(v.expires_at));
  } else {
    out += ",\"expires_at\":null";
  }
  out += '}';
  return Response::Json(200, std::move(out));
}

// A key as lists and pages show it: never the secret, only the prefix and the last four.
boost::json::object RenderKey(const core::ApiKey& k, core::Timestamp now) {
  std::string prefix =
      "avk_" + std::string(core::EnvironmentTag(k.environment)) + "_" + k.id.substr(3);
  return {{"id", k.id},
          {"name", k.name},
          {"workspace_id", k.workspace_id},
          {"product_id", k.product_id},
          {"environment", core::EnvironmentName(k.environment)},
          {"permissions", Strings(k.permissions)},
          {"allowed_ips", Strings(k.allowed_ips)},
          {"prefix", prefix},
          {"last_four", k.last_four},
          {"redacted", prefix + "_…" + k.last_four},
          {"status", core::ApiKeyStatus(k, now)},
          {"created_by", k.created_by},
          {"created_at", core::FormatRfc3339(k.created_at)},
          {"expires_at", TimeOrNull(k.expires_at)},
          {"revoked_at", TimeOrNull(k.revoked_at)},
          {"last_used_at", TimeOrNull(k.last_used_at)},
          {"last_used_ip", StringOrNull(k.last_used_ip)},
          {"rolled_from", StringOrNull(k.rolled_from)},
          {"replaced_by", StringOrNull(k.replaced_by)}};
}

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
  ApiKeysApi(app::AccountService& accounts, app::ApiKeyService& keys,
             app::IntegrationService& integration, core::Clock& clock, const ApiOptions& options)
      : accounts_(accounts),
        keys_(keys),
        integration_(integration),
        clock_(clock),
        origin_(OriginOf(options.public_url)) {}

  void Register(Router& r) {
    using E = Executor;
    using A = ApiKeysApi;
    const std::string k = "/api/v1/workspaces/{ws}/api-keys";
    AddRoute(r, this, "POST", k.c_str(), E::kBlocking, &A::Create);
    AddRoute(r, this, "GET", k.c_str(), E::kBlocking, &A::List);
    AddRoute(r, this, "GET", (k + "/{id}").c_str(), E::kBlocking, &A::Get);
    AddRoute(r, this, "DELETE", (k + "/{id}").c_str(), E::kBlocking, &A::Revoke);
    AddRoute(r, this, "POST", (k + "/{id}/roll").c_str(), E::kBlocking, &A::Roll);
    // The hot path: answered inline from memory; only a cache miss moves to the blocking pool.
    AddRoute(r, this, "POST", "/api/v1/keys/verify", E::kInlineFirst, &A::Verify);
  }

 private:
  core::Result<app::AuthContext> Auth(const Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto a, Authenticate(req, accounts_, origin_));
    return std::move(a.ctx);
  }

  core::Result<Response> Create(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(keys_.Authorize(ctx, req.params["ws"]));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
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
    VAULT_ASSIGN_OR_RETURN(auto issued, keys_.Create(ctx, req.params["ws"], nk));
    boost::json::object o = RenderKey(issued.key, clock_.Now());
    o["key"] = issued.text;
    return SecretResponse(o);
  }

  core::Result<Response> List(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(keys_.Authorize(ctx, req.params["ws"]));
    app::KeyFilter f;
    VAULT_ASSIGN_OR_RETURN(auto limit, QueryLimit(req, 100, 500));
    f.limit = limit;
    f.product = req.Query("product").value_or("");
    f.environment = req.Query("environment").value_or("");
    f.cursor = req.Query("cursor").value_or("");
    VAULT_ASSIGN_OR_RETURN(auto page, keys_.List(ctx, req.params["ws"], f));
    core::Timestamp now = clock_.Now();
    boost::json::array items;
    for (const auto& k : page.items) items.push_back(RenderKey(k, now));
    return JsonOk(200, boost::json::object{{"items", std::move(items)},
                                           {"next_cursor", StringOrNull(page.next_cursor)}});
  }

  core::Result<Response> Get(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_ASSIGN_OR_RETURN(auto k, keys_.Get(ctx, req.params["ws"], req.params["id"]));
    return JsonOk(200, RenderKey(k, clock_.Now()));
  }

  core::Result<Response> Revoke(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(keys_.Revoke(ctx, req.params["ws"], req.params["id"]));
    return Response::NoContent();
  }

  core::Result<Response> Roll(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(keys_.Authorize(ctx, req.params["ws"]));
    app::RollOptions opt;
    if (!req.body.empty()) {
      VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
      VAULT_ASSIGN_OR_RETURN(auto grace, body.OptInt("grace_seconds"));
      opt.grace_seconds = grace.value_or(0);
      VAULT_ASSIGN_OR_RETURN(auto expires, OptTime(body, "expires_at"));
      if (expires) opt.expires_at = expires;
    }
    VAULT_ASSIGN_OR_RETURN(auto rolled, keys_.Roll(ctx, req.params["ws"], req.params["id"], opt));
    core::Timestamp now = clock_.Now();
    boost::json::object o = RenderKey(rolled.key.key, now);
    o["key"] = rolled.key.text;
    o["previous"] = RenderKey(rolled.old, now);
    return SecretResponse(o);
  }

  core::Result<Response> Verify(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto client, AuthenticateServiceClient(req, integration_));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
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
    VAULT_ASSIGN_OR_RETURN(auto v, keys_.Verify(client, key, check));
    return VerdictResponse(v);
  }

  app::AccountService& accounts_;
  app::ApiKeyService& keys_;
  app::IntegrationService& integration_;
  core::Clock& clock_;
  std::string origin_;
};

}  // namespace

void RegisterApiKeyRoutes(Router& router, app::AccountService& accounts, app::ApiKeyService& keys,
                          app::IntegrationService& integration, core::Clock& clock,
                          const ApiOptions& options) {
  static std::vector<std::unique_ptr<ApiKeysApi>> apis;  // handlers live as long as the process
  apis.push_back(std::make_unique<ApiKeysApi>(accounts, keys, integration, clock, options));
  apis.back()->Register(router);
}

}  // namespace vault::http
