// core::SplitWords / JoinWords, the scope parameter of the token endpoint (RFC 6749 §3.3) and
// every stored space-separated list: words are non-empty and hold no space, their join is the
// text with runs of spaces collapsed and trimmed, and splitting a join gives the words back.
#include <cstdint>
#include <string>
#include <vector>

#include "core/product.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = vault::fuzz::AsText(data, size);
  std::vector<std::string> words = vault::core::SplitWords(text);
  std::size_t letters = 0;
  for (const auto& w : words) {
    FUZZ_CHECK(!w.empty());
    FUZZ_CHECK(w.find(' ') == std::string::npos);
    letters += w.size();
  }
  std::size_t non_spaces = 0;
  for (char c : text) non_spaces += c != ' ';
  FUZZ_CHECK(letters == non_spaces);

  std::string collapsed;
  bool gap = false;
  for (char c : text) {
    if (c == ' ') {
      gap = !collapsed.empty();
      continue;
    }
    if (gap) collapsed += ' ';
    gap = false;
    collapsed += c;
  }
  std::string joined = vault::core::JoinWords(words);
  FUZZ_CHECK(joined == collapsed);
  FUZZ_CHECK(vault::core::SplitWords(joined) == words);
  return 0;
}
