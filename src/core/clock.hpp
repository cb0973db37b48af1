// Clock port: the only source of "now" for the domain and use cases, so tests control time.
// Implementations must be thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vault::core {

// Unix time in seconds (UTC).
using Timestamp = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

// Formats a timestamp as RFC 3339 UTC ("2026-11-28T00:00:00Z").
std::string FormatRfc3339(Timestamp t);
// Parses RFC 3339 "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)" (years 1970–9999; fractions are
// dropped); nullopt for anything else, including impossible dates.
std::optional<Timestamp> ParseRfc3339(std::string_view text);

}  // namespace vault::core
