CREATE TABLE product_types (
  id TEXT PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  api_permissions TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE product_type_roles (
  type_id TEXT NOT NULL REFERENCES product_types(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  rank BIGINT NOT NULL,
  permissions TEXT NOT NULL,
  PRIMARY KEY (type_id, name)
);
CREATE TABLE product_type_plans (
  type_id TEXT NOT NULL REFERENCES product_types(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  name TEXT NOT NULL,
  seats BIGINT NOT NULL,
  trial_days BIGINT NOT NULL,
  features TEXT NOT NULL,
  PRIMARY KEY (type_id, key)
);
CREATE TABLE products (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  type_id TEXT NOT NULL REFERENCES product_types(id),
  name TEXT NOT NULL,
  shortname TEXT NOT NULL,
  disabled BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (workspace_id, shortname)
);
CREATE TABLE subscriptions (
  product_id TEXT PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
  plan_key TEXT NOT NULL,
  status TEXT NOT NULL,
  provider TEXT NOT NULL,
  external_id TEXT NOT NULL,
  period_end BIGINT NOT NULL,
  last_event_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX subscriptions_external ON subscriptions(provider, external_id);
CREATE TABLE groups (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  name_norm TEXT NOT NULL,
  description TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (workspace_id, name_norm)
);
CREATE TABLE group_members (
  group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  workspace_id TEXT NOT NULL,
  PRIMARY KEY (group_id, account_id)
);
CREATE INDEX group_members_by_account ON group_members(workspace_id, account_id);
CREATE TABLE grants (
  product_id TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  principal_type TEXT NOT NULL,
  principal_id TEXT NOT NULL,
  role TEXT NOT NULL,
  workspace_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (product_id, principal_type, principal_id)
);
CREATE INDEX grants_by_principal ON grants(principal_id);
CREATE INDEX grants_by_workspace ON grants(workspace_id);
CREATE TABLE service_clients (
  id TEXT PRIMARY KEY,
  type_id TEXT NOT NULL REFERENCES product_types(id),
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT NOT NULL
);
CREATE TABLE webhook_events (
  event_id TEXT PRIMARY KEY,
  received_at BIGINT NOT NULL
);
INSERT INTO product_types (id, key, name, api_permissions, created_at) VALUES
  ('pty_manage', 'manage', 'Atomyx Manage', 'jobs:read jobs:create jobs:update clients:read clients:write', 0),
  ('pty_submit', 'submit', 'Atomyx Submit', 'submissions:read submissions:create submissions:update files:read files:write', 0),
  ('pty_prepare', 'prepare', 'Atomyx Prepare', 'documents:read documents:create documents:update templates:read', 0),
  ('pty_layout', 'layout', 'Atomyx Layout', 'layouts:read layouts:create layouts:update assets:read assets:write', 0);
INSERT INTO product_type_roles (type_id, name, rank, permissions) VALUES
  ('pty_manage', 'admin', 3, 'jobs:read jobs:create jobs:update jobs:delete clients:read clients:write settings:manage'),
  ('pty_manage', 'editor', 2, 'jobs:read jobs:create jobs:update clients:read clients:write'),
  ('pty_manage', 'viewer', 1, 'jobs:read clients:read'),
  ('pty_submit', 'admin', 3, 'submissions:read submissions:create submissions:update submissions:delete files:read files:write settings:manage'),
  ('pty_submit', 'editor', 2, 'submissions:read submissions:create submissions:update files:read files:write'),
  ('pty_submit', 'viewer', 1, 'submissions:read files:read'),
  ('pty_prepare', 'admin', 3, 'documents:read documents:create documents:update documents:delete templates:read templates:write settings:manage'),
  ('pty_prepare', 'editor', 2, 'documents:read documents:create documents:update templates:read'),
  ('pty_prepare', 'viewer', 1, 'documents:read templates:read'),
  ('pty_layout', 'admin', 3, 'layouts:read layouts:create layouts:update layouts:delete assets:read assets:write settings:manage'),
  ('pty_layout', 'editor', 2, 'layouts:read layouts:create layouts:update assets:read assets:write'),
  ('pty_layout', 'viewer', 1, 'layouts:read assets:read');
INSERT INTO product_type_plans (type_id, key, name, seats, trial_days, features) VALUES
  ('pty_manage', 'trial', 'Trial', 5, 14, 'core'),
  ('pty_manage', 'standard', 'Standard', 25, 0, 'core reports'),
  ('pty_manage', 'enterprise', 'Enterprise', 0, 0, 'core reports sso audit-export'),
  ('pty_submit', 'trial', 'Trial', 5, 14, 'core'),
  ('pty_submit', 'standard', 'Standard', 25, 0, 'core reports'),
  ('pty_submit', 'enterprise', 'Enterprise', 0, 0, 'core reports sso audit-export'),
  ('pty_prepare', 'trial', 'Trial', 5, 14, 'core'),
  ('pty_prepare', 'standard', 'Standard', 25, 0, 'core reports'),
  ('pty_prepare', 'enterprise', 'Enterprise', 0, 0, 'core reports sso audit-export'),
  ('pty_layout', 'trial', 'Trial', 5, 14, 'core'),
  ('pty_layout', 'standard', 'Standard', 25, 0, 'core reports'),
  ('pty_layout', 'enterprise', 'Enterprise', 0, 0, 'core reports sso audit-export');
