#!/usr/bin/python3
"""What products learn from Vault (issue 19), black-box against the real server:

  * plan features: access check (single and batch), explain and key verify carry `features`, the
    features of the product's current plan; denials about a visible product carry them too,
    `product_not_found` (a made-up id or another type's product) and a product without a
    subscription carry `[]`; a plan change (PUT subscription) and a Chargebee webhook change the
    very next answer; an invalid key verdict carries only its reason.
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
CHECK = "/api/v1/access/check"
EXPLAIN = "/api/v1/access/explain"
# migrations/*/0004_products.sql: the seeded plans' features (the same for every seeded type)
FEATURES = {"trial": ["core"], "standard": ["core", "reports"],
            "enterprise": ["core", "reports", "sso", "audit-export"]}


class ProductIntegrationTest(KeyFlows, ProductFlows, WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    EXTRA_ENV = {"VAULT_CHARGEBEE_WEBHOOK_USER": CB_USER,
                 "VAULT_CHARGEBEE_WEBHOOK_PASSWORD": CB_PASSWORD}
    _world = None

    def world(self):
        cls = type(self)
        if cls._world is not None:
            return cls._world
        self.vault.remember_secret(CB_PASSWORD)
        w = {}
        _, _, _, sa = self.make_super_admin()
        w["super"] = sa
        w["creds"] = self.service_client(sa, "submit", "Submit back end")
        w["manage_creds"] = self.service_client(sa, "manage", "Manage back end")
        owner = self.create_account(name="Fay Owner", prefix="fowner")
        w["owner"] = owner
        A = w["A"] = self.create_workspace(owner.client, name="Features Inc")["id"]
        w["editor"] = self.member_account(owner.client, A, "member", prefix="feditor")
        w["nogrant"] = self.member_account(owner.client, A, "member", prefix="fnogrant")
        w["outsider"] = self.create_account(prefix="foutsider")
        w["S"] = self.create_product(owner.client, A, "submit", plan="standard")["id"]
        w["M"] = self.create_product(owner.client, A, "manage", plan="enterprise")["id"]
        self.grant(owner.client, A, w["S"], w["editor"].id, "viewer")
        self.grant(owner.client, A, w["M"], w["editor"].id, "viewer")
        cls._world = w
        return w

    def explain(self, creds, account_id, product_id, permission=None):
        body = {"account_id": account_id, "product_id": product_id}
        if permission:
            body["permission"] = permission
        r = self.access(creds, body, path=EXPLAIN)
        self.assertEqual(r.status, 200, r)
        return r.json

    def set_plan(self, ws, product, plan):
        r = self.world()["owner"].client.request(
            "PUT", f"/api/v1/workspaces/{ws}/products/{product}/subscription",
            json_body={"plan": plan})
        self.assertEqual(r.status, 200, r)

    # ------------------------------------------------------------ plan features
    def test_features_in_check_explain_and_batch(self):
        w = self.world()
        creds, S, M, ed = w["creds"], w["S"], w["M"], w["editor"].id
        d = self.check(creds, ed, S, "submissions:read")
        self.assertEqual((d["reason"], d["features"]), ("allowed", FEATURES["standard"]), d)
        # denials about a product the client can see still describe its plan
        denials = [(w["nogrant"].id, None, "no_grant"),
                   (w["outsider"].id, None, "not_member"),
                   ("acc_" + secrets.token_hex(10), None, "unknown_account"),
                   (ed, "submissions:create", "permission_not_in_role")]
        for account, permission, reason in denials:
            d = self.check(creds, account, S, permission)
            self.assertEqual((d["reason"], d["features"]), (reason, FEATURES["standard"]), d)
        # another type's product and a made-up id: nothing, not even the plan
        for product in (M, "prd_" + secrets.token_hex(10)):
            d = self.check(creds, ed, product)
            self.assertEqual((d["reason"], d["features"]), ("product_not_found", []), d)
        # the manage client sees its own product's plan
        d = self.check(w["manage_creds"], ed, M)
        self.assertEqual((d["reason"], d["features"]), ("allowed", FEATURES["enterprise"]), d)
        # batch answers as the single form does
        r = self.access(creds, {"checks": [{"account_id": ed, "product_id": S},
                                           {"account_id": ed, "product_id": M}]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([x["features"] for x in r.json["results"]],
                         [FEATURES["standard"], []], r)
        e = self.explain(creds, ed, S, "submissions:read")
        self.assertEqual((e["reason"], e["features"]), ("allowed", FEATURES["standard"]), e)
        self.assertEqual(e["chain"]["subscription"]["plan"], "standard", e)

    def test_plan_change_shows_at_once(self):
        w = self.world()
        owner, A, creds, ed = w["owner"].client, w["A"], w["creds"], w["editor"].id
        p = self.create_product(owner, A, "submit", plan="trial", name="Changing")["id"]
        self.grant(owner, A, p, ed, "editor")
        key = self.create_key(owner, A, p)["key"]
        self.assertEqual(self.check(creds, ed, p)["features"], FEATURES["trial"])
        v = self.verify(creds, key)
        self.assertEqual((v["valid"], v["features"]), (True, FEATURES["trial"]), v)
        for plan in ("enterprise", "standard"):
            self.set_plan(A, p, plan)
            self.assertEqual(self.check(creds, ed, p)["features"], FEATURES[plan])
            self.assertEqual(self.explain(creds, ed, p)["features"], FEATURES[plan])
            self.assertEqual(self.verify(creds, key)["features"], FEATURES[plan])

    def test_chargebee_plan_change_shows_at_once(self):
        w = self.world()
        owner, A, creds, ed = w["owner"].client, w["A"], w["creds"], w["editor"].id
        p = self.create_product(owner, A, "submit", name="Paid by Chargebee")["id"]  # trial
        self.grant(owner, A, p, ed, "viewer")
        key = self.create_key(owner, A, p)["key"]
        self.assertEqual(self.check(creds, ed, p)["features"], FEATURES["trial"])
        now, sub_id = int(time.time()), "cb_sub_" + secrets.token_hex(6)

        def event(status, at, plan_id):
            return {"id": "ev_" + secrets.token_hex(8), "event_type": "subscription_changed",
                    "occurred_at": at,
                    "content": {"subscription": {
                        "id": sub_id, "status": status, "plan_id": plan_id,
                        "current_term_end": now + 30 * 86400, "cf_vault_product_id": p}}}
        for at, status, plan_id, plan in ((now, "active", "enterprise-EUR-yearly", "enterprise"),
                                          (now + 1, "cancelled", "standard-USD-monthly",
                                           "standard")):
            r = self.client(mode="none").post("/api/v1/billing/chargebee/webhook",
                                              event(status, at, plan_id),
                                              headers={"Authorization": basic(CB_USER,
                                                                              CB_PASSWORD)})
            self.assertEqual((r.status, r.json["outcome"]), (200, "applied"), r)
            d = self.check(creds, ed, p, "submissions:read")
            self.assertEqual(d["features"], FEATURES[plan], d)
        # cancelled: denied, yet the plan on record is still described (docs/api.md)
        self.assertEqual(d["reason"], "product_inactive", d)
        v = self.verify(creds, key)
        self.assertEqual(v, {"valid": False, "reason": "product_inactive"})

    def test_verify_features_only_for_the_products_type(self):
        w = self.world()
        owner, A = w["owner"].client, w["A"]
        key = self.create_key(owner, A, w["S"])["key"]
        v = self.verify(w["creds"], key, permission="submissions:read")
        self.assertEqual((v["valid"], v["features"]), (True, FEATURES["standard"]), v)
        # another type's client learns nothing, features included
        self.assertEqual(self.verify(w["manage_creds"], key),
                         {"valid": False, "reason": "unknown"})
        self.assertEqual(self.verify(w["creds"], key, environment="staging"),
                         {"valid": False, "reason": "wrong_environment"})


if __name__ == "__main__":
    main()
