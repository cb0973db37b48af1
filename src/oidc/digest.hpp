// SHA-256 and SHA-512 digests (libsodium) for PKCE (RFC 7636 S256) and the ID token's at_hash.
// Thread-safe (stateless).
#pragma once

#include <string>
#include <string_view>

namespace vault::oidc {

std::string Sha256(std::string_view data);  // 32 raw bytes
std::string Sha512(std::string_view data);  // 64 raw bytes

// RFC 7636 §4.1: a code verifier is 43–128 characters of [A-Z a-z 0-9 - . _ ~].
bool IsCodeVerifier(std::string_view v);
// The S256 challenge of a verifier: base64url(SHA-256(verifier)), unpadded.
std::string S256Challenge(std::string_view verifier);

}  // namespace vault::oidc
