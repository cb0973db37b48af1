// The second-factor input of a sign-in (core/otp_code.hpp): the TOTP code and the recovery code
// people type. The input is "code\nrecovery-code\nbytes". Invariants: IsTotpCode accepts
// exactly six ASCII digits (so any other text is refused before the secret is opened, and
// every code an authenticator shows passes); NormalizeRecoveryCode is idempotent, drops only spaces
// and dashes, leaves no upper-case ASCII letter, and maps a handed-out code (FormatRecoveryCode of
// the input's bytes) typed in upper case with spaces and dashes anywhere to the same text as the
// code itself.
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <string>

#include "core/otp_code.hpp"
#include "fuzz_util.hpp"

namespace {

bool SixDigits(std::string_view s) {  // the reference
  if (s.size() != 6) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = vault::fuzz::AsText(data, size);
  auto nl = text.find('\n');
  std::string_view code = text.substr(0, nl);
  std::string_view rest = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  auto nl2 = rest.find('\n');
  std::string_view recovery = rest.substr(0, nl2);
  std::string_view bytes = nl2 == std::string_view::npos ? rest : rest.substr(nl2 + 1);

  FUZZ_CHECK(vault::core::IsTotpCode(code) == SixDigits(code));
  FUZZ_CHECK(vault::core::IsTotpCode(text) == SixDigits(text));

  // What an authenticator shows: the HOTP value mod 10^6, zero-padded (RFC 4226 5.3).
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4 && i < bytes.size(); ++i)
    value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  char shown[8];
  std::snprintf(shown, sizeof shown, "%06u", (value & 0x7FFFFFFFu) % 1000000u);
  FUZZ_CHECK(vault::core::IsTotpCode(shown));

  std::string norm = vault::core::NormalizeRecoveryCode(recovery);
  FUZZ_CHECK(vault::core::NormalizeRecoveryCode(norm) == norm);
  std::size_t dropped = 0;
  for (char c : recovery) dropped += c == ' ' || c == '-';
  FUZZ_CHECK(norm.size() + dropped == recovery.size());
  for (char c : norm) FUZZ_CHECK(c != ' ' && c != '-' && !(c >= 'A' && c <= 'Z'));

  if (bytes.size() >= 7) {
    std::string handed = vault::core::FormatRecoveryCode(bytes.substr(0, 7));
    FUZZ_CHECK(handed.size() == 11 && handed[5] == '-');
    for (std::size_t i = 0; i < handed.size(); ++i)
      if (i != 5)
        FUZZ_CHECK((handed[i] >= 'a' && handed[i] <= 'z') ||
                   (handed[i] >= '2' && handed[i] <= '7'));
    // Typed back in upper case, with a space or dash wherever the input's bits say.
    std::string typed;
    for (std::size_t i = 0; i < handed.size(); ++i) {
      char c = handed[i];
      typed += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      unsigned bit = i < bytes.size() ? static_cast<unsigned char>(bytes[i]) : 0;
      if (bit & 1) typed += (bit & 2) ? ' ' : '-';
    }
    FUZZ_CHECK(vault::core::NormalizeRecoveryCode(typed) ==
               vault::core::NormalizeRecoveryCode(handed));
  }
  return 0;
}
