-- The durable mail outbox (issue 16): every message is written in the same transaction as the
-- change that causes it and delivered after the commit by a sender that retries with backoff.
-- `sealed` is the whole message (recipient, subject, text, HTML) sealed with the server
-- secret's "mail_outbox" key: it holds links with one-time tokens, so it is never stored in
-- clear. `recipient` is kept in clear for the Super Admin's dead-letter view (an address is not
-- a secret). `last_error` is the transport's error, never message text. A row is deleted once
-- delivered; a dead row stays until a Super Admin retries it.
CREATE TABLE mail_outbox (
  id TEXT PRIMARY KEY,
  created_at BIGINT NOT NULL,
  recipient TEXT NOT NULL,
  sealed TEXT NOT NULL,
  attempts BIGINT NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'dead')),
  last_error TEXT NOT NULL DEFAULT '',
  claimed_until BIGINT NOT NULL DEFAULT 0,
  claimed_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mail_outbox_due ON mail_outbox(state, next_attempt_at);
CREATE INDEX mail_outbox_by_time ON mail_outbox(state, created_at, id);
