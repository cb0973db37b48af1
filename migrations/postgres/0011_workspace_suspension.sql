-- A Super Admin may suspend a workspace (issue 19): 0 when not suspended, else when it was;
-- the reason is shown to Super Admins.
ALTER TABLE workspaces ADD COLUMN suspended_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE workspaces ADD COLUMN suspension_reason TEXT NOT NULL DEFAULT '';
