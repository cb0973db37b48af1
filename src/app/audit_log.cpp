#include "app/audit_log.hpp"

#include <algorithm>

#include "core/encoding.hpp"

namespace vault::app {

std::string JsonSummary(
    std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : fields) {
    if (!first) out += ',';
    first = false;
    out += '"';
    core::AppendJsonEscaped(out, k);
    out += "\":\"";
    core::AppendJsonEscaped(out, v);
    out += '"';
  }
  out += '}';
  return out;
}

std::optional<std::string> AuditLog::HashOf(const core::AuditEvent& e) const {
  // Under the key the event names: events written before a rotation keep verifying.
  return secrets_.KeyedHashWith(e.key_id, "audit", core::AuditCanonical(e));
}

namespace {
std::string AnchorText(std::int64_t seq, const std::string& hash) {
  return std::to_string(seq) + ":" + hash;
}
}  // namespace

std::string AuditLog::AnchorMac(std::int64_t seq, const std::string& hash) const {
  // Keyed: with write access to the database alone, nobody can move the anchor past events they
  // deleted (a plain copy of an event's seq and hash would allow exactly that).
  return secrets_.KeyedHash("audit_anchor", AnchorText(seq, hash));
}

core::Result<int> AuditLog::Prune(core::Tx& tx, core::Timestamp before, int limit) const {
  VAULT_ASSIGN_OR_RETURN(auto anchor, tx.GetAuditAnchor());
  VAULT_ASSIGN_OR_RETURN(auto events, tx.AuditEventsAfter(anchor.seq, limit));
  const core::AuditEvent* newest_old = nullptr;
  for (const auto& e : events) {
    if (e.occurred_at >= before) break;  // seq order: the rest is as new or newer
    newest_old = &e;
  }
  if (!newest_old) return 0;
  core::AuditAnchor next{newest_old->seq, newest_old->hash,
                         AnchorMac(newest_old->seq, newest_old->hash), clock_.Now()};
  VAULT_ASSIGN_OR_RETURN(int deleted, tx.PruneAuditEvents(next));
  VAULT_TRY(Record(tx, Actor{"system", "retention", "", ""},
                   AuditEntry{"audit.pruned", "audit", "",
                              JsonSummary({{"through_seq", std::to_string(next.seq)},
                                           {"events", std::to_string(deleted)}}),
                              ""}));
  return deleted;
}

core::Result<void> AuditLog::Record(core::Tx& tx, const Actor& actor,
                                    const AuditEntry& entry) const {
  VAULT_ASSIGN_OR_RETURN(auto head, tx.AdvanceAuditHead());
  core::AuditEvent e;
  e.seq = head.seq;
  e.id = core::NewId(random_, "evt");
  e.occurred_at = clock_.Now();
  e.actor_type = actor.type;
  e.actor_id = actor.id;
  e.ip = actor.ip;
  e.user_agent = actor.user_agent;
  e.workspace_id = entry.workspace_id;
  e.action = entry.action;
  e.target_type = entry.target_type;
  e.target_id = entry.target_id;
  e.summary = entry.summary;
  e.prev_hash = head.last_hash;
  e.key_id = secrets_.PrimaryKeyId();
  e.hash = secrets_.KeyedHash("audit", core::AuditCanonical(e));
  return tx.AppendAuditEvent(e);
}

core::Result<ChainReport> AuditLog::Verify(core::Store& store) const {
  ChainReport report;
  std::int64_t last_seq = 0;
  std::string last_hash;
  auto broken = [&](std::int64_t seq, std::string problem) {
    report.ok = false;
    report.first_broken_seq = seq;
    report.problem = std::move(problem);
  };
  // Starts after the anchor, or moves to it when retention pruned past where the walk is.
  auto from_anchor = [&](const core::AuditAnchor& a) {
    if (a.seq <= last_seq) return;
    // Made under the primary key of its day: after a key rotation an older key made it.
    bool mac_ok = false;
    for (const auto& mac : secrets_.KeyedHashes("audit_anchor", AnchorText(a.seq, a.hash)))
      mac_ok = core::ConstantTimeEquals(mac, a.mac) || mac_ok;
    if (!mac_ok)
      return broken(a.seq, "the retention anchor (event " + std::to_string(a.seq) +
                               ") was altered: events may have been removed");
    last_seq = a.seq;
    last_hash = a.hash;
    report.pruned_through = a.seq;
  };
  while (report.ok) {
    core::AuditAnchor anchor;
    VAULT_ASSIGN_OR_RETURN(
        auto batch, store.Read([&](core::Tx& tx) -> core::Result<std::vector<core::AuditEvent>> {
          VAULT_ASSIGN_OR_RETURN(anchor, tx.GetAuditAnchor());
          std::vector<core::AuditEvent> batch;
          VAULT_ASSIGN_OR_RETURN(auto events,
                                 tx.AuditEventsAfter(std::max(last_seq, anchor.seq), 1000));
          batch = std::move(events);
          return batch;
        }));
    from_anchor(anchor);
    if (!report.ok) break;
    if (batch.empty()) break;
    for (const auto& e : batch) {
      if (e.seq != last_seq + 1) {
        broken(last_seq + 1, "event " + std::to_string(last_seq + 1) + " is missing");
        break;
      }
      if (e.prev_hash != last_hash) {  // ct-ok: stored chain hashes, compared offline
        broken(e.seq, "event " + std::to_string(e.seq) +
                          " does not follow its predecessor (removed or reordered events)");
        break;
      }
      auto hash = HashOf(e);
      if (!hash) {
        broken(e.seq, "event " + std::to_string(e.seq) + " was sealed with key " +
                          e.key_id.substr(0, 16) +
                          ", which this keyring does not have (VAULT_SECRET_FILE / VAULT_SECRET)");
        break;
      }
      if (!core::ConstantTimeEquals(*hash, e.hash)) {
        broken(e.seq, "event " + std::to_string(e.seq) + " was altered after it was written");
        break;
      }
      last_seq = e.seq;
      last_hash = e.hash;
      ++report.events;
    }
  }
  if (!report.ok) return report;
  // The head remembers the newest event, so removing events from the end is detected too.
  std::int64_t head_seq = 0;
  std::string head_hash;
  auto h = store.Write([&](core::Tx& tx) -> core::Result<void> {
    // Read the head without keeping the reservation: the transaction is rolled back.
    VAULT_ASSIGN_OR_RETURN(auto head, tx.AdvanceAuditHead());
    head_seq = head.seq - 1;
    head_hash = head.last_hash;
    return core::Fail(core::Code::kFailedPrecondition, "audit.readonly", "rollback");
  });
  if (!h && h.error().id != "audit.readonly") return core::Fail(h.error());
  if (head_seq != last_seq || head_hash != last_hash)  // ct-ok: stored chain hashes, offline
    broken(last_seq + 1, "the newest " + std::to_string(head_seq - last_seq) +
                             " event(s) were removed (the chain head expects event " +
                             std::to_string(head_seq) + ")");
  return report;
}

}  // namespace vault::app
