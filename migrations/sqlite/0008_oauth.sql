-- OpenID Connect provider foundation (ADR 0010): service clients as OAuth clients, and the
-- token-signing keys (private keys sealed under the server secret).
ALTER TABLE service_clients ADD COLUMN redirect_uris TEXT NOT NULL DEFAULT '';
ALTER TABLE service_clients ADD COLUMN public_client INTEGER NOT NULL DEFAULT 0;
CREATE TABLE signing_keys (
  kid TEXT PRIMARY KEY,
  alg TEXT NOT NULL,
  public_key TEXT NOT NULL,
  sealed_private_key TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  retired_at INTEGER NOT NULL,
  verify_until INTEGER NOT NULL
);
