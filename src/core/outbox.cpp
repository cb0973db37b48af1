#include "core/outbox.hpp"

#include <algorithm>
#include <charconv>

namespace vault::core {

const char* MailStateName(MailState s) { return s == MailState::kDead ? "dead" : "queued"; }

Timestamp MailRetryDelay(const MailRetryPolicy& policy, int failures, double jitter01) {
  Timestamp base = std::max<Timestamp>(1, policy.base_seconds);
  Timestamp cap = std::max(base, policy.max_seconds);
  Timestamp delay = base;
  for (int i = 1; i < failures && delay < cap; ++i) delay *= 2;  // doubling, no overflow past cap
  delay = std::min(delay, cap);
  double j = std::clamp(jitter01, 0.0, 0.999999);
  return delay + static_cast<Timestamp>(static_cast<double>(delay) / 4.0 * j);
}

namespace {

constexpr std::string_view kMagic = "mail1\n";

void Put(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

bool Take(std::string_view& in, std::string& field) {
  auto colon = in.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 10) return false;
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(in.data(), in.data() + colon, n);
  if (ec != std::errc() || end != in.data() + colon || n > in.size() - colon - 1) return false;
  field.assign(in.substr(colon + 1, n));
  in.remove_prefix(colon + 1 + n);
  return true;
}

}  // namespace

std::string EncodeMail(const MailMessage& m) {
  std::string out(kMagic);
  Put(out, m.to);
  Put(out, m.subject);
  Put(out, m.text);
  Put(out, m.html);
  return out;
}

Result<MailMessage> DecodeMail(std::string_view bytes) {
  MailMessage m;
  bool ok = bytes.substr(0, kMagic.size()) == kMagic;
  if (ok) bytes.remove_prefix(kMagic.size());
  ok = ok && Take(bytes, m.to) && Take(bytes, m.subject) && Take(bytes, m.text) &&
       Take(bytes, m.html) && bytes.empty();
  if (!ok) return Fail(Code::kInternal, "mail.corrupt", "the stored message cannot be read");
  return m;
}

}  // namespace vault::core
