-- Audit retention (issue 16): when old events are deleted, the chain head keeps an anchor — the
-- sequence number and chain hash of the newest deleted event, with a keyed MAC over both — so
-- `audit verify` still proves every remaining event and that only a prefix was removed.
ALTER TABLE audit_head ADD COLUMN anchor_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_head ADD COLUMN anchor_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_head ADD COLUMN anchor_mac TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_head ADD COLUMN anchor_at INTEGER NOT NULL DEFAULT 0;
