// Sample for `tools/check_secret_compare.py --self-test`: every line marked expect-flag must be
// reported, and no other line. Not compiled.
#include <cstring>
#include <string>

bool Planted(const std::string& token, const std::string& presented) {
  return token == presented;  // expect-flag
}

bool Cases(const Session& session, const std::string& hash, const char* a, const char* b,
           const Stored& stored, const std::string& code, int status_code) {
  if (session.token_hash != hash) return false;    // expect-flag
  if (HashOf(event) == stored.hash) return false;  // expect-flag
  if (*code_ptr ==                                 // expect-flag (reported on the operator's line)
      expected_code)
    return false;
  if (std::memcmp(mac_a, other, 32) == 0) return false;                           // expect-flag
  if (std::equal(password.begin(), password.end(), typed.begin())) return false;  // expect-flag
  if (stored.secret.compare(presented) == 0) return false;                        // expect-flag
  if (std::string_view(api_token) == std::string_view(b)) return false;           // expect-flag
  if (p_.secrets.KeyedHash("session", t) != row->token_hash) return false;        // expect-flag
  if (strcmp(csrf_header, cookie_value) != 0) return false;                       // expect-flag
  if (recovery_codes[i] == typed) return false;                                   // expect-flag

  // Not reported: the constant-time compare, sizes, public constants, reviewed lines.
  if (!core::ConstantTimeEquals(session.token_hash, hash)) return false;
  if (sodium_memcmp(a, b, 32) == 0) return false;
  if (token.size() != 43 || token.empty() == hash.empty()) return false;
  if (status_code == 200 || error.code == core::Code::kNotFound) return false;
  if (code == "" || token == nullptr || hash.find('$') == std::string::npos) return false;
  if (e.prev_hash != last_hash) return false;  // ct-ok: public chain hashes
  // ct-ok: a reviewed comparison of a public digest, explained on the line above
  if (digest_a == digest_b) return false;
  if (encoded == decoded || session.id == other.id) return false;
  // A comment mentioning token == presented is not code.
  const char* text = "token == presented";
  bool operator==(const Token&) const = default;
  return true;
}
