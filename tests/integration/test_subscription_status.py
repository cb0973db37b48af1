#!/usr/bin/python3
"""Every subscription status, end to end (SPEC §5: a product is Active while its subscription is
in_trial, active or non_renewing and inside its period): for each of in_trial, active,
non_renewing, paused, cancelled and Chargebee's `future` (not started: stored as paused), set
through the Chargebee webhook on a product of its own, the three places that depend on it agree:

  * POST /api/v1/access/check → allowed, or denied with reason product_inactive;
  * GET /api/v1/workspaces/{ws}/products → the product's status active / inactive and its
    subscription status;
  * POST /api/v1/keys/verify → valid, or reason product_inactive.

A live status past its period end is inactive too. Counting `paused` (or `future`) as live makes
this file fail.
"""

import os
import secrets
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main  # noqa: E402
from key_helpers import KeyFlows  # noqa: E402
from product_helpers import ProductFlows, basic  # noqa: E402
from ws_helpers import WorkspaceFlows  # noqa: E402

CB_USER = "chargebee-hook"
CB_PASSWORD = "cb-" + secrets.token_hex(16)
WEBHOOK = "/api/v1/billing/chargebee/webhook"

# Chargebee status → (stored status, live?)
STATUSES = {
    "in_trial": ("in_trial", True),
    "active": ("active", True),
    "non_renewing": ("non_renewing", True),
    "paused": ("paused", False),
    "cancelled": ("cancelled", False),
    "future": ("paused", False),
}


class SubscriptionStatusTest(KeyFlows, ProductFlows, WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    EXTRA_ENV = {"VAULT_CHARGEBEE_WEBHOOK_USER": CB_USER,
                 "VAULT_CHARGEBEE_WEBHOOK_PASSWORD": CB_PASSWORD}

    def setUp(self):
        self.vault.remember_secret(CB_PASSWORD)
        _, _, _, sa = self.make_super_admin()
        self.creds = self.service_client(sa, "submit", "Submit back end")
        self.owner = self.create_account(prefix="subowner")
        self.ws = self.create_workspace(self.owner.client, name="Status Co")["id"]
        self.user = self.member_account(self.owner.client, self.ws, "member", prefix="subuser")

    def product_with(self, status, term_end):
        """A submit product with a viewer grant and an API key, then a Chargebee event."""
        oc = self.owner.client
        pid = self.create_product(oc, self.ws, "submit", plan="standard",
                                  name=f"On {status}")["id"]
        self.grant(oc, self.ws, pid, self.user.id, "viewer")
        key = self.create_key(oc, self.ws, pid)["key"]
        event = {"id": "ev_" + secrets.token_hex(8), "event_type": "subscription_changed",
                 "occurred_at": int(time.time()),
                 "content": {"subscription": {
                     "id": "cb_sub_" + secrets.token_hex(6), "status": status,
                     "plan_id": "standard-USD-monthly", "current_term_end": term_end,
                     "cf_vault_product_id": pid}}}
        r = self.client(mode="none").post(WEBHOOK, event,
                                          headers={"Authorization": basic(CB_USER, CB_PASSWORD)})
        self.assertEqual((r.status, r.json["outcome"]), (200, "applied"), r)
        return pid, key

    def assertLive(self, pid, key, stored, live):
        """All three answers at once, so a failure shows every place that disagrees."""
        reason, role = self.reason(self.creds, self.user.id, pid, "submissions:read")
        row = self.products_by_id(self.owner.client, self.ws)[pid]
        verdict = self.verdict(self.creds, key, permission="submissions:read")
        self.assertEqual(
            {"check": (reason, role), "list": (row["subscription"]["status"], row["status"]),
             "verify": verdict},
            {"check": ("allowed" if live else "product_inactive", "viewer"),
             "list": (stored, "active" if live else "inactive"),
             "verify": "valid" if live else "product_inactive"})

    def test_every_status_in_check_products_list_and_key_verify(self):
        future = int(time.time()) + 30 * 86400
        for status, (stored, live) in STATUSES.items():
            with self.subTest(status=status):
                pid, key = self.product_with(status, future)
                self.assertLive(pid, key, stored, live)

    def test_a_live_status_past_its_period_end_is_inactive(self):
        past = int(time.time()) - 86400
        for status in ("in_trial", "active", "non_renewing"):
            with self.subTest(status=status):
                pid, key = self.product_with(status, past)
                self.assertLive(pid, key, status, False)


if __name__ == "__main__":
    main()
