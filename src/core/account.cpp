#include "core/account.hpp"

#include <algorithm>
#include <cctype>
#include <unordered_set>

#include "core/swar.hpp"

namespace vault::core {

extern const std::string_view kTimeZonesText;  // generated at build time from tzdata

namespace {

const std::unordered_set<std::string_view>& TimeZones() {
  static const std::unordered_set<std::string_view> zones = [] {
    std::unordered_set<std::string_view> out;
    std::string_view text = kTimeZonesText;
    while (!text.empty()) {
      auto nl = text.find('\n');
      if (nl == std::string_view::npos) nl = text.size();
      if (nl > 0) out.insert(text.substr(0, nl));
      text.remove_prefix(std::min(nl + 1, text.size()));
    }
    return out;
  }();
  return zones;
}

// Characters refused in display names (after Keycloak's person-name validator): they have no
// place in a name and are the raw material of markup and template injection downstream.
constexpr std::string_view kNameForbidden = "<>&\"\\`{}|^$%=;[]~*";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view TokenPurposeName(TokenPurpose p) {
  switch (p) {
    case TokenPurpose::kSignup:
      return "signup";
    case TokenPurpose::kPasswordReset:
      return "password_reset";
    case TokenPurpose::kEmailChange:
      return "email_change";
    case TokenPurpose::kMfa:
      return "mfa";
  }
  return "signup";
}

std::size_t CodePointCount(std::string_view utf8) {
  // Every byte that is not a continuation byte starts a code point.
  std::size_t continuations = 0, i = 0;
  for (; i + 8 <= utf8.size(); i += 8)
    continuations += static_cast<std::size_t>(swar::Continuations(swar::Load(utf8.data() + i)));
  for (; i < utf8.size(); ++i)
    continuations += (static_cast<unsigned char>(utf8[i]) & 0xC0) == 0x80;
  return utf8.size() - continuations;
}

bool HasControlChars(std::string_view utf8) {
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    auto c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x20 || c == 0x7F) return true;
    // C1 controls U+0080..U+009F are encoded as C2 80..C2 9F.
    if (c == 0xC2 && i + 1 < utf8.size()) {
      auto n = static_cast<unsigned char>(utf8[i + 1]);
      if (n >= 0x80 && n <= 0x9F) return true;
    }
  }
  return HasInvisibleFormatChars(utf8);
}

bool HasInvisibleFormatChars(std::string_view utf8) {
  // Bidi overrides and isolates reorder what a reader sees ("txt.exe" shown as "exe.txt"), and
  // zero-width characters make two names that look the same compare different: both are the
  // raw material of look-alike names in member lists, audit logs and emails.
  auto at = [&](std::size_t i) { return static_cast<unsigned char>(utf8[i]); };
  for (std::size_t i = 0; i + 1 < utf8.size(); ++i) {
    if (at(i) == 0xD8 && at(i + 1) == 0x9C) return true;  // U+061C ARABIC LETTER MARK
    if (i + 2 >= utf8.size()) continue;
    unsigned a = at(i), b = at(i + 1), c = at(i + 2);
    if (a == 0xE1 && b == 0xA0 && c == 0x8E) return true;               // U+180E
    if (a == 0xE2 && b == 0x80 && c >= 0x8B && c <= 0x8F) return true;  // U+200B..U+200F
    if (a == 0xE2 && b == 0x80 && c >= 0xAA && c <= 0xAE) return true;  // U+202A..U+202E
    if (a == 0xE2 && b == 0x81 && c >= 0xA0 && c <= 0xAF) return true;  // U+2060..U+206F
    if (a == 0xEF && b == 0xBB && c == 0xBF) return true;               // U+FEFF
  }
  return false;
}

Result<std::string> ValidateEmail(std::string_view email, std::string_view field) {
  auto bad = [&](std::string detail) {
    return Fail(Code::kInvalidArgument, "validation.email", std::move(detail), std::string(field));
  };
  std::string_view e = Trim(email);
  if (e.empty()) return bad("an email address is required");
  if (e.size() > 254) return bad("the email address is longer than 254 characters");
  if (HasControlChars(e)) return bad("the email address contains control characters");
  auto at = e.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= e.size())
    return bad("the email address must look like name@example.com");
  std::string_view local = e.substr(0, at), domain = e.substr(at + 1);
  if (local.size() > 64) return bad("the part before @ is longer than 64 characters");
  for (char c : e) {
    if (c == ' ' || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';' ||
        c == '\\' || c == '"' || c == '[' || c == ']')
      return bad("the email address contains a character that is not allowed");
  }
  if (local.find('@') != std::string_view::npos) return bad("the email address has two @");
  // ASCII only: fullwidth and other-script look-alikes ("ａlice@", Cyrillic "а") would otherwise
  // be separate accounts that read the same in member lists. International domains are accepted
  // in their xn-- (punycode) form.
  for (char c : e)
    if (static_cast<unsigned char>(c) >= 0x80)
      return bad(
          "the email address must use ASCII characters only; write an international "
          "domain in its xn-- form");
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos)
    return bad("the domain of the email address is not valid");
  for (char c : domain) {
    auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '-' || c == '.'))
      return bad("the domain of the email address is not valid");
  }
  return std::string(e);
}

std::string NormalizeEmail(std::string_view email) {
  std::string out(Trim(email));
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Result<std::string> ValidateName(std::string_view name, std::string_view field) {
  std::string_view n = Trim(name);
  if (n.empty())
    return Fail(Code::kInvalidArgument, "validation.name", "a name is required",
                std::string(field));
  if (CodePointCount(n) > 100)
    return Fail(Code::kInvalidArgument, "validation.too_long",
                "the name is longer than 100 characters", std::string(field));
  if (HasControlChars(n))
    return Fail(Code::kInvalidArgument, "validation.name", "the name contains control characters",
                std::string(field));
  if (n.find_first_of(kNameForbidden) != std::string_view::npos)
    return Fail(Code::kInvalidArgument, "validation.name",
                "the name must not contain any of < > & \" \\ ` { } | ^ $ % = ; [ ] ~ *",
                std::string(field));
  return std::string(n);
}

Result<std::string> ValidateLocale(std::string_view locale, std::string_view field) {
  bool ok =
      !locale.empty() && locale.size() <= 35 && std::isalpha(static_cast<unsigned char>(locale[0]));
  for (char c : locale)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  if (!ok)
    return Fail(Code::kInvalidArgument, "validation.locale",
                "the locale must be a language tag such as en or pt-BR", std::string(field));
  return std::string(locale);
}

Result<std::string> ValidateTimeZone(std::string_view tz, std::string_view field) {
  if (tz.size() > 64 || !TimeZones().contains(tz))
    return Fail(Code::kInvalidArgument, "validation.time_zone",
                "the time zone must be an IANA name such as Europe/Paris or UTC",
                std::string(field));
  return std::string(tz);
}

}  // namespace vault::core
