#!/usr/bin/python3
"""The durable mail outbox (issue 16): a 2xx means the mail will be sent even if the process
dies right after. (a) sign-up → 202 → SIGKILL before delivery → restart → the verification mail
arrives once and its link works; (b) with SMTP down a message is retried with backoff and ends
in the dead letters a Super Admin lists (recipient, attempts, last error; never the message),
and a retry once SMTP is back delivers it (audited; a second retry is 404); another node on the
same database delivers what one could not (polling); only Super Admins
may look (the full matrix is in test_workspace_authz.py), bad queries are 400 naming the field;
(c) the stored row is sealed: the database (SQLite files, PostgreSQL table) holds neither the
link's token nor the subject or text."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (VaultTestCase, free_port, main, metric, unique_email,  # noqa: E402
                     wait_until)
from ws_helpers import WorkspaceFlows  # noqa: E402

# Fast retries for the test: 3 attempts, 1 s then 2 s apart (plus jitter); a claim lapses
# after 2 s so a killed process's claim never holds a message for long.
FAST = {"VAULT_MAIL_MAX_ATTEMPTS": "3", "VAULT_MAIL_RETRY_BASE_SECONDS": "1",
        "VAULT_MAIL_RETRY_MAX_SECONDS": "2", "VAULT_MAIL_POLL_SECONDS": "1",
        "VAULT_MAIL_CLAIM_SECONDS": "2"}
VERIFY = "Verify your email address"


class MailOutboxTest(WorkspaceFlows, VaultTestCase):
    EXTRA_ENV = FAST

    # -- helpers
    def restart(self, smtp_up):
        """Restarts the server with SMTP pointing at the sink (up) or at a closed port."""
        server = self.vault.server
        if server.alive():
            server.stop()
        if not hasattr(self, "live_smtp"):
            type(self).live_smtp = server.env["VAULT_SMTP_URL"]
        server.env["VAULT_SMTP_URL"] = (self.live_smtp if smtp_up
                                        else f"smtp://127.0.0.1:{free_port()}")
        server.start()

    def outbox_rows(self, recipient):
        return self.vault.db.sql(
            f"SELECT id, state, attempts FROM mail_outbox WHERE recipient = '{recipient}'")

    def stored_bytes(self):
        """Everything the database holds of the outbox: the SQLite files (with the WAL) as
        bytes, or the PostgreSQL table as text."""
        if self.vault.db.backend == "sqlite":
            path = self.vault.db.url[len("sqlite:"):]
            data = b""
            for suffix in ("", "-wal", "-journal"):
                if os.path.exists(path + suffix):
                    with open(path + suffix, "rb") as f:
                        data += f.read()
            return data
        rows = self.vault.db.sql("SELECT id, recipient, sealed, last_error FROM mail_outbox")
        return "\n".join("|".join(r) for r in rows).encode()

    def dead_letters(self, client, **query):
        q = "&".join(f"{k}={v}" for k, v in query.items())
        r = client.get("/api/v1/admin/mail-outbox" + ("?" + q if q else ""))
        self.assertEqual(r.status, 200, r)
        return r.json

    def complete_signup(self, msg):
        token = self.vault.token_from(msg)
        r = self.client().post("/api/v1/signup/complete",
                               {"token": token, "password": self.vault.new_password()})
        self.assertEqual(r.status, 201, r)
        return token

    # -- (a) and (c)
    def test_a_mail_acknowledged_before_a_crash_arrives_after_restart_and_is_sealed(self):
        self.restart(smtp_up=False)   # nothing can be delivered before the kill
        email = unique_email("crash")
        r = self.client(mode="none").post("/api/v1/signup", {"name": "Crash", "email": email})
        self.assertEqual(r.status, 202, r)
        self.vault.server.kill()      # SIGKILL right after the 202
        self.assertEqual(len(self.outbox_rows(email)), 1, "the 202 left no queued mail")
        self.assertEqual(self.sink.mails_to(email), [])
        stored = self.stored_bytes()

        self.restart(smtp_up=True)    # delivers what the dead process acknowledged
        msg = self.sink.wait_for_mail(email, VERIFY, timeout=30)
        token = self.complete_signup(msg)
        wait_until(lambda: not self.outbox_rows(email), 10, "the delivered row to be deleted")
        self.assertEqual(len(self.sink.mails_to(email)), 1, "delivered more than once")

        # (c) sealed at rest: not the token, the subject nor the link's path
        self.assertTrue(stored)
        for secret in (token.encode(), VERIFY.encode(), b"/signup/complete"):
            self.assertNotIn(secret, stored, f"{secret!r} stored in clear")
        self.assertIn(email.encode(), stored)  # the recipient is, for the dead-letter view

    # -- (b)
    def test_b_smtp_down_retries_into_dead_letters_that_a_super_admin_retries(self):
        self.restart(smtp_up=True)
        _, _, _, root = self.make_super_admin()
        self.restart(smtp_up=False)
        email = unique_email("dead")
        r = self.client(mode="none").post("/api/v1/signup", {"name": "Dee", "email": email})
        self.assertEqual(r.status, 202, r)

        def dead_one():
            items = [m for m in self.dead_letters(root)["items"] if m["recipient"] == email]
            return items[0] if items else None
        wait_until(dead_one, 60, "the message to go dead after 3 attempts")
        letter = dead_one()
        self.assertEqual(set(letter), {"id", "recipient", "state", "attempts", "last_error",
                                       "created_at", "next_attempt_at"})
        self.assertEqual(letter["state"], "dead")
        self.assertEqual(letter["attempts"], 3)
        self.assertTrue(letter["last_error"].startswith("mail."), letter)
        self.assertFalse(any(m["recipient"] == email
                             for m in self.dead_letters(root, state="queued")["items"]))
        server = self.vault.server
        failures = [line for line in server.logs.splitlines()
                    if "mail delivery failed" in line and letter["id"] in line]
        self.assertEqual(len(failures), 3, failures)   # one line per attempt, the last one dead
        self.assertIn("dead letter", failures[-1])
        self.assertNotIn("signup/complete", server.logs)
        metrics = self.client(mode="none").get("/metrics").body.decode()
        self.assertGreaterEqual(metric(metrics, "vault_mail_dead"), 1.0)
        self.assertGreaterEqual(metric(metrics, "vault_mail_dead_total"), 1.0)
        self.assertGreaterEqual(metric(metrics, "vault_mail_failed_total"), 3.0)

        self.restart(smtp_up=True)     # a dead letter is not retried by itself
        self.assertEqual(dead_one()["id"], letter["id"])
        self.assertEqual(self.sink.mails_to(email), [])
        r = root.post(f"/api/v1/admin/mail-outbox/{letter['id']}/retry")
        self.assertEqual(r.status, 202, r)
        msg = self.sink.wait_for_mail(email, VERIFY, timeout=30)
        self.complete_signup(msg)
        wait_until(lambda: not self.outbox_rows(email), 10, "the delivered row to be deleted")
        self.assertIsNone(dead_one())
        self.assertProblem(root.post(f"/api/v1/admin/mail-outbox/{letter['id']}/retry"), 404,
                           "mail.not_found")
        audit = root.get("/api/v1/admin/audit?action=admin.mail_retried")
        self.assertEqual(audit.status, 200, audit)
        self.assertEqual([(e["target"]["type"], e["target"]["id"]) for e in audit.json["items"]],
                         [("mail", letter["id"])])

    def test_another_node_delivers_what_this_one_could_not(self):
        # node 1 cannot reach SMTP, node 2 (same database) can: node 1's failed attempt puts
        # the message back for later, and node 2's poll sends it (one message, one mail). Node 1
        # tries only when woken by its own request (it polls rarely), so node 2 wins the retry.
        self.vault.server.env["VAULT_MAIL_POLL_SECONDS"] = "600"
        self.restart(smtp_up=False)
        other = self.vault.add_server({"VAULT_SMTP_URL": self.live_smtp})
        try:
            email = unique_email("twonodes")
            r = self.client(mode="none").post("/api/v1/signup", {"name": "Two", "email": email})
            self.assertEqual(r.status, 202, r)
            msg = self.sink.wait_for_mail(email, VERIFY, timeout=30)
            self.complete_signup(msg)
            wait_until(lambda: not self.outbox_rows(email), 10, "the delivered row to be deleted")
            self.assertEqual(len(self.sink.mails_to(email)), 1)
            self.assertIn("mail delivery failed", self.vault.server.logs)
        finally:
            other.stop()
            self.vault.servers.remove(other)
            self.vault.server.env["VAULT_MAIL_POLL_SECONDS"] = FAST["VAULT_MAIL_POLL_SECONDS"]
        self.restart(smtp_up=True)

    def test_dead_letters_are_paged_newest_first(self):
        self.restart(smtp_up=True)
        _, _, _, root = self.make_super_admin()
        self.restart(smtp_up=False)
        emails = [unique_email(f"page{i}") for i in range(3)]
        for e in emails:
            r = self.client(mode="none").post("/api/v1/signup", {"name": "P", "email": e})
            self.assertEqual(r.status, 202, r)
        wait_until(lambda: all(self.outbox_rows(e) and self.outbox_rows(e)[0][1] == "dead"
                               for e in emails), 60, "three dead letters")
        seen, cursor = [], None
        while True:
            page = self.dead_letters(root, limit=1, **({"cursor": cursor} if cursor else {}))
            self.assertLessEqual(len(page["items"]), 1)
            seen += [m["id"] for m in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        self.assertEqual(len(seen), len(set(seen)))
        all_at_once = [m["id"] for m in self.dead_letters(root)["items"]]
        self.assertEqual(seen, all_at_once)
        created = [m["created_at"] for m in self.dead_letters(root)["items"]]
        self.assertEqual(created, sorted(created, reverse=True))
        self.restart(smtp_up=True)

    def test_bad_queries_and_ids(self):
        self.restart(smtp_up=True)
        _, email, password, root = self.make_super_admin()
        for query, field in (("state=sent", "state"), ("state=", "state"),
                             ("state=DEAD", "state"), ("limit=0", "limit"),
                             ("limit=abc", "limit"), ("limit=100000", "limit"),
                             ("cursor=not-a-cursor", "cursor"), ("state=%FF%FE", "state")):
            r = root.get("/api/v1/admin/mail-outbox?" + query)
            self.assertProblem(r, 400, "validation.query", field=field)
        # a cursor of another list (the root's two sessions) is refused, not used
        self.sign_in(email, password)
        r = root.get("/api/v1/me/sessions?limit=1")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["next_cursor"], r)
        self.assertProblem(root.get("/api/v1/admin/mail-outbox?cursor=" + r.json["next_cursor"]),
                           400, "validation.query", field="cursor")
        for bad in ("mail_unknown", "x" * 2000, "%00", "%F0%9F%92%A3", "..%2F..%2Fetc",
                    "mail_'%20OR%201=1--"):
            r = root.post(f"/api/v1/admin/mail-outbox/{bad}/retry")
            self.assertNot5xx(r)
            self.assertIn(r.status, (400, 404, 414), r)
        before = self.vault.db.sql("SELECT COUNT(*) FROM audit_events")
        r = root.post("/api/v1/admin/mail-outbox/mail_unknown/retry", {"junk": True})
        self.assertProblem(r, 404, "mail.not_found")
        self.assertEqual(self.vault.db.sql("SELECT COUNT(*) FROM audit_events"), before)


if __name__ == "__main__":
    main()
