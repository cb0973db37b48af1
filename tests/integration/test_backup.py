#!/usr/bin/python3
"""`atomyx-vault backup FILE` and `atomyx-vault restore FILE` (docs/backup.md).

SQLite: a backup taken while a writer keeps committing is restored into a fresh data directory
and served: every write acknowledged before the backup started is there, `audit verify` passes,
and a session and an API key made before the backup still authenticate (the secret file came
with it, FILE.secret). Bad input — an existing target, a missing or unwritable folder, a file
that is not an intact Vault database, a wrong secret, a database still in use — fails with a
clear message and a non-zero exit, and changes nothing.

PostgreSQL: both commands refuse with exit 2 and print the documented pg_dump / pg_restore
procedure, secret file included."""

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultServer, VaultTestCase, main  # noqa: E402
from key_helpers import KeyFlows  # noqa: E402
from product_helpers import ProductFlows  # noqa: E402
from ws_helpers import WorkspaceFlows  # noqa: E402


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def read(path):
    with open(path, "rb") as f:
        return f.read()


class BackupTest(KeyFlows, ProductFlows, WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="vault-backup-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def sqlite_only(self):
        # load_tests below runs these only on SQLite; this guards a direct run.
        assert self.vault.backend == "sqlite", "SQLite backup and restore"

    def env_for(self, directory):
        """The servers' environment pointed at another data directory."""
        env = dict(self.vault.server.env)
        env.update({"VAULT_DATABASE": f"sqlite:{os.path.join(directory, 'data', 'vault.db')}",
                    "VAULT_SECRET_FILE": os.path.join(directory, "data", "secret.key"),
                    "VAULT_MAIL_OUTBOX": os.path.join(directory, "outbox")})
        return env

    def cli(self, *args, env=None):
        done = subprocess.run([self.vault.server.binary, *args], cwd=self.tmp,
                              env=env or self.vault.server.env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=120)
        secret = read(self.vault.server.env["VAULT_SECRET_FILE"]).decode().strip()
        self.assertNotIn(secret, done.stdout + done.stderr, "the CLI printed the server secret")
        return done

    def assertFails(self, done, *fragments):
        self.assertNotEqual(done.returncode, 0, done.stdout + done.stderr)
        for fragment in fragments:
            self.assertIn(fragment, done.stderr, done.stderr)

    def listing(self, directory):
        out = []
        for root, _, files in os.walk(directory):
            for name in files:
                path = os.path.join(root, name)
                out.append((os.path.relpath(path, directory), read(path)))
        return sorted(out)

    # ------------------------------------------------------------------ under write load
    def test_backup_under_write_load_restores_every_acknowledged_write(self):
        self.sqlite_only()
        _, _, _, sa = self.make_super_admin()
        creds = self.service_client(sa, "submit", "Submit back end")
        owner = self.create_account(name="Bea Backup", prefix="backup")
        bearer = self.sign_in(owner.email, owner.password, mode="bearer")
        ws = self.create_workspace(owner.client, name="Backup Co")["id"]
        product = self.create_product(owner.client, ws, "submit", plan="enterprise")["id"]
        key = self.create_key(owner.client, ws, product)["key"]
        self.assertTrue(self.verify(creds, key)["valid"])

        acked = []   # (monotonic time of the 2xx, kind, id)
        failures = []
        stop = threading.Event()

        def writer():
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    if i % 3:
                        r = owner.client.post("/api/v1/workspaces",
                                              {"name": f"Load {i}", "shortname": f"load-{i}-"
                                               f"{os.getpid()}"})
                        kind = "workspace"
                    else:
                        r = owner.client.post(f"/api/v1/workspaces/{ws}/api-keys",
                                              {"name": f"Load key {i}", "product": product,
                                               "environment": "production",
                                               "permissions": ["submissions:read"]})
                        kind = "key"
                        if r.status == 201:
                            self.vault.remember_secret(r.json["key"])
                    if r.status != 201:
                        failures.append(r)
                        return
                    acked.append((time.monotonic(), kind, r.json["id"]))
                except Exception as e:  # noqa: BLE001 - reported by the main thread
                    failures.append(e)
                    return

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        try:
            deadline = time.monotonic() + 30
            while len(acked) < 20 and time.monotonic() < deadline and not failures:
                time.sleep(0.02)
            backup = os.path.join(self.tmp, "vault-backup.db")
            started = time.monotonic()
            # One page per step: many steps, each a chance for the writer to commit between
            # them and start the copy over.
            done = self.cli("backup", backup, "--step-pages", "1")
            finished = time.monotonic()
            time.sleep(0.3)
        finally:
            stop.set()
            thread.join(30)
        self.assertEqual(failures, [])
        self.assertEqual(done.returncode, 0, done.stderr + done.stdout)
        self.assertIn(f"backup written: {backup}", done.stdout)
        self.assertIn("schema version", done.stdout)
        self.assertIn(f"secret file copied: {backup}.secret", done.stdout)
        during = [a for a in acked if started <= a[0] <= finished]
        sys.stderr.write(f"\n{len(acked)} writes acknowledged, {len(during)} while the backup "
                         f"ran; backup said: {done.stdout.strip()}\n")
        self.assertEqual(mode_of(backup), 0o600)
        self.assertEqual(mode_of(backup + ".secret"), 0o600)
        self.assertEqual(read(backup + ".secret").strip(),
                         read(self.vault.server.env["VAULT_SECRET_FILE"]).strip())
        self.assertFalse(os.path.exists(backup + "-wal"))

        # Restore into a fresh data directory, verify, serve.
        fresh = os.path.join(self.tmp, "fresh")
        os.makedirs(fresh)
        env = self.env_for(fresh)
        restored = self.cli("restore", backup, env=env)
        self.assertEqual(restored.returncode, 0, restored.stderr + restored.stdout)
        self.assertIn("audit chain ok", restored.stdout)
        self.assertIn(f"installed from {backup}.secret", restored.stdout)
        self.assertEqual(mode_of(env["VAULT_SECRET_FILE"]), 0o600)
        self.assertEqual(mode_of(env["VAULT_DATABASE"][len("sqlite:"):]), 0o600)
        verified = self.cli("audit", "verify", env=env)
        self.assertEqual(verified.returncode, 0, verified.stderr + verified.stdout)
        self.assertIn("audit chain ok", verified.stdout)

        server = VaultServer(fresh, env["VAULT_DATABASE"], self.vault.sink.port,
                             self.ARGON2_MEMORY_KIB,
                             {"VAULT_SECRET_FILE": env["VAULT_SECRET_FILE"]})
        self.vault.servers.append(server)  # stopped (and its log checked) with the fixture
        server.start()
        try:
            # A session and an API key from before the backup authenticate on the copy.
            bearer.server = server
            me = bearer.get("/api/v1/me")
            self.assertEqual(me.status, 200, me)
            self.assertEqual(me.json["id"], owner.id)
            self.assertTrue(self.verify(creds, key, server=server)["valid"])
            mine = bearer.get("/api/v1/me/workspaces")
            self.assertEqual(mine.status, 200, mine)
            present = {w["id"] for w in mine.json["items"]}
            keys = bearer.get(f"/api/v1/workspaces/{ws}/api-keys?limit=500")
            self.assertEqual(keys.status, 200, keys)
            present |= {k["id"] for k in keys.json["items"]}
            before = [a for a in acked if a[0] < started]
            self.assertGreaterEqual(len(before), 20)
            missing = [a for a in before if a[2] not in present]
            self.assertEqual(missing, [], "writes acknowledged before the backup are missing")
            # And the copy takes writes of its own.
            self.assertEqual(self.create_workspace(bearer, name="After Restore")["name"],
                             "After Restore")
        finally:
            server.stop()
        self.assertEqual(self.cli("audit", "verify", env=env).returncode, 0)

    # ------------------------------------------------------------------ refusals
    def test_backup_refuses_an_existing_file_and_a_folder_it_cannot_write(self):
        self.sqlite_only()
        existing = os.path.join(self.tmp, "existing.db")
        with open(existing, "w") as f:
            f.write("an older backup")
        done = self.cli("backup", existing)
        self.assertFails(done, "already exists", "--force")
        self.assertEqual(read(existing), b"an older backup")
        self.assertFalse(os.path.exists(existing + ".secret"))

        missing_dir = os.path.join(self.tmp, "no", "such", "dir", "b.db")
        self.assertFails(self.cli("backup", missing_dir), "cannot create")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "no")))

        # A folder that cannot hold files for anyone, root included: its "parent" is a file.
        plain = os.path.join(self.tmp, "a-file")
        with open(plain, "w") as f:
            f.write("not a folder\n")
        self.assertFails(self.cli("backup", os.path.join(plain, "b.db")), "cannot create")
        if os.geteuid() != 0:  # root writes anywhere
            locked = os.path.join(self.tmp, "locked")
            os.makedirs(locked)
            os.chmod(locked, 0o500)
            self.addCleanup(os.chmod, locked, 0o700)
            self.assertFails(self.cli("backup", os.path.join(locked, "b.db")), "cannot create")
            self.assertEqual(os.listdir(locked), [])

        forced = self.cli("backup", existing, "--force")
        self.assertEqual(forced.returncode, 0, forced.stderr)
        self.assertEqual(mode_of(existing), 0o600)
        self.assertNotEqual(read(existing), b"an older backup")

    def test_restore_refuses_bad_files_wrong_secrets_and_a_live_database(self):
        self.sqlite_only()
        self.create_account(prefix="restore")  # audit events to check the secret against
        backup = os.path.join(self.tmp, "good.db")
        self.assertEqual(self.cli("backup", backup).returncode, 0)
        fresh = os.path.join(self.tmp, "fresh")
        os.makedirs(fresh)
        env = self.env_for(fresh)

        text = os.path.join(self.tmp, "notes.txt")
        with open(text, "w") as f:
            f.write("not a database\n" * 500)
        truncated = os.path.join(self.tmp, "truncated.db")
        with open(truncated, "wb") as f:
            f.write(read(backup)[: os.path.getsize(backup) // 2])
        plain = os.path.join(self.tmp, "plain.db")
        subprocess.run(["sqlite3", plain, "CREATE TABLE notes (a TEXT);"], check=True)
        for bad in (text, truncated, plain):
            self.assertFails(self.cli("restore", bad, env=env), "not an intact Vault SQLite")
        self.assertFails(self.cli("restore", os.path.join(self.tmp, "absent.db"), env=env),
                         "absent.db")
        self.assertEqual(self.listing(fresh), [])

        # A backup whose secret file is not the one its audit chain was keyed with.
        wrong = os.path.join(self.tmp, "wrong.db")
        shutil.copy(backup, wrong)
        with open(wrong + ".secret", "w") as f:
            f.write("ab" * 32 + "\n")
        self.assertFails(self.cli("restore", wrong, env=env), "does not verify",
                         "nothing was changed")
        self.assertEqual(self.listing(fresh), [])

        # --no-secret: no FILE.secret; restoring it where there is no secret file is refused.
        bare = os.path.join(self.tmp, "bare.db")
        done = self.cli("backup", bare, "--no-secret")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("secret file NOT copied", done.stdout)
        self.assertFalse(os.path.exists(bare + ".secret"))
        self.assertFails(self.cli("restore", bare, env=env), "secret file the backup was written")
        self.assertEqual(self.listing(fresh), [])

        # The running server's own database: it exists, and it is in use even with --force.
        before = self.vault.db.sql("SELECT COUNT(*) FROM accounts")
        self.assertFails(self.cli("restore", backup), "already exists", "--force")
        self.assertFails(self.cli("restore", backup, "--force"), "in use")
        self.assertEqual(self.vault.db.sql("SELECT COUNT(*) FROM accounts"), before)
        self.healthy()

        # A fresh directory with another secret already there: kept unless --force.
        restored = self.cli("restore", backup, env=env)
        self.assertEqual(restored.returncode, 0, restored.stderr)
        other = self.env_for(os.path.join(self.tmp, "other"))
        os.makedirs(os.path.dirname(other["VAULT_SECRET_FILE"]))
        with open(other["VAULT_SECRET_FILE"], "w") as f:
            f.write("cd" * 32 + "\n")
        self.assertFails(self.cli("restore", backup, env=other), "differs", "--force")
        self.assertFalse(os.path.exists(other["VAULT_DATABASE"][len("sqlite:"):]))
        replaced = self.cli("restore", backup, "--force", env=other)
        self.assertEqual(replaced.returncode, 0, replaced.stderr)
        self.assertEqual(read(other["VAULT_SECRET_FILE"] + ".before-restore"),
                         ("cd" * 32 + "\n").encode())
        self.assertEqual(self.cli("audit", "verify", env=other).returncode, 0)

    # ------------------------------------------------------------------ PostgreSQL
    def test_postgres_prints_procedure(self):
        assert self.vault.backend == "postgres", "PostgreSQL only"
        target = os.path.join(self.tmp, "vault.dump")
        for command, tool in (("backup", "pg_dump"), ("restore", "pg_restore")):
            done = self.cli(command, target)
            self.assertEqual(done.returncode, 2, done.stderr + done.stdout)
            self.assertIn("PostgreSQL", done.stderr)
            self.assertIn(tool, done.stderr)
            self.assertIn("VAULT_SECRET_FILE", done.stderr)
            self.assertIn("docs/backup.md", done.stderr)
            self.assertFalse(os.path.exists(target))
        self.healthy()


def load_tests(loader, tests, pattern):
    """Each backend runs the tests that apply to it (nothing is reported as skipped): SQLite the
    backup and restore tests, PostgreSQL the printed pg_dump/pg_restore procedure."""
    postgres = os.environ.get("VAULT_TEST_BACKEND", "sqlite") == "postgres"
    suite = unittest.TestSuite()

    def walk(t):
        if isinstance(t, unittest.TestSuite):
            for x in t:
                walk(x)
        elif (t.id().endswith("test_postgres_prints_procedure")) == postgres:
            suite.addTest(t)

    walk(tests)
    return suite


if __name__ == "__main__":
    main()
