// ASCII case folding for protocol text (header names, media types): byte-wise and locale-free,
// unlike std::tolower, and leaving every non-ASCII byte as it is.
#pragma once

#include <string_view>

namespace vault::core {

constexpr char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// Whether text equals `lower` (given in lower case) when text's ASCII letters are folded.
constexpr bool EqualsAsciiFolded(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (AsciiLower(text[i]) != lower[i]) return false;
  return true;
}

}  // namespace vault::core
