// One-time token issuing shared by the account and admin use cases. Thread-safe (stateless).
#pragma once

#include <string>

#include "core/account.hpp"
#include "core/clock.hpp"
#include "core/ports.hpp"
#include "core/store.hpp"

namespace vault::app {

// Keyed-hash purpose under which one-time tokens of purpose p are stored.
std::string TokenHashPurpose(core::TokenPurpose p);

// Stores a new token (only its keyed hash) valid for `lifetime` seconds and returns the secret
// (256 random bits, base64url) for the emailed or printed link.
core::Result<std::string> IssueOneTimeToken(core::Tx& tx, core::Random& random,
                                            const core::SecretHasher& secrets,
                                            const core::Clock& clock, core::OneTimeToken token,
                                            core::Timestamp lifetime);

}  // namespace vault::app
