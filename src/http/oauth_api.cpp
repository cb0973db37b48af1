// The OpenID Connect provider's endpoints (ADR 0010): discovery, the JWKS, authorization (code +
// PKCE, through the console's sign-in and workspace chooser), the token endpoint (code, refresh,
// client credentials), introspection, revocation, userinfo and RP-initiated logout; and the JSON
// the console's authorization page reads. OAuth clients speak RFC 6749, not this API's
// conventions: token-side requests are application/x-www-form-urlencoded (JSON bodies are refused
// with invalid_request), clients authenticate with HTTP Basic or client_secret_post (public
// clients name themselves), and errors are RFC 6749 §5.2 JSON, not problem+json. The token-side
// endpoints read no cookie; /oauth2/authorize and /oauth2/logout read the console session cookie
// (SameSite=Lax: sent on the top-level navigations these are) and change nothing a cross-site
// page could exploit: a code only ever goes to the client's registered redirect URI, and logout
// needs an ID token the client was given.
#include <boost/json.hpp>
#include <memory>

#include "core/encoding.hpp"
#include "http/api.hpp"
#include "http/auth.hpp"
#include "http/endpoint.hpp"
#include "http/oauth_json.hpp"
#include "oidc/authorize_service.hpp"

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

Response Redirect(const std::string& location) {
  Response r = Response::NoContent();
  r.status = 302;
  r.headers.emplace_back("Location", location);
  r.headers.emplace_back("Cache-Control", "no-store");
  // The URL carries a code or state: never leak it to the next site as a Referer.
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

// The authorization request's parameters from the query: each once (a repeat is recorded, the
// first value kept); an empty value counts as absent.
core::Result<oidc::AuthorizeParams> ReadAuthorizeParams(const Request& req) {
  auto pairs = ParseForm(req.query);
  if (!pairs)
    return core::Fail(core::Code::kInvalidArgument, "validation.query",
                      "a parameter is not valid UTF-8 or holds a control character");
  oidc::AuthorizeParams p;
  const std::pair<const char*, std::string*> fields[] = {
      {"client_id", &p.client_id},
      {"redirect_uri", &p.redirect_uri},
      {"response_type", &p.response_type},
      {"scope", &p.scope},
      {"state", &p.state},
      {"nonce", &p.nonce},
      {"code_challenge", &p.code_challenge},
      {"code_challenge_method", &p.code_challenge_method},
      {"prompt", &p.prompt},
      {"max_age", &p.max_age},
      {"login_hint", &p.login_hint},
      {"workspace_id", &p.workspace_id},
      {"product_id", &p.product_id}};
  for (const auto& [k, v] : *pairs) {
    if (v.empty()) continue;
    for (const auto& [name, field] : fields) {
      if (k != name) continue;
      if (!field->empty() && p.repeated.empty()) p.repeated = k;
      if (field->empty()) *field = v;
    }
  }
  return p;
}

// The authorize query to come back to after signing in: as sent, without prompt=login and
// max_age (a fresh sign-in satisfies them; keeping them would ask again forever) and without a
// chooser answer.
std::string ReturnQuery(const Request& req) {
  std::string out;
  auto pairs = ParseForm(req.query);
  if (!pairs) return out;
  for (const auto& [k, v] : *pairs) {
    if (k == "max_age" || k == "workspace_id" || k == "product_id") continue;
    std::string value = v;
    if (k == "prompt") {
      std::string kept;
      for (const auto& w : core::SplitWords(v))
        if (w != "login") kept += (kept.empty() ? "" : " ") + w;
      if (kept.empty()) continue;
      value = kept;
    }
    out += (out.empty() ? "" : "&") + core::UrlEncode(k) + "=" + core::UrlEncode(value);
  }
  return out;
}

class OAuthApi {
 public:
  OAuthApi(app::SigningKeys& keys, oidc::TokenService& tokens, oidc::AuthorizeService& authorize,
           app::AccountService& accounts, bool dev)
      : keys_(keys),
        tokens_(tokens),
        authorize_(authorize),
        accounts_(accounts),
        dev_(dev),
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
    routes.Add({"GET", "/oauth2/authorize", E::kBlocking, P}, this, &OAuthApi::Authorize);
    routes.Add({"GET", "/api/v1/oauth/authorization", E::kBlocking, P}, this,
               &OAuthApi::AuthorizationJson);
    routes.Add({"POST", "/oauth2/revoke", E::kBlocking, P}, this, &OAuthApi::Revoke);
    routes.Add({"GET", "/oauth2/userinfo", E::kBlocking, P}, this, &OAuthApi::UserInfo);
    routes.Add({"POST", "/oauth2/userinfo", E::kBlocking, P}, this, &OAuthApi::UserInfo);
    routes.Add({"GET", "/oauth2/logout", E::kBlocking, P}, this, &OAuthApi::Logout);
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
      oidc::TokenRequest request;
      request.grant_type = form.Get("grant_type").value_or("");
      request.scope = form.Get("scope");
      request.code = form.Get("code").value_or("");
      request.redirect_uri = form.Get("redirect_uri").value_or("");
      request.code_verifier = form.Get("code_verifier").value_or("");
      request.refresh_token = form.Get("refresh_token").value_or("");
      request.workspace_id = form.Get("workspace_id").value_or("");
      request.product_id = form.Get("product_id").value_or("");
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

  // The browser's console session, if its cookie names a live one.
  core::Result<std::optional<app::AuthContext>> CookieSession(const Request& req) {
    std::string token = req.Cookie(kSessionCookie);
    if (token.empty()) return std::optional<app::AuthContext>();
    auto ctx = accounts_.Authenticate(token, ClientOf(req));
    if (!ctx) {
      if (ctx.error().code == core::Code::kUnauthenticated)
        return std::optional<app::AuthContext>();
      return core::Fail(ctx.error());
    }
    return std::optional<app::AuthContext>(std::move(*ctx));
  }

  core::Result<Response> Authorize(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto params, ReadAuthorizeParams(c.req));
    VAULT_ASSIGN_OR_RETURN(auto session, CookieSession(c.req));
    VAULT_ASSIGN_OR_RETURN(auto plan, authorize_.Authorize(params, session, true));
    using K = oidc::AuthorizePlan::Kind;
    switch (plan.kind) {
      case K::kRedirect:
        return Redirect(plan.redirect_to);
      case K::kDeny:
        // Protocol errors and prompt=none answers go straight back to the client; an access
        // denial first explains itself to the person on the console's page.
        if (plan.reason.empty()) return Redirect(plan.redirect_to);
        return Redirect("/authorize?" + c.req.query);
      case K::kLogin: {
        std::string to =
            "/signin?return_to=" + core::UrlEncode("/oauth2/authorize?" + ReturnQuery(c.req));
        if (plan.fresh_login) to += "&fresh=1";
        if (!plan.login_hint.empty()) to += "&email=" + core::UrlEncode(plan.login_hint);
        return Redirect(to);
      }
      case K::kError:
      case K::kChoose:
        return Redirect("/authorize?" + c.req.query);
    }
    return Redirect("/authorize?" + c.req.query);
  }

  // What /oauth2/authorize would do with these parameters, for the console's page (which shows
  // errors, denials and the chooser, and sends the person to sign-in). Never issues a code.
  core::Result<Response> AuthorizationJson(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto params, ReadAuthorizeParams(c.req));
    VAULT_ASSIGN_OR_RETURN(auto session, CookieSession(c.req));
    VAULT_ASSIGN_OR_RETURN(auto plan, authorize_.Authorize(params, session, false));
    boost::json::object o{{"client_name", plan.client_name}};
    using K = oidc::AuthorizePlan::Kind;
    switch (plan.kind) {
      case K::kError:
        o["status"] = "error";
        o["error"] = plan.error;
        o["description"] = plan.description;
        break;
      case K::kLogin:
        o["status"] = "login";
        o["return_to"] = "/oauth2/authorize?" + ReturnQuery(c.req);
        o["fresh"] = plan.fresh_login;
        o["login_hint"] = plan.login_hint;
        break;
      case K::kChoose: {
        o["status"] = "choose";
        boost::json::array choices;
        for (const auto& ch : plan.choices)
          choices.push_back({{"workspace_id", ch.workspace_id},
                             {"workspace_name", ch.workspace_name},
                             {"workspace_shortname", ch.workspace_shortname},
                             {"product_id", ch.product_id},
                             {"product_name", ch.product_name},
                             {"role", ch.role},
                             {"last_used", ch.last_used}});
        o["choices"] = std::move(choices);
        break;
      }
      case K::kDeny:
        o["status"] = plan.reason.empty() ? "redirect" : "denied";
        o["error"] = plan.error;
        o["reason"] = plan.reason;
        o["redirect_to"] = plan.redirect_to;
        break;
      case K::kRedirect:
        o["status"] = "ready";
        break;
    }
    return NoStoreJson(200, o);
  }

  core::Result<Response> Revoke(Call& c) {
    return OAuthAnswer([&]() -> core::Result<Response> {
      VAULT_ASSIGN_OR_RETURN(auto form, ReadForm(c.req));
      VAULT_ASSIGN_OR_RETURN(auto auth, ReadClientAuth(c.req, form));
      VAULT_TRY(tokens_.Revoke(auth, form.Get("token").value_or(""), ClientOf(c.req)));
      return NoStoreJson(200, boost::json::object{});
    }());
  }

  core::Result<Response> UserInfo(Call& c) {
    const std::string* h = c.req.Header("authorization");
    std::string token;
    if (h && h->size() > 7 && (h->rfind("Bearer ", 0) == 0 || h->rfind("bearer ", 0) == 0))
      token = h->substr(7);
    auto invalid = [](const char* why) {
      Response r = NoStoreJson(
          401, boost::json::object{{"error", "invalid_token"}, {"error_description", why}});
      r.headers.emplace_back(
          "WWW-Authenticate",
          std::string("Bearer error=\"invalid_token\", error_description=\"") + why + "\"");
      return r;
    };
    if (token.empty()) {
      Response r = NoStoreJson(
          401, boost::json::object{{"error", "invalid_request"},
                                   {"error_description", "send the access token as Bearer"}});
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return r;
    }
    VAULT_ASSIGN_OR_RETURN(auto info, tokens_.UserInfoOf(token));
    if (!info.valid) return invalid("the access token is not valid");
    return NoStoreJson(200, info.claims);
  }

  core::Result<Response> Logout(Call& c) {
    auto q = [&](const char* name) { return c.req.Query(name).value_or(""); };
    VAULT_ASSIGN_OR_RETURN(auto session, CookieSession(c.req));
    VAULT_ASSIGN_OR_RETURN(
        auto plan, authorize_.Logout(q("id_token_hint"), q("post_logout_redirect_uri"), q("state"),
                                     q("client_id")));
    if (!plan.error.empty()) return Redirect("/signed-out?error=" + core::UrlEncode(plan.error));
    Response r = Redirect(plan.redirect_to.empty() ? "/signed-out" : plan.redirect_to);
    // This browser's session was the one ended: its cookie goes too.
    if (session && session->session.id == plan.session_id)
      r.headers.emplace_back("Set-Cookie", SessionCookie("", 0, dev_));
    return r;
  }

  app::SigningKeys& keys_;
  oidc::TokenService& tokens_;
  oidc::AuthorizeService& authorize_;
  app::AccountService& accounts_;
  bool dev_;
  std::string discovery_;
};

}  // namespace

void RegisterOAuthRoutes(Router& router, app::SigningKeys& keys, oidc::TokenService& tokens,
                         oidc::AuthorizeService& authorize, app::AccountService& accounts,
                         const ApiOptions& options) {
  static std::vector<std::unique_ptr<OAuthApi>> apis;  // live as long as the process
  apis.push_back(std::make_unique<OAuthApi>(keys, tokens, authorize, accounts, options.dev));
  Routes routes(router);
  apis.back()->Register(routes);
}

}  // namespace vault::http
