#include "http/oauth_json.hpp"

#include <boost/json.hpp>

#include "core/encoding.hpp"

namespace vault::http {

boost::json::object RenderDiscovery(const std::string& issuer) {
  boost::json::array auth_methods{"client_secret_basic", "client_secret_post"};
  boost::json::array token_methods{"client_secret_basic", "client_secret_post", "none"};
  return {
      {"issuer", issuer},
      {"authorization_endpoint", issuer + "/oauth2/authorize"},
      {"token_endpoint", issuer + "/oauth2/token"},
      {"userinfo_endpoint", issuer + "/oauth2/userinfo"},
      {"jwks_uri", issuer + "/oauth2/jwks"},
      {"introspection_endpoint", issuer + "/oauth2/introspect"},
      {"revocation_endpoint", issuer + "/oauth2/revoke"},
      {"end_session_endpoint", issuer + "/oauth2/logout"},
      {"grant_types_supported",
       boost::json::array{"authorization_code", "refresh_token", "client_credentials"}},
      {"token_endpoint_auth_methods_supported", token_methods},
      {"revocation_endpoint_auth_methods_supported", token_methods},
      {"introspection_endpoint_auth_methods_supported", auth_methods},
      {"scopes_supported", boost::json::array{"openid", "profile", "email", "offline_access",
                                              "keys:verify", "access:check", "callbacks:sign"}},
      {"claims_supported",
       boost::json::array{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "sid",
                          "name", "locale", "zoneinfo", "updated_at", "email", "email_verified",
                          "workspace_id", "workspace", "product_id", "product_role"}},
      {"response_types_supported", boost::json::array{"code"}},
      {"response_modes_supported", boost::json::array{"query"}},
      {"prompt_values_supported", boost::json::array{"none", "login", "consent", "select_account"}},
      {"subject_types_supported", boost::json::array{"public"}},
      {"id_token_signing_alg_values_supported", boost::json::array{"EdDSA"}},
      {"code_challenge_methods_supported", boost::json::array{"S256"}},
      {"authorization_response_iss_parameter_supported", true},
      {"claims_parameter_supported", false},
      {"request_parameter_supported", false},
      {"request_uri_parameter_supported", false}};
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
  boost::json::object o{{"access_token", t.access_token},
                        {"token_type", "Bearer"},
                        {"expires_in", t.expires_in},
                        {"scope", t.scope}};
  if (!t.id_token.empty()) o["id_token"] = t.id_token;
  if (!t.refresh_token.empty()) o["refresh_token"] = t.refresh_token;
  return o;
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
