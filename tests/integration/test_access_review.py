#!/usr/bin/python3
"""The access review (issue 19; docs/api.md "Access review"), black-box against the real server:

  * GET /api/v1/workspaces/{ws}/access-review lists every member × product of the workspace
    exactly once (walked page by page with the keyset cursor), with the effective role, its
    sources (the direct grant, the groups by id and name), last sign-in, 2FA and disabled state;
  * every row agrees with POST /api/v1/access/explain (service clients of each product type)
    for the same account and product: reason, allowed, effective role, the grant chain, the
    workspace role, 2FA and disabled — and still does after a grant, a group change and a
    member's removal;
  * format=csv (text/csv, header row, RFC 4180 quoting, formula cells prefixed with ') and
    format=ndjson (application/x-ndjson) carry the same rows, paged by X-Next-Cursor;
  * another workspace's members, products and groups never appear;
  * bad cursor, limit and format → 400 problem+json naming the parameter.
The authorization matrix (every role, another workspace's Owner) is in test_products_authz.py.
"""

import csv
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main  # noqa: E402
from product_helpers import ProductFlows  # noqa: E402
from ws_helpers import WorkspaceFlows  # noqa: E402

EXPLAIN = "/api/v1/access/explain"
FORMULA = "@SUM(1+1), x"  # a formula to a spreadsheet (names may not contain "=" or quotes)


class AccessReviewTest(ProductFlows, WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    # ----------------------------------------------------------------- fixtures
    def world(self):
        return self.once("world", self._make_world)

    def _make_world(self):
        w = {}
        _, _, _, sa = self.make_super_admin()
        w["super"] = sa
        w["creds"] = {"submit": self.service_client(sa, "submit", "Submit back end"),
                      "manage": self.service_client(sa, "manage", "Manage back end")}
        owner = self.create_account(name="Olga Owner", prefix="owner")
        A = w["A"] = self.create_workspace(owner.client, name="Review Inc")["id"]
        w["owner"] = owner
        oc = owner.client
        w["admin"] = self.member_account(oc, A, "admin", prefix="admin")
        w["billing"] = self.member_account(oc, A, "billing", prefix="billing")
        for name in ("editor", "grouped", "nogrant", "disabled", "mfa", "formula"):
            w[name] = self.member_account(oc, A, "member", prefix=name)
        self.enable_totp(w["mfa"])
        r = w["formula"].client.patch("/api/v1/me", {"name": FORMULA})
        self.assertEqual(r.status, 200, r)
        S = w["S"] = self.create_product(oc, A, "submit", plan="enterprise",
                                         name="Submissions")["id"]
        M = w["M"] = self.create_product(oc, A, "manage", plan="enterprise", name="Jobs")["id"]
        OFF = w["OFF"] = self.create_product(oc, A, "submit", plan="enterprise",
                                             name="Switched off")["id"]
        self.grant(oc, A, S, w["editor"].id, "editor")
        self.grant(oc, A, M, w["editor"].id, "admin")
        self.grant(oc, A, S, w["disabled"].id, "editor")
        self.grant(oc, A, M, w["mfa"].id, "viewer")
        self.grant(oc, A, OFF, w["admin"].id, "editor")
        self.grant(oc, A, S, w["formula"].id, "viewer")
        g = self.create_group(oc, A, name="Submitters")
        w["G"] = g["id"]
        self.add_to_group(oc, A, g["id"], w["grouped"].id)
        self.add_to_group(oc, A, g["id"], w["formula"].id)
        self.grant(oc, A, S, w["grouped"].id, "viewer")
        self.grant(oc, A, S, g["id"], "editor", principal_type="group")
        r = oc.patch(f"/api/v1/workspaces/{A}/products/{OFF}", {"disabled": True})
        self.assertEqual(r.status, 200, r)
        r = sa.patch(f"/api/v1/admin/accounts/{w['disabled'].id}", {"disabled": True})
        self.assertEqual(r.status, 200, r)
        # another workspace, sharing one member: none of it may appear in A's review
        other = self.create_account(prefix="otherowner")
        B = w["B"] = self.create_workspace(other.client, name="Other Inc")["id"]
        w["other"] = other
        w["B_PRD"] = self.create_product(other.client, B, "submit", plan="enterprise")["id"]
        self.join(other.client, B, w["editor"])
        bg = self.create_group(other.client, B, name="B group")
        self.add_to_group(other.client, B, bg["id"], w["editor"].id)
        self.grant(other.client, B, w["B_PRD"], bg["id"], "admin", principal_type="group")
        return w

    def review_url(self, **query):
        q = "&".join(f"{k}={v}" for k, v in query.items())
        return f"/api/v1/workspaces/{self.world()['A']}/access-review" + ("?" + q if q else "")

    def walk(self, client, limit):
        """Every row, page by page; asserts each page is at most `limit` long."""
        rows, cursor, pages = [], None, 0
        while True:
            query = {"limit": limit}
            if cursor:
                query["cursor"] = cursor
            r = client.get(self.review_url(**query))
            self.assertEqual(r.status, 200, r)
            self.assertLessEqual(len(r.json["items"]), limit)
            rows += r.json["items"]
            cursor = r.json["next_cursor"]
            pages += 1
            self.assertLess(pages, 100)
            if cursor is None:
                return rows

    def export_pages(self, client, fmt, content_type, limit):
        """The bodies of every page of an export, following X-Next-Cursor; a page with a next
        cursor is full, the last one is not."""
        texts, cursor = [], None
        while True:
            query = {"format": fmt, "limit": limit, **({"cursor": cursor} if cursor else {})}
            r = client.get(self.review_url(**query))
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.content_type, content_type)
            texts.append(r.body.decode("utf-8"))
            cursor = r.headers.get("X-Next-Cursor")
            if cursor is None:
                return texts
            self.assertLess(len(texts), 100)

    def expected_pairs(self):
        w = self.world()
        r = w["owner"].client.get(f"/api/v1/workspaces/{w['A']}/members")
        self.assertEqual(r.status, 200, r)
        members = {m["account_id"] for m in r.json["items"]}
        return {(a, p) for a in members for p in (w["S"], w["M"], w["OFF"])}

    def assertMatchesExplain(self, row):
        w = self.world()
        creds = w["creds"][row["product_type"]]
        r = self.access(creds, {"account_id": row["account_id"], "product_id": row["product_id"]},
                        path=EXPLAIN)
        self.assertEqual(r.status, 200, r)
        e, chain = r.json, r.json["chain"]
        label = (row["email"], row["product_name"])
        self.assertEqual(row["reason"], e["reason"], label)
        self.assertEqual(row["allowed"], e["allowed"], label)
        self.assertEqual(row["effective_role"], e["role"], label)
        self.assertEqual(row["effective_role"], chain["effective_role"], label)
        self.assertEqual(row["workspace_role"], chain["membership"]["role"], label)
        self.assertEqual(row["mfa_enabled"], chain["account"]["mfa_enabled"], label)
        self.assertEqual(row["disabled"], chain["account"]["disabled"], label)
        want = sorted((g["via"], g["group_id"] or "", g["role"]) for g in chain["grants"])
        got = sorted((s["type"], s.get("group_id", ""), s["role"]) for s in row["sources"])
        self.assertEqual(got, want, label)

    # -------------------------------------------------------------------- tests
    def test_every_row_matches_explain(self):
        w = self.world()
        rows = self.walk(w["owner"].client, 4)
        pairs = [(r["account_id"], r["product_id"]) for r in rows]
        self.assertEqual(len(pairs), len(set(pairs)), "a row appeared twice")
        self.assertEqual(set(pairs), self.expected_pairs())
        self.assertEqual(pairs, sorted(pairs), "rows are in (account, product) order")
        for row in rows:
            self.assertMatchesExplain(row)
        by = {(r["account_id"], r["product_id"]): r for r in rows}
        grouped = by[(w["grouped"].id, w["S"])]
        self.assertEqual(grouped["effective_role"], "editor")
        self.assertEqual(sorted((s["type"], s["role"]) for s in grouped["sources"]),
                         [("direct", "viewer"), ("group", "editor")])
        group_source = [s for s in grouped["sources"] if s["type"] == "group"][0]
        self.assertEqual((group_source["group_id"], group_source["group_name"]),
                         (w["G"], "Submitters"))
        self.assertEqual(by[(w["editor"].id, w["M"])]["effective_role"], "admin")
        self.assertEqual(by[(w["editor"].id, w["M"])]["sources"], [{"type": "direct",
                                                                   "role": "admin"}])
        nogrant = by[(w["nogrant"].id, w["S"])]
        self.assertEqual((nogrant["effective_role"], nogrant["reason"], nogrant["sources"]),
                         (None, "no_grant", []))
        self.assertEqual(by[(w["disabled"].id, w["S"])]["disabled"], True)
        self.assertEqual(by[(w["disabled"].id, w["S"])]["reason"], "account_disabled")
        self.assertEqual(by[(w["mfa"].id, w["M"])]["mfa_enabled"], True)
        self.assertEqual(by[(w["nogrant"].id, w["M"])]["mfa_enabled"], False)
        self.assertEqual(by[(w["admin"].id, w["OFF"])]["reason"], "product_inactive")
        self.assertEqual(by[(w["admin"].id, w["OFF"])]["effective_role"], "editor")
        owner_row = by[(w["owner"].id, w["S"])]
        self.assertEqual((owner_row["workspace_role"], owner_row["email"], owner_row["name"]),
                         ("owner", w["owner"].email, "Olga Owner"))
        self.assertIsNotNone(owner_row["last_sign_in_at"])
        self.assertEqual(owner_row["product_type"], "submit")
        # nothing of workspace B: its product, its group
        self.assertNotIn(w["B_PRD"], {r["product_id"] for r in rows})
        self.assertNotIn("B group", json.dumps(rows))
        # one big page is the same list
        r = w["admin"].client.get(self.review_url(limit=1000))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["items"], rows)
        self.assertIsNone(r.json["next_cursor"])

        # after changes the review follows at once, still agreeing with explain
        oc, A = w["owner"].client, w["A"]
        self.grant(oc, A, w["S"], w["nogrant"].id, "viewer")
        self.remove_from_group(oc, A, w["G"], w["grouped"].id)
        r = oc.delete(f"/api/v1/workspaces/{A}/members/{w['billing'].id}")
        self.assertEqual(r.status, 204, r)
        rows = self.walk(oc, 7)
        self.assertEqual({(r["account_id"], r["product_id"]) for r in rows},
                         self.expected_pairs())
        self.assertNotIn(w["billing"].id, {r["account_id"] for r in rows})
        by = {(r["account_id"], r["product_id"]): r for r in rows}
        self.assertEqual(by[(w["nogrant"].id, w["S"])]["effective_role"], "viewer")
        self.assertEqual(by[(w["grouped"].id, w["S"])]["sources"],
                         [{"type": "direct", "role": "viewer"}])
        for row in rows:
            self.assertMatchesExplain(row)
        self.healthy()

    def test_csv_and_ndjson_exports(self):
        w = self.world()
        client = w["owner"].client
        rows = self.walk(client, 1000)
        # NDJSON: one JSON row per line, the same rows, paged by X-Next-Cursor
        lines = []
        for text in self.export_pages(client, "ndjson", "application/x-ndjson", 5):
            self.assertTrue(text == "" or text.endswith("\n"))
            lines += [json.loads(line) for line in text.splitlines()]
        self.assertEqual(lines, rows)
        # CSV: header row, RFC 4180, the same rows
        parsed = []
        for text in self.export_pages(client, "csv", "text/csv", 6):
            records = list(csv.reader(io.StringIO(text, newline="")))
            self.assertEqual(records[0][:4], ["account_id", "email", "name", "workspace_role"])
            self.assertTrue(text.endswith("\r\n"))
            parsed += [dict(zip(records[0], rec)) for rec in records[1:]]
        self.assertEqual([(p["account_id"], p["product_id"]) for p in parsed],
                         [(r["account_id"], r["product_id"]) for r in rows])
        for p, row in zip(parsed, rows):
            self.assertEqual(p["effective_role"], row["effective_role"] or "")
            self.assertEqual(p["reason"], row["reason"])
            self.assertEqual(p["mfa_enabled"], "true" if row["mfa_enabled"] else "false")
        formula = [p for p in parsed if p["account_id"] == w["formula"].id]
        self.assertEqual(len(formula), 3)
        for p in formula:
            self.assertEqual(p["name"], "'" + FORMULA)  # quoted and neutralised
        by = {(p["account_id"], p["product_id"]): p for p in parsed}
        self.assertIn("group:Submitters:editor",
                      by[(w["formula"].id, w["S"])]["sources"].split("; "))
        self.assertIn("direct:viewer", by[(w["formula"].id, w["S"])]["sources"].split("; "))
        # the raw bytes quote every cell (the comma stays inside its cell)
        r = client.get(self.review_url(format="csv", limit=1000))
        self.assertIn(b'"\'@SUM(1+1), x"', r.body)

    def test_bad_input(self):
        w = self.world()
        client = w["admin"].client
        for query, field in ((dict(cursor="nope"), "cursor"), (dict(cursor="~x"), "cursor"),
                             (dict(cursor="a~b~c"), "cursor"), (dict(limit=0), "limit"),
                             (dict(limit=1001), "limit"), (dict(limit="ten"), "limit"),
                             (dict(limit=""), "limit"), (dict(format="xml"), "format"),
                             (dict(format="CSV"), "format")):
            with self.subTest(query=query):
                r = client.get(self.review_url(**query))
                self.assertProblem(r, 400, "validation.query", field=field)
        # a cursor past the end is an empty page, not an error
        r = client.get(self.review_url(cursor="acc_zzzz~prd_zzzz"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["items"], r.json["next_cursor"]), ([], None))
        # an unknown workspace is 404 for anyone, before any parameter is read
        r = client.get("/api/v1/workspaces/ws_nosuch/access-review?limit=0")
        self.assertProblem(r, 404, "workspace.not_found")


if __name__ == "__main__":
    main()
