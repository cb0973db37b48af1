#!/usr/bin/python3
"""Chargebee reconciliation (issue 19: a lost Chargebee webhook is never reconciled).

Products are linked to Chargebee subscriptions by webhooks; then a fake Chargebee API (an
http.server on 127.0.0.1 in this process, which checks the HTTP Basic key) answers states that
differ from Vault's, as if webhooks had been lost: a cancellation, a plan change, a renewal with
a later current_term_end; one subscription is unchanged, one is unknown to Chargebee (404) and
one fails (500). `atomyx-vault billing reconcile` must:

  * print "checked 6, corrected 3, failed 2" and exit 1 (some failed), naming the failed
    subscriptions on stderr;
  * correct the three drifted subscriptions (status, plan, period end) so that the access check
    answers at once (product_inactive for the cancelled one), each audited once as
    subscription.reconciled (actor system, target the product, from/to in the summary);
  * leave the unchanged and the failed ones untouched, and correct nothing when run again;
  * never show the API key (stdout, stderr, server log);
  * refuse to run without the API configured (exit 2).

The periodic job: a second `serve` with VAULT_CHARGEBEE_RECONCILE_SECONDS=1 corrects a drift on
its own, logs the summary, and the first server hears of it through the change feed.
"""

import base64
import http.server
import json
import os
import secrets
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main  # noqa: E402
from product_helpers import ProductFlows, basic, parse_time  # noqa: E402
from ws_helpers import WorkspaceFlows  # noqa: E402

CB_USER = "chargebee-hook"
CB_PASSWORD = "cb-" + secrets.token_hex(16)
API_KEY = "live_" + secrets.token_hex(16)
WEBHOOK = "/api/v1/billing/chargebee/webhook"
DAY = 24 * 3600


class FakeChargebee:
    """GET /api/v2/subscriptions/{id} → the answer set in `answers[id]` as (status, body)."""

    def __init__(self):
        self.answers = {}
        self.requests = []  # (path, authorized)
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                expected = "Basic " + base64.b64encode(f"{API_KEY}:".encode()).decode()
                authorized = self.headers.get("Authorization") == expected
                fake.requests.append((self.path, authorized))
                prefix = "/api/v2/subscriptions/"
                sid = self.path[len(prefix):] if self.path.startswith(prefix) else None
                if not authorized:
                    status, body = 401, {"message": "Sorry, authentication failed."}
                elif sid not in fake.answers:
                    status, body = 404, {"message": "Sorry, we couldn't find that resource"}
                else:
                    status, body = fake.answers[sid]
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v2"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def set(self, sid, status="active", plan_id=None, term_end=None, items=None):
        sub = {"id": sid, "status": status, "current_term_end": term_end,
               "trial_end": None, "customer_id": "cust_1"}
        if plan_id:
            sub["plan_id"] = plan_id
        if items:
            sub["subscription_items"] = items
        self.answers[sid] = (200, {"subscription": sub, "customer": {"id": "cust_1"}})

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class BillingReconcileTest(ProductFlows, WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192

    @classmethod
    def setUpClass(cls):
        cls.fake = FakeChargebee()
        cls.EXTRA_ENV = {"VAULT_CHARGEBEE_WEBHOOK_USER": CB_USER,
                         "VAULT_CHARGEBEE_WEBHOOK_PASSWORD": CB_PASSWORD,
                         "VAULT_CHARGEBEE_API_URL": cls.fake.url,
                         "VAULT_CHARGEBEE_API_KEY": API_KEY}
        try:
            super().setUpClass()
        except BaseException:
            cls.fake.close()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.fake.close()

    def setUp(self):
        self.vault.remember_secret(CB_PASSWORD)
        self.vault.remember_secret(API_KEY)
        _, _, _, sa = self.make_super_admin()
        self.creds = self.service_client(sa, "submit", "Submit back end")
        self.owner = self.create_account(prefix="cbowner")
        self.ws = self.create_workspace(self.owner.client, name="Billing Co")["id"]
        self.user = self.member_account(self.owner.client, self.ws, "member", prefix="cbuser")
        self.term_end = int(time.time()) + 10 * DAY

    def linked_product(self, name):
        """A standard submit product with a viewer grant, linked by a webhook to an active
        Chargebee subscription ending at self.term_end; returns (product id, subscription id)."""
        oc = self.owner.client
        pid = self.create_product(oc, self.ws, "submit", plan="standard", name=name)["id"]
        self.grant(oc, self.ws, pid, self.user.id, "viewer")
        sid = "cb_sub_" + secrets.token_hex(6)
        event = {"id": "ev_" + secrets.token_hex(8), "event_type": "subscription_created",
                 "occurred_at": int(time.time()) - 5,
                 "content": {"subscription": {
                     "id": sid, "status": "active", "plan_id": "standard-USD-monthly",
                     "current_term_end": self.term_end, "cf_vault_product_id": pid}}}
        r = self.client(mode="none").post(WEBHOOK, event,
                                          headers={"Authorization": basic(CB_USER, CB_PASSWORD)})
        self.assertEqual((r.status, r.json["outcome"]), (200, "applied"), r)
        return pid, sid

    def state(self, pid):
        s = self.products_by_id(self.owner.client, self.ws)[pid]["subscription"]
        end = int(parse_time(s["period_end"])) if s["period_end"] else None
        return s["status"], s["plan"], s["provider"], end

    def eventual_reason(self, pid, want, seconds=10):
        """The access check's reason once it is `want`, or the last one after `seconds`."""
        deadline = time.time() + seconds
        while True:
            got = self.reason(self.creds, self.user.id, pid, "submissions:read")[0]
            if got == want or time.time() > deadline:
                return got
            time.sleep(0.1)

    def reconciled_events(self):
        return self.ws_audit(self.owner.client, self.ws, "subscription.reconciled")

    def reconcile(self, **env):
        """`atomyx-vault billing reconcile` with the servers' environment plus `env` (a value
        None removes the variable)."""
        full = dict(self.vault.server.env)
        full.update(env)
        full = {k: v for k, v in full.items() if v is not None}
        r = subprocess.run([self.vault.server.binary, "billing", "reconcile"],
                           cwd=self.vault.directory, env=full, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=120)
        for secret in (API_KEY, CB_PASSWORD):
            self.assertNotIn(secret, r.stdout + r.stderr)
        return r

    def test_drift_is_corrected_and_audited_and_a_second_run_corrects_nothing(self):
        p = {name: self.linked_product(name) for name in
             ("cancelled", "plan", "renewal", "same", "missing", "failing")}
        later = self.term_end + 30 * DAY
        f = self.fake
        f.set(p["cancelled"][1], "cancelled", "standard-USD-monthly", self.term_end)
        # Product catalog 2.0: the plan is the item of type plan, not the addon listed first.
        f.set(p["plan"][1], "active", None, self.term_end,
              items=[{"item_price_id": "sso-addon-USD", "item_type": "addon"},
                     {"item_price_id": "enterprise-USD-yearly", "item_type": "plan"}])
        f.set(p["renewal"][1], "active", "standard-USD-monthly", later)
        f.set(p["same"][1], "active", "standard-USD-monthly", self.term_end)
        f.answers[p["failing"][1]] = (500, {"message": "internal error"})
        # p["missing"]: the fake answers 404.
        before = {name: self.state(pid) for name, (pid, _) in p.items()}
        for name in p:
            self.assertEqual(before[name], ("active", "standard", "chargebee", self.term_end), name)
            self.assertEqual(self.reason(self.creds, self.user.id, p[name][0],
                                         "submissions:read")[0], "allowed", name)
        self.assertEqual(self.reconciled_events(), [])

        r = self.reconcile()
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual(r.stdout.strip().splitlines()[-1], "checked 6, corrected 3, failed 2", r)
        self.assertIn(p["missing"][1], r.stderr)
        self.assertIn("404", r.stderr)
        self.assertIn(p["failing"][1], r.stderr)
        self.assertIn("500", r.stderr)
        # Every request carried the key as HTTP Basic user with an empty password.
        self.assertTrue(f.requests and all(ok for _, ok in f.requests), f.requests)

        after = {name: self.state(pid) for name, (pid, _) in p.items()}
        self.assertEqual(after["cancelled"], ("cancelled", "standard", "chargebee", self.term_end))
        self.assertEqual(after["plan"], ("active", "enterprise", "chargebee", self.term_end))
        self.assertEqual(after["renewal"], ("active", "standard", "chargebee", later))
        for untouched in ("same", "missing", "failing"):
            self.assertEqual(after[untouched], before[untouched], untouched)
        # The running server hears of the command's change through the change feed.
        self.assertEqual(self.eventual_reason(p["cancelled"][0], "product_inactive"),
                         "product_inactive")
        for name in ("plan", "renewal", "same", "missing", "failing"):
            self.assertEqual(self.reason(self.creds, self.user.id, p[name][0],
                                         "submissions:read")[0], "allowed", name)

        events = {e["target"]["id"]: e for e in self.reconciled_events()}
        self.assertEqual(set(events), {p["cancelled"][0], p["plan"][0], p["renewal"][0]}, events)
        for name, to in (("cancelled", ("cancelled", "standard", self.term_end)),
                         ("plan", ("active", "enterprise", self.term_end)),
                         ("renewal", ("active", "standard", later))):
            e = events[p[name][0]]
            self.assertEqual((e["actor"]["type"], e["target"]["type"], e["workspace_id"]),
                             ("system", "product", self.ws), e)
            s = e["summary"]
            self.assertEqual((s["from_status"], s["from_plan"], s["from_period_end"]),
                             ("active", "standard", str(self.term_end)), e)
            self.assertEqual((s["status"], s["plan"], s["period_end"]),
                             (to[0], to[1], str(to[2])), e)
            self.assertEqual(s["subscription"], p[name][1], e)

        # Nothing left to correct: the same answer again changes nothing and audits nothing.
        r = self.reconcile()
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual(r.stdout.strip().splitlines()[-1], "checked 6, corrected 0, failed 2", r)
        self.assertEqual({name: self.state(pid) for name, (pid, _) in p.items()}, after)
        self.assertEqual(len(self.reconciled_events()), 3)

        # Once Chargebee answers for every one, the run succeeds.
        f.set(p["failing"][1], "active", "standard-USD-monthly", self.term_end)
        f.set(p["missing"][1], "active", "standard-USD-monthly", self.term_end)
        r = self.reconcile()
        self.assertEqual((r.returncode, r.stdout.strip().splitlines()[-1]),
                         (0, "checked 6, corrected 0, failed 0"), r)

    def test_without_the_api_configured_it_refuses_to_run(self):
        for env in ({"VAULT_CHARGEBEE_API_KEY": None},
                    {"VAULT_CHARGEBEE_API_URL": None, "VAULT_CHARGEBEE_SITE": None}):
            r = self.reconcile(**env)
            self.assertEqual(r.returncode, 2, r)
            self.assertIn("not configured", r.stderr)
            self.assertEqual(r.stdout, "")
        # A clear-text URL to another machine would send the key in the clear: refused.
        r = self.reconcile(VAULT_CHARGEBEE_API_URL="http://billing.example.com/api/v2")
        self.assertNotEqual(r.returncode, 0, r)
        self.assertIn("chargebee_api_url", r.stdout + r.stderr)

    def test_the_periodic_job_corrects_drift_on_its_own(self):
        pid, sid = self.linked_product("periodic")
        self.fake.set(sid, "cancelled", "standard-USD-monthly", self.term_end)
        second = self.vault.add_server({"VAULT_CHARGEBEE_RECONCILE_SECONDS": "1"})
        try:
            deadline = time.time() + 30
            while self.state(pid)[0] != "cancelled" and time.time() < deadline:
                time.sleep(0.2)
            self.assertEqual(self.state(pid)[0], "cancelled")
            # The first server (no job of its own) hears of it through the change feed.
            self.assertEqual(self.eventual_reason(pid, "product_inactive"), "product_inactive")
            self.assertEqual([e["target"]["id"] for e in self.reconciled_events()
                              if e["summary"]["subscription"] == sid], [pid])
            while "billing reconciliation" not in second.logs and time.time() < deadline:
                time.sleep(0.2)
            lines = [json.loads(line) for line in second.logs.splitlines()
                     if '"billing reconciliation"' in line]
            self.assertTrue(lines, second.logs[-2000:])
            self.assertEqual(lines[0]["level"], "info", lines[0])
            self.assertRegex(lines[0]["summary"], r"^checked \d+, corrected \d+, failed \d+$")
        finally:
            second.stop()


if __name__ == "__main__":
    main()
