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
--   api_keys       @KEYS@ keys (0 unless BENCH_FULL=1); key i belongs to workspace i mod
--                  @WORKSPACES@ and its product, created by that workspace's owner; ids
--                  "ak_benchkeyaaaaaa" + 6 characters of i in a-z2-7 (the server's "ak_" + 20
--                  such characters, so the key cache packs them; digits first so the ids sort
--                  as generated), environment production /
--                  staging / development by i mod 3, permissions "submissions:read files:read",
--                  no expiry, not revoked; secret_hash a random 64-hex string (no key
--                  text exists for it: nothing verifies these keys, they only fill the cache)
--   sessions       @SESSIONS@ sessions (0 unless BENCH_FULL=1); session i belongs to account
--                  i mod @ACCOUNTS@; ids "ses_bench" + 17 digits (22 characters after "ses_",
--                  as NewId's base64url of 16 bytes); token_hash a random 64-hex
--                  string; valid for 30 days from the seed (retention must not delete them)
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
DROP INDEX IF EXISTS api_keys_by_workspace;
DROP INDEX IF EXISTS api_keys_by_product;
DROP INDEX IF EXISTS sessions_account;
DROP INDEX IF EXISTS sessions_by_expiry;

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

-- The columns as migrations/sqlite/0007_api_keys.sql and storage/sql_tx_api_keys.cpp write them
-- (permissions and allowed_ips are space-separated words; 0 = never / not yet).
INSERT INTO api_keys (id, workspace_id, product_id, environment, name, secret_hash, last_four,
                      permissions, allowed_ips, created_by, created_at, expires_at, revoked_at,
                      last_used_at, last_used_ip, rolled_from, replaced_by)
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @KEYS@)
SELECT 'ak_benchkeyaaaaaa' ||
         substr('234567abcdefghijklmnopqrstuvwxyz', ((i >> 25) & 31) + 1, 1) ||
         substr('234567abcdefghijklmnopqrstuvwxyz', ((i >> 20) & 31) + 1, 1) ||
         substr('234567abcdefghijklmnopqrstuvwxyz', ((i >> 15) & 31) + 1, 1) ||
         substr('234567abcdefghijklmnopqrstuvwxyz', ((i >> 10) & 31) + 1, 1) ||
         substr('234567abcdefghijklmnopqrstuvwxyz', ((i >> 5) & 31) + 1, 1) ||
         substr('234567abcdefghijklmnopqrstuvwxyz', (i & 31) + 1, 1),
       printf('ws_b%06d', i % @WORKSPACES@), printf('prd_b%06d', i % @WORKSPACES@),
       CASE i % 3 WHEN 0 THEN 'production' WHEN 1 THEN 'staging' ELSE 'development' END,
       printf('Bench key %d', i), lower(hex(randomblob(32))), printf('%04d', i % 10000),
       'submissions:read files:read', '',
       printf('acc_b%07d', ((i % @WORKSPACES@) * @MEMBERS@ * @STRIDE@) % @ACCOUNTS@),
       @NOW@, 0, 0, 0, '', '', ''
FROM n WHERE i < @KEYS@;

-- The columns as migrations/sqlite/0001_accounts.sql and storage/sql_tx.cpp write them.
INSERT INTO sessions (id, account_id, token_hash, created_at, last_seen_at, expires_at, ip, user_agent)
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @SESSIONS@)
SELECT printf('ses_bench%017d', i), printf('acc_b%07d', i % @ACCOUNTS@),
       lower(hex(randomblob(32))), @NOW@, @NOW@, @NOW@ + 30 * 86400, '127.0.0.1',
       'atomyx-vault bench/access_check.sh'
FROM n WHERE i < @SESSIONS@;

CREATE INDEX memberships_by_account ON memberships(account_id);
CREATE INDEX grants_by_principal ON grants(principal_id);
CREATE INDEX grants_by_workspace ON grants(workspace_id);
CREATE INDEX api_keys_by_workspace ON api_keys(workspace_id, created_at, id);
CREATE INDEX api_keys_by_product ON api_keys(product_id);
CREATE INDEX sessions_account ON sessions(account_id);
CREATE INDEX sessions_by_expiry ON sessions(expires_at);
COMMIT;

PRAGMA wal_checkpoint(TRUNCATE);
