#!/usr/bin/python3
"""Retention (VAULT_RETENTION_INTERVAL_SECONDS): the periodic job deletes expired sessions,
spent and expired one-time tokens (links, 2FA steps, decoys), finished throttle rows, invitations
a while after they expired, old webhook event ids, and expired OAuth codes, refresh tokens and
revoked access-token ids — and nothing that is still alive."""

import base64
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main, unique_email, wait_until  # noqa: E402
from ws_helpers import WorkspaceFlows  # noqa: E402

DAY = 86400


class RetentionTest(WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    CLOCK_OFFSET = True
    EXTRA_ENV = {"VAULT_RETENTION_INTERVAL_SECONDS": "1", "VAULT_INVITATION_RETENTION_DAYS": "30",
                 "VAULT_CHARGEBEE_WEBHOOK_USER": "cb", "VAULT_CHARGEBEE_WEBHOOK_PASSWORD": "cb-pw"}

    def count(self, table):
        return int(self.vault.db.sql(f"SELECT count(*) FROM {table}")[0][0])

    def test_what_has_expired_goes_and_what_lives_stays(self):
        owner = self.create_account(name="Olga Owner", prefix="ret")
        ws = self.create_workspace(owner.client, name="Retention Co")
        self.invite(owner.client, ws["id"], unique_email("invitee"))
        # a throttle row and a used sign-up token exist; a failed sign-in adds one more row
        self.client(mode="none").post("/api/v1/sessions",
                                      {"email": owner.email, "password": "wrong password 1"})
        basic = "Basic " + base64.b64encode(b"cb:cb-pw").decode()
        r = self.client(mode="none").post(
            "/api/v1/billing/chargebee/webhook",
            {"id": "ev_retention_1", "occurred_at": int(time.time()),
             "content": {"subscription": {"id": "sub_x", "status": "active"}}},
            headers={"Authorization": basic})
        self.assertEqual((r.status, r.json["outcome"]), (200, "unmatched"), r)
        # OAuth grants (ADR 0010): a code (60 s), a refresh token (14 days idle), a revoked
        # access token id (10 min), as the token endpoint stores them.
        now = int(time.time())
        subject = "'svc_r', 'acc_r', 'ses_r', 'ws_r', 'prd_r', 'openid', 1, 'pwd'"
        self.vault.db.sql(
            "INSERT INTO oauth_codes (code_hash, client_id, account_id, session_id, workspace_id, "
            "product_id, scope, auth_time, amr, redirect_uri, code_challenge, nonce, created_at, "
            f"expires_at, used_at, family_id, session_expires_at) VALUES ('ch', {subject}, "
            f"'https://a/cb', 'x', '', {now}, {now + 60}, 0, '', 0);"
            "INSERT INTO oauth_refresh_tokens (id, family_id, token_hash, client_id, account_id, "
            "session_id, workspace_id, product_id, scope, auth_time, amr, created_at, expires_at, "
            f"family_expires_at, used_at, revoked_at) VALUES ('rt_r', 'rf_r', 'rh', {subject}, "
            f"{now}, {now + 14 * DAY}, {now + 30 * DAY}, 0, 0);"
            f"INSERT INTO oauth_revoked_tokens (jti, expires_at) VALUES ('at_r', {now + 600});")
        before = {t: self.count(t) for t in ("sessions", "one_time_tokens", "throttle",
                                             "invitations", "webhook_events", "oauth_codes",
                                             "oauth_refresh_tokens", "oauth_revoked_tokens")}
        for table, n in before.items():
            self.assertGreater(n, 0, (table, before))

        # A day later nothing has expired yet except the throttle window (24 h): sessions live
        # 30 days, invitations 7 (+30 kept), webhook ids 90.
        self.vault.set_clock_offset(DAY + 60)
        wait_until(lambda: self.count("throttle") == 0, 15, "throttle rows purged")
        self.assertEqual(self.count("sessions"), before["sessions"])
        self.assertEqual(self.count("invitations"), before["invitations"])
        wait_until(lambda: self.count("oauth_codes") == 0, 15, "expired code purged")
        wait_until(lambda: self.count("oauth_revoked_tokens") == 0, 15, "revoked jti purged")
        self.assertEqual(self.count("oauth_refresh_tokens"), 1)  # 14 days idle: alive

        # Past every lifetime: all gone; the owner's session with them (it answers 401).
        self.vault.set_clock_offset(91 * DAY)
        for table in ("sessions", "one_time_tokens", "invitations", "webhook_events",
                      "oauth_refresh_tokens"):
            wait_until(lambda t=table: self.count(t) == 0, 15, f"{table} purged")
        self.assertProblem(owner.client.get("/api/v1/me"), 401, "auth.required")

        # What lives now stays: a fresh sign-in keeps working across further runs.
        fresh = self.sign_in(owner.email, owner.password)
        self.assertGreater(self.metric("vault_retention_deleted_total"), 0)
        self.assertEqual(fresh.get("/api/v1/me").status, 200)
        self.assertEqual(self.count("sessions"), 1)
        # the audit log is kept, and its chain still verifies
        self.assertEqual(self.vault.cli("audit", "verify").returncode, 0)

    def metric(self, name):
        return metric(self, name)


class AuditRetentionTest(WorkspaceFlows, VaultTestCase):
    """VAULT_AUDIT_RETENTION_DAYS: events older than the retention go, oldest first; the chain's
    anchor moves with them, so `audit verify` still proves what remains and the audit views
    keep every newer event."""
    ARGON2_MEMORY_KIB = 8192
    CLOCK_OFFSET = True
    EXTRA_ENV = {"VAULT_RETENTION_INTERVAL_SECONDS": "1", "VAULT_AUDIT_RETENTION_DAYS": "30"}

    def count(self, sql):
        return int(self.vault.db.sql(sql)[0][0])

    def test_old_events_go_the_rest_stays_and_the_chain_verifies(self):
        owner = self.create_account(name="Ada Audit", prefix="auditret")
        ws = self.create_workspace(owner.client, name="Audit Retention Co")
        old_total = self.count("SELECT count(*) FROM audit_events")
        old_max = self.count("SELECT max(seq) FROM audit_events")
        self.assertGreaterEqual(old_total, 2)  # the sign-up and the new workspace at least

        # 20 days on: nothing is older than 30 days yet, so nothing goes.
        self.vault.set_clock_offset(20 * DAY)
        self.sign_in(owner.email, owner.password)  # audited 20 days after the rest
        time.sleep(2.5)  # two retention runs (interval 1 s) that must not delete anything
        self.assertEqual(self.count(f"SELECT count(*) FROM audit_events WHERE seq <= {old_max}"),
                         old_total)
        self.assertEqual(self.count("SELECT anchor_seq FROM audit_head"), 0)

        # 35 days on: the first events are past 30 days, the sign-in of day 20 is not.
        self.vault.set_clock_offset(35 * DAY)
        wait_until(lambda: self.count(
            f"SELECT count(*) FROM audit_events WHERE seq <= {old_max}") == 0, 15,
            "events older than 30 days pruned")
        self.assertEqual(self.count("SELECT anchor_seq FROM audit_head"), old_max)
        self.assertGreater(self.count(
            "SELECT count(*) FROM audit_events WHERE action = 'session.signed_in'"), 0)
        pruned = self.vault.db.sql(
            "SELECT summary FROM audit_events WHERE action = 'audit.pruned' ORDER BY seq")
        self.assertEqual(len(pruned), 1, pruned)
        self.assertIn(f'"through_seq":"{old_max}"', pruned[0][0])
        self.assertGreater(metric(self, "vault_retention_deleted_total"), 0)

        # The workspace's audit view answers with what remains; the chain verifies from the anchor.
        fresh = self.sign_in(owner.email, owner.password)
        r = fresh.get(f"/api/v1/workspaces/{ws['id']}/audit")
        self.assertEqual(r.status, 200, r)
        self.assertEqual([e for e in r.json["items"] if e["seq"] <= old_max], [])
        done = self.vault.cli("audit", "verify")
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn(f"events up to {old_max} were deleted by retention", done.stdout)

        # Deleting one more event by hand is still caught.
        first_left = self.count("SELECT min(seq) FROM audit_events")
        self.vault.db.sql(f"DELETE FROM audit_events WHERE seq = {first_left}")
        broken = self.vault.cli("audit", "verify")
        self.assertEqual(broken.returncode, 1, broken.stdout + broken.stderr)
        self.assertIn("BROKEN", broken.stdout)


def metric(case, name):
    text = case.client(mode="none").get("/metrics").body.decode()
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0




if __name__ == "__main__":
    main()
