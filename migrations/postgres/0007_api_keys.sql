CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  product_id TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  environment TEXT NOT NULL,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  last_four TEXT NOT NULL,
  permissions TEXT NOT NULL,
  allowed_ips TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT NOT NULL,
  last_used_at BIGINT NOT NULL,
  last_used_ip TEXT NOT NULL,
  rolled_from TEXT NOT NULL,
  replaced_by TEXT NOT NULL
);
CREATE INDEX api_keys_by_workspace ON api_keys(workspace_id, created_at, id);
CREATE INDEX api_keys_by_product ON api_keys(product_id);
