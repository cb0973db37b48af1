-- A rotated service-client secret may keep working for a grace period (issue 19), so a product
-- can switch to the new secret without downtime: the previous keyed hash and when it stops.
ALTER TABLE service_clients ADD COLUMN previous_secret_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE service_clients ADD COLUMN previous_secret_expires_at BIGINT NOT NULL DEFAULT 0;
