"""Helpers for the product, group, grant, subscription and access-API integration tests
(stdlib only): test_products, test_access_api, test_products_authz.

ProductFlows is a mixin for a VaultTestCase that also mixes in ws_helpers.WorkspaceFlows:
create products and groups, grant roles, issue a service client (as a Super Admin) and ask the
product-facing access API with HTTP Basic client credentials.
"""

import base64
import datetime
import secrets

SEED_ROLES = {  # migrations/sqlite/0004_products.sql, role → permissions, per product type
    "manage": {
        "admin": ["jobs:read", "jobs:create", "jobs:update", "jobs:delete", "clients:read",
                  "clients:write", "settings:manage"],
        "editor": ["jobs:read", "jobs:create", "jobs:update", "clients:read", "clients:write"],
        "viewer": ["jobs:read", "clients:read"],
    },
    "submit": {
        "admin": ["submissions:read", "submissions:create", "submissions:update",
                  "submissions:delete", "files:read", "files:write", "settings:manage"],
        "editor": ["submissions:read", "submissions:create", "submissions:update", "files:read",
                   "files:write"],
        "viewer": ["submissions:read", "files:read"],
    },
}
TRIAL_SECONDS = 14 * 24 * 3600
PRODUCT_COLUMNS = {"name", "product_type", "shortname", "subscription", "status", "users",
                   "my_role", "created_at"}


def basic(user, password):
    raw = f"{user}:{password}".encode("utf-8")
    return "Basic " + base64.b64encode(raw).decode("ascii")


def parse_time(text):
    """RFC 3339 UTC ("...Z") → unix seconds."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def unique_product_shortname(prefix="p"):
    return f"{prefix}-{secrets.token_hex(4)}"


class ProductFlows:
    """Mixin: needs self.vault, self.client, self.assertEqual (a VaultTestCase)."""

    def create_product(self, client, ws, product_type="manage", plan=None, name="Jobs",
                       shortname=None, expect=201):
        body = {"product_type": product_type, "name": name,
                "shortname": shortname or unique_product_shortname(product_type)}
        if plan is not None:
            body["plan"] = plan
        r = client.post(f"/api/v1/workspaces/{ws}/products", body)
        self.assertEqual(r.status, expect, r)
        return r.json

    def grant(self, client, ws, product, principal_id, role, principal_type="account",
              expect=200):
        r = client.request("PUT", f"/api/v1/workspaces/{ws}/products/{product}/grants",
                           json_body={"principal": {"type": principal_type, "id": principal_id},
                                      "role": role})
        self.assertEqual(r.status, expect, r)
        return r

    def ungrant(self, client, ws, product, principal_id, principal_type="account", expect=204):
        r = client.delete(f"/api/v1/workspaces/{ws}/products/{product}/grants/"
                          f"{principal_type}/{principal_id}")
        self.assertEqual(r.status, expect, r)
        return r

    def create_group(self, client, ws, name=None, description="", expect=201):
        r = client.post(f"/api/v1/workspaces/{ws}/groups",
                        {"name": name or f"Group {secrets.token_hex(3)}",
                         "description": description})
        self.assertEqual(r.status, expect, r)
        return r.json

    def add_to_group(self, client, ws, group, account_id, expect=204):
        r = client.request("PUT", f"/api/v1/workspaces/{ws}/groups/{group}/members/{account_id}")
        self.assertEqual(r.status, expect, r)
        return r

    def remove_from_group(self, client, ws, group, account_id, expect=204):
        r = client.delete(f"/api/v1/workspaces/{ws}/groups/{group}/members/{account_id}")
        self.assertEqual(r.status, expect, r)
        return r

    def products_by_id(self, client, ws):
        r = client.get(f"/api/v1/workspaces/{ws}/products")
        self.assertEqual(r.status, 200, r)
        return {p["id"]: p for p in r.json["items"]}

    def service_client(self, sa_client, product_type="submit", name="Submit back end"):
        """A Super Admin issues a service client; returns (client_id, client_secret)."""
        r = sa_client.post("/api/v1/admin/service-clients",
                           {"product_type": product_type, "name": name})
        self.assertEqual(r.status, 201, r)
        secret = r.json["client_secret"]
        self.vault.remember_secret(secret)
        return r.json["client_id"], secret

    def access(self, creds, body, path="/api/v1/access/check", auth_header=None, raw=None,
               server=None):
        """POSTs to the access API with HTTP Basic client credentials (creds = (id, secret))."""
        headers = {}
        if auth_header is not None:
            headers["Authorization"] = auth_header
        elif creds is not None:
            headers["Authorization"] = basic(*creds)
        c = self.client(mode="none", server=server)
        if raw is not None:
            return c.raw("POST", path, raw, headers=headers)
        return c.post(path, body, headers=headers)

    def check(self, creds, account_id, product_id, permission=None, server=None):
        """Single access check; asserts 200 and returns the decision."""
        body = {"account_id": account_id, "product_id": product_id}
        if permission is not None:
            body["permission"] = permission
        r = self.access(creds, body, server=server)
        self.assertEqual(r.status, 200, r)
        return r.json

    def reason(self, creds, account_id, product_id, permission=None, server=None):
        d = self.check(creds, account_id, product_id, permission, server)
        return d["reason"], d["role"]
