-- Retention deletes expired rows in small batches; these indexes keep each batch from
-- scanning the whole table.
CREATE INDEX sessions_by_expiry ON sessions(expires_at);
CREATE INDEX one_time_tokens_by_expiry ON one_time_tokens(expires_at);
CREATE INDEX throttle_by_window ON throttle(window_start);
CREATE INDEX invitations_by_expiry ON invitations(expires_at);
CREATE INDEX webhook_events_by_time ON webhook_events(received_at);
