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
#include "http/oauth_request.hpp"
#include "http/rate_limiter.hpp"
#include "oidc/authorize_service.hpp"

namespace vault::http {

namespace {

using oidc::OAuthFailure;

// Browser apps (public clients) on other origins read discovery and the JWKS, exchange codes,
// refresh, revoke and call userinfo from JavaScript. These endpoints read no cookie and answer
// only to what the request itself carries (a code + verifier, a token, a client secret), so any
// origin may read their answers; credentials (cookies) are never allowed.
Response Cors(Response r) {
  r.headers.emplace_back("Access-Control-Allow-Origin", "*");
  return r;
}

Response OAuthAnswer(core::Result<Response> r) {
  // Every failure, the checks' and the use case's, becomes RFC 6749 JSON. (Work that would block
  // on a network thread is re-run by the server, which asks its NoBlockingScope.)
  return Cors(r ? std::move(*r) : OAuthErrorResponse(oidc::ToOAuthError(r.error())));
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

class OAuthApi {
 public:
  OAuthApi(app::SigningKeys& keys, oidc::TokenService& tokens, oidc::AuthorizeService& authorize,
           app::AccountService& accounts, const ApiOptions& options)
      : keys_(keys),
        tokens_(tokens),
        authorize_(authorize),
        accounts_(accounts),
        dev_(options.dev),
        public_clients_(options.ip_rate_per_second, options.ip_burst, options.shared_limits,
                        options.clock, "oauth"),
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
    for (const char* path : {"/oauth2/token", "/oauth2/revoke", "/oauth2/userinfo"})
      routes.Add({"OPTIONS", path, E::kInline, P}, this, &OAuthApi::Preflight);
  }

 private:
  core::Result<Response> Discovery(Call&) {
    Response r = Response::Json(200, discovery_);
    r.headers.emplace_back("Cache-Control", "public, max-age=3600");
    return Cors(std::move(r));
  }

  core::Result<Response> Jwks(Call&) {
    VAULT_ASSIGN_OR_RETURN(auto keys, keys_.Published());
    Response r = Response::Json(200, boost::json::serialize(RenderJwks(keys)));
    r.content_type = "application/jwk-set+json";
    // Short: a rotated-in key is published within minutes even to verifiers that do not
    // re-fetch on an unknown kid (ADR 0010).
    r.headers.emplace_back("Cache-Control", "public, max-age=300");
    return Cors(std::move(r));
  }

  core::Result<Response> Token(Call& c) {
    return OAuthAnswer([&]() -> core::Result<Response> {
      VAULT_ASSIGN_OR_RETURN(auto form, ReadForm(c.req));
      VAULT_ASSIGN_OR_RETURN(auto auth, ReadClientAuth(c.req, form));
      VAULT_TRY(ThrottlePublic(c.req, auth));
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

  core::Result<void> ThrottlePublic(const Request& req, const oidc::ClientAuth& auth) {
    long retry = 0;
    if (auth.secret || public_clients_.Allow(req.remote_ip, &retry)) return {};
    core::Error err{core::Code::kResourceExhausted, "rate_limited", "",
                    "too many requests from this address; slow down"};
    err.retry_after = retry;
    return core::Fail(std::move(err));
  }

  core::Result<Response> Preflight(Call&) {
    Response r = Response::NoContent();
    r.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST");
    r.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type");
    r.headers.emplace_back("Access-Control-Max-Age", "600");
    return Cors(std::move(r));
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
      VAULT_TRY(ThrottlePublic(c.req, auth));
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
      std::string challenge = "Bearer error=\"invalid_token\", error_description=\"";
      challenge.append(why).push_back('"');
      r.headers.emplace_back("WWW-Authenticate", std::move(challenge));
      return r;
    };
    if (token.empty()) {
      Response r = NoStoreJson(
          401, boost::json::object{{"error", "invalid_request"},
                                   {"error_description", "send the access token as Bearer"}});
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return Cors(std::move(r));
    }
    VAULT_ASSIGN_OR_RETURN(auto info, tokens_.UserInfoOf(token));
    if (!info.valid) return Cors(invalid("the access token is not valid"));
    return Cors(NoStoreJson(200, info.claims));
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
  // Per client IP, for requests without a client secret (public clients' code exchanges,
  // refreshes and revocations): their only proof is what they send, so guessing is throttled.
  RateLimiter public_clients_;
  std::string discovery_;
};

}  // namespace

void RegisterOAuthRoutes(Router& router, app::SigningKeys& keys, oidc::TokenService& tokens,
                         oidc::AuthorizeService& authorize, app::AccountService& accounts,
                         const ApiOptions& options) {
  static std::vector<std::unique_ptr<OAuthApi>> apis;  // live as long as the process
  apis.push_back(std::make_unique<OAuthApi>(keys, tokens, authorize, accounts, options));
  Routes routes(router);
  apis.back()->Register(routes);
}

}  // namespace vault::http
