#include "core/otp_code.hpp"

#include <algorithm>
#include <cctype>

#include "core/encoding.hpp"

namespace vault::core {

bool IsTotpCode(std::string_view code) {
  return code.size() == 6 &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string FormatRecoveryCode(std::string_view random_bytes) {
  // 10 base32 characters = 50 random bits.
  std::string raw = Base32(random_bytes).substr(0, 10);
  std::transform(raw.begin(), raw.end(), raw.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return raw.substr(0, 5) + "-" + raw.substr(5);
}

std::string NormalizeRecoveryCode(std::string_view code) {
  std::string out;
  for (char c : code)
    if (c != '-' && c != ' ') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace vault::core
