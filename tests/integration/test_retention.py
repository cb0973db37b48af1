#!/usr/bin/python3
"""Retention (VAULT_RETENTION_INTERVAL_SECONDS): the periodic job deletes expired sessions,
spent and expired one-time tokens (links, 2FA steps, decoys), finished throttle rows, invitations
a while after they expired, and old webhook event ids — and nothing that is still alive."""

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
        before = {t: self.count(t) for t in ("sessions", "one_time_tokens", "throttle",
                                             "invitations", "webhook_events")}
        for table, n in before.items():
            self.assertGreater(n, 0, (table, before))

        # A day later nothing has expired yet except the throttle window (24 h): sessions live
        # 30 days, invitations 7 (+30 kept), webhook ids 90.
        self.vault.set_clock_offset(DAY + 60)
        wait_until(lambda: self.count("throttle") == 0, 15, "throttle rows purged")
        self.assertEqual(self.count("sessions"), before["sessions"])
        self.assertEqual(self.count("invitations"), before["invitations"])

        # Past every lifetime: all gone; the owner's session with them (it answers 401).
        self.vault.set_clock_offset(91 * DAY)
        for table in ("sessions", "one_time_tokens", "invitations", "webhook_events"):
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
        text = self.client(mode="none").get("/metrics").body.decode()
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        return 0.0


if __name__ == "__main__":
    main()
