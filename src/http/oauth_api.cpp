// The OpenID Connect provider's endpoints (ADR 0010): discovery, the JWKS, the token endpoint
// (client credentials) and introspection. OAuth clients speak RFC 6749, not this API's
// conventions: requests are application/x-www-form-urlencoded (JSON bodies are refused with
// invalid_request), clients authenticate with HTTP Basic or client_secret_post, and errors are
// RFC 6749 §5.2 JSON, not problem+json. No Origin check: nothing here reads a cookie, and every
// request that issues or reveals anything carries a client secret.
#include <boost/json.hpp>
#include <memory>

#include "http/api.hpp"
#include "http/auth.hpp"
#include "http/endpoint.hpp"
#include "http/oauth_json.hpp"

namespace vault::http {

namespace {

using oidc::OAuthFailure;

// A form body: the parameters once each (RFC 6749 §3.2: none may repeat; an empty value counts
// as absent).
struct Form {
  std::vector<std::pair<std::string, std::string>> params;
  std::optional<std::string> Get(std::string_view name) const {
    for (const auto& [k, v] : params)
      if (k == name) return v;
    return std::nullopt;
  }
};

core::Result<Form> ReadForm(const Request& req) {
  const std::string* type = req.Header("content-type");
  std::string media = type ? type->substr(0, type->find(';')) : "";
  for (char& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  if (media != "application/x-www-form-urlencoded")
    return core::Fail(OAuthFailure("invalid_request",
                                   "send the parameters as application/x-www-form-urlencoded"));
  auto pairs = ParseForm(req.body);
  if (!pairs)
    return core::Fail(OAuthFailure("invalid_request",
                                   "a parameter is not valid UTF-8 or holds a control character"));
  Form form;
  for (auto& [k, v] : *pairs) {
    if (v.empty()) continue;
    if (form.Get(k)) return core::Fail(OAuthFailure("invalid_request", k + " is sent twice"));
    form.params.emplace_back(std::move(k), std::move(v));
  }
  return form;
}

// The client's credentials: HTTP Basic (client_secret_basic, each part form-urlencoded first,
// RFC 6749 §2.3.1) or client_id/client_secret in the body (client_secret_post); never both.
core::Result<oidc::ClientAuth> ReadClientAuth(const Request& req, const Form& form) {
  auto basic = BasicCredentials(req);
  auto id = form.Get("client_id");
  auto secret = form.Get("client_secret");
  if (basic) {
    auto user = ParseForm("u=" + basic->first), pass = ParseForm("p=" + basic->second);
    if (!user || !pass || user->size() != 1 || pass->size() != 1)
      return core::Fail(OAuthFailure("invalid_client", "malformed HTTP Basic credentials"));
    if (secret)
      return core::Fail(OAuthFailure("invalid_request", "use one client authentication method"));
    oidc::ClientAuth auth{user->front().second, pass->front().second};
    if (id && *id != auth.client_id)
      return core::Fail(OAuthFailure("invalid_request", "client_id differs from HTTP Basic"));
    return auth;
  }
  if (req.Header("authorization"))
    return core::Fail(OAuthFailure("invalid_client", "authenticate with HTTP Basic"));
  if (!id) return core::Fail(OAuthFailure("invalid_client", "client authentication is required"));
  return oidc::ClientAuth{*id, secret};
}

Response OAuthAnswer(core::Result<Response> r) {
  // Every failure, the checks' and the use case's, becomes RFC 6749 JSON. (Work that would block
  // on a network thread is re-run by the server, which asks its NoBlockingScope.)
  return r ? std::move(*r) : OAuthErrorResponse(oidc::ToOAuthError(r.error()));
}

class OAuthApi {
 public:
  OAuthApi(app::SigningKeys& keys, oidc::TokenService& tokens)
      : keys_(keys),
        tokens_(tokens),
        discovery_(boost::json::serialize(RenderDiscovery(tokens.settings().issuer))) {}

  void Register(Routes& routes) {
    using E = Executor;
    const Access P = Access::kPublic;
    routes.Add({"GET", "/.well-known/openid-configuration", E::kInline, P}, this,
               &OAuthApi::Discovery);
    // Served from the key cache; a reload (first key, rotation) re-runs where it may block.
    routes.Add({"GET", "/oauth2/jwks", E::kInlineFirst, P}, this, &OAuthApi::Jwks);
    routes.Add({"POST", "/oauth2/token", E::kBlocking, P}, this, &OAuthApi::Token);
    routes.Add({"POST", "/oauth2/introspect", E::kInlineFirst, P}, this, &OAuthApi::Introspect);
  }

 private:
  core::Result<Response> Discovery(Call&) {
    Response r = Response::Json(200, discovery_);
    r.headers.emplace_back("Cache-Control", "public, max-age=3600");
    return r;
  }

  core::Result<Response> Jwks(Call&) {
    VAULT_ASSIGN_OR_RETURN(auto keys, keys_.Published());
    Response r = Response::Json(200, boost::json::serialize(RenderJwks(keys)));
    r.content_type = "application/jwk-set+json";
    // Short: a rotated-in key is published within minutes even to verifiers that do not
    // re-fetch on an unknown kid (ADR 0010).
    r.headers.emplace_back("Cache-Control", "public, max-age=300");
    return r;
  }

  core::Result<Response> Token(Call& c) {
    return OAuthAnswer([&]() -> core::Result<Response> {
      VAULT_ASSIGN_OR_RETURN(auto form, ReadForm(c.req));
      VAULT_ASSIGN_OR_RETURN(auto auth, ReadClientAuth(c.req, form));
      oidc::TokenRequest request{form.Get("grant_type").value_or(""), form.Get("scope")};
      const std::string* ua = c.req.Header("user-agent");
      VAULT_ASSIGN_OR_RETURN(
          auto issued, tokens_.Token(auth, request, {c.req.remote_ip, ua ? *ua : std::string()}));
      return NoStoreJson(200, RenderToken(issued));
    }());
  }

  core::Result<Response> Introspect(Call& c) {
    return OAuthAnswer([&]() -> core::Result<Response> {
      VAULT_ASSIGN_OR_RETURN(auto form, ReadForm(c.req));
      VAULT_ASSIGN_OR_RETURN(auto auth, ReadClientAuth(c.req, form));
      // token_type_hint is optional and only a hint (RFC 7662 §2.1): every token is tried as
      // an access token.
      VAULT_ASSIGN_OR_RETURN(auto result, tokens_.Introspect(auth, form.Get("token").value_or("")));
      return NoStoreJson(200, RenderIntrospection(result));
    }());
  }

  app::SigningKeys& keys_;
  oidc::TokenService& tokens_;
  std::string discovery_;
};

}  // namespace

void RegisterOAuthRoutes(Router& router, app::SigningKeys& keys, oidc::TokenService& tokens) {
  static std::vector<std::unique_ptr<OAuthApi>> apis;  // live as long as the process
  apis.push_back(std::make_unique<OAuthApi>(keys, tokens));
  Routes routes(router);
  apis.back()->Register(routes);
}

}  // namespace vault::http
