-- Callback signing secrets (issue 19): the HMAC keys a product instance signs its callbacks
-- with. The key is stored sealed (SecretBox, purpose "callback_signing"), never in clear; a roll
-- gives the old secret an expiry (its grace period). Rows go with their product and workspace.
CREATE TABLE callback_secrets (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  product_id TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  label TEXT NOT NULL,
  sealed_secret TEXT NOT NULL,
  last_four TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT NOT NULL,
  replaced_by TEXT NOT NULL
);
CREATE INDEX callback_secrets_by_product ON callback_secrets(product_id, created_at, id);
