-- Bulk seed for bench/access_check.sh: run by the sqlite3 CLI on a database the server has
-- already migrated (and stopped using). The script substitutes the sizes below before running it.
--
--   accounts       acc_b<n>  n in [0, @ACCOUNTS@)        email b<n>@bench.example, no password
--   workspaces     ws_b<w>   w in [0, @WORKSPACES@)      shortname bench-<w>
--   products       prd_b<w>  one per workspace, type pty_submit, shortname "submit"
--   subscriptions  one per product: enterprise (unlimited seats), active, local, open-ended
--   memberships    @MEMBERS@ per workspace; member j of workspace w is account
--                  ((w * @MEMBERS@ + j) * @STRIDE@) mod @ACCOUNTS@ -- a permutation of the
--                  accounts (@STRIDE@ is coprime with @ACCOUNTS@), so each account is in
--                  WORKSPACES*MEMBERS/ACCOUNTS workspaces, never twice in one, spread over the range
--                  j = 0 is the workspace owner, the others are plain members
--   grants         one direct grant per membership on the workspace's product,
--                  role viewer / editor / admin by j mod 3
-- Numbers are zero-padded so ids sort as they are generated (appends at the end of each B-tree);
-- the secondary indexes are dropped during the load and rebuilt after it (one sort each), with
-- the same definitions as the migrations. Everything is one transaction.
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
PRAGMA foreign_keys = OFF;
PRAGMA cache_size = -1048576;
PRAGMA temp_store = MEMORY;

BEGIN;
DROP INDEX IF EXISTS memberships_by_account;
DROP INDEX IF EXISTS grants_by_principal;
DROP INDEX IF EXISTS grants_by_workspace;

INSERT INTO accounts (id, email, email_norm, name, locale, time_zone, email_verified, password_hash,
                      disabled, created_at, updated_at, super_admin, last_sign_in_at, last_workspace_id)
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @ACCOUNTS@)
SELECT printf('acc_b%07d', i), printf('b%07d@bench.example', i), printf('b%07d@bench.example', i),
       printf('Bench User %d', i), 'en', 'UTC', 1, '', 0, @NOW@, @NOW@, 0, 0, ''
FROM n;

INSERT INTO workspaces (id, name, shortname, description, require_2fa, created_at, updated_at)
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @WORKSPACES@)
SELECT printf('ws_b%06d', i), printf('Bench Workspace %d', i), printf('bench-%06d', i), '', 0, @NOW@, @NOW@
FROM n;

INSERT INTO products (id, workspace_id, type_id, name, shortname, disabled, created_at, updated_at)
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @WORKSPACES@)
SELECT printf('prd_b%06d', i), printf('ws_b%06d', i), 'pty_submit', 'Submit', 'submit', 0, @NOW@, @NOW@
FROM n;

INSERT INTO subscriptions (product_id, plan_key, status, provider, external_id, period_end, last_event_at, updated_at)
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @WORKSPACES@)
SELECT printf('prd_b%06d', i), 'enterprise', 'active', 'local', '', 0, 0, @NOW@
FROM n;

-- k = w * MEMBERS + j enumerates every membership once, in (workspace, member) order.
INSERT INTO memberships (workspace_id, account_id, role, created_at)
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k + 1 < @WORKSPACES@ * @MEMBERS@)
SELECT printf('ws_b%06d', k / @MEMBERS@), printf('acc_b%07d', (k * @STRIDE@) % @ACCOUNTS@),
       CASE WHEN k % @MEMBERS@ = 0 THEN 'owner' ELSE 'member' END, @NOW@
FROM n;

INSERT INTO grants (product_id, principal_type, principal_id, role, workspace_id, created_at)
WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k + 1 < @WORKSPACES@ * @MEMBERS@)
SELECT printf('prd_b%06d', k / @MEMBERS@), 'account', printf('acc_b%07d', (k * @STRIDE@) % @ACCOUNTS@),
       CASE (k % @MEMBERS@) % 3 WHEN 0 THEN 'viewer' WHEN 1 THEN 'editor' ELSE 'admin' END,
       printf('ws_b%06d', k / @MEMBERS@), @NOW@
FROM n;

CREATE INDEX memberships_by_account ON memberships(account_id);
CREATE INDEX grants_by_principal ON grants(principal_id);
CREATE INDEX grants_by_workspace ON grants(workspace_id);
COMMIT;

PRAGMA wal_checkpoint(TRUNCATE);
