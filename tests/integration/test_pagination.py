#!/usr/bin/python3
"""Keyset paging of every list (issue 19; docs/api.md "Paging"), black-box against the real server:

  * members, invitations, products, groups, a product's grants, /me/sessions, and the admin
    lists of product types and service clients are walked page by page with small limits while
    another thread inserts rows of the same list between the pages: every row that existed
    before the walk appears exactly once, no row repeats, and rows come in the documented order;
  * without `limit` the answer is the first 100 rows with `next_cursor` (old clients keep working);
  * a bad `limit` or `cursor` → 400 `validation.query` naming the field;
  * a cursor of another list, another workspace or another product → 400, never rows of it.
"""

import base64
import os
import secrets
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main  # noqa: E402
from product_helpers import ProductFlows, unique_product_shortname  # noqa: E402
from ws_helpers import WorkspaceFlows, unique_email  # noqa: E402


def product_type_body():
    return {"key": unique_product_shortname("pt"), "name": "Paging Type",
            "api_permissions": ["things:read"],
            "roles": [{"name": "boss", "rank": 1, "permissions": ["things:read"]}],
            "plans": [{"key": "basic", "name": "Basic", "seats": 0, "trial_days": 0,
                       "features": []}]}


class PaginationTest(ProductFlows, WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    def world(self):
        return self.once("world", self._make_world)

    def _make_world(self):
        w = {}
        _, _, _, w["sa"] = self.make_super_admin()
        owner = w["owner"] = self.create_account(name="Olga Owner", prefix="owner")
        oc = owner.client
        A = w["A"] = self.create_workspace(oc, name="Paging Inc")["id"]
        B = w["B"] = self.create_workspace(oc, name="Other Inc")["id"]
        for i in range(7):
            self.member_account(oc, A, "member", prefix=f"m{i}")
        w["P"] = self.create_product(oc, A, "submit", plan="enterprise", name="Granted")["id"]
        w["PB"] = self.create_product(oc, B, "submit", plan="enterprise", name="Other")["id"]
        return w

    # ------------------------------------------------------------------ helpers
    def walk(self, client, path, key, limit, between=None):
        """Every page of `path` with `limit`; between(n) runs (on another thread) after page n
        and before page n+1. Returns the keys of the rows in the order received."""
        seen, cursor, pages = [], None, 0
        while True:
            sep = "&" if "?" in path else "?"
            url = f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
            r = client.get(url)
            self.assertEqual(r.status, 200, r)
            self.assertIn("next_cursor", r.json, r)
            self.assertLessEqual(len(r.json["items"]), limit, r)
            seen += [key(item) for item in r.json["items"]]
            pages += 1
            self.assertLess(pages, 500, "the walk does not end")
            cursor = r.json["next_cursor"]
            if cursor is None:
                return seen
            self.assertEqual(len(r.json["items"]), limit, "a short page before the last")
            if between is not None:
                t = threading.Thread(target=between, args=(pages,))
                t.start()
                t.join()   # the insert commits while the walk is between two pages

    def check_walk(self, client, path, key, insert, limit=2, inserts=3):
        """Walks path while inserting; asserts every earlier row once, no repeats, same order
        as one whole-list read taken afterwards."""
        before = self.walk(client, path, key, 1000)
        self.assertGreater(len(before), 2 * limit, f"{path}: too few rows to page")
        inserted = []

        def between(n):
            if n <= inserts:
                inserted.append(insert(n))
        seen = self.walk(client, path, key, limit, between)
        self.assertEqual(len(inserted), inserts, f"{path}: inserts did not happen mid-walk")
        self.assertEqual(len(seen), len(set(seen)), f"{path}: a row repeats: {seen}")
        missing = set(before) - set(seen)
        self.assertFalse(missing, f"{path}: rows that existed before the walk are missing")
        after = self.walk(client, path, key, 1000)
        self.assertEqual(set(after), set(before) | set(inserted), path)
        # the walk saw the rows in the list's own order
        self.assertEqual(seen, [k for k in after if k in set(seen)], f"{path}: order differs")
        return before, seen

    # -------------------------------------------------------------------- lists
    def test_members(self):
        w = self.world()
        oc, A = w["owner"].client, w["A"]
        # the joiners are signed up and invited first; joining is one accept
        joiners = []
        for i in range(4):
            acc = self.create_account(prefix=f"joiner{i}")
            _, token = self.invite(oc, A, acc.email)
            joiners.append((acc, token))

        def insert(n):
            acc, token = joiners[n - 1]
            r = acc.client.post("/api/v1/invitations/accept", {"token": token})
            self.assertEqual(r.status, 200, r)
            return acc.id
        self.check_walk(oc, f"/api/v1/workspaces/{A}/members", lambda m: m["account_id"], insert)
        r = oc.get(f"/api/v1/workspaces/{A}/members?limit=1000")
        emails = [m["email"].lower() for m in r.json["items"]]
        self.assertEqual(emails, sorted(emails), "members are ordered by email")

    def test_invitations(self):
        w = self.world()
        oc, A = w["owner"].client, w["A"]
        for _ in range(8):
            r = oc.post(f"/api/v1/workspaces/{A}/invitations", {"email": unique_email("inv")})
            self.assertEqual(r.status, 201, r)

        def insert(_):
            r = oc.post(f"/api/v1/workspaces/{A}/invitations", {"email": unique_email("inv")})
            self.assertEqual(r.status, 201, r)
            return r.json["id"]
        self.check_walk(oc, f"/api/v1/workspaces/{A}/invitations", lambda i: i["id"], insert)
        r = oc.get(f"/api/v1/workspaces/{A}/invitations?limit=1000")
        times = [i["created_at"] for i in r.json["items"]]
        self.assertEqual(times, sorted(times, reverse=True), "invitations are newest first")

    def test_products(self):
        w = self.world()
        oc, A = w["owner"].client, w["A"]
        for i in range(8):
            self.create_product(oc, A, "submit", plan="enterprise", name=f"Product {i:02d}")

        def insert(n):
            # names sorting before and after the walk's position
            name = ("A" if n % 2 else "Z") + f" inserted {secrets.token_hex(2)}"
            return self.create_product(oc, A, "submit", plan="enterprise", name=name)["id"]
        self.check_walk(oc, f"/api/v1/workspaces/{A}/products", lambda p: p["id"], insert)

    def test_groups(self):
        w = self.world()
        oc, A = w["owner"].client, w["A"]
        for i in range(8):
            self.create_group(oc, A, name=f"Group {i:02d}")

        def insert(n):
            name = ("a" if n % 2 else "z") + f" inserted {secrets.token_hex(2)}"
            return self.create_group(oc, A, name=name)["id"]
        self.check_walk(oc, f"/api/v1/workspaces/{A}/groups", lambda g: g["id"], insert)
        r = oc.get(f"/api/v1/workspaces/{A}/groups?limit=1000")
        names = [g["name"].lower() for g in r.json["items"]]
        self.assertEqual(names, sorted(names), "groups are ordered by name, ignoring case")

    def test_grants(self):
        w = self.world()
        oc, A, P = w["owner"].client, w["A"], w["P"]
        members = oc.get(f"/api/v1/workspaces/{A}/members?limit=1000").json["items"]
        for m in members[:4]:
            self.grant(oc, A, P, m["account_id"], "viewer")
        for _ in range(4):
            self.grant(oc, A, P, self.create_group(oc, A)["id"], "viewer", principal_type="group")

        def insert(_):
            g = self.create_group(oc, A)["id"]
            self.grant(oc, A, P, g, "editor", principal_type="group")
            return ("group", g)
        key = lambda g: (g["principal"]["type"], g["principal"]["id"])  # noqa: E731
        self.check_walk(oc, f"/api/v1/workspaces/{A}/products/{P}/grants", key, insert)
        r = oc.get(f"/api/v1/workspaces/{A}/products/{P}/grants?limit=1000")
        keys = [key(g) for g in r.json["items"]]
        self.assertEqual(keys, sorted(keys), "grants: accounts first, then by principal id")

    def test_sessions(self):
        acc = self.create_account(prefix="sessions")
        for _ in range(7):
            self.sign_in(acc.email, acc.password)

        def insert(_):
            c = self.sign_in(acc.email, acc.password)
            return c.get("/api/v1/sessions/current").json["id"]
        self.check_walk(acc.client, "/api/v1/me/sessions", lambda s: s["id"], insert)
        # across the pages, exactly one session is the caller's own
        current = 0
        cursor = None
        while True:
            r = acc.client.get("/api/v1/me/sessions?limit=2" + (f"&cursor={cursor}" if cursor
                                                                  else ""))
            current += sum(1 for s in r.json["items"] if s["current"])
            cursor = r.json["next_cursor"]
            if cursor is None:
                break
        self.assertEqual(current, 1)

    def test_admin_product_types(self):
        sa = self.world()["sa"]
        for _ in range(5):
            r = sa.post("/api/v1/admin/product-types", product_type_body())
            self.assertEqual(r.status, 201, r)

        def insert(_):
            r = sa.post("/api/v1/admin/product-types", product_type_body())
            self.assertEqual(r.status, 201, r)
            return r.json["id"]
        self.check_walk(sa, "/api/v1/admin/product-types", lambda t: t["id"], insert)
        # the same list for every signed-in account
        owner = self.world()["owner"].client
        self.check_walk(owner, "/api/v1/product-types", lambda t: t["id"], insert, inserts=2)

    def test_admin_service_clients(self):
        sa = self.world()["sa"]
        for i in range(7):
            self.service_client(sa, "submit", f"Client {i}")

        def insert(n):
            return self.service_client(sa, "manage", f"Inserted {n}")[0]
        self.check_walk(sa, "/api/v1/admin/service-clients", lambda c: c["client_id"], insert)

    # ------------------------------------------------------------ the contract
    def test_default_page_is_100_with_next_cursor(self):
        w = self.world()
        oc, A = w["owner"].client, w["A"]
        for i in range(101 - len(oc.get(f"/api/v1/workspaces/{A}/groups?limit=1000")
                                 .json["items"])):
            self.create_group(oc, A, name=f"Bulk {i:03d} {secrets.token_hex(2)}")
        r = oc.get(f"/api/v1/workspaces/{A}/groups")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json["items"]), 100)
        self.assertIsInstance(r.json["next_cursor"], str)
        r2 = oc.get(f"/api/v1/workspaces/{A}/groups?cursor={r.json['next_cursor']}")
        self.assertEqual(r2.status, 200, r2)
        self.assertGreaterEqual(len(r2.json["items"]), 1)
        ids = [g["id"] for g in r.json["items"] + r2.json["items"]]
        self.assertEqual(len(ids), len(set(ids)))

    def lists(self):
        w = self.world()
        A, B, P, PB = w["A"], w["B"], w["P"], w["PB"]
        ws = "/api/v1/workspaces"
        return {
            "members": (f"{ws}/{A}/members", f"{ws}/{B}/members"),
            "invitations": (f"{ws}/{A}/invitations", f"{ws}/{B}/invitations"),
            "products": (f"{ws}/{A}/products", f"{ws}/{B}/products"),
            "groups": (f"{ws}/{A}/groups", f"{ws}/{B}/groups"),
            "grants": (f"{ws}/{A}/products/{P}/grants", f"{ws}/{B}/products/{PB}/grants"),
        }

    def ensure_rows(self):
        """At least two rows in every list of both workspaces, so each has a next_cursor."""
        w = self.world()
        oc = w["owner"].client
        for ws, p in ((w["A"], w["P"]), (w["B"], w["PB"])):
            for _ in range(2):
                self.create_group(oc, ws)
                g = self.create_group(oc, ws)["id"]
                self.grant(oc, ws, p, g, "viewer", principal_type="group")
                self.create_product(oc, ws, "submit", plan="enterprise")
                r = oc.post(f"{'/api/v1/workspaces'}/{ws}/invitations",
                            {"email": unique_email("inv")})
                self.assertEqual(r.status, 201, r)
            if len(oc.get(f"/api/v1/workspaces/{ws}/members").json["items"]) < 2:
                self.member_account(oc, ws, "member")

    def first_cursor(self, client, path):
        r = client.get(f"{path}?limit=1")
        self.assertEqual(r.status, 200, r)
        self.assertIsInstance(r.json["next_cursor"], str, r)
        return r.json["next_cursor"]

    def test_bad_limit_and_cursor(self):
        w = self.world()
        self.ensure_rows()
        oc = w["owner"].client
        paths = [a for a, _ in self.lists().values()] + ["/api/v1/me/sessions",
                                                          "/api/v1/product-types"]
        for path in paths:
            for limit in ("0", "-1", "1001", "abc", "", "1.5", "10x"):
                with self.subTest(path=path, limit=limit):
                    self.assertProblem(oc.get(f"{path}?limit={limit}"), 400, "validation.query",
                                       field="limit")
            made_up = base64.urlsafe_b64encode(b"groups\nws_x\ngrp_x\nkey").decode().rstrip("=")
            for cursor in ("x", "!!!", "AAAA", made_up, "a" * 3000, "%C3%28"):
                with self.subTest(path=path, cursor=cursor[:20]):
                    r = oc.get(f"{path}?cursor={cursor}")
                    self.assertNot5xx(r)
                    self.assertProblem(r, 400, "validation.query", field="cursor")
        sa = w["sa"]
        for path in ("/api/v1/admin/product-types", "/api/v1/admin/service-clients"):
            self.assertProblem(sa.get(f"{path}?limit=0"), 400, "validation.query", field="limit")
            self.assertProblem(sa.get(f"{path}?cursor=zz"), 400, "validation.query",
                               field="cursor")

    def test_cursor_of_another_list_or_workspace_is_refused(self):
        w = self.world()
        self.ensure_rows()
        oc = w["owner"].client
        lists = self.lists()
        cursors = {name: (self.first_cursor(oc, a), self.first_cursor(oc, b))
                   for name, (a, b) in lists.items()}
        for name, (a, b) in lists.items():
            cur_a, cur_b = cursors[name]
            with self.subTest(list=name, case="own cursor works"):
                r = oc.get(f"{a}?limit=1&cursor={cur_a}")
                self.assertEqual(r.status, 200, r)
            with self.subTest(list=name, case="the other workspace's cursor"):
                self.assertProblem(oc.get(f"{a}?cursor={cur_b}"), 400, "validation.query",
                                   field="cursor")
            for other, (oa, _) in cursors.items():
                if other == name:
                    continue
                with self.subTest(list=name, case=f"cursor of {other}"):
                    self.assertProblem(oc.get(f"{a}?cursor={oa}"), 400, "validation.query",
                                       field="cursor")
        # sessions: another account's cursor
        other = self.create_account(prefix="other")
        self.sign_in(other.email, other.password)
        mine = self.first_cursor(oc, "/api/v1/me/sessions") if len(
            oc.get("/api/v1/me/sessions").json["items"]) > 1 else None
        theirs = self.first_cursor(other.client, "/api/v1/me/sessions")
        self.assertProblem(oc.get(f"/api/v1/me/sessions?cursor={theirs}"), 400,
                           "validation.query", field="cursor")
        if mine:
            self.assertProblem(other.client.get(f"/api/v1/me/sessions?cursor={mine}"), 400,
                               "validation.query", field="cursor")
        # an admin list's cursor on the other admin list
        sa = w["sa"]
        self.service_client(sa, "submit", "One")
        self.service_client(sa, "submit", "Two")
        sc = self.first_cursor(sa, "/api/v1/admin/service-clients")
        pt = self.first_cursor(sa, "/api/v1/admin/product-types")
        self.assertProblem(sa.get(f"/api/v1/admin/product-types?cursor={sc}"), 400,
                           "validation.query", field="cursor")
        self.assertProblem(sa.get(f"/api/v1/admin/service-clients?cursor={pt}"), 400,
                           "validation.query", field="cursor")

    def test_non_members_get_404_whatever_the_query(self):
        w = self.world()
        stranger = self.create_account(prefix="stranger")
        for path, _ in self.lists().values():
            with self.subTest(path=path):
                self.assertProblem(stranger.client.get(f"{path}?limit=0&cursor=zz"), 404,
                                   "workspace.not_found")


if __name__ == "__main__":
    main()
