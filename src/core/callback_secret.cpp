#include "core/callback_secret.hpp"

#include "core/encoding.hpp"

namespace vault::core {

CallbackSecretState StateOf(const CallbackSecret& s, Timestamp now) {
  if (s.revoked_at != 0) return CallbackSecretState::kRevoked;
  if (s.expires_at == 0) return CallbackSecretState::kActive;
  return now < s.expires_at ? CallbackSecretState::kExpiring : CallbackSecretState::kExpired;
}

std::string_view CallbackSecretStateName(CallbackSecretState state) {
  switch (state) {
    case CallbackSecretState::kActive:
      return "active";
    case CallbackSecretState::kExpiring:
      return "expiring";
    case CallbackSecretState::kExpired:
      return "expired";
    case CallbackSecretState::kRevoked:
      return "revoked";
  }
  return "revoked";
}

bool CallbackSecretValid(const CallbackSecret& s, Timestamp now) {
  auto state = StateOf(s, now);
  return state == CallbackSecretState::kActive || state == CallbackSecretState::kExpiring;
}

std::string FormatCallbackSecret(std::string_view key) {
  return std::string(kCallbackSecretPrefix) + Base64Url(key);
}

std::string CallbackSignedPayload(Timestamp timestamp, std::string_view body) {
  std::string out = std::to_string(timestamp);
  out += '.';
  out.append(body);
  return out;
}

std::vector<std::string> CallbackSignatureCandidates(std::string_view header) {
  constexpr std::size_t kMaxCandidates = 16;  // a receiver's header holds a few, not hundreds
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < header.size() && out.size() < kMaxCandidates) {
    std::size_t end = header.find_first_of(" ,", i);
    if (end == std::string_view::npos) end = header.size();
    std::string_view entry = header.substr(i, end - i);
    i = end + 1;
    if (entry.size() != 3 + 64 || entry.substr(0, 3) != "v1=") continue;
    std::string hex;
    for (char c : entry.substr(3)) {
      if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) break;
      hex += c;
    }
    if (hex.size() == 64) out.push_back(std::move(hex));
  }
  return out;
}

}  // namespace vault::core
