ALTER TABLE accounts ADD COLUMN super_admin BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN last_sign_in_at BIGINT NOT NULL DEFAULT 0;
CREATE TABLE totp_credentials (
  account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  secret_enc TEXT NOT NULL,
  confirmed BIGINT NOT NULL,
  last_step BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE recovery_codes (
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  used_at BIGINT,
  PRIMARY KEY (account_id, code_hash)
);
CREATE TABLE throttle (
  key TEXT PRIMARY KEY,
  window_start BIGINT NOT NULL,
  attempts BIGINT NOT NULL,
  locked_until BIGINT NOT NULL
);
CREATE TABLE audit_head (
  id BIGINT PRIMARY KEY,
  seq BIGINT NOT NULL,
  last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, '');
CREATE TABLE audit_events (
  seq BIGINT PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  occurred_at BIGINT NOT NULL,
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  ip TEXT NOT NULL,
  user_agent TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  action TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  summary TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_by_actor ON audit_events(actor_id, seq);
CREATE INDEX audit_by_target ON audit_events(target_id, seq);
CREATE INDEX audit_by_workspace ON audit_events(workspace_id, seq);
CREATE INDEX one_time_tokens_account ON one_time_tokens(account_id);
