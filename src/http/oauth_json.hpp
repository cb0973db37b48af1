// Renderers of the OpenID Connect provider's documents (ADR 0010): discovery, the JWKS, token
// and introspection answers, OAuth errors. Thread-safe (stateless).
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "app/signing_keys.hpp"
#include "http/message.hpp"
#include "oidc/oauth_error.hpp"
#include "oidc/token_service.hpp"

namespace vault::http {

// The provider metadata (OpenID Connect Discovery 1.0, RFC 8414) of what is served today.
boost::json::object RenderDiscovery(const std::string& issuer);
// {"keys":[{kty OKP, crv Ed25519, x, kid, use sig, alg EdDSA}…]} (RFC 8037 §2).
boost::json::object RenderJwks(const std::vector<app::PublishedKey>& keys);
// RFC 6749 §5.1.
boost::json::object RenderToken(const oidc::IssuedToken& t);
// RFC 7662 §2.2: {"active": false} alone for an inactive token.
boost::json::object RenderIntrospection(const oidc::Introspection& i);
// RFC 6749 §5.2 JSON with no-store, and WWW-Authenticate on 401.
Response OAuthErrorResponse(const oidc::OAuthError& e);
// A JSON answer that must not be cached (tokens, introspection: RFC 6749 §5.1).
Response NoStoreJson(int status, const boost::json::object& o);

}  // namespace vault::http
