#include "core/security.hpp"

namespace vault::core {

std::string AuditCanonical(const AuditEvent& e) {
  std::string out;
  const std::string sep(1, '\x1f');
  for (const std::string& f : {std::to_string(e.seq), e.id, std::to_string(e.occurred_at),
                               e.actor_type, e.actor_id, e.ip, e.user_agent, e.workspace_id,
                               e.action, e.target_type, e.target_id, e.summary, e.prev_hash}) {
    out += f;
    out += sep;
  }
  return out;
}

}  // namespace vault::core
