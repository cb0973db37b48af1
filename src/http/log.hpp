// Structured logging: one JSON object per line on stdout. Thread-safe (a line is written whole).
// Never pass secrets (passwords, tokens, links with tokens) in any field.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "core/encoding.hpp"

namespace vault::http {

using LogField = std::pair<std::string_view, std::string_view>;

void Log(std::string_view level, std::string_view msg, std::initializer_list<LogField> fields = {});

using core::AppendJsonEscaped;  // the one JSON escaper (core/encoding.hpp)

}  // namespace vault::http
