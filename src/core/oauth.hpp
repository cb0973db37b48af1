// The OpenID Connect provider's domain (ADR 0010): signing keys and their lifecycle, redirect URI
// rules for OAuth clients, the scopes a service client may hold. Pure values and functions;
// thread-safe (stateless).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace vault::core {

// One token-signing key. Only the current key signs; a retired key stays published (JWKS) until
// verify_until, by when every token it signed has expired.
struct SigningKey {
  std::string kid;                 // random, "sk_…"; the JWS header's kid
  std::string alg = "EdDSA";       // Ed25519 (RFC 8037)
  std::string public_key;          // base64url of the 32-byte Ed25519 public key
  std::string sealed_private_key;  // SecretBox-sealed 32-byte Ed25519 seed; never in clear
  Timestamp created_at = 0;
  Timestamp retired_at = 0;    // 0 = live (may sign)
  Timestamp verify_until = 0;  // retired keys: published until then; 0 while live
};

// Whether the key must still be published at `now` (live, or retired but inside its window).
inline bool IsPublished(const SigningKey& k, Timestamp now) {
  return k.retired_at == 0 || k.verify_until > now;
}

// What a code or refresh token speaks for: the client, the person and the console session
// they signed in with, the one workspace and product chosen, and how they authenticated.
struct OAuthSubject {
  std::string client_id, account_id, session_id, workspace_id, product_id;
  std::string scope;  // space-separated, granted
  Timestamp auth_time = 0;
  std::string amr;  // space-separated: "pwd", or "pwd otp" after 2FA
};

// An authorization code (stored only as its keyed hash), single use, 60 s.
struct AuthorizationCode {
  std::string code_hash;
  OAuthSubject subject;
  std::string redirect_uri;
  std::string code_challenge;  // S256 of the verifier, base64url
  std::string nonce;
  Timestamp created_at = 0;
  Timestamp expires_at = 0;
  Timestamp used_at = 0;             // 0 = unused
  std::string family_id;             // the refresh family its exchange started ("" when none)
  Timestamp session_expires_at = 0;  // the console session's end: refresh never outlives it
};

// A refresh token (stored only as its keyed hash). Rotated on use: each use marks it used and
// issues the next of its family; a used or revoked token presented again revokes the family.
struct RefreshToken {
  std::string id;  // "rt_…"
  std::string family_id;
  std::string token_hash;
  OAuthSubject subject;
  Timestamp created_at = 0;
  Timestamp expires_at = 0;         // idle end, never past family_expires_at
  Timestamp family_expires_at = 0;  // absolute end of the family
  Timestamp used_at = 0;
  Timestamp revoked_at = 0;
};

inline constexpr std::size_t kMaxRedirectUris = 10;
inline constexpr std::size_t kMaxRedirectUriChars = 2000;

// Checks an OAuth client's redirect URIs (exact-match list): at most kMaxRedirectUris, each an
// RFC 3986 absolute URI of at most kMaxRedirectUriChars without whitespace, control characters,
// user info or fragment, with a host (a reg-name or an IPv6 literal), a port of 1-65535 if any,
// and only RFC 3986 characters or percent-escapes in its path and query; https, or http only
// for the loopback hosts localhost, 127.0.0.1 and [::1] (RFC 8252 §7.3); no duplicates.
// Fails invalid_argument "validation.redirect_uri" naming "<field>[i]" (or `field` for too many).
Result<void> ValidateRedirectUris(const std::vector<std::string>& uris, std::string_view field);

// The scopes a service client may hold with client credentials: the product-facing API
// operations it may call (ADR 0010).
const std::vector<std::string>& ClientCredentialScopes();

}  // namespace vault::core
