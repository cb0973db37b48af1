-- OpenID Connect provider, part 2 (ADR 0010): authorization codes and refresh tokens, stored
-- only as keyed hashes, and the ids (jti) of access tokens revoked before they expire.
CREATE TABLE oauth_codes (
  code_hash TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  session_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  product_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  auth_time BIGINT NOT NULL,
  amr TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  code_challenge TEXT NOT NULL,
  nonce TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT NOT NULL,
  family_id TEXT NOT NULL,
  session_expires_at BIGINT NOT NULL
);
CREATE INDEX oauth_codes_by_expiry ON oauth_codes(expires_at);
CREATE TABLE oauth_refresh_tokens (
  id TEXT PRIMARY KEY,
  family_id TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  client_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  session_id TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  product_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  auth_time BIGINT NOT NULL,
  amr TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  family_expires_at BIGINT NOT NULL,
  used_at BIGINT NOT NULL,
  revoked_at BIGINT NOT NULL
);
CREATE INDEX oauth_refresh_by_family ON oauth_refresh_tokens(family_id);
CREATE INDEX oauth_refresh_by_session ON oauth_refresh_tokens(session_id);
CREATE INDEX oauth_refresh_by_expiry ON oauth_refresh_tokens(expires_at);
CREATE TABLE oauth_revoked_tokens (
  jti TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
);
