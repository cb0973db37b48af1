// Pure encoders and identifier/token makers. Thread-safe (stateless).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/ports.hpp"

namespace vault::core {

// RFC 4648 §5 base64url without padding.
std::string Base64Url(std::string_view bytes);
std::string Hex(std::string_view bytes);
// The 32 bytes of a keyed hash from the 64 hex characters Hex wrote (SecretHasher::Digest);
// nullopt for any other text. Upper-case digits only when upper_too: a lookup that must agree
// with storage, which compares the lower-case text, refuses them.
std::optional<SecretHasher::Digest> DecodeHexDigest(std::string_view hex, bool upper_too = false);
// Decodes unpadded base64url; nullopt for any other character or a bad length.
std::optional<std::string> Base64UrlDecode(std::string_view text);
// RFC 4648 §6 base32 (upper case) without padding, as authenticator apps expect.
std::string Base32(std::string_view bytes);
// Percent-encodes everything but RFC 3986 unreserved characters.
std::string UrlEncode(std::string_view text);

// A new opaque id: prefix + "_" + 22 base64url chars (128 random bits: collision-free in practice
// and unguessable, so ids leak nothing about counts or order).
std::string NewId(Random& random, std::string_view prefix);

// A new bearer secret: 43 base64url chars carrying 256 random bits (SPEC: ≥ 256 bits).
std::string NewToken(Random& random);

// Strict UTF-8 check (no overlongs, no surrogates, at most U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Equality of two secrets in time independent of where they differ (no early exit), so a
// timing side channel cannot reveal a secret byte by byte. False when lengths differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Appends s escaped for the inside of a JSON string literal (quote, backslash, control
// characters); other bytes pass through unchanged. The one JSON escaper: logs, hot responses
// and audit summaries all use it.
void AppendJsonEscaped(std::string& out, std::string_view s);
// Appends s as a JSON string literal (quotes, escapes; s must be valid UTF-8), for the few hot
// responses written without building a JSON value.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace vault::core
