// The validators of the text fields people type (core/account.hpp, core/workspace.hpp,
// core/product.hpp, core/password_policy.hpp): email (and its normalisation), display name,
// locale, time zone, password, workspace name, shortname, suspension reason, description,
// product shortname and role. The input is "text\nemail": each validator reads the text (the
// display-text ones only when it is valid UTF-8, as JsonBody guarantees), the password check
// also the email. Every accepted value keeps the rules its header documents, checked here
// character by character, and validating it again gives it back unchanged (idempotence).
#include <cstdint>
#include <string>

#include "core/account.hpp"
#include "core/encoding.hpp"
#include "core/password_policy.hpp"
#include "core/product.hpp"
#include "core/workspace.hpp"
#include "fuzz_util.hpp"

namespace vault::core {
// The build's list comes from npm; the policy's logic, not the list, is under test here.
extern const std::string_view kCommonPasswordsText;
const std::string_view kCommonPasswordsText = "password\n123456789012\nqwertyuiop\niloveyou12\n";
}  // namespace vault::core

namespace {

using namespace vault::core;

bool Ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

bool Trimmed(std::string_view s) {
  return s.empty() ||
         (s.front() != ' ' && s.back() != ' ' && s.front() != '\t' && s.back() != '\t');
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

void CheckEmail(std::string_view text) {
  auto e = ValidateEmail(text, "email");
  if (!e) {
    FUZZ_CHECK(e.error().id == "validation.email" && e.error().field == "email");
    return;
  }
  const std::string& s = *e;
  FUZZ_CHECK(!s.empty() && s.size() <= 254 && Ascii(s) && Trimmed(s) && !HasControlChars(s));
  FUZZ_CHECK(s.find_first_of(" <>(),;\\\"[]") == std::string::npos);
  auto at = s.find('@');
  FUZZ_CHECK(at != std::string::npos && at > 0 && at <= 64 &&
             s.find('@', at + 1) == std::string::npos);
  std::string_view domain = std::string_view(s).substr(at + 1);
  FUZZ_CHECK(domain.find('.') != std::string_view::npos && domain.front() != '.' &&
             domain.back() != '.' && domain.find("..") == std::string_view::npos);
  for (char c : domain)
    FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '.');
  FUZZ_CHECK(*ValidateEmail(s, "email") == s);
  std::string norm = NormalizeEmail(s);
  FUZZ_CHECK(norm == Lower(s) && NormalizeEmail(norm) == norm);
  FUZZ_CHECK(ValidateEmail(norm, "email") && *ValidateEmail(norm, "email") == norm);
}

void CheckDisplayTexts(std::string_view text) {
  static constexpr std::string_view kForbidden = "<>&\"\\`{}|^$%=;[]~*";
  if (auto n = ValidateName(text, "name")) {
    FUZZ_CHECK(!n->empty() && CodePointCount(*n) <= 100 && Trimmed(*n) && !HasControlChars(*n));
    FUZZ_CHECK(n->find_first_of(kForbidden) == std::string::npos);
    FUZZ_CHECK(*ValidateName(*n, "name") == *n);
  } else {
    FUZZ_CHECK(n.error().field == "name");
  }
  using Validator = Result<std::string> (*)(std::string_view, std::string_view);
  const std::pair<Validator, int> kLines[] = {{&ValidateWorkspaceName, 100},
                                              {&ValidateSuspensionReason, 500}};
  for (auto [v, max] : kLines) {
    if (auto w = v(text, "f")) {
      FUZZ_CHECK(!w->empty() && CodePointCount(*w) <= static_cast<std::size_t>(max));
      FUZZ_CHECK(w->front() != ' ' && w->back() != ' ' && !HasControlChars(*w));
      FUZZ_CHECK(*v(*w, "f") == *w);
    } else {
      FUZZ_CHECK(w.error().field == "f");
    }
  }
  if (auto d = ValidateDescription(text, "description")) {
    FUZZ_CHECK(*d == text && CodePointCount(*d) <= 1000);
    for (std::size_t i = 0; i < d->size(); ++i) {
      auto c = static_cast<unsigned char>((*d)[i]);
      FUZZ_CHECK(c >= 0x20 || c == '\n' || c == '\t');
      FUZZ_CHECK(c != 0x7F);
    }
  }
}

void CheckSlugs(std::string_view text) {
  auto slug_ok = [](const std::string& s, std::size_t min) {
    if (s.size() < min || s.size() > 40 || !(s.front() >= 'a' && s.front() <= 'z') ||
        s.back() == '-' || s.find("--") != std::string::npos)
      return false;
    for (char c : s)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    return true;
  };
  if (auto s = ValidateShortname(text, "shortname")) {
    FUZZ_CHECK(slug_ok(*s, 3) && *s == Lower(text) && *ValidateShortname(*s, "shortname") == *s);
  } else {
    FUZZ_CHECK(s.error().field == "shortname" && s.error().id.starts_with("workspace.shortname_"));
    // Refused only for its shape or for being reserved.
    FUZZ_CHECK(!slug_ok(Lower(text), 3) || s.error().id == "workspace.shortname_reserved");
  }
  if (auto p = ValidateProductShortname(text, "key")) {
    FUZZ_CHECK(slug_ok(*p, 2) && *p == Lower(text));
  } else {
    FUZZ_CHECK(!slug_ok(Lower(text), 2));
  }
  if (auto r = ParseRole(text, "role")) FUZZ_CHECK(RoleName(*r) == text);
  if (auto l = ValidateLocale(text, "locale")) {
    FUZZ_CHECK(*l == text && !l->empty() && l->size() <= 35 && Ascii(*l));
    FUZZ_CHECK((text[0] >= 'a' && text[0] <= 'z') || (text[0] >= 'A' && text[0] <= 'Z'));
    for (char c : *l)
      FUZZ_CHECK((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_');
  }
  if (auto tz = ValidateTimeZone(text, "time_zone"))
    FUZZ_CHECK(*tz == text && tz->size() <= 64 && Ascii(*tz) && !HasControlChars(*tz));
}

void CheckPassword(std::string_view password, std::string_view email) {
  static const PasswordPolicy policy(10);
  auto ok = policy.Check(password, email, "password");
  if (!ok) {
    FUZZ_CHECK(ok.error().field == "password" && ok.error().id.starts_with("password."));
    return;
  }
  std::size_t n = CodePointCount(password);
  FUZZ_CHECK(n >= 10 && n <= 256);
  std::string lower = Lower(password);
  FUZZ_CHECK(("\n" + std::string(kCommonPasswordsText)).find("\n" + lower + "\n") ==
             std::string::npos);
  auto at = email.rfind('@');
  std::string local = Lower(email.substr(0, at));
  FUZZ_CHECK(local.size() < 3 || lower.find(local) == std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool known = [] {
    return ValidateTimeZone("Europe/Paris", "tz").has_value() &&
           ValidateTimeZone("UTC", "tz").has_value() && !ValidateTimeZone("Mars/Base", "tz");
  }();
  FUZZ_CHECK(known);  // the zone list loaded
  std::string_view input = vault::fuzz::AsText(data, size);
  auto nl = input.find('\n');
  std::string_view text = input.substr(0, nl);
  std::string_view email = nl == std::string_view::npos ? "" : input.substr(nl + 1);

  CheckEmail(text);
  CheckEmail(email);
  CheckSlugs(text);
  if (IsValidUtf8(input)) {
    CheckDisplayTexts(text);
    CheckDisplayTexts(input);
    CheckPassword(text, email);
  }
  return 0;
}
