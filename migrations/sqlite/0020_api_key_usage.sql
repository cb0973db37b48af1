-- Last use of each API key, apart from the key (ADR 0017): a busy key's once-a-minute record
-- rewrites a ~50-byte row of this table instead of the key's ~300-byte row, so a flush of many
-- keys dirties four to five times fewer pages (and writes as much less to the WAL). The
-- columns api_keys.last_used_at and last_used_ip are no longer written or read.
CREATE TABLE api_key_usage (
  key_id TEXT PRIMARY KEY REFERENCES api_keys(id) ON DELETE CASCADE,
  last_used_at INTEGER NOT NULL,
  last_used_ip TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO api_key_usage (key_id, last_used_at, last_used_ip)
  SELECT id, last_used_at, last_used_ip FROM api_keys WHERE last_used_at > 0;
