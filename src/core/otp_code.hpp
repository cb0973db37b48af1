// The second-factor codes people type (SPEC §2): the syntax of a TOTP code and the written form
// of a recovery code. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace vault::core {

// True for exactly six ASCII digits: anything else is never checked against the secret.
bool IsTotpCode(std::string_view code);

// A recovery code as handed out: 10 lower-case base32 characters of the given random bytes
// (at least 7), written "xxxxx-xxxxx".
std::string FormatRecoveryCode(std::string_view random_bytes);

// A recovery code as typed, reduced to the form that is hashed: ASCII letters lower-cased,
// spaces and dashes dropped (people copy them in any case and grouping).
std::string NormalizeRecoveryCode(std::string_view code);

}  // namespace vault::core
