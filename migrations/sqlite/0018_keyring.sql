-- Keyring (ADR 0011). Each audit event names the key its chain hash was made with (events
-- written before the keyring are the legacy secret's, k0), and keyring_keys holds a check value
-- per key the database was written with, so a node with another keyring refuses to start.
ALTER TABLE audit_events ADD COLUMN key_id TEXT NOT NULL DEFAULT 'k0';
CREATE TABLE keyring_keys (
  kid TEXT PRIMARY KEY,
  check_value TEXT NOT NULL,
  added_at BIGINT NOT NULL
);
