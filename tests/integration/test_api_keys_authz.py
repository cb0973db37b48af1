#!/usr/bin/python3
"""API key authorization, table-driven (SPEC §3 capability table "manage … API keys", §6;
docs/api-keys.md "Who may manage keys"), in the style of test_workspace_authz.py.

Every API key endpoint is called by every kind of caller: anonymous, Member, Billing, Admin,
Owner (of workspace A), a Member who holds the `admin` role on product S through a group (the
product's Admin), a Member who holds `editor` on S, the Owner of another workspace (B), a Super
Admin (member of no workspace) and a disabled account. Expected cells:

  create / list / get / revoke / roll on S        → Owner, Admin, S's Admin
  the same on S2 (another product of A)           → Owner, Admin; S's Admin: 403 create,
                                                    404 api_key.not_found for S2's keys
  other members (Member, Billing, S's editor)     → 403 permission.denied
  non-members (B's Owner, the Super Admin)        → 404 workspace.not_found
  B's key addressed through A                     → 404 api_key.not_found for A's managers
  POST /api/v1/keys/verify with a session         → 401 (only service clients verify)

A second test: a product Admin's list holds only their product's keys, and losing the grant
ends their access to keys (the keys themselves, workspace credentials, keep working).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main  # noqa: E402
from key_helpers import VERIFY, KeyFlows  # noqa: E402
from product_helpers import ProductFlows  # noqa: E402
from test_workspace_authz import run_matrix  # noqa: E402
from ws_helpers import WorkspaceFlows  # noqa: E402

CALLERS = ["anonymous", "member", "billing", "product_editor", "product_admin", "admin", "owner",
           "owner_of_other_workspace", "super_admin", "disabled_account"]
SHORT = {"anonymous": "anon", "member": "member", "billing": "billing", "product_editor": "p.editor",
         "product_admin": "p.admin", "admin": "admin", "owner": "owner",
         "owner_of_other_workspace": "other_own", "super_admin": "super",
         "disabled_account": "disabled"}
K = "/api/v1/workspaces/{w[A]}/api-keys"
NOT_FOUND = (404, "api_key.not_found")


def cells(managers, product_admin):
    """Owner and Admin get `managers`, S's Admin `product_admin`; other members 403,
    non-members 404 workspace.not_found, signed-out and disabled 401."""
    return {"anonymous": 401, "disabled_account": 401, "owner_of_other_workspace": 404,
            "super_admin": 404, "member": 403, "billing": 403, "product_editor": 403,
            "product_admin": product_admin, "admin": managers, "owner": managers}


def key_body(product):
    return lambda w, p: {"name": "Made by caller", "product": w[product], "environment": "production",
                         "permissions": ["submissions:read"]}


MATRIX = [
    ("POST key on S", "POST", K, key_body("S"), cells(201, 201), None),
    ("POST key on S2", "POST", K, key_body("S2"), cells(201, 403), None),
    ("GET keys", "GET", K, None, cells(200, 200), None),
    ("GET keys ?product=S", "GET", K + "?product={w[S]}", None, cells(200, 200), None),
    ("GET keys ?product=S2", "GET", K + "?product={w[S2]}", None, cells(200, 403), None),
    ("GET key on S", "GET", K + "/{w[KEY_S]}", None, cells(200, 200), None),
    ("GET key on S2", "GET", K + "/{w[KEY_S2]}", None, cells(200, NOT_FOUND), None),
    ("GET B's key through A", "GET", K + "/{w[KEY_B]}", None, cells(NOT_FOUND, NOT_FOUND), None),
    ("POST roll key on S", "POST", K + "/{p}/roll", {"grace_seconds": 60}, cells(201, 201),
     lambda t, w: t.fresh_key("S")),
    ("POST roll key on S2", "POST", K + "/{p}/roll", {}, cells(201, NOT_FOUND),
     lambda t, w: t.fresh_key("S2")),
    ("POST roll B's key through A", "POST", K + "/{w[KEY_B]}/roll", {}, cells(NOT_FOUND, NOT_FOUND), None),
    ("DELETE key on S", "DELETE", K + "/{p}", None, cells(204, 204), lambda t, w: t.fresh_key("S")),
    ("DELETE key on S2", "DELETE", K + "/{p}", None, cells(204, NOT_FOUND), lambda t, w: t.fresh_key("S2")),
    ("DELETE B's key through A", "DELETE", K + "/{w[KEY_B]}", None, cells(NOT_FOUND, NOT_FOUND), None),
    # invalid input: authorisation comes first, so only callers allowed to act see the 400
    ("POST key, invalid body", "POST", K, {"name": 5}, cells(400, 400), None),
    ("GET keys, invalid limit", "GET", K + "?limit=0", None, cells(400, 400), None),
    ("POST roll, invalid body", "POST", K + "/{w[KEY_S]}/roll", {"grace_seconds": "x"},
     cells(400, 400), None),
]


class ApiKeyAuthzTest(KeyFlows, ProductFlows, WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    _world = None

    def world(self):
        cls = type(self)
        if cls._world is not None:
            return cls._world
        w = {}
        owner = self.create_account(name="Olga Owner", prefix="owner")
        A = w["A"] = self.create_workspace(owner.client, name="Keys A")["id"]
        oc = owner.client
        w["owner"] = owner
        for role in ("admin", "member", "billing"):
            w[role] = self.member_account(oc, A, role)
        w["product_admin"] = self.member_account(oc, A, "member", prefix="padmin")
        w["product_editor"] = self.member_account(oc, A, "member", prefix="peditor")
        w["disabled"] = self.member_account(oc, A, "member", prefix="disabled")
        w["S"] = self.create_product(oc, A, "submit", plan="enterprise", name="S")["id"]
        w["S2"] = self.create_product(oc, A, "submit", plan="enterprise", name="S2")["id"]
        g = self.create_group(oc, A, name="S admins")
        w["G"] = g["id"]
        self.add_to_group(oc, A, g["id"], w["product_admin"].id)
        self.grant(oc, A, w["S"], g["id"], "admin", principal_type="group")
        self.grant(oc, A, w["S2"], w["product_admin"].id, "editor")
        self.grant(oc, A, w["S"], w["product_editor"].id, "editor")
        w["KEY_S"] = self.create_key(oc, A, w["S"])["id"]
        w["KEY_S2"] = self.create_key(oc, A, w["S2"])["id"]
        other = self.create_account(prefix="ownerb")
        B = w["B"] = self.create_workspace(other.client, name="Keys B")["id"]
        SB = self.create_product(other.client, B, "submit", plan="enterprise", name="SB")["id"]
        w["KEY_B"] = self.create_key(other.client, B, SB)["id"]
        w["other"] = other
        _, _, _, sa = self.make_super_admin()
        w["super"] = sa
        r = sa.patch(f"/api/v1/admin/accounts/{w['disabled'].id}", {"disabled": True})
        self.assertEqual(r.status, 200, r)
        w["clients"] = {
            "anonymous": self.client(mode="none"),
            "member": w["member"].client,
            "billing": w["billing"].client,
            "product_editor": w["product_editor"].client,
            "product_admin": w["product_admin"].client,
            "admin": w["admin"].client,
            "owner": oc,
            "owner_of_other_workspace": other.client,
            "super_admin": sa,
            "disabled_account": w["disabled"].client,
        }
        cls._world = w
        return w

    def fresh_key(self, product):
        w = self.world()
        return self.create_key(w["owner"].client, w["A"], w[product])["id"]

    def test_capability_matrix(self):
        w = self.world()

        def remember(r):
            if r.status == 201:
                self.vault.remember_secret(r.json["key"])
        run_matrix(self, w, MATRIX, CALLERS, SHORT, remember)
        # B's key is untouched by everything A's callers did.
        r = w["other"].client.get(f"/api/v1/workspaces/{w['B']}/api-keys/{w['KEY_B']}")
        self.assertEqual(r.json["status"], "active", r)
        # Sessions cannot call the product-facing verify endpoint.
        for caller in ("owner", "admin", "super_admin"):
            r = w["clients"][caller].post(VERIFY, {"key": "x", "environment": "production"})
            self.assertProblem(r, 401)
        self.healthy()

    def test_product_admin_sees_only_their_product_and_loses_access_with_the_grant(self):
        w = self.world()
        A, oc, pa = w["A"], w["owner"].client, w["product_admin"].client
        mine = self.create_key(pa, A, w["S"], name="Product admin's")
        self.assertEqual(mine["created_by"], w["product_admin"].id)
        r = pa.get(f"/api/v1/workspaces/{A}/api-keys?limit=500")
        self.assertEqual(r.status, 200, r)
        self.assertEqual({k["product_id"] for k in r.json["items"]}, {w["S"]})
        self.assertIn(mine["id"], [k["id"] for k in r.json["items"]])
        everything = oc.get(f"/api/v1/workspaces/{A}/api-keys?limit=500").json["items"]
        self.assertEqual({k["product_id"] for k in everything}, {w["S"], w["S2"]})
        _, _, _, sa = self.make_super_admin()
        creds = self.service_client(sa, "submit")
        self.assertEqual(self.verdict(creds, mine["key"]), "valid")
        self.ungrant(oc, A, w["S"], w["G"], principal_type="group")
        try:
            r = pa.get(f"/api/v1/workspaces/{A}/api-keys")
            self.assertProblem(r, 403, "permission.denied")
            r = pa.delete(f"/api/v1/workspaces/{A}/api-keys/{mine['id']}")
            self.assertProblem(r, 403, "permission.denied")
            # A workspace credential: it outlives its creator's product role.
            self.assertEqual(self.verdict(creds, mine["key"]), "valid")
        finally:
            self.grant(oc, A, w["S"], w["G"], "admin", principal_type="group")


if __name__ == "__main__":
    main()
