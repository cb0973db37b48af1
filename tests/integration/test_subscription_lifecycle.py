#!/usr/bin/python3
"""Local cancel at period end and resume (issue 19; docs/api.md "Cancel and resume").

  * cancelling an open-ended local plan → non_renewing with a 30-day notice period: access
    stays allowed until period_end, then product_inactive by the clock; resuming before the end
    → active and open-ended again, access unchanged;
  * cancelling a trial keeps its trial end; resuming → in_trial with the same end;
  * refusals (409, nothing changes): cancel twice (subscription.already_cancelling), resume a
    subscription that is not cancelling (subscription.not_cancelling), resume after period_end
    (subscription.ended), cancel an expired one (subscription.inactive), both on a Chargebee
    subscription (subscription.external);
  * audit subscription.cancelled / subscription.resumed with the statuses and period end.
"""

import json
import os
import secrets
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main  # noqa: E402
from product_helpers import TRIAL_SECONDS, ProductFlows, basic, parse_time  # noqa: E402
from ws_helpers import WorkspaceFlows  # noqa: E402

CB_USER = "chargebee-hook"
CB_PASSWORD = "cb-" + secrets.token_hex(16)
NOTICE = 30 * 86400


class SubscriptionLifecycleTest(ProductFlows, WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    CLOCK_OFFSET = True
    EXTRA_ENV = {"VAULT_CHARGEBEE_WEBHOOK_USER": CB_USER,
                 "VAULT_CHARGEBEE_WEBHOOK_PASSWORD": CB_PASSWORD}

    def setUp(self):
        self.vault.remember_secret(CB_PASSWORD)
        _, _, _, sa = self.make_super_admin()
        self.creds = self.service_client(sa, "manage", "Manage back end")
        self.owner = self.create_account(prefix="lcowner")
        self.ws = self.create_workspace(self.owner.client, name="Lifecycle Co")["id"]
        self.billing = self.member_account(self.owner.client, self.ws, "billing", prefix="lcbill")
        self.user = self.member_account(self.owner.client, self.ws, "member", prefix="lcuser")

    def tearDown(self):
        self.vault.set_clock_offset(0)

    def product(self, plan):
        pid = self.create_product(self.owner.client, self.ws, "manage", plan=plan,
                                  name=f"On {plan}")["id"]
        self.grant(self.owner.client, self.ws, pid, self.user.id, "editor")
        return pid

    def sub_path(self, pid, action=""):
        return f"/api/v1/workspaces/{self.ws}/products/{pid}/subscription" + action

    def subscription(self, client, pid):
        r = client.get(self.sub_path(pid))
        self.assertEqual(r.status, 200, r)
        return r.json

    def audit(self, client, action):
        out = []
        for e in self.ws_audit(client, self.ws, action):
            s = e["summary"]
            out.append(json.loads(s) if isinstance(s, str) else s)
        return out

    def test_cancel_open_ended_plan_runs_to_period_end_and_resume_restores_it(self):
        pid = self.product("standard")
        bc = self.billing.client
        before = time.time()
        r = bc.post(self.sub_path(pid, "/cancel"), None)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["status"], r.json["plan"], r.json["provider"]),
                         ("non_renewing", "standard", "local"), r)
        end = parse_time(r.json["period_end"])
        self.assertAlmostEqual(end, before + NOTICE, delta=60)
        self.assertEqual(self.subscription(self.owner.client, pid), r.json)
        # still live: access allowed, product active
        self.assertEqual(self.reason(self.creds, self.user.id, pid, "jobs:create"),
                         ("allowed", "editor"))
        self.assertEqual(self.products_by_id(bc, self.ws)[pid]["status"], "active")
        # cancelling twice is refused and changes nothing
        r2 = self.owner.client.post(self.sub_path(pid, "/cancel"), None)
        self.assertProblem(r2, 409, "subscription.already_cancelling")
        self.assertEqual(self.subscription(bc, pid), r.json)
        # resume before the end: active, open-ended again
        r = self.owner.client.post(self.sub_path(pid, "/resume"), None)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["status"], r.json["period_end"]), ("active", None), r)
        self.assertEqual(self.reason(self.creds, self.user.id, pid, "jobs:create"),
                         ("allowed", "editor"))
        # resuming what is not cancelling
        self.assertProblem(bc.post(self.sub_path(pid, "/resume"), None), 409,
                           "subscription.not_cancelling")
        self.assertEqual(self.subscription(bc, pid)["status"], "active")
        cancelled = self.audit(self.owner.client, "subscription.cancelled")
        self.assertEqual(cancelled[0]["from"], "active")
        self.assertEqual(cancelled[0]["to"], "non_renewing")
        self.assertEqual(cancelled[0]["plan"], "standard")
        self.assertTrue(cancelled[0]["period_end"], cancelled)
        resumed = self.audit(bc, "subscription.resumed")   # Billing sees subscription.* events
        self.assertEqual((resumed[0]["from"], resumed[0]["to"]), ("non_renewing", "active"))

    def test_a_cancelled_subscription_ends_by_the_clock(self):
        pid = self.product("standard")
        r = self.billing.client.post(self.sub_path(pid, "/cancel"), None)
        self.assertEqual(r.status, 200, r)
        self.vault.set_clock_offset(NOTICE - 300)
        self.assertEqual(self.reason(self.creds, self.user.id, pid, "jobs:create"),
                         ("allowed", "editor"))
        self.vault.set_clock_offset(NOTICE + 60)
        self.assertEqual(self.reason(self.creds, self.user.id, pid, "jobs:create"),
                         ("product_inactive", "editor"))
        c = self.sign_in(self.owner.email, self.owner.password)  # the old session idled out
        row = self.products_by_id(c, self.ws)[pid]
        self.assertEqual((row["status"], row["subscription"]["status"]),
                         ("inactive", "non_renewing"), row)
        # over: resume and cancel are refused, nothing changes; a new plan brings it back
        self.assertProblem(c.post(self.sub_path(pid, "/resume"), None), 409,
                           "subscription.ended")
        self.assertProblem(c.post(self.sub_path(pid, "/cancel"), None), 409,
                           "subscription.inactive")
        self.assertEqual(self.reason(self.creds, self.user.id, pid), ("product_inactive", "editor"))
        r = c.request("PUT", self.sub_path(pid), json_body={"plan": "enterprise"})
        self.assertEqual((r.status, r.json["status"]), (200, "active"), r)
        self.assertEqual(self.reason(self.creds, self.user.id, pid, "jobs:create"),
                         ("allowed", "editor"))

    def test_cancel_and_resume_a_trial_keep_its_end(self):
        pid = self.product("trial")
        trial_end = self.subscription(self.owner.client, pid)["period_end"]
        r = self.owner.client.post(self.sub_path(pid, "/cancel"), None)
        self.assertEqual((r.status, r.json["status"], r.json["period_end"]),
                         (200, "non_renewing", trial_end), r)
        r = self.billing.client.post(self.sub_path(pid, "/resume"), None)
        self.assertEqual((r.status, r.json["status"], r.json["period_end"]),
                         (200, "in_trial", trial_end), r)
        self.vault.set_clock_offset(TRIAL_SECONDS + 60)
        self.assertEqual(self.reason(self.creds, self.user.id, pid), ("product_inactive", "editor"))

    def test_chargebee_subscription_is_external(self):
        pid = self.product("standard")
        event = {"id": "ev_" + secrets.token_hex(8), "event_type": "subscription_changed",
                 "occurred_at": int(time.time()),
                 "content": {"subscription": {
                     "id": "cb_sub_" + secrets.token_hex(6), "status": "active",
                     "plan_id": "standard-USD-monthly",
                     "current_term_end": int(time.time()) + 86400 * 20,
                     "cf_vault_product_id": pid}}}
        r = self.client(mode="none").post("/api/v1/billing/chargebee/webhook", event,
                                          headers={"Authorization": basic(CB_USER, CB_PASSWORD)})
        self.assertEqual((r.status, r.json["outcome"]), (200, "applied"), r)
        before = self.subscription(self.owner.client, pid)
        for action in ("/cancel", "/resume"):
            self.assertProblem(self.owner.client.post(self.sub_path(pid, action), None), 409,
                               "subscription.external")
        self.assertEqual(self.subscription(self.owner.client, pid), before)
        self.assertEqual(self.audit(self.owner.client, "subscription.cancelled"), [])

    def test_unknown_product_and_refused_roles(self):
        pid = self.product("standard")
        for action in ("/cancel", "/resume"):
            r = self.owner.client.post(
                f"/api/v1/workspaces/{self.ws}/products/prd_nope/subscription{action}", None)
            self.assertProblem(r, 404, "product.not_found")
            self.assertProblem(self.user.client.post(self.sub_path(pid, action), None), 403,
                               "permission.denied")
        self.assertEqual(self.subscription(self.owner.client, pid)["status"], "active")


if __name__ == "__main__":
    main()
