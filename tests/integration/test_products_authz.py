#!/usr/bin/python3
"""Product-area authorization, table-driven (SPEC §3 capability table, §4, §5, §13; docs/api.md
"Products", "Groups", "Grants", "Platform administration"), in the style of
test_workspace_authz.py.

Every product, subscription, grant and group endpoint of a workspace, and the product-type and
service-client endpoints, are called by every kind of caller: anonymous, Member, Billing, Admin,
Owner (of workspace A), the Owner of another workspace (B), a Super Admin (member of no
workspace) and a disabled account (a Member of A disabled by a Super Admin, keeping its old
session). Expected cells, from the capability table:

  view (products, product, grants, groups, group)          → every member
  manage groups, products, grants                          → Owner, Admin
  the access review (JSON, CSV, NDJSON)                    → Owner, Admin
  read a product's configuration                           → every member
  write it (and the product's Admins: test_product_integration) → Owner, Admin
  a product's callback signing secrets: create, list, roll, revoke → Owner, Admin (and the
                                  product's Admins: test_callback_signing)
  see the subscription                                     → Owner, Admin, Billing
  change the subscription, cancel and resume it             → Owner, Billing
  non-members (the other Owner, the Super Admin)           → 404 workspace.not_found
  /api/v1/admin/... (incl. editing and retiring the catalogue) → 403 admin.required but the
                                                             Super Admin
  GET /api/v1/product-types                                → 200 for anyone signed in

A second test proves a non-member learns nothing: a real workspace/product/group of A and
made-up ones give byte-identical problem bodies (request_id aside).
"""

import os
import random
import secrets
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main  # noqa: E402
from product_helpers import ProductFlows, unique_product_shortname  # noqa: E402
from test_workspace_authz import (CALLERS, SHORT, anyone_signed_in,  # noqa: E402
                                  platform, run_matrix, ws)
from ws_helpers import WorkspaceFlows, without_request_id  # noqa: E402

P = "/api/v1/workspaces/{w[A]}/products"
G = "/api/v1/workspaces/{w[A]}/groups"
R = "/api/v1/workspaces/{w[A]}/access-review"


def product_type_body(w, p):
    key = "t" + secrets.token_hex(5)
    return {"key": key, "name": f"Type {key}", "api_permissions": ["things:read"],
            "roles": [{"name": "admin", "rank": 2, "permissions": ["things:read", "things:write"]},
                      {"name": "viewer", "rank": 1, "permissions": ["things:read"]}],
            "plans": [{"key": "basic", "name": "Basic", "seats": 3, "trial_days": 0,
                       "features": ["core"]}]}


# (label, method, path, body, expected, prepare) — as in test_workspace_authz.MATRIX
MATRIX = [
    ("GET products", "GET", P, None, ws(200, 200, 200, 200), None),
    ("POST product", "POST", P,
     lambda w, p: {"product_type": "manage", "name": "Made by caller",
                   "shortname": unique_product_shortname("m"), "plan": "enterprise"},
     ws(201, 201, 403, 403), None),
    ("GET product", "GET", P + "/{w[PRD]}", None, ws(200, 200, 200, 200), None),
    ("GET product by SHORTNAME", "GET", P + "/{w[PRD_SHORT]}", None, ws(200, 200, 200, 200),
     None),
    ("PATCH product name", "PATCH", P + "/{w[PRD]}", {"name": "Renamed"},
     ws(200, 200, 403, 403), None),
    ("DELETE product", "DELETE", P + "/{p}", None, ws(204, 204, 403, 403),
     lambda t, w: t.fresh_product()),
    ("GET subscription", "GET", P + "/{w[PRD]}/subscription", None, ws(200, 200, 200, 403),
     None),
    ("PUT subscription", "PUT", P + "/{w[PRD]}/subscription", {"plan": "enterprise"},
     ws(200, 403, 200, 403), None),
    ("GET config", "GET", P + "/{w[PRD]}/config", None, ws(200, 200, 200, 200), None),
    ("PUT config", "PUT", P + "/{w[PRD]}/config", {"config": {"by": "caller"}},
     ws(200, 200, 403, 403), None),
    ("PUT config, invalid body", "PUT", P + "/{w[PRD]}/config", {"config": [1]},
     ws(400, 400, 403, 403), None),
    # callback signing secrets (docs/api.md "Callback signing secrets")
    ("POST signing-secrets", "POST", P + "/{p}/signing-secrets", {"label": "By caller"},
     ws(201, 201, 403, 403), lambda t, w: t.fresh_product()),
    ("GET signing-secrets", "GET", P + "/{w[PRD]}/signing-secrets", None,
     ws(200, 200, 403, 403), None),
    ("POST signing-secrets/{id}/roll", "POST", P + "/{p}/roll", {"grace_seconds": 60},
     ws(201, 201, 403, 403), lambda t, w: t.fresh_signing_secret()),
    ("DELETE signing-secrets/{id}", "DELETE", P + "/{p}", None,
     ws(204, 204, 403, 403), lambda t, w: t.fresh_signing_secret()),
    ("POST signing-secrets, invalid body", "POST", P + "/{w[PRD]}/signing-secrets",
     {"label": 5}, ws(400, 400, 403, 403), None),
    ("POST signing-secrets/{id}/roll, invalid body", "POST", P + "/{p}/roll",
     {"grace_seconds": -1}, ws(400, 400, 403, 403), lambda t, w: t.fresh_signing_secret()),
    ("POST subscription/cancel", "POST", P + "/{p}/subscription/cancel", None,
     ws(200, 403, 200, 403), lambda t, w: t.fresh_product()),
    ("POST subscription/resume", "POST", P + "/{p}/subscription/resume", None,
     ws(200, 403, 200, 403), lambda t, w: t.fresh_cancelling_product()),
    ("GET grants", "GET", P + "/{w[PRD]}/grants", None, ws(200, 200, 200, 200), None),
    ("PUT grant", "PUT", P + "/{w[PRD]}/grants",
     lambda w, p: {"principal": {"type": "account", "id": w["MEMBER_ID"]}, "role": "viewer"},
     ws(200, 200, 403, 403), None),
    ("PUT group grant", "PUT", P + "/{w[PRD]}/grants",
     lambda w, p: {"principal": {"type": "group", "id": w["GRP"]}, "role": "editor"},
     ws(200, 200, 403, 403), None),
    ("DELETE grant", "DELETE", P + "/{w[PRD]}/grants/account/{p}", None,
     ws(204, 204, 403, 403), lambda t, w: t.ensure_grant()),
    ("POST group", "POST", G, lambda w, p: {"name": f"Group {secrets.token_hex(4)}"},
     ws(201, 201, 403, 403), None),
    ("GET groups", "GET", G, None, ws(200, 200, 200, 200), None),
    ("GET group", "GET", G + "/{w[GRP]}", None, ws(200, 200, 200, 200), None),
    ("PATCH group", "PATCH", G + "/{w[GRP]}", {"description": "x"}, ws(200, 200, 403, 403),
     None),
    ("DELETE group", "DELETE", G + "/{p}", None, ws(204, 204, 403, 403),
     lambda t, w: t.fresh_group()),
    ("PUT group member", "PUT", G + "/{w[GRP]}/members/{p}", None, ws(204, 204, 403, 403),
     lambda t, w: t.ensure_not_in_group()),
    ("DELETE group member", "DELETE", G + "/{w[GRP]}/members/{p}", None,
     ws(204, 204, 403, 403), lambda t, w: t.ensure_in_group()),
    # the access review: Owners and Admins (docs/api.md "Access review")
    ("GET access-review", "GET", R, None, ws(200, 200, 403, 403), None),
    ("GET access-review csv", "GET", R + "?format=csv", None, ws(200, 200, 403, 403), None),
    ("GET access-review ndjson", "GET", R + "?format=ndjson&limit=2", None,
     ws(200, 200, 403, 403), None),
    # invalid input: authorisation comes first, so only callers allowed to act see the 400
    ("GET access-review, bad cursor", "GET", R + "?cursor=nope", None,
     ws((400, "validation.query"), (400, "validation.query"), 403, 403), None),
    ("GET access-review, bad limit", "GET", R + "?limit=0", None, ws(400, 400, 403, 403), None),
    ("GET access-review, bad format", "GET", R + "?format=xml", None, ws(400, 400, 403, 403),
     None),
    ("POST product, invalid body", "POST", P, {"product_type": 5}, ws(400, 400, 403, 403), None),
    ("PATCH product, invalid body", "PATCH", P + "/{w[PRD]}", {"name": 5},
     ws(400, 400, 403, 403), None),
    ("PUT subscription, invalid body", "PUT", P + "/{w[PRD]}/subscription", {"plan": 5},
     ws(400, 403, 400, 403), None),
    ("PUT grant, invalid body", "PUT", P + "/{w[PRD]}/grants", {"principal": "x"},
     ws(400, 400, 403, 403), None),
    ("DELETE grant, invalid principal type", "DELETE", P + "/{w[PRD]}/grants/robot/x", None,
     ws(400, 400, 403, 403), None),
    ("POST group, invalid body", "POST", G, {"name": 5}, ws(400, 400, 403, 403), None),
    ("PATCH group, invalid body", "PATCH", G + "/{w[GRP]}", {"description": 5},
     ws(400, 400, 403, 403), None),
    ("POST admin/product-types, invalid body", "POST", "/api/v1/admin/product-types",
     {"key": 5}, platform(400), None),
    ("POST admin/service-clients, invalid body", "POST", "/api/v1/admin/service-clients",
     ("raw", b"{not json", "application/json"), platform(400), None),
    ("GET product-types", "GET", "/api/v1/product-types", None, anyone_signed_in(200), None),
    ("GET admin/product-types", "GET", "/api/v1/admin/product-types", None, platform(200),
     None),
    ("POST admin/product-types", "POST", "/api/v1/admin/product-types", product_type_body,
     platform(201), None),
    ("PATCH admin/product-types/{id}", "PATCH", "/api/v1/admin/product-types/{p}",
     {"name": "Renamed type"}, platform(200), lambda t, w: t.fresh_product_type()),
    ("PUT admin/product-types/{id}/roles/{role}", "PUT",
     "/api/v1/admin/product-types/{p}/roles/auditor", {"rank": 1, "permissions": ["things:read"]},
     platform(200), lambda t, w: t.fresh_product_type()),
    ("PUT admin/product-types/{id}/plans/{plan}", "PUT",
     "/api/v1/admin/product-types/{p}/plans/basic", {"name": "Basic", "seats": 9},
     platform(200), lambda t, w: t.fresh_product_type()),
    ("PATCH admin/product-types/{id}, invalid body", "PATCH", "/api/v1/admin/product-types/{p}",
     {"retired": "yes"}, platform(400), lambda t, w: t.fresh_product_type()),
    ("GET admin/service-clients", "GET", "/api/v1/admin/service-clients", None, platform(200),
     None),
    ("POST admin/service-clients", "POST", "/api/v1/admin/service-clients",
     lambda w, p: {"product_type": "submit", "name": "Caller's client"}, platform(201), None),
    ("DELETE admin/service-clients/{id}", "DELETE", "/api/v1/admin/service-clients/{p}", None,
     platform(204), lambda t, w: t.fresh_service_client()),
    ("PATCH admin/service-clients/{id}", "PATCH", "/api/v1/admin/service-clients/{p}",
     lambda w, p: {"redirect_uris": ["https://caller.example/cb"]}, platform(200),
     lambda t, w: t.fresh_service_client()),
]

# Endpoints under /api/v1/workspaces/{ws} for the "learns nothing" comparison
WS_ENDPOINTS = [
    ("GET", "/products", None),
    ("POST", "/products", {"product_type": "manage", "name": "N", "shortname": "nn"}),
    ("GET", "/products/{prd}", None),
    ("PATCH", "/products/{prd}", {"name": "x"}),
    ("DELETE", "/products/{prd}", None),
    ("GET", "/products/{prd}/subscription", None),
    ("PUT", "/products/{prd}/subscription", {"plan": "standard"}),
    ("GET", "/products/{prd}/config", None),
    ("PUT", "/products/{prd}/config", {"config": {}}),
    ("GET", "/products/{prd}/signing-secrets", None),
    ("POST", "/products/{prd}/signing-secrets", {}),
    ("POST", "/products/{prd}/subscription/cancel", None),
    ("POST", "/products/{prd}/subscription/resume", None),
    ("GET", "/products/{prd}/grants", None),
    ("PUT", "/products/{prd}/grants",
     {"principal": {"type": "account", "id": "{member}"}, "role": "viewer"}),
    ("DELETE", "/products/{prd}/grants/account/{member}", None),
    ("POST", "/groups", {"name": "Someone's group"}),
    ("GET", "/groups", None),
    ("GET", "/groups/{grp}", None),
    ("PATCH", "/groups/{grp}", {"description": "x"}),
    ("DELETE", "/groups/{grp}", None),
    ("PUT", "/groups/{grp}/members/{member}", None),
    ("DELETE", "/groups/{grp}/members/{member}", None),
    ("GET", "/access-review", None),
    ("GET", "/access-review?format=csv&limit=0", None),
]


def scramble(real_id):
    prefix, suffix = real_id.split("_", 1)
    fake = prefix + "_" + "".join(random.sample(suffix, len(suffix)))
    return fake if fake != real_id else prefix + "_" + suffix[::-1]


class ProductsAuthzTest(ProductFlows, WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    _world = None

    # ----------------------------------------------------------------- fixtures
    def world(self):
        cls = type(self)
        if cls._world is not None:
            return cls._world
        w = {}
        owner = self.create_account(name="Olga Owner", prefix="owner")
        a = self.create_workspace(owner.client, name="Workspace A")
        w["A"], w["owner"] = a["id"], owner
        w["admin"] = self.member_account(owner.client, a["id"], "admin")
        w["member"] = self.member_account(owner.client, a["id"], "member")
        w["billing"] = self.member_account(owner.client, a["id"], "billing")
        w["disabled"] = self.member_account(owner.client, a["id"], "member", prefix="disabled")
        w["MEMBER_ID"] = w["member"].id
        prd = self.create_product(owner.client, a["id"], "manage", plan="enterprise",
                                  name="Main product")
        w["PRD"], w["PRD_SHORT"] = prd["id"], prd["shortname"].upper()
        w["GRP"] = self.create_group(owner.client, a["id"], name="Main group")["id"]
        other = self.create_account(name="Bob Other", prefix="ownerb")
        b = self.create_workspace(other.client, name="Workspace B")
        w["B"], w["other"] = b["id"], other
        w["B_PRD"] = self.create_product(other.client, b["id"], "manage")["id"]
        sa_id, _, _, sa_client = self.make_super_admin()
        w["super"] = sa_client
        disabled = w["disabled"]
        r = sa_client.patch(f"/api/v1/admin/accounts/{disabled.id}", {"disabled": True})
        self.assertEqual(r.status, 200, r)
        self.assertProblem(disabled.client.get("/api/v1/me"), 401)
        w["clients"] = {
            "anonymous": self.client(mode="none"),
            "member": w["member"].client,
            "billing": w["billing"].client,
            "admin": w["admin"].client,
            "owner": owner.client,
            "owner_of_other_workspace": other.client,
            "super_admin": sa_client,
            "disabled_account": disabled.client,
        }
        cls._world = w
        return w

    def fresh_product(self):
        w = self.world()
        return self.create_product(w["owner"].client, w["A"], "submit", plan="enterprise",
                                   name="Throw-away")["id"]

    def fresh_signing_secret(self):
        """A throw-away product with an active signing secret: "<product>/signing-secrets/<id>"."""
        w = self.world()
        prd = self.fresh_product()
        r = w["owner"].client.post(f"/api/v1/workspaces/{w['A']}/products/{prd}/signing-secrets",
                                   {})
        self.assertEqual(r.status, 201, r)
        self.vault.remember_secret(r.json["secret"])
        return f"{prd}/signing-secrets/{r.json['id']}"

    def fresh_cancelling_product(self):
        w = self.world()
        pid = self.fresh_product()
        r = w["owner"].client.post(f"/api/v1/workspaces/{w['A']}/products/{pid}/subscription/cancel")
        self.assertEqual(r.status, 200, r)
        return pid

    def fresh_product_type(self):
        r = self.world()["super"].post("/api/v1/admin/product-types", product_type_body(None, None))
        self.assertEqual(r.status, 201, r)
        return r.json["id"]

    def fresh_group(self):
        w = self.world()
        return self.create_group(w["owner"].client, w["A"])["id"]

    def fresh_service_client(self):
        cid, _ = self.service_client(self.world()["super"], "submit", "Throw-away")
        return cid

    def ensure_grant(self):
        w = self.world()
        self.grant(w["owner"].client, w["A"], w["PRD"], w["MEMBER_ID"], "viewer")
        return w["MEMBER_ID"]

    def group_members(self):
        w = self.world()
        r = w["owner"].client.get(f"/api/v1/workspaces/{w['A']}/groups/{w['GRP']}")
        self.assertEqual(r.status, 200, r)
        return r.json["member_ids"]

    def ensure_in_group(self):
        w = self.world()
        if w["MEMBER_ID"] not in self.group_members():
            self.add_to_group(w["owner"].client, w["A"], w["GRP"], w["MEMBER_ID"])
        return w["MEMBER_ID"]

    def ensure_not_in_group(self):
        w = self.world()
        if w["MEMBER_ID"] in self.group_members():
            self.remove_from_group(w["owner"].client, w["A"], w["GRP"], w["MEMBER_ID"])
        return w["MEMBER_ID"]

    @staticmethod
    def send(client, method, path, body):
        return client.request(method, path, json_body=body)

    # -------------------------------------------------------------------- tests
    def test_capability_matrix(self):
        w = self.world()
        run_matrix(self, w, MATRIX, CALLERS, SHORT)

        # nothing the refused callers sent took effect
        owner = w["owner"].client
        r = owner.get(f"/api/v1/workspaces/{w['A']}/products")
        makers = [p for p in r.json["items"] if p["name"] == "Made by caller"]
        self.assertEqual(len(makers), 2, makers)          # Owner's and Admin's
        r = owner.get(f"/api/v1/workspaces/{w['A']}/products/{w['PRD']}")
        self.assertEqual(r.json["name"], "Renamed", r)
        r = w["other"].client.get(f"/api/v1/workspaces/{w['B']}/products/{w['B_PRD']}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["name"], "Jobs", r)
        r = w["super"].get("/api/v1/admin/service-clients")
        names = [c["name"] for c in r.json["items"]]
        self.assertEqual(names.count("Caller's client"), 1, names)
        # cookie-authenticated changes still need the CSRF header
        r = owner.request("PATCH", f"/api/v1/workspaces/{w['A']}/products/{w['PRD']}",
                          json_body={"name": "No CSRF"}, csrf=False)
        self.assertProblem(r, 403, "csrf.failed")
        self.healthy()

    def test_non_member_learns_nothing(self):
        w = self.world()
        real = {"ws": w["A"], "prd": w["PRD"], "grp": w["GRP"], "member": w["MEMBER_ID"]}
        fake = {"ws": scramble(w["A"]), "prd": scramble(w["PRD"]), "grp": scramble(w["GRP"]),
                "member": scramble(w["MEMBER_ID"])}
        ignored_headers = {"date", "x-request-id", "content-length"}

        def render(template, ids):
            if isinstance(template, dict):
                return {k: render(v, ids) for k, v in template.items()}
            if isinstance(template, str):
                return template.format(**ids)
            return template
        for who in ("owner_of_other_workspace", "super_admin"):
            client = w["clients"][who]
            for method, suffix, body in WS_ENDPOINTS:
                with self.subTest(who=who, method=method, path=suffix):
                    r_real = self.send(client, method, f"/api/v1/workspaces/{real['ws']}"
                                       + suffix.format(**real), render(body, real))
                    r_fake = self.send(client, method, f"/api/v1/workspaces/{fake['ws']}"
                                       + suffix.format(**fake), render(body, fake))
                    self.assertProblem(r_real, 404, "workspace.not_found")
                    self.assertEqual(r_real.status, r_fake.status, (r_real, r_fake))
                    self.assertEqual(without_request_id(r_real.body),
                                     without_request_id(r_fake.body))
                    h_real = sorted((k.lower(), v) for k, v in r_real.headers.items()
                                    if k.lower() not in ignored_headers)
                    h_fake = sorted((k.lower(), v) for k, v in r_fake.headers.items()
                                    if k.lower() not in ignored_headers)
                    self.assertEqual(h_real, h_fake)
        # B's Owner reaching A's product and group through B's own workspace: not found either
        other = w["clients"]["owner_of_other_workspace"]
        B = w["B"]
        for method, path, body in (
                ("GET", f"/products/{w['PRD']}", None),
                ("GET", f"/products/{w['PRD']}/grants", None),
                ("PUT", f"/products/{w['PRD']}/subscription", {"plan": "standard"}),
                ("PUT", f"/products/{w['PRD']}/grants",
                 {"principal": {"type": "account", "id": w["other"].id}, "role": "admin"}),
                ("PUT", f"/products/{w['B_PRD']}/grants",
                 {"principal": {"type": "group", "id": w["GRP"]}, "role": "admin"}),
                ("PUT", f"/products/{w['B_PRD']}/grants",
                 {"principal": {"type": "account", "id": w["MEMBER_ID"]}, "role": "admin"}),
                ("GET", f"/groups/{w['GRP']}", None),
                ("DELETE", f"/groups/{w['GRP']}", None)):
            with self.subTest(cross=f"{method} {path}"):
                r = self.send(other, method, f"/api/v1/workspaces/{B}{path}", body)
                self.assertIn(r.status, (404,), r)
        r = other.get(f"/api/v1/workspaces/{B}/products")
        self.assertNotIn(w["PRD"].encode(), r.body)


if __name__ == "__main__":
    main()
