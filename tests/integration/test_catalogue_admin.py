#!/usr/bin/python3
"""Editing and retiring the product catalogue (issue 19; docs/api.md "Editing and retiring the
catalogue"), by a Super Admin:

  * PATCH a type (name, api_permissions, retired) → listed at once, audited;
  * a permission added to a role allows a check on the very next call, a role's lowered rank
    changes the effective role (the access model sees catalogue changes at once);
  * a retired plan cannot be chosen (409 plan.retired) while a subscription on it keeps working;
    a retired role cannot be granted (409 role.retired) while an existing grant keeps working;
    a retired type cannot be used for a new product (409 product_type.retired); un-retiring
    brings them back;
  * lowering seats below usage keeps everyone's access but refuses new grants;
  * bad input → 4xx naming the field, nothing written; unknown type → 404.
"""

import json
import os
import secrets
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main  # noqa: E402
from product_helpers import ProductFlows  # noqa: E402
from ws_helpers import WorkspaceFlows  # noqa: E402

T = "/api/v1/admin/product-types"


class CatalogueAdminTest(ProductFlows, WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192

    def setUp(self):
        _, _, _, self.sa = self.make_super_admin()
        self.key = "t" + secrets.token_hex(4)
        body = {"key": self.key, "name": "Things", "api_permissions": ["things:read"],
                "roles": [{"name": "admin", "rank": 3, "permissions": ["things:read",
                                                                       "things:write"]},
                          {"name": "viewer", "rank": 1, "permissions": ["things:read"]}],
                "plans": [{"key": "basic", "name": "Basic", "seats": 2, "features": ["core"]},
                          {"key": "big", "name": "Big", "seats": 0, "features": ["core"]}]}
        r = self.sa.post(T, body)
        self.assertEqual(r.status, 201, r)
        self.tid = r.json["id"]
        self.creds = self.service_client(self.sa, self.key, "Things back end")
        self.owner = self.create_account(prefix="catowner")
        self.ws = self.create_workspace(self.owner.client, name="Catalogue Co")["id"]
        self.users = [self.member_account(self.owner.client, self.ws, "member", prefix="catu")
                      for _ in range(3)]

    def type_json(self):
        r = self.owner.client.get("/api/v1/product-types")
        self.assertEqual(r.status, 200, r)
        return {t["id"]: t for t in r.json["items"]}[self.tid]

    def platform_audit(self, action):
        r = self.sa.get(f"/api/v1/admin/audit?action={action}&limit=100")
        self.assertEqual(r.status, 200, r)
        out = []
        for e in r.json["items"]:
            s = e["summary"]
            out.append(json.loads(s) if isinstance(s, str) else s)
        return [s for s in out if s.get("key") == self.key]

    def test_patch_type_and_flags_listed(self):
        t = self.type_json()
        self.assertEqual((t["retired"], [p["retired"] for p in t["plans"]],
                          [r["retired"] for r in t["roles"]]), (False, [False, False],
                                                                [False, False]))
        r = self.sa.patch(f"{T}/{self.tid}", {"name": "Things 2",
                                               "api_permissions": ["things:read", "x:y"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["name"], r.json["api_permissions"], len(r.json["roles"])),
                         ("Things 2", ["things:read", "x:y"], 2), r)
        self.assertEqual(self.type_json()["name"], "Things 2")
        audit = self.platform_audit("admin.product_type_updated")
        self.assertEqual((audit[0]["name"], audit[0]["from_name"]), ("Things 2", "Things"), audit)
        self.assertProblem(self.sa.patch(f"{T}/pty_nosuch", {"name": "X"}), 404,
                           "product_type.not_found")

    def test_role_changes_reach_checks_at_once_and_retired_role_keeps_grants(self):
        oc, u = self.owner.client, self.users
        pid = self.create_product(oc, self.ws, self.key, plan="big", name="P")["id"]
        self.grant(oc, self.ws, pid, u[0].id, "viewer")
        self.assertEqual(self.reason(self.creds, u[0].id, pid, "things:export"),
                         ("permission_not_in_role", "viewer"))
        r = self.sa.request("PUT", f"{T}/{self.tid}/roles/viewer",
                            json_body={"rank": 1, "permissions": ["things:read", "things:export"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.reason(self.creds, u[0].id, pid, "things:export"),
                         ("allowed", "viewer"))
        # a new role, ranked above admin: the effective role follows at once
        r = self.sa.request("PUT", f"{T}/{self.tid}/roles/owner",
                            json_body={"rank": 9, "permissions": ["things:read"]})
        self.assertEqual(r.status, 200, r)
        self.grant(oc, self.ws, pid, u[1].id, "owner")
        self.assertEqual(self.reason(self.creds, u[1].id, pid, "things:read"),
                         ("allowed", "owner"))
        # retire viewer: no new grants, the existing one keeps working
        r = self.sa.request("PUT", f"{T}/{self.tid}/roles/viewer",
                            json_body={"rank": 1, "permissions": ["things:read"],
                                       "retired": True})
        self.assertEqual(r.status, 200, r)
        self.assertTrue({x["name"]: x for x in self.type_json()["roles"]}["viewer"]["retired"])
        r = oc.request("PUT", f"/api/v1/workspaces/{self.ws}/products/{pid}/grants",
                       json_body={"principal": {"type": "account", "id": u[2].id},
                                  "role": "viewer"})
        self.assertProblem(r, 409, "role.retired", field="role")
        self.assertEqual(self.reason(self.creds, u[2].id, pid, "things:read"),
                         ("no_grant", None))
        self.assertEqual(self.reason(self.creds, u[0].id, pid, "things:read"),
                         ("allowed", "viewer"))
        # nor through an invitation that carries a grant
        r = oc.post(f"/api/v1/workspaces/{self.ws}/invitations",
                    {"email": f"inv-{secrets.token_hex(4)}@example.com",
                     "grants": [{"product": pid, "role": "viewer"}]})
        self.assertProblem(r, 409, "role.retired", field="grants")
        audit = self.platform_audit("admin.product_role_put")
        self.assertEqual(audit[0]["role"], "viewer")
        self.assertEqual((audit[0]["retired"], audit[0]["created"]), ("true", "false"))
        self.assertEqual(audit[1]["created"], "true")   # the new owner role
        # un-retired: grantable again
        r = self.sa.request("PUT", f"{T}/{self.tid}/roles/viewer",
                            json_body={"rank": 1, "permissions": ["things:read"]})
        self.assertEqual(r.status, 200, r)
        self.grant(oc, self.ws, pid, u[2].id, "viewer")

    def test_retired_plan_and_type(self):
        oc, u = self.owner.client, self.users
        pid = self.create_product(oc, self.ws, self.key, plan="basic", name="On basic")["id"]
        self.grant(oc, self.ws, pid, u[0].id, "viewer")
        r = self.sa.request("PUT", f"{T}/{self.tid}/plans/basic",
                            json_body={"name": "Basic", "seats": 2, "features": ["core"],
                                       "retired": True})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.reason(self.creds, u[0].id, pid, "things:read"),
                         ("allowed", "viewer"))
        sub = f"/api/v1/workspaces/{self.ws}/products/{pid}/subscription"
        self.assertEqual(oc.get(sub).json["plan"], "basic")
        self.assertProblem(oc.request("PUT", sub, json_body={"plan": "basic"}), 409,
                           "plan.retired", field="plan")
        r = oc.post(f"/api/v1/workspaces/{self.ws}/products",
                    {"product_type": self.key, "name": "New", "shortname": "n-" +
                     secrets.token_hex(3), "plan": "basic"})
        self.assertProblem(r, 409, "plan.retired", field="plan")
        # no plan given: the first plan still offered
        p2 = self.create_product(oc, self.ws, self.key, name="Default plan")
        self.assertEqual(p2["subscription"]["plan"], "big", p2)
        # a retired type: no new products; existing ones keep working
        r = self.sa.patch(f"{T}/{self.tid}", {"retired": True})
        self.assertEqual((r.status, r.json["retired"]), (200, True), r)
        r = oc.post(f"/api/v1/workspaces/{self.ws}/products",
                    {"product_type": self.key, "name": "New", "shortname": "n-" +
                     secrets.token_hex(3)})
        self.assertProblem(r, 409, "product_type.retired", field="product_type")
        self.assertEqual(self.reason(self.creds, u[0].id, pid, "things:read"),
                         ("allowed", "viewer"))
        names = [p["name"] for p in self.products_by_id(oc, self.ws).values()]
        self.assertEqual(sorted(names), ["Default plan", "On basic"])
        r = self.sa.patch(f"{T}/{self.tid}", {"retired": False})
        self.assertEqual(r.status, 200, r)
        self.create_product(oc, self.ws, self.key, plan="big", name="Again")

    def test_lowering_seats_below_usage_keeps_access_but_blocks_grants(self):
        oc, u = self.owner.client, self.users
        pid = self.create_product(oc, self.ws, self.key, plan="basic", name="Seats")["id"]
        self.grant(oc, self.ws, pid, u[0].id, "viewer")
        self.grant(oc, self.ws, pid, u[1].id, "viewer")
        r = self.sa.request("PUT", f"{T}/{self.tid}/plans/basic",
                            json_body={"name": "Basic", "seats": 1, "features": ["core", "new"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual({p["key"]: p for p in r.json["plans"]}["basic"]["seats"], 1)
        for x in u[:2]:
            self.assertEqual(self.reason(self.creds, x.id, pid, "things:read"),
                             ("allowed", "viewer"))
        r = oc.request("PUT", f"/api/v1/workspaces/{self.ws}/products/{pid}/grants",
                       json_body={"principal": {"type": "account", "id": u[2].id},
                                  "role": "viewer"})
        self.assertProblem(r, 409, "product.seat_limit")
        self.ungrant(oc, self.ws, pid, u[1].id)   # removing always works
        self.ungrant(oc, self.ws, pid, u[0].id)
        self.grant(oc, self.ws, pid, u[2].id, "viewer")  # fits again
        audit = self.platform_audit("admin.product_plan_put")
        self.assertEqual((audit[0]["seats"], audit[0]["features"]), ("1", "core new"), audit)
        self.assertIn("seats 2", audit[0]["from"])

    def test_bad_input_and_refused_callers(self):
        before = self.type_json()
        cases = [
            ("PATCH", f"{T}/{self.tid}", {"name": 5}, 400, "name"),
            ("PATCH", f"{T}/{self.tid}", {"name": ""}, 400, "name"),
            ("PATCH", f"{T}/{self.tid}", {"api_permissions": ["a b"]}, 400,
             "api_permissions[0]"),
            ("PATCH", f"{T}/{self.tid}", {"api_permissions": "x"}, 400, "api_permissions"),
            ("PATCH", f"{T}/{self.tid}", {"retired": "yes"}, 400, "retired"),
            ("PUT", f"{T}/{self.tid}/roles/viewer", {"rank": 0}, 400, "rank"),
            ("PUT", f"{T}/{self.tid}/roles/viewer", {"rank": 10**12}, 400, "rank"),
            ("PUT", f"{T}/{self.tid}/roles/viewer", {"rank": "1"}, 400, "rank"),
            ("PUT", f"{T}/{self.tid}/roles/viewer", {"permissions": [5]}, 400, None),
            ("PUT", f"{T}/{self.tid}/roles/Bad%20Role", {"rank": 1}, 400, "role"),
            ("PUT", f"{T}/{self.tid}/plans/basic", {}, 400, "name"),
            ("PUT", f"{T}/{self.tid}/plans/basic", {"name": "B", "seats": -1}, 400, "seats"),
            ("PUT", f"{T}/{self.tid}/plans/basic", {"name": "B", "trial_days": 400}, 400,
             "trial_days"),
            ("PUT", f"{T}/{self.tid}/plans/basic", {"name": "B", "features": ["\u0000"]}, 400,
             None),
            ("PUT", f"{T}/{self.tid}/plans/a_b", {"name": "B"}, 400, "plan"),
            ("PUT", f"{T}/pty_nosuch/plans/basic", {"name": "B"}, 404, None),
            ("PUT", f"{T}/pty_nosuch/roles/viewer", {"rank": 1}, 404, None),
        ]
        for method, path, body, status, field in cases:
            with self.subTest(method=method, path=path, body=str(body)):
                r = self.sa.request(method, path, json_body=body)
                self.assertProblem(r, status, field=field)
        for method, path in (("PATCH", f"{T}/{self.tid}"),
                             ("PUT", f"{T}/{self.tid}/roles/viewer"),
                             ("PUT", f"{T}/{self.tid}/plans/basic")):
            with self.subTest(raw=path):
                self.assertProblem(self.sa.raw(method, path, b"{not json"), 400)
                self.assertProblem(self.sa.raw(method, path, b'{"name": "\xff"}'), 400)
                self.assertProblem(self.sa.send_large(method, path, 10 * 1024 * 1024), 413)
                self.assertProblem(self.owner.client.request(method, path, json_body={}), 403,
                                   "admin.required")
        self.assertEqual(self.type_json(), before)
        self.assertEqual(self.platform_audit("admin.product_type_updated"), [])
        self.assertEqual(self.platform_audit("admin.product_role_put"), [])
        self.assertEqual(self.platform_audit("admin.product_plan_put"), [])
        self.healthy()


if __name__ == "__main__":
    main()
