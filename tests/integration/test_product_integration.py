#!/usr/bin/python3
"""What products learn from Vault (issue 19), black-box against the real server:

  * plan features: access check (single and batch), explain and key verify carry `features`, the
    features of the product's current plan; denials about a visible product carry them too,
    `product_not_found` (a made-up id or another type's product) and a product without a
    subscription carry `[]`; a plan change (PUT subscription) and a Chargebee webhook change the
    very next answer; an invalid key verdict carries only its reason;
  * product configuration: GET/PUT .../products/{product}/config (a JSON object, version and
    ETag, If-Match or `version` → 409 on a lost update), audited `product.config_updated` with
    its size only; returned to the product as `config` by check, explain and verify only when
    asked with `"include": ["config"]`, changed at once; bad input (non-object, too big, too
    deep, invalid UTF-8, unknown include) → 4xx naming the field, nothing written.
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

    # ------------------------------------------------------------ configuration
    def config_path(self, product=None):
        w = self.world()
        return f"/api/v1/workspaces/{w['A']}/products/{product or w['S']}/config"

    def test_config_round_trip_and_lost_updates(self):
        w = self.world()
        owner = w["owner"].client
        p = self.create_product(owner, w["A"], "submit", plan="standard", name="Configured")["id"]
        path = self.config_path(p)
        r = owner.get(path)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["config"], r.json["version"], r.json["updated_by"]),
                         ({}, 0, None), r)
        self.assertEqual(r.headers.get("ETag"), '"0"')
        doc = {"theme": {"colour": "#123456"}, "limits": [1, 2.5, None, True], "name": "Ünïcode ✓"}
        r = owner.request("PUT", path, json_body={"config": doc})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["config"], r.json["version"], r.json["updated_by"]),
                         (doc, 1, w["owner"].id), r)
        self.assertEqual(r.headers.get("ETag"), '"1"')
        # a member who can view the product reads it
        r = w["editor"].client.get(path)
        self.assertEqual((r.status, r.json["config"], r.json["version"]), (200, doc, 1), r)
        # lost updates: a stale version or If-Match is refused and changes nothing
        stale = [({"config": {"x": 1}, "version": 0}, None),
                 ({"config": {"x": 1}}, {"If-Match": '"0"'})]
        for body, headers in stale:
            r = owner.request("PUT", path, json_body=body, headers=headers)
            self.assertProblem(r, 409, "product_config.version_mismatch")
        self.assertEqual(owner.get(path).json["config"], doc)
        r = owner.request("PUT", path, json_body={"config": {"x": 1}},
                          headers={"If-Match": '"1"'})
        self.assertEqual((r.status, r.json["version"]), (200, 2), r)
        r = owner.request("PUT", path, json_body={"config": {"x": 2}, "version": 2})
        self.assertEqual((r.status, r.json["version"]), (200, 3), r)
        events = self.ws_audit(owner, w["A"], "product.config_updated")
        mine = [e for e in events if e["target"]["id"] == p]
        self.assertEqual(len(mine), 3, events)
        self.assertEqual(mine[0]["summary"], {"bytes": len('{"x":2}'), "version": 3}, mine[0])
        self.assertNotIn("colour", str(events))  # the size, never the content

    def test_config_written_by_the_products_admins_only(self):
        w = self.world()
        owner, A = w["owner"].client, w["A"]
        p = self.create_product(owner, A, "submit", plan="standard", name="Admined")["id"]
        padmin = self.member_account(owner, A, "member", prefix="padmin")
        gadmin = self.member_account(owner, A, "member", prefix="gadmin")
        peditor = self.member_account(owner, A, "member", prefix="peditor")
        self.grant(owner, A, p, padmin.id, "admin")
        self.grant(owner, A, p, peditor.id, "editor")
        g = self.create_group(owner, A, name="Config admins")["id"]
        self.add_to_group(owner, A, g, gadmin.id)
        self.grant(owner, A, p, g, "admin", principal_type="group")
        path = self.config_path(p)
        for who, n in ((padmin, 1), (gadmin, 2)):
            r = who.client.request("PUT", path, json_body={"config": {"n": n}})
            self.assertEqual((r.status, r.json["version"]), (200, n), r)
        r = peditor.client.request("PUT", path, json_body={"config": {"n": 9}})
        self.assertProblem(r, 403, "permission.denied")
        self.assertEqual(peditor.client.get(path).json["config"], {"n": 2})
        # an admin of this product administers no other
        r = padmin.client.request("PUT", self.config_path(w["S"]), json_body={"config": {}})
        self.assertProblem(r, 403, "permission.denied")

    def test_config_reaches_the_product_only_when_asked(self):
        w = self.world()
        owner, creds, ed = w["owner"].client, w["creds"], w["editor"].id
        p = self.create_product(owner, w["A"], "submit", plan="standard", name="Told")["id"]
        self.grant(owner, w["A"], p, ed, "viewer")
        key = self.create_key(owner, w["A"], p)["key"]
        ask = {"account_id": ed, "product_id": p, "include": ["config"]}
        d = self.access(creds, ask).json
        self.assertEqual(d["config"], {}, d)
        self.assertNotIn("config", self.check(creds, ed, p))  # not asked: not sent
        doc = {"welcome": "hello", "n": 3}
        r = owner.request("PUT", self.config_path(p), json_body={"config": doc})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.access(creds, ask).json["config"], doc)
        self.assertEqual(self.access(creds, ask, path=EXPLAIN).json["config"], doc)
        r = self.access(creds, {"include": ["config"], "checks": [
            {"account_id": ed, "product_id": p}, {"account_id": ed, "product_id": w["M"]}]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([x.get("config") for x in r.json["results"]], [doc, None], r)
        self.assertNotIn("config", r.json["results"][1])  # another type's product: nothing
        v = self.client(mode="none").post(
            "/api/v1/keys/verify",
            {"key": key, "environment": "production", "include": ["config"]},
            headers={"Authorization": basic(*creds)}).json
        self.assertEqual((v["valid"], v["config"]), (True, doc), v)
        self.assertNotIn("config", self.verify(creds, key))
        # another type's client never sees it
        d = self.access(w["manage_creds"], ask).json
        self.assertEqual(d["reason"], "product_not_found", d)
        self.assertNotIn("config", d)

    def test_config_bad_input_writes_nothing(self):
        w = self.world()
        owner = w["owner"].client
        p = self.create_product(owner, w["A"], "submit", plan="standard", name="Bad")["id"]
        path = self.config_path(p)
        deep = {}
        cur = deep
        for _ in range(9):
            cur["a"] = {}
            cur = cur["a"]
        cases = [
            ({"config": [1, 2]}, 400, "config"),
            ({"config": "text"}, 400, "config"),
            ({"config": None}, 400, "config"),
            ({}, 400, "config"),
            ({"config": {"big": "x" * 17000}}, 413, "config"),
            ({"config": deep}, 400, "config"),
            ({"config": {}, "version": "1"}, 400, "version"),
            ({"config": {}, "version": -1}, 400, "version"),
        ]
        for body, status, field in cases:
            r = owner.request("PUT", path, json_body=body)
            self.assertProblem(r, status, field=field)
        for raw in (b'{"config": {"a": "\xff\xfe"}}', b"{not json", b"[]"):
            r = owner.raw("PUT", path, raw)
            self.assertNot5xx(r)
            self.assertProblem(r, 400)
        r = owner.request("PUT", path, json_body={"config": {}}, headers={"If-Match": "nope"})
        self.assertProblem(r, 400, field="If-Match")
        got = owner.get(path).json
        self.assertEqual((got["config"], got["version"]), ({}, 0), got)
        # exactly the limits is fine: 8 levels deep
        ok = {}
        cur = ok
        for _ in range(7):
            cur["a"] = {}
            cur = cur["a"]
        r = owner.request("PUT", path, json_body={"config": ok})
        self.assertEqual(r.status, 200, r)
        # the check's include names its field
        creds = w["creds"]
        for include in (["secrets"], "config", [1]):
            r = self.access(creds, {"account_id": w["editor"].id, "product_id": p,
                                    "include": include})
            self.assertProblem(r, 400, field="include")


if __name__ == "__main__":
    main()
