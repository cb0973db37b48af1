#!/usr/bin/python3
"""Audit trail end to end: account operations over HTTP show up in GET /api/v1/me/audit newest
first (JSON, NDJSON, CSV without formula injection), paging with limit + cursor, the action
filter, 400 validation.query on bad parameters; `atomyx-vault audit verify` detects an edited,
a removed, a reordered and a truncated event (tampering done with sqlite3 / psql while the
server is stopped) and passes again once restored; `atomyx-vault admin ...` commands print
their links, take effect on a running server and leave admin.* events."""

import csv
import io
import json
import os
import re
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (PUBLIC_URL, TOKEN_SHAPE, Vault, VaultFlows, VaultTestCase,  # noqa: E402
                     main, unique_email, wait_until)

FORMULA_AGENT = "=cmd|' /C calc'!A0"
CSV_HEADER = ["seq", "id", "occurred_at", "actor_type", "actor_id", "ip", "user_agent",
              "workspace_id", "action", "target_type", "target_id", "summary"]
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
LINK_RE = re.compile(r"set-password link \(single use\): (\S+)")


class AuditApiTest(VaultTestCase):

    def audit(self, client, query="", status=200):
        r = client.get("/api/v1/me/audit" + (f"?{query}" if query else ""))
        self.assertEqual(r.status, status, r)
        return r

    def all_events(self, client, query=""):
        r = self.audit(client, "limit=1000" + (f"&{query}" if query else ""))
        self.assertIsNone(r.json["next_cursor"], r)
        return r.json["items"]

    def run_operations(self):
        """Does one of each account operation; returns (account, a signed-in client, the
        actions expected newest first)."""
        email, token = self.signup(unique_email("audit"), "Audrey Trail")
        password = self.vault.new_password()
        c = self.client(auto_csrf=True)
        r = c.post("/api/v1/signup/complete", {"token": token, "password": password})
        self.assertEqual(r.status, 201, r)
        account_id = r.json["account"]["id"]
        # a sign-in whose user agent is a spreadsheet formula
        formula = self.sign_in(email, password, user_agent=FORMULA_AGENT)
        self.sign_in(email, "Wrong-password-xyz-1", expect=401)
        r = c.patch("/api/v1/me", {"name": "Audrey Trail-Smith", "time_zone": "Europe/Paris"})
        self.assertEqual(r.status, 200, r)
        other = self.sign_in(email, password)
        r = c.delete(f"/api/v1/me/sessions/{other.get('/api/v1/sessions/current').json['id']}")
        self.assertEqual(r.status, 204, r)
        r = c.delete("/api/v1/me/sessions")
        self.assertEqual(r.status, 204, r)
        self.assertEqual(formula.get("/api/v1/me").status, 401)
        r = self.client(mode="none").post("/api/v1/password/forgot", {"email": email})
        self.assertEqual(r.status, 202, r)
        new_password = self.vault.new_password()
        r = c.post("/api/v1/me/password", {"current_password": password,
                                           "new_password": new_password})
        self.assertEqual(r.status, 204, r)
        r = c.delete("/api/v1/sessions/current")
        self.assertEqual(r.status, 204, r)
        c = self.sign_in(email, new_password, user_agent="audit-reader/1")
        expected = ["session.signed_in", "session.signed_out", "account.password_changed",
                    "account.password_reset_requested", "session.revoked_others",
                    "session.revoked", "session.signed_in", "account.profile_updated",
                    "session.sign_in_failed", "session.signed_in", "account.created"]
        return email, account_id, c, expected

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fixture = None

    def setUp(self):
        if type(self).fixture is None:
            type(self).fixture = self.run_operations()
        self.email, self.account_id, self.c, self.expected = type(self).fixture

    # ------------------------------------------------------------------ tests
    def test_lists_operations_newest_first(self):
        items = self.all_events(self.c)
        actions = [e["action"] for e in items]
        self.assertEqual(actions, self.expected, json.dumps(items, indent=1))
        seqs = [e["seq"] for e in items]
        self.assertEqual(seqs, sorted(seqs, reverse=True), seqs)
        self.assertEqual(len(set(seqs)), len(seqs))
        for e in items:
            self.assertEqual(set(e), {"id", "seq", "occurred_at", "actor", "workspace_id",
                                      "action", "target", "summary", "hash"}, e)
            self.assertTrue(e["id"].startswith("evt_"), e)
            self.assertRegex(e["occurred_at"], RFC3339)
            self.assertEqual(set(e["actor"]), {"type", "id", "ip", "user_agent"}, e)
            self.assertEqual(set(e["target"]), {"type", "id"}, e)
            self.assertIsInstance(e["summary"], dict, e)
            self.assertRegex(e["hash"], r"^[0-9a-f]{64}$")
            self.assertIn(self.account_id, (e["actor"]["id"], e["target"]["id"]), e)
            self.assertEqual(e["actor"]["ip"], "127.0.0.1", e)
        by_action = {}
        for e in items:
            by_action.setdefault(e["action"], []).append(e)
        self.assertEqual(by_action["account.created"][0]["target"],
                         {"type": "account", "id": self.account_id})
        failed = by_action["session.sign_in_failed"][0]
        self.assertEqual(failed["actor"]["type"], "anonymous", failed)
        self.assertEqual(failed["summary"], {"reason": "invalid_credentials"}, failed)
        self.assertEqual(by_action["account.profile_updated"][0]["summary"],
                         {"fields": "name,time_zone"})
        for e in by_action["session.signed_in"]:
            self.assertEqual(e["summary"], {"method": "password"}, e)
            self.assertEqual(e["target"]["type"], "session", e)
        agents = [e["actor"]["user_agent"] for e in by_action["session.signed_in"]]
        self.assertEqual(agents, ["audit-reader/1", "vault-it/1", FORMULA_AGENT], agents)
        # the password never reaches the trail
        self.assertNotIn("Wrong-password-xyz-1", json.dumps(items))

    def test_paging_with_cursor(self):
        items = self.all_events(self.c)
        for limit in (1, 3, 4, len(items), len(items) + 1):
            with self.subTest(limit=limit):
                pages, cursor = [], None
                while True:
                    query = f"limit={limit}" + (f"&cursor={cursor}" if cursor else "")
                    r = self.audit(self.c, query)
                    page = r.json["items"]
                    self.assertLessEqual(len(page), limit)
                    pages.append(page)
                    cursor = r.json["next_cursor"]
                    if cursor is None:
                        break
                    self.assertEqual(len(page), limit, r)
                    self.assertEqual(str(cursor), str(page[-1]["seq"]), r)
                    self.assertLess(len(pages), 50, "paging does not end")
                ids = [e["id"] for page in pages for e in page]
                self.assertEqual(len(ids), len(set(ids)), "pages overlap")
                self.assertEqual(ids, [e["id"] for e in items])
        # the default page size is 50
        r = self.audit(self.c)
        self.assertEqual(r.json["items"], items)

    def test_action_filter(self):
        items = self.all_events(self.c)
        signed_in = self.all_events(self.c, "action=session.signed_in")
        self.assertEqual(signed_in, [e for e in items if e["action"] == "session.signed_in"])
        self.assertEqual(len(signed_in), 3)
        session = self.all_events(self.c, "action=session.")
        self.assertEqual(session, [e for e in items if e["action"].startswith("session.")])
        self.assertEqual(self.all_events(self.c, "action=session"), [])  # exact, no prefix
        self.assertEqual(self.all_events(self.c, "action=" + urllib.parse.quote("%")), [])
        self.assertEqual(self.all_events(self.c, "action=" + urllib.parse.quote("session._")),
                         [])

    def test_ndjson(self):
        items = self.all_events(self.c)
        r = self.audit(self.c, "format=ndjson&limit=1000")
        self.assertEqual(r.content_type, "application/x-ndjson", r)
        text = r.body.decode("utf-8")
        self.assertTrue(text.endswith("\n"), text[-80:])
        lines = text.split("\n")[:-1]
        self.assertEqual([json.loads(line) for line in lines], items)
        self.assertIsNone(r.headers.get("X-Next-Cursor"))
        r = self.audit(self.c, "format=ndjson&limit=2")
        lines = r.body.decode("utf-8").splitlines()
        self.assertEqual([json.loads(line) for line in lines], items[:2])
        self.assertEqual(r.headers.get("X-Next-Cursor"), str(items[1]["seq"]))
        r = self.audit(self.c, f"format=ndjson&limit=2&cursor={items[1]['seq']}")
        self.assertEqual([json.loads(line) for line in r.body.decode().splitlines()], items[2:4])

    def test_csv_has_header_rows_and_no_formulas(self):
        items = self.all_events(self.c)
        r = self.audit(self.c, "format=csv&limit=1000")
        self.assertEqual(r.content_type, "text/csv", r)
        text = r.body.decode("utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        self.assertEqual(rows[0], CSV_HEADER)
        body = rows[1:]
        self.assertEqual(len(body), len(items), text)
        for row, e in zip(body, items):
            self.assertEqual(len(row), len(CSV_HEADER), row)
            self.assertEqual(row[0], str(e["seq"]))
            self.assertEqual(row[1], e["id"])
            self.assertEqual(row[8], e["action"])
            self.assertEqual(json.loads(row[11]), e["summary"])
            for cell in row:   # nothing a spreadsheet would evaluate
                self.assertFalse(cell[:1] in ("=", "+", "-", "@", "\t", "\r"),
                                 f"formula-like cell {cell!r} in row {row}")
        agents = [row[6] for row in body]
        self.assertTrue(any(FORMULA_AGENT in a for a in agents), agents)
        self.assertNotIn("\n" + FORMULA_AGENT, text)
        self.assertNotIn("," + FORMULA_AGENT, text)
        self.assertNotIn(',"' + FORMULA_AGENT, text)
        r = self.audit(self.c, "format=csv&limit=3")
        self.assertEqual(len(list(csv.reader(io.StringIO(r.body.decode(), newline="")))), 4)
        self.assertEqual(r.headers.get("X-Next-Cursor"), str(items[2]["seq"]))

    def test_bad_query_parameters(self):
        cases = [("limit=0", "limit"), ("limit=abc", "limit"), ("limit=1001", "limit"),
                 ("limit=", "limit"), ("limit=-5", "limit"), ("limit=2.5", "limit"),
                 ("limit=10abc", "limit"), ("cursor=-1", "cursor"), ("cursor=0", "cursor"),
                 ("cursor=abc", "cursor"), ("cursor=", "cursor"), ("format=xml", "format"),
                 ("format=", "format"), ("format=JSON", "format"),
                 ("action=" + "a" * 101, "action")]
        for query, field in cases:
            with self.subTest(query=query):
                r = self.c.get(f"/api/v1/me/audit?{query}")
                self.assertProblem(r, 400, "validation.query", field)
        # the bounds themselves are fine
        self.audit(self.c, "limit=1")
        self.audit(self.c, "limit=1000")
        self.audit(self.c, "cursor=1")

    def test_only_own_events_and_only_signed_in(self):
        other = self.create_account(prefix="stranger")
        mine = {e["id"] for e in self.all_events(self.c)}
        theirs = self.all_events(other.client)
        self.assertEqual([e["action"] for e in theirs], ["account.created"])
        self.assertFalse(mine & {e["id"] for e in theirs})
        r = self.client(mode="none").get("/api/v1/me/audit")
        self.assertProblem(r, 401, "auth.required")
        r = self.client(mode="none").get("/api/v1/me/audit?format=csv")
        self.assertProblem(r, 401, "auth.required")


class AuditChainTest(VaultFlows, unittest.TestCase):
    """Each test owns its server, so it can stop it and tamper with the database."""

    def setUp(self):
        self.vault = Vault()
        self.vault.start()
        self.addCleanup(self.vault.close)

    def tearDown(self):
        self.assertEqual(self.vault.leaked_secrets(), [], "secrets in the server log")

    def verify(self):
        done = self.vault.cli("audit", "verify")
        return done.returncode, done.stdout + done.stderr

    def assertChainOk(self, events=None):
        code, out = self.verify()
        self.assertEqual(code, 0, out)
        self.assertIn("audit chain ok", out)
        if events is not None:
            self.assertIn(f"audit chain ok: {events} events", out)

    def assertBrokenAt(self, seq):
        code, out = self.verify()
        self.assertEqual(code, 1, out)
        self.assertRegex(out, rf"BROKEN at event {seq}\b", out)
        return out

    def sql(self, statements):
        return self.vault.db.sql(statements)

    def make_events(self):
        acc = self.create_account(prefix="chain")
        for i in range(3):
            self.sign_in(acc.email, acc.password)
            self.sign_in(acc.email, f"Wrong-password-{i}-xyz", expect=401)
        r = acc.client.patch("/api/v1/me", {"name": "Changed Name"})
        self.assertEqual(r.status, 200, r)
        return acc

    def count(self):
        return int(self.sql("SELECT COUNT(*) FROM audit_events;")[0][0])

    # ------------------------------------------------------------------ tests
    def test_tampering_is_detected_and_named(self):
        self.make_events()
        n = self.count()
        self.assertGreaterEqual(n, 8)
        self.assertChainOk(n)
        self.assertEqual(self.vault.server.stop(), 0)
        self.sql("CREATE TABLE audit_backup AS SELECT * FROM audit_events;")

        def restore():
            self.sql("DELETE FROM audit_events;"
                     "INSERT INTO audit_events SELECT * FROM audit_backup;")
            self.assertChainOk(n)
        middle = n // 2

        with self.subTest("edit"):
            ip = self.sql(f"SELECT ip FROM audit_events WHERE seq = {middle};")[0][0]
            self.sql(f"UPDATE audit_events SET ip = '203.0.113.66' WHERE seq = {middle};")
            self.assertIn("altered", self.assertBrokenAt(middle))
            self.sql(f"UPDATE audit_events SET ip = '{ip}' WHERE seq = {middle};")
            self.assertChainOk(n)
        with self.subTest("edit summary"):
            self.sql(f"UPDATE audit_events SET summary = '{{}}' WHERE seq = {middle + 1};")
            self.assertBrokenAt(middle + 1)
            restore()
        for column in ("id", "occurred_at", "actor_type", "actor_id", "ip", "user_agent",
                       "workspace_id", "action", "target_type", "target_id", "summary",
                       "prev_hash"):
            with self.subTest("edit column", column=column):
                change = f"{column} + 1" if column == "occurred_at" else f"{column} || 'x'"
                self.sql(f"UPDATE audit_events SET {column} = {change} WHERE seq = {middle};")
                self.assertBrokenAt(middle)
                restore()
        with self.subTest("edit and recompute nothing else: the hash column alone"):
            self.sql(f"UPDATE audit_events SET hash = '{'0' * 64}' WHERE seq = 1;")
            self.assertBrokenAt(1)
            restore()
        with self.subTest("remove"):
            self.sql(f"DELETE FROM audit_events WHERE seq = {middle};")
            self.assertIn("missing", self.assertBrokenAt(middle))
            restore()
        with self.subTest("reorder"):
            a, b = middle - 1, middle + 1
            self.sql(f"UPDATE audit_events SET seq = -1 WHERE seq = {a};"
                     f"UPDATE audit_events SET seq = {a} WHERE seq = {b};"
                     f"UPDATE audit_events SET seq = {b} WHERE seq = -1;")
            self.assertBrokenAt(a)
            restore()
        with self.subTest("reorder neighbours"):
            self.sql(f"UPDATE audit_events SET seq = -1 WHERE seq = {middle};"
                     f"UPDATE audit_events SET seq = {middle} WHERE seq = {middle + 1};"
                     f"UPDATE audit_events SET seq = {middle + 1} WHERE seq = -1;")
            self.assertBrokenAt(middle)
            restore()
        with self.subTest("truncate the newest"):
            self.sql(f"DELETE FROM audit_events WHERE seq = {n};")
            self.assertBrokenAt(n)
            restore()
        with self.subTest("remove the oldest"):
            self.sql("DELETE FROM audit_events WHERE seq = 1;")
            self.assertBrokenAt(1)
            restore()
        self.sql("DROP TABLE audit_backup;")
        # the server still runs on the restored chain and keeps extending it
        self.vault.server.start()
        acc = self.create_account(prefix="after")
        self.sign_in(acc.email, acc.password)
        self.assertChainOk(n + 2)

    def test_account_deletion_is_recorded(self):
        acc = self.make_events()
        other = self.sign_in(acc.email, acc.password, mode="bearer")
        r = acc.client.delete("/api/v1/me", json_body={"password": "Wrong-password-xyz-9"})
        self.assertProblem(r, 401, None, "password")
        self.assertEqual(acc.client.get("/api/v1/me").status, 200)
        r = acc.client.delete("/api/v1/me", json_body={"password": acc.password})
        self.assertEqual(r.status, 204, r)
        self.assertIsNone(acc.client.session_cookie, "deletion did not clear the cookie")
        self.assertProblem(acc.client.get("/api/v1/me"), 401, "auth.required")
        self.assertProblem(other.get("/api/v1/me"), 401, "auth.required")
        self.sign_in(acc.email, acc.password, expect=401)
        # the address is free again: signing up sends a verification, not a warning
        self.signup(acc.email)
        rows = self.sql("SELECT target_id FROM audit_events WHERE action = 'account.deleted';")
        self.assertEqual(rows, [[acc.id]])
        self.assertChainOk()

    def test_admin_commands(self):
        acc = self.make_events()
        self.assertEqual(acc.client.get("/api/v1/me").status, 200)

        # create-super-admin, new account: prints a single-use set-password link
        done = self.vault.cli("admin", "create-super-admin", "boss@example.com")
        self.assertEqual(done.returncode, 0, done)
        m = LINK_RE.search(done.stdout)
        self.assertTrue(m, done.stdout)
        link = m.group(1)
        self.assertTrue(link.startswith(f"{PUBLIC_URL}/password/reset?token="), link)
        token = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["token"][0]
        self.vault.remember_secret(token)
        self.assertRegex(token, TOKEN_SHAPE)
        self.assertNotIn(token, self.vault.server.logs)
        boss_password = self.vault.new_password()
        r = self.client(mode="none").post("/api/v1/password/reset",
                                          {"token": token, "password": boss_password})
        self.assertEqual(r.status, 204, r)
        boss = self.sign_in("boss@example.com", boss_password)
        me = boss.get("/api/v1/me").json
        self.assertIs(me.get("super_admin"), True, me)
        r = self.client(mode="none").post("/api/v1/password/reset",
                                          {"token": token, "password": self.vault.new_password()})
        self.assertProblem(r, 400, {"token.used", "token.invalid"}, "token")
        boss_events = [e["action"] for e in boss.get("/api/v1/me/audit").json["items"]]
        self.assertIn("admin.super_admin_granted", boss_events)
        # again on an existing account: no link
        done = self.vault.cli("admin", "create-super-admin", acc.email)
        self.assertEqual(done.returncode, 0, done)
        self.assertIsNone(LINK_RE.search(done.stdout), done.stdout)

        # reset-password: a link for the operator that sets a new password
        done = self.vault.cli("admin", "reset-password", acc.email)
        self.assertEqual(done.returncode, 0, done)
        m = LINK_RE.search(done.stdout)
        self.assertTrue(m, done.stdout)
        token = urllib.parse.parse_qs(urllib.parse.urlsplit(m.group(1)).query)["token"][0]
        self.vault.remember_secret(token)
        new_password = self.vault.new_password()
        r = self.client(mode="none").post("/api/v1/password/reset",
                                          {"token": token, "password": new_password})
        self.assertEqual(r.status, 204, r)
        self.sign_in(acc.email, acc.password, expect=401)
        session = self.sign_in(acc.email, new_password)
        done = self.vault.cli("admin", "reset-password", unique_email("nobody"))
        self.assertNotEqual(done.returncode, 0, done)
        self.assertFalse(LINK_RE.search(done.stdout), done.stdout)

        # disable-account: the running server stops honouring the account's sessions
        self.assertEqual(session.get("/api/v1/me").status, 200)
        done = self.vault.cli("admin", "disable-account", acc.email)
        self.assertEqual(done.returncode, 0, done)
        # The CLI is another process: the server hears of it through the change feed (ADR 0005,
        # 0016), within one poll interval (250 ms on SQLite) or at once by NOTIFY on PostgreSQL.
        wait_until(lambda: session.get("/api/v1/me").status == 401, 5, "session refused")
        self.assertProblem(session.get("/api/v1/me"), 401, "auth.required")
        self.assertProblem(session.get("/api/v1/me", auth="bearer"), 401, "auth.required")
        r = self.client().post("/api/v1/sessions", {"email": acc.email, "password": new_password})
        self.assertNotEqual(r.status, 201, r)
        self.assertProblem(r, {401, 403})
        # enable-account: signing in works again (old sessions stay ended)
        done = self.vault.cli("admin", "enable-account", acc.email)
        self.assertEqual(done.returncode, 0, done)
        self.assertProblem(session.get("/api/v1/me"), 401, "auth.required")
        again = self.sign_in(acc.email, new_password)

        items = again.get("/api/v1/me/audit?action=admin.").json["items"]
        actions = [e["action"] for e in items]
        self.assertEqual(actions, ["admin.account_enabled", "admin.account_disabled",
                                   "admin.password_reset_issued", "admin.super_admin_granted"],
                         actions)
        for e in items:
            self.assertEqual(e["actor"]["type"], "system", e)
            self.assertEqual(e["target"], {"type": "account", "id": acc.id}, e)
        # the reset link ended the older sessions; `session` was the only one left
        self.assertEqual(items[1]["summary"], {"sessions_ended": "1"}, items[1])
        self.assertEqual(items[3]["summary"], {"created": "false"}, items[3])
        self.assertChainOk()


if __name__ == "__main__":
    main()
