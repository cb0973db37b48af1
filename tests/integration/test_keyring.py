"""The server keyring (issue 16; ADR 0011), black-box against the real binary:

  * rotation: `secret rotate` appends k1 to the secret file (0600, k0 kept, no key printed);
    after a restart the session, its CSRF token, the API key and the service client secret
    made under k0 still work, TOTP sign-in opens the seed sealed under k0, new sessions are
    stored under k1, audit events carry both key ids and `audit verify` passes across the
    rotation; `secret show-ids` prints ids and check values, never a key;
  * two processes on one database (SQLite and PostgreSQL): the same keyring (file, or
    VAULT_SECRET) shares sessions; another keyring refuses to start with the message naming
    the key; a keyring missing the newest key refuses; VAULT_SECRET with VAULT_SECRET_FILE is
    refused; `audit verify` with a stale keyring refuses the same way;
  * SQLite: `backup` copies the rotated keyring, `restore` verifies the chain with both keys and
    refuses a keyring lacking the newer one.
"""

import hashlib
import hmac
import os
import secrets
import stat
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main  # noqa: E402
from key_helpers import KeyFlows  # noqa: E402
from product_helpers import ProductFlows  # noqa: E402
from ws_helpers import WorkspaceFlows, totp_code  # noqa: E402


def keyring_lines(path):
    """[(id, key)] of a keyring file; the legacy one-line file is [("k0", key)]."""
    with open(path) as f:
        lines = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    if len(lines) == 1 and " " not in lines[0]:
        return [("k0", lines[0])]
    return [tuple(l.split()) for l in lines]


class KeyringFlows:
    def secret_file(self):
        return self.vault.server.env["VAULT_SECRET_FILE"]

    def run_cli(self, *args, env=None):
        """The CLI with the first server's environment, changed by `env` (None unsets)."""
        e = dict(self.vault.server.env)
        for k, v in (env or {}).items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
        return subprocess.run([self.vault.server.binary, *args], cwd=self.vault.directory, env=e,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)

    def write_keyring(self, name, text):
        path = os.path.join(self.vault.directory, name)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(text)
        return path

    def refused_start(self, extra_env):
        """Starts another process that must exit before listening; returns its log."""
        with self.assertRaises(RuntimeError) as caught:
            self.vault.add_server(extra_env)
        server = self.vault.servers[-1]
        self.assertFalse(server.alive())
        self.assertNotEqual(server.proc.returncode, 0)
        self.assertIn("exited with", str(caught.exception))
        return server.logs

    def me(self, client, expect=200):
        r = client.get("/api/v1/me")
        self.assertEqual(r.status, expect, r)
        return r


class KeyringRotationTest(KeyringFlows, KeyFlows, ProductFlows, WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    CLOCK_OFFSET = True

    def test_rotation_keeps_everything_made_under_the_older_key(self):
        _, _, _, sa = self.make_super_admin()
        creds = self.service_client(sa, "submit", "Submit back end")
        owner = self.create_account(name="Kim Keys", prefix="owner")
        ws = self.create_workspace(owner.client, name="Keys Inc")["id"]
        product = self.create_product(owner.client, ws, "submit", plan="enterprise")["id"]
        key = self.create_key(owner.client, ws, product)["key"]
        self.assertTrue(self.verify(creds, key)["valid"])
        person = self.create_account(name="Tom Totp", prefix="totp")
        seed = self.enable_totp(person)
        bearer = self.sign_in(owner.email, owner.password, mode="bearer")

        path = self.secret_file()
        before = keyring_lines(path)
        self.assertEqual([kid for kid, _ in before], ["k0"])
        ids = self.run_cli("secret", "show-ids")
        self.assertEqual(ids.returncode, 0, ids.stderr)
        k0_check = ids.stdout.split()[1]
        self.assertEqual(ids.stdout.strip(), f"k0 {k0_check} primary")

        self.assertEqual(self.vault.server.stop(), 0)
        rotated = self.run_cli("secret", "rotate")
        self.assertEqual(rotated.returncode, 0, rotated.stderr)
        after = keyring_lines(path)
        self.assertEqual(after[0], before[0])  # the older key is kept, as it was
        self.assertEqual([kid for kid, _ in after], ["k0", "k1"])
        k1 = after[1][1]
        self.vault.remember_secret(k1)  # checked at tear-down: never in a log
        self.assertEqual(len(k1), 64)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assertNotIn(k1, rotated.stdout + rotated.stderr)
        self.assertNotIn(before[0][1], rotated.stdout + rotated.stderr)
        self.assertIn("k1", rotated.stdout)
        ids = self.run_cli("secret", "show-ids").stdout.splitlines()
        self.assertEqual(ids[0], f"k0 {k0_check}")
        self.assertTrue(ids[1].startswith("k1 ") and ids[1].endswith(" primary"), ids)
        self.assertNotIn(k1, "\n".join(ids))

        self.vault.server.start()
        self.assertIn("keyring matches the database", self.vault.server.logs)
        # The session, its CSRF token (a cookie write), the API key and the client secret.
        self.me(owner.client)
        self.me(bearer)
        r = owner.client.request("PATCH", "/api/v1/me", {"name": "Kim Rotated"})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(self.verify(creds, key)["valid"])
        # TOTP sign-in opens the seed sealed under k0 (a later step than the enrolment's).
        self.vault.set_clock_offset(90)
        c = self.client(auto_csrf=True)
        r = c.post("/api/v1/sessions", {"email": person.email, "password": person.password})
        self.assertEqual(r.status, 200, r)
        r = c.post("/api/v1/sessions/mfa", {"mfa_token": r.json["mfa_token"],
                                            "code": totp_code(seed, time.time() + 90)})
        self.assertEqual(r.status, 201, r)
        self.me(c)
        # A new session works and is stored under k1.
        fresh = self.sign_in(owner.email, owner.password, mode="bearer")
        self.me(fresh)
        want = hmac.new(k1.encode(), b"session\x00" + fresh.token.encode(),
                        hashlib.sha256).hexdigest()
        hashes = [row[0] for row in self.vault.db.sql("SELECT token_hash FROM sessions;")]
        self.assertIn(want, hashes)
        # Audit events name their key; the database knows both keys; the chain verifies.
        kids = [row[0] for row in self.vault.db.sql("SELECT key_id FROM audit_events ORDER BY seq;")]
        self.assertEqual(kids[0], "k0")
        self.assertEqual(kids[-1], "k1")
        self.assertIn("keyring.key_added", [row[0] for row in self.vault.db.sql(
            "SELECT action FROM audit_events WHERE key_id = 'k1';")])
        self.assertEqual([row[0] for row in self.vault.db.sql(
            "SELECT kid FROM keyring_keys ORDER BY kid;")], ["k0", "k1"])
        verified = self.run_cli("audit", "verify")
        self.assertEqual(verified.returncode, 0, verified.stdout + verified.stderr)
        self.assertIn("audit chain ok", verified.stdout)
        # The old keyring (k0 alone) is refused by every command, naming the missing key.
        stale = self.run_cli("audit", "verify",
                             env={"VAULT_SECRET": before[0][1], "VAULT_SECRET_FILE": None})
        self.assertEqual(stale.returncode, 1)
        self.assertIn("written with key k1, which this node's keyring does not have",
                      stale.stdout + stale.stderr)


class SameKeyringTest(KeyringFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192

    def test_processes_with_the_same_keyring_share_sessions(self):
        a = self.create_account()
        token = a.client.session_cookie
        self.assertTrue(token)
        b = self.vault.add_server()  # the same secret file
        c = self.client(mode="bearer", server=b)
        c.token = token
        self.me(c)
        # The keyring from VAULT_SECRET (no file) is the same keyring.
        (kid, key), = keyring_lines(self.secret_file())
        self.vault.remember_secret(key)
        e = self.vault.add_server({"VAULT_SECRET": f"{kid} {key}", "VAULT_SECRET_FILE": None})
        d = self.client(mode="bearer", server=e)
        d.token = token
        self.me(d)
        # And a session made there works on the first process.
        other = self.create_account()
        f = self.client(mode="bearer", auto_csrf=True, server=e)
        r = f.post("/api/v1/sessions", {"email": other.email, "password": other.password})
        self.assertEqual(r.status, 201, r)
        g = self.client(mode="bearer")
        g.token = f.token
        self.me(g)


class OtherKeyringTest(KeyringFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192

    def test_another_keyring_refuses_to_start(self):
        a = self.create_account()
        other = self.write_keyring("other.key", secrets.token_hex(32) + "\n")
        log = self.refused_start({"VAULT_SECRET_FILE": other})
        self.assertIn("the keyring does not match the database: key k0 differs", log)
        self.assertIn("VAULT_SECRET_FILE", log)
        # An extra key beside the right one does not help: k0 still differs.
        (kid, key), = keyring_lines(self.secret_file())
        log = self.refused_start({"VAULT_SECRET": f"k0 {secrets.token_hex(32)};k1 {key}",
                                  "VAULT_SECRET_FILE": None})
        self.assertIn("key k0 differs", log)
        # VAULT_SECRET with VAULT_SECRET_FILE: refused rather than one silently winning.
        log = self.refused_start({"VAULT_SECRET": f"{kid} {key}"})
        self.assertIn("VAULT_SECRET or VAULT_SECRET_FILE, not both", log)
        # A malformed keyring names its line, not its content.
        bad = self.write_keyring("bad.key", f"k0 {key}\nk1 short\n")
        log = self.refused_start({"VAULT_SECRET_FILE": bad})
        self.assertIn("line 2: the key of k1 is shorter than 32 characters", log)
        self.assertNotIn(key, log)
        # Nothing was registered or broken by the refused processes.
        self.assertEqual([row[0] for row in self.vault.db.sql("SELECT kid FROM keyring_keys;")],
                         ["k0"])
        self.me(a.client)


class StaleKeyringTest(KeyringFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192

    def test_a_keyring_missing_the_newest_key_refuses_to_start(self):
        a = self.create_account()
        original = self.secret_file()
        with open(original) as f:
            copy = self.write_keyring("rotated.key", f.read())
        rotated = self.run_cli("secret", "rotate", env={"VAULT_SECRET_FILE": copy})
        self.assertEqual(rotated.returncode, 0, rotated.stderr)
        self.vault.remember_secret(keyring_lines(copy)[1][1])
        # The first process started with the rotated file registers k1 ...
        b = self.vault.add_server({"VAULT_SECRET_FILE": copy})
        self.assertIn('"registered":"k1"', b.logs.replace(" ", ""))
        c = self.client(mode="bearer", server=b)
        c.token = a.client.session_cookie
        self.me(c)  # the k0 session, on the node that writes with k1
        # ... after which a node still holding the old file refuses.
        log = self.refused_start({})
        self.assertIn("this database was written with key k1, which this node's keyring does not "
                      "have", log)
        migrate = self.run_cli("migrate")
        self.assertEqual(migrate.returncode, 1)
        self.assertIn("written with key k1", migrate.stdout + migrate.stderr)


class KeyringBackupTest(KeyringFlows, VaultTestCase):
    """SQLite only (load_tests): `backup`/`restore` are SQLite's; PostgreSQL's pg_dump procedure
    copies the same file by hand (docs/backup.md)."""
    ARGON2_MEMORY_KIB = 8192

    def test_a_rotated_keyring_travels_with_the_backup(self):
        assert self.vault.backend == "sqlite", "SQLite backup and restore"
        before = self.create_account()
        self.assertEqual(self.vault.server.stop(), 0)
        self.assertEqual(self.run_cli("secret", "rotate").returncode, 0)
        self.vault.remember_secret(keyring_lines(self.secret_file())[1][1])
        self.vault.server.start()
        self.create_account()  # events and a session under k1
        tmp = os.path.join(self.vault.directory, "backups")
        os.makedirs(tmp)
        backup = os.path.join(tmp, "vault.db")
        done = self.run_cli("backup", backup)
        self.assertEqual(done.returncode, 0, done.stderr)
        with open(backup + ".secret") as f, open(self.secret_file()) as g:
            self.assertEqual(f.read(), g.read())  # both keys, as the file has them
        fresh = os.path.join(self.vault.directory, "fresh")
        env = {"VAULT_DATABASE": f"sqlite:{os.path.join(fresh, 'vault.db')}",
               "VAULT_SECRET_FILE": os.path.join(fresh, "secret.key")}
        restored = self.run_cli("restore", backup, env=env)
        self.assertEqual(restored.returncode, 0, restored.stderr + restored.stdout)
        self.assertIn("audit chain ok", restored.stdout)
        self.assertEqual([k for k, _ in keyring_lines(env["VAULT_SECRET_FILE"])], ["k0", "k1"])
        verified = self.run_cli("audit", "verify", env=env)
        self.assertEqual(verified.returncode, 0, verified.stdout + verified.stderr)
        # The backup with a keyring lacking k1 (the file before the rotation) is refused, naming
        # the key, and nothing is restored.
        (kid, key), _ = keyring_lines(backup + ".secret")
        self.write_keyring(os.path.join("backups", "vault.db.secret"), key + "\n")
        other = os.path.join(self.vault.directory, "other")
        env = {"VAULT_DATABASE": f"sqlite:{os.path.join(other, 'vault.db')}",
               "VAULT_SECRET_FILE": os.path.join(other, "secret.key")}
        refused = self.run_cli("restore", backup, env=env)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("which this keyring does not have", refused.stderr)
        self.assertFalse(os.path.exists(os.path.join(other, "vault.db")))
        self.me(before.client)


def load_tests(loader, tests, pattern):
    """Every test runs on both backends but the backup one, which is SQLite's (nothing is
    reported as skipped)."""
    postgres = os.environ.get("VAULT_TEST_BACKEND", "sqlite") == "postgres"
    suite = unittest.TestSuite()

    def walk(t):
        if isinstance(t, unittest.TestSuite):
            for x in t:
                walk(x)
        elif not (postgres and "KeyringBackupTest" in t.id()):
            suite.addTest(t)

    walk(tests)
    return suite


if __name__ == "__main__":
    main()
