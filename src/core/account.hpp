// Account, session and one-time token entities, and the pure rules about their fields.
// Value types; thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace vault::core {

struct Account {
  std::string id;          // "acc_…"
  std::string email;       // as typed by the person (trimmed)
  std::string email_norm;  // lower-cased; unique key
  std::string name;
  std::string locale = "en";
  std::string time_zone = "UTC";
  bool email_verified = false;
  std::string password_hash;  // PHC string; empty until a password is set
  bool disabled = false;
  Timestamp created_at = 0;
  Timestamp updated_at = 0;
  bool super_admin = false;       // platform operator; not a workspace role
  Timestamp last_sign_in_at = 0;  // 0 = never
  std::string last_workspace_id;  // remembered for the next sign-in
};

struct Session {
  std::string id;  // "ses_…"
  std::string account_id;
  std::string token_hash;  // keyed hash of the bearer token; the token itself is never stored
  Timestamp created_at = 0;
  Timestamp last_seen_at = 0;
  Timestamp expires_at = 0;  // absolute lifetime end
  std::string ip;
  std::string user_agent;
};

// A session's last seen time and client address, as written back in batches.
struct SessionTouch {
  std::string id;
  Timestamp last_seen_at = 0;
  std::string ip;
};

// kMfa: the short-lived pending token between a correct password and the second factor.
enum class TokenPurpose { kSignup, kPasswordReset, kEmailChange, kMfa };
std::string_view TokenPurposeName(TokenPurpose p);

// A single-use emailed token (verification, reset, email change).
struct OneTimeToken {
  std::string token_hash;
  TokenPurpose purpose = TokenPurpose::kSignup;
  std::string account_id;  // empty for sign-up
  std::string email;       // sign-up address, or the new address of an email change
  std::string name;        // sign-up display name
  Timestamp created_at = 0;
  Timestamp expires_at = 0;
  std::optional<Timestamp> consumed_at;
};

// Validates and normalises an email address: trims, checks a practical RFC 5321 shape
// (local@domain, ≤ 254 chars, domain with a dot, no spaces or control characters, ASCII only
// so that look-alike addresses cannot become separate accounts).
// Returns the trimmed address; fails invalid_argument "validation.email" naming `field`.
Result<std::string> ValidateEmail(std::string_view email, std::string_view field);

// Lower-cases an (already valid) email for uniqueness: one account per address, any case.
std::string NormalizeEmail(std::string_view email);

// Validates a display name: 1–100 characters after trimming, no control characters.
Result<std::string> ValidateName(std::string_view name, std::string_view field);

// Validates a locale tag like "en" or "pt-BR" (BCP 47 shape, ≤ 35 chars).
Result<std::string> ValidateLocale(std::string_view locale, std::string_view field);

// Validates an IANA time zone name shape like "Europe/Paris" or "UTC" (≤ 64 chars).
Result<std::string> ValidateTimeZone(std::string_view tz, std::string_view field);

// Number of Unicode code points in valid UTF-8 text.
std::size_t CodePointCount(std::string_view utf8);

// True when text contains C0/C1 control characters, NUL, or an invisible formatting character
// (HasInvisibleFormatChars). Every display text (names, descriptions) is checked with it.
bool HasControlChars(std::string_view utf8);
// True when text contains a bidi override/isolate/mark, a zero-width character or another
// invisible format character (U+061C, U+180E, U+200B–U+200F, U+202A–U+202E, U+2060–U+206F,
// U+FEFF).
bool HasInvisibleFormatChars(std::string_view utf8);

}  // namespace vault::core
