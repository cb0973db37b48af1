#!/usr/bin/python3
"""Streamed exports (issue 19): `format=csv|ndjson` without `limit` on the workspace audit, the
platform audit (`/admin/audit`), `/me/audit` and the access review answers every matching row in
one chunked response (Transfer-Encoding: chunked, no Content-Length, no X-Next-Cursor), paging
the database underneath. Over 2,500 events: each exactly once, in order, equal to the JSON pages
walked with `next_cursor`; every filter (action, actor, target, from/to, workspace) honoured;
CSV quoting of hostile names and user agents (commas, quotes, formula cells neutralised); the
access review stream equals its JSON pages across more than one chunk; clients that hang up
mid-stream leave the server healthy; a reader who loses access mid-stream gets a truncated
body, never a complete-looking one."""

import concurrent.futures
import csv
import http.client
import io
import json
import os
import socket
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main, recv_all, wait_until  # noqa: E402
from product_helpers import ProductFlows  # noqa: E402
from ws_helpers import WorkspaceFlows  # noqa: E402

EVENTS = 2600        # workspace.updated events: more than five export chunks of 500
HOSTILE_AGENT = '=HYPERLINK("http://evil.example/?a,b"),"x"'
HOSTILE_GROUP = "@SUM(1+1), x; -2 +3"   # names may not hold "=" or quotes; commas they may
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
AUDIT_HEADER = ["seq", "id", "occurred_at", "actor_type", "actor_id", "ip", "user_agent",
                "workspace_id", "action", "target_type", "target_id", "summary"]
MEMBERS = 13         # × PRODUCTS access review rows: more than one chunk of 500
PRODUCTS = 45
SEEDED = 8000        # events of 500-character user agents (~8 MB of NDJSON), by SQL (big())


class StreamedExportsTest(ProductFlows, WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    # ----------------------------------------------------------------- fixtures
    def world(self):
        return self.once("world", self._make_world)

    def _make_world(self):
        w = {}
        w["super"] = self.make_super_admin()[3]
        owner = w["owner"] = self.create_account(name="Stream Owner", prefix="owner")
        # every event of the owner carries a user agent a spreadsheet would evaluate
        oc = w["oc"] = self.sign_in(owner.email, owner.password, user_agent=HOSTILE_AGENT)
        ws = w["ws"] = self.create_workspace(oc, name="Stream Co")["id"]
        w["admin"] = self.member_account(oc, ws, "admin", prefix="admin")
        w["billing"] = self.member_account(oc, ws, "billing", prefix="billing")
        for i in range(3):
            r = oc.post(f"/api/v1/workspaces/{ws}/groups", {"name": f"{HOSTILE_GROUP} {i}"})
            self.assertEqual(r.status, 201, r)

        def touch(i):
            return oc.patch(f"/api/v1/workspaces/{ws}", {"description": f"revision {i}"})
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            for r in pool.map(touch, range(EVENTS)):
                self.assertEqual(r.status, 200, r)
        # the access review: MEMBERS members × PRODUCTS products
        for a in self.many_accounts(MEMBERS - 3, prefix="rev"):
            self.join(oc, ws, a, "member")
        w["products"] = [self.create_product(oc, ws, "submit", plan="enterprise",
                                             name=f"Product {i}")["id"]
                         for i in range(PRODUCTS)]
        for product in w["products"][:3]:   # billing events, the only ones Billing may read
            r = oc.post(f"/api/v1/workspaces/{ws}/products/{product}/subscription/cancel")
            self.assertEqual(r.status, 200, r)
        return w

    def big(self):
        """A workspace whose audit holds SEEDED large events written straight into the database
        (~8 MB as NDJSON): far more than the kernel's socket buffers (at most a few MB on
        loopback) can hold, so a reader that stops reading stalls the server long before the
        end, whatever the buffer sizes. Their hashes are not a chain: only the export reads them.
        Returns (workspace json, the Admin who will lose access)."""
        return self.once("big", self._make_big)

    def _make_big(self):
        w = self.world()
        big = self.create_workspace(w["oc"], name="Big Co")
        leaver = self.member_account(w["oc"], big["id"], "admin", prefix="leaver")
        when = self.vault.db.sql(
            f"SELECT occurred_at FROM audit_events WHERE workspace_id = '{big['id']}'")[0][0]
        self.vault.db.sql(
            "INSERT INTO audit_events (seq, id, occurred_at, actor_type, actor_id, ip, "
            "user_agent, workspace_id, action, target_type, target_id, summary, prev_hash, "
            "hash) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
            f"SELECT i + 1 FROM n WHERE i < {SEEDED}) SELECT 1000000000000 + i, "
            f"'evt_seed_' || i, {when}, 'account', '{w['owner'].id}', '127.0.0.1', "
            f"'{'x' * 500}', '{big['id']}', 'seed.filler', 'workspace', '{big['id']}', "
            "'{}', '', '' FROM n;")
        return big, leaver

    # ----------------------------------------------------------------- helpers
    def pages(self, client, path, query=""):
        """Every item of a JSON list walked through next_cursor (limit 1000)."""
        items, cursor = [], None
        while True:
            q = "limit=1000" + (f"&{query}" if query else "")
            if cursor:
                q += "&cursor=" + urllib.parse.quote(cursor)
            r = client.get(f"{path}?{q}")
            self.assertEqual(r.status, 200, r)
            items += r.json["items"]
            cursor = r.json["next_cursor"]
            if not cursor:
                return items

    def export(self, client, path, fmt, query=""):
        """A streamed export: 200, chunked, no Content-Length or X-Next-Cursor."""
        r = client.get(f"{path}?format={fmt}" + (f"&{query}" if query else ""))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get("Transfer-Encoding"), "chunked", r.headers)
        self.assertIsNone(r.headers.get("Content-Length"), r.headers)
        self.assertIsNone(r.headers.get("X-Next-Cursor"), r.headers)
        self.assertEqual(r.headers.get("Cache-Control"), "no-store")
        return r

    def ndjson(self, client, path, query=""):
        r = self.export(client, path, "ndjson", query)
        self.assertEqual(r.content_type, "application/x-ndjson", r)
        text = r.body.decode("utf-8")
        self.assertTrue(text == "" or text.endswith("\n"), text[-100:])
        return [json.loads(line) for line in text.split("\n")[:-1]]

    def csv_rows(self, client, path, query=""):
        r = self.export(client, path, "csv", query)
        self.assertEqual(r.content_type, "text/csv", r)
        rows = list(csv.reader(io.StringIO(r.body.decode("utf-8"), newline="")))
        for row in rows:
            for cell in row:  # nothing a spreadsheet would evaluate
                self.assertFalse(cell.startswith(FORMULA_START), f"formula cell {cell!r}")
        return rows

    def assertAuditCsv(self, rows, events):
        self.assertEqual(rows[0], AUDIT_HEADER)
        self.assertEqual(len(rows) - 1, len(events))
        for row, e in zip(rows[1:], events):
            self.assertEqual(len(row), len(AUDIT_HEADER), row)
            self.assertEqual((row[0], row[1], row[8], row[10]),
                             (str(e["seq"]), e["id"], e["action"], e["target"]["id"]))
            self.assertEqual(json.loads(row[11]), e["summary"])

    # ----------------------------------------------------------------- audit
    def test_workspace_audit_streams_every_event_once_in_order(self):
        w = self.world()
        path = f"/api/v1/workspaces/{w['ws']}/audit"
        paged = self.pages(w["oc"], path)
        self.assertGreater(len(paged), EVENTS)
        seqs = [e["seq"] for e in paged]
        self.assertEqual(seqs, sorted(set(seqs), reverse=True))  # newest first, no repeat
        self.assertEqual(self.ndjson(w["oc"], path), paged)
        self.assertAuditCsv(self.csv_rows(w["oc"], path), paged)
        # a starting cursor still works: everything older than it
        cut = paged[1234]["seq"]
        self.assertEqual(self.ndjson(w["oc"], path, f"cursor={cut}"), paged[1235:])
        # with ?limit= the CSV/NDJSON answer stays one page with X-Next-Cursor
        r = w["oc"].get(f"{path}?format=ndjson&limit=3")
        self.assertEqual([json.loads(x) for x in r.body.decode().splitlines()], paged[:3])
        self.assertEqual(r.headers.get("X-Next-Cursor"), str(paged[2]["seq"]))

    def test_filters_are_honoured_in_the_stream(self):
        w = self.world()
        path = f"/api/v1/workspaces/{w['ws']}/audit"
        paged = self.pages(w["oc"], path)
        owner = w["owner"].id
        updated = [e for e in paged if e["action"] == "workspace.updated"]
        self.assertGreaterEqual(len(updated), EVENTS)
        times = sorted({e["occurred_at"] for e in updated})
        middle = urllib.parse.quote(times[len(times) // 2])
        filters = ["action=workspace.updated", "action=group.", "action=invitation.",
                   f"actor={owner}", f"target={w['ws']}", f"actor={w['admin'].id}",
                   f"from={middle}", f"to={middle}",
                   f"actor={owner}&action=workspace.updated&from={middle}"]
        for q in filters:
            with self.subTest(filter=q):
                expected = self.pages(w["oc"], path, q)
                self.assertTrue(expected)
                self.assertLess(len(expected), len(paged))
                self.assertEqual(self.ndjson(w["oc"], path, q), expected)
                self.assertAuditCsv(self.csv_rows(w["oc"], path, q), expected)
        self.assertEqual(self.ndjson(w["oc"], path, "action=nothing.matches"), [])
        self.assertEqual(self.csv_rows(w["oc"], path, "action=nothing.matches"), [AUDIT_HEADER])

    def test_admin_and_own_audit_stream_too(self):
        w = self.world()
        admin = "/api/v1/admin/audit"
        for q in (f"workspace={w['ws']}", f"workspace={w['ws']}&action=workspace.updated", ""):
            with self.subTest(query=q):
                expected = self.pages(w["super"], admin, q)
                self.assertGreaterEqual(len(expected), EVENTS)
                self.assertEqual(self.ndjson(w["super"], admin, q), expected)
        mine = "/api/v1/me/audit"
        expected = self.pages(w["oc"], mine)
        self.assertGreater(len(expected), EVENTS)
        self.assertEqual(self.ndjson(w["oc"], mine), expected)
        self.assertAuditCsv(self.csv_rows(w["oc"], mine), expected)
        # who may read is checked as for a page
        r = w["oc"].get(f"{admin}?format=csv")
        self.assertProblem(r, 403, "admin.required")
        r = self.client(mode="none").get(f"{mine}?format=ndjson")
        self.assertProblem(r, 401, "auth.required")

    def test_billing_streams_only_billing_events(self):
        w = self.world()
        path = f"/api/v1/workspaces/{w['ws']}/audit"
        billing = w["billing"].client
        for q in ("", "action=workspace.updated", "action=group."):
            with self.subTest(query=q):
                expected = self.pages(billing, path, q)
                self.assertTrue(all(e["action"].startswith(("subscription.", "billing."))
                                    for e in expected), expected)
                self.assertEqual(self.ndjson(billing, path, q), expected)
                self.assertAuditCsv(self.csv_rows(billing, path, q), expected)
        self.assertEqual(len(self.pages(billing, path)), 3)   # the three cancellations

    def test_bad_queries_are_problems_before_any_streaming(self):
        w = self.world()
        ws = w["ws"]
        cases = [(w["oc"], f"/api/v1/workspaces/{ws}/audit"), (w["oc"], "/api/v1/me/audit"),
                 (w["super"], "/api/v1/admin/audit"),
                 (w["oc"], f"/api/v1/workspaces/{ws}/access-review")]
        bad = [("cursor=abc", "cursor"), ("cursor=%00", "cursor"), ("limit=0", "limit")]
        audit_bad = [("from=yesterday", "from"), ("actor=", "actor"), ("action=" + "a" * 101,
                                                                       "action")]
        for client, path in cases:
            for fmt in ("csv", "ndjson"):
                for q, field in bad + (audit_bad if "audit" in path else []):
                    with self.subTest(path=path, query=q, format=fmt):
                        r = client.get(f"{path}?format={fmt}&{q}")
                        self.assertProblem(r, 400, "validation.query", field)
                        self.assertIsNone(r.headers.get("Transfer-Encoding"))
        r = w["oc"].get(f"/api/v1/workspaces/{ws}/audit?format=CSV")
        self.assertProblem(r, 400, "validation.query", "format")

    def test_hostile_strings_are_quoted_in_csv(self):
        w = self.world()
        path = f"/api/v1/workspaces/{w['ws']}/audit"
        rows = self.csv_rows(w["oc"], path, "action=group.created")
        self.assertEqual(len(rows), 4, rows)
        for row in rows[1:]:
            self.assertEqual(row[6], "'" + HOSTILE_AGENT)    # neutralised, whole, one cell
            self.assertTrue(json.loads(row[11])["name"].startswith(HOSTILE_GROUP), row)

    # ----------------------------------------------------------------- access review
    def test_access_review_stream_matches_the_json_rows(self):
        w = self.world()
        path = f"/api/v1/workspaces/{w['ws']}/access-review"
        paged = self.pages(w["oc"], path)
        self.assertEqual(len(paged), MEMBERS * PRODUCTS)
        self.assertGreater(len(paged), 500)
        self.assertEqual(self.ndjson(w["oc"], path), paged)
        rows = self.csv_rows(w["oc"], path)
        self.assertEqual(len(rows) - 1, len(paged))
        header = rows[0]
        for row, item in zip(rows[1:], paged):
            cells = dict(zip(header, row))
            self.assertEqual((cells["account_id"], cells["product_id"]),
                             (item["account_id"], item["product_id"]))
        # members and Billing may not export it
        r = self.client(mode="none").get(f"{path}?format=csv")
        self.assertProblem(r, 401, "auth.required")

    # ----------------------------------------------------------------- connections
    def raw_get(self, client, path, rcvbuf=None):
        """A socket that sent GET path with the client's credentials, unread."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.connect(("127.0.0.1", client.port))
        headers = client._headers("GET", None, None, None, None)
        lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return sock

    def test_clients_hanging_up_mid_stream_leave_the_server_healthy(self):
        w = self.world()
        path = "/api/v1/admin/audit?format=csv"
        # more abandoned exports than the blocking pool has threads (8)
        for _ in range(12):
            sock = self.raw_get(w["super"], path)
            self.assertTrue(sock.recv(4096).startswith(b"HTTP/1.1 200"))
            sock.close()
        self.healthy()
        expected = self.pages(w["super"], "/api/v1/admin/audit")
        self.assertEqual(self.ndjson(w["super"], "/api/v1/admin/audit"), expected)
        self.assertTrue(self.vault.server.alive())

    def test_losing_access_mid_stream_truncates_the_body(self):
        """Each chunk re-checks the reader's access: once the Admin is removed, the export stops
        with the body cut short (no last chunk), never a body that looks complete."""
        w = self.world()
        big, admin = self.big()
        # a small receive window: the server blocks on the first chunks, long before the last
        sock = self.raw_get(admin.client, f"/api/v1/workspaces/{big['id']}/audit?format=ndjson",
                            rcvbuf=4096)
        try:
            self.assertTrue(sock.recv(12).startswith(b"HTTP/1.1 200"))
            r = w["oc"].delete(f"/api/v1/workspaces/{big['id']}/members/{admin.id}")
            self.assertEqual(r.status, 204, r)
            data = self.read_all(sock)
        finally:
            sock.close()
        head, _, body = data.partition(b"\r\n\r\n")
        self.assertIn(b"transfer-encoding: chunked", head.lower())
        self.assertGreater(len(body), 100000)           # some rows came …
        self.assertFalse(body.endswith(b"\r\n0\r\n\r\n"), body[-200:])  # … but not the end
        with self.assertRaises(AssertionError):
            self.dechunk(body)
        wait_until(lambda: "streamed response failed after its header" in self.vault.server.logs,
                   10, "the log line of the cut stream")
        self.healthy()

    def read_all(self, sock):
        sock.settimeout(60)
        return recv_all(sock)

    @staticmethod
    def dechunk(body):
        """The data of a complete chunked body; AssertionError when it is cut short."""
        out, rest = b"", body
        while True:
            size_line, sep, rest = rest.partition(b"\r\n")
            assert sep, "truncated chunked body"
            size = int(size_line, 16)
            if size == 0:
                assert rest == b"\r\n", rest[:100]
                return out
            assert len(rest) >= size + 2, "truncated chunk"
            out, rest = out + rest[:size], rest[size + 2:]

    def test_a_rename_during_the_export_does_not_end_it(self):
        w = self.world()
        short = self.big()[0]
        ws = short["id"]
        sock = self.raw_get(w["oc"], f"/api/v1/workspaces/{short['shortname']}/audit?format=ndjson",
                            rcvbuf=4096)
        try:
            self.assertTrue(sock.recv(12).startswith(b"HTTP/1.1 200"))
            r = w["oc"].patch(f"/api/v1/workspaces/{ws}", {"shortname": short["shortname"] + "-b"})
            self.assertEqual(r.status, 200, r)
            data = self.read_all(sock)
        finally:
            sock.close()
        body = self.dechunk(data.partition(b"\r\n\r\n")[2])
        # (the rename's own event is older by seq than the seeded ones, so it is in the walk)
        expected = self.pages(w["oc"], f"/api/v1/workspaces/{ws}/audit")
        self.assertGreater(len(expected), SEEDED)
        self.assertEqual([json.loads(x) for x in body.decode().splitlines()], expected)

    def test_http_1_0_and_keep_alive(self):
        w = self.world()
        path = f"/api/v1/workspaces/{w['ws']}/audit"
        expected = self.pages(w["oc"], path)
        # HTTP/1.0 knows no chunks: the body ends when the server closes the connection
        sock = socket.create_connection(("127.0.0.1", w["oc"].port))
        try:
            headers = w["oc"]._headers("GET", None, None, None, None)
            req = [f"GET {path}?format=ndjson HTTP/1.0"] + [f"{k}: {v}" for k, v in headers.items()]
            sock.sendall(("\r\n".join(req) + "\r\n\r\n").encode())
            head, _, body = self.read_all(sock).partition(b"\r\n\r\n")
        finally:
            sock.close()
        self.assertTrue(head.startswith(b"HTTP/1.0 200"), head)
        self.assertNotIn(b"transfer-encoding", head.lower())
        self.assertNotIn(b"content-length", head.lower())
        self.assertEqual([json.loads(x) for x in body.decode().splitlines()], expected)
        # HTTP/1.1: a complete stream keeps the connection for the next request
        conn = http.client.HTTPConnection("127.0.0.1", w["oc"].port, timeout=60)
        try:
            for _ in range(2):
                conn.request("GET", f"{path}?format=csv", headers=headers)
                r = conn.getresponse()
                self.assertEqual(r.status, 200)
                self.assertEqual(len(r.read().split(b"\r\n")), len(expected) + 2)
                self.assertFalse(r.will_close)
            conn.request("GET", "/api/v1/me", headers=headers)
            r = conn.getresponse()
            self.assertEqual((r.status, json.loads(r.read())["id"]), (200, w["owner"].id))
        finally:
            conn.close()


if __name__ == "__main__":
    main()
