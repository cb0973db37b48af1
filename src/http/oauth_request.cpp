#include "http/oauth_request.hpp"

#include "core/encoding.hpp"
#include "core/product.hpp"
#include "http/basic_credentials.hpp"
#include "oidc/oauth_error.hpp"

namespace vault::http {

using oidc::OAuthFailure;

core::Result<Form> ReadForm(const Request& req) {
  const std::string* type = req.Header("content-type");
  if (!type || !IsMediaType(*type, "application/x-www-form-urlencoded"))
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

}  // namespace vault::http
