// The durable mail outbox's domain (issue 16): a queued message as stored (sealed), the retry
// schedule of the sender, and the byte encoding of a message before it is sealed. Pure
// functions and plain data; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/ports.hpp"

namespace vault::core {

enum class MailState { kQueued, kDead };

const char* MailStateName(MailState s);  // "queued", "dead"

// One row of the outbox. `sealed` is the whole message sealed under the outbox's own key (it
// holds links with one-time tokens); `recipient` is kept in clear for the dead-letter view;
// `last_error` is the transport's error id and detail, never message text.
struct OutboxMail {
  std::string id;
  Timestamp created_at = 0;
  std::string recipient;
  std::string sealed;
  int attempts = 0;  // failed delivery attempts so far
  Timestamp next_attempt_at = 0;
  MailState state = MailState::kQueued;
  std::string last_error;
  Timestamp claimed_until = 0;  // a sender holds the row until then (0: nobody)
  std::string claimed_by;
};

struct MailCounts {
  std::int64_t queued = 0;
  std::int64_t dead = 0;
};

// When the sender tries again and when it gives up.
struct MailRetryPolicy {
  int max_attempts = 8;              // failed attempts after which a message is dead
  Timestamp base_seconds = 60;       // the wait after the first failure
  Timestamp max_seconds = 6 * 3600;  // the longest wait between two attempts
};

// The wait after the `failures`-th failed attempt (failures >= 1): base * 2^(failures-1),
// capped at max_seconds, plus a jitter of up to a quarter of that (jitter01 in [0, 1) scales
// it), so messages that failed together do not retry together. Never less than 1 second.
Timestamp MailRetryDelay(const MailRetryPolicy& policy, int failures, double jitter01);

// True when a message that has failed `failures` times is given up (dead).
inline bool MailIsDead(const MailRetryPolicy& policy, int failures) {
  return failures >= policy.max_attempts;
}

// The message as bytes (length-prefixed fields: to, subject, text, html), for sealing.
std::string EncodeMail(const MailMessage& m);
// The inverse; fails internal "mail.corrupt" for bytes EncodeMail did not make.
Result<MailMessage> DecodeMail(std::string_view bytes);

}  // namespace vault::core
