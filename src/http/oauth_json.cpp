#include "http/oauth_json.hpp"

#include <boost/json.hpp>

#include "core/encoding.hpp"

namespace vault::http {

boost::json::object RenderDiscovery(const std::string& issuer) {
  // Only what answers today; the authorization code flow (authorization_endpoint, userinfo,
  // revocation, end_session, response_types "code" with PKCE) joins when it is built (ADR 0010).
  boost::json::array auth_methods{"client_secret_basic", "client_secret_post"};
  return {{"issuer", issuer},
          {"jwks_uri", issuer + "/oauth2/jwks"},
          {"token_endpoint", issuer + "/oauth2/token"},
          {"introspection_endpoint", issuer + "/oauth2/introspect"},
          {"grant_types_supported", boost::json::array{"client_credentials"}},
          {"token_endpoint_auth_methods_supported", auth_methods},
          {"introspection_endpoint_auth_methods_supported", auth_methods},
          {"scopes_supported", boost::json::array{"keys:verify", "access:check"}},
          {"response_types_supported", boost::json::array{"code"}},
          {"subject_types_supported", boost::json::array{"public"}},
          {"id_token_signing_alg_values_supported", boost::json::array{"EdDSA"}},
          {"code_challenge_methods_supported", boost::json::array{"S256"}}};
}

boost::json::object RenderJwks(const std::vector<app::PublishedKey>& keys) {
  boost::json::array out;
  for (const auto& k : keys)
    out.push_back(boost::json::object{{"kty", "OKP"},
                                      {"crv", "Ed25519"},
                                      {"x", core::Base64Url(k.public_key)},
                                      {"kid", k.kid},
                                      {"use", "sig"},
                                      {"alg", k.alg}});
  return {{"keys", std::move(out)}};
}

boost::json::object RenderToken(const oidc::IssuedToken& t) {
  return {{"access_token", t.access_token},
          {"token_type", "Bearer"},
          {"expires_in", t.expires_in},
          {"scope", t.scope}};
}

boost::json::object RenderIntrospection(const oidc::Introspection& i) {
  if (!i.active) return {{"active", false}};
  boost::json::object o = i.claims;
  o["active"] = true;
  return o;
}

Response NoStoreJson(int status, const boost::json::object& o) {
  Response r = Response::Json(status, boost::json::serialize(o));
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("Pragma", "no-cache");
  return r;
}

Response OAuthErrorResponse(const oidc::OAuthError& e) {
  boost::json::object o{{"error", e.error}};
  if (!e.description.empty()) o["error_description"] = e.description;
  Response r = NoStoreJson(e.status, o);
  if (e.status == 401) r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"atomyx-vault\"");
  return r;
}

}  // namespace vault::http
