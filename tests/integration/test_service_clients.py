#!/usr/bin/python3
"""Changing an OAuth client's redirect URIs after creation (issue 15; ADR 0010 "Clients";
docs/api.md "Platform administration"), black-box against the real server:

  * PATCH /api/v1/admin/service-clients/{id} with {"redirect_uris": [...]} replaces the list and
    answers the client as listed (never a secret); the list, the authorization request (an
    exact-match check on the cached client) and the audit (`admin.service_client_updated`, the
    counts only) see it at once; on PostgreSQL a second node sees it through the change feed;
  * only a Super Admin may: anonymous → 401, a session without the CSRF header → 403
    `csrf.failed`, a plain account, a workspace Owner and Admin → 403 `admin.required`, a
    service client's HTTP Basic credentials → 401; nothing changes;
  * bad input → 4xx problem+json naming the field (`redirect_uris`, `redirect_uris[i]`): wrong
    types, absent or null, too many, http on a non-loopback host, fragments, user info,
    duplicates, non-ASCII, over-long items, a public client left without any, a huge body
    (413), invalid UTF-8, malformed JSON, a non-JSON content type (415); unknown or revoked
    clients → 404 `service_client.not_found`; nothing changes.
"""

import hashlib
import base64
import os
import secrets
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main, wait_until  # noqa: E402
from product_helpers import ProductFlows, basic  # noqa: E402
from ws_helpers import WorkspaceFlows  # noqa: E402

CLIENTS = "/api/v1/admin/service-clients"


class ServiceClientRedirectUrisTest(WorkspaceFlows, ProductFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192

    # ----------------------------------------------------------------- fixtures
    def admin(self):
        if not hasattr(type(self), "_sa"):
            type(self)._sa = self.make_super_admin()[3]
        return type(self)._sa

    def new_client(self, uris, public=True, name=None):
        body = {"product_type": "submit", "name": name or f"App {secrets.token_hex(3)}",
                "redirect_uris": uris, "public": public}
        r = self.admin().post(CLIENTS, body)
        self.assertEqual(r.status, 201, r)
        if "client_secret" in r.json:
            self.vault.remember_secret(r.json["client_secret"])
        return r.json

    def listed(self, client_id):
        r = self.admin().get(CLIENTS)
        self.assertEqual(r.status, 200, r)
        return {c["client_id"]: c for c in r.json["items"]}[client_id]

    def accepts(self, client_id, redirect_uri, server=None):
        """Whether an authorization request for this client and URI gets past the exact-match
        check (the console's view of /oauth2/authorize: no session → "login")."""
        verifier = secrets.token_urlsafe(32)
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        q = urllib.parse.urlencode({
            "client_id": client_id, "redirect_uri": redirect_uri, "response_type": "code",
            "scope": "openid", "code_challenge": challenge, "code_challenge_method": "S256",
            "state": "st"})
        r = self.client(mode="none", server=server).get(f"/api/v1/oauth/authorization?{q}")
        self.assertEqual(r.status, 200, r)
        if r.json["status"] == "error":
            self.assertIn("redirect_uri", r.json["description"], r)
            return False
        self.assertEqual(r.json["status"], "login", r)
        return True

    # -------------------------------------------------------------------- tests
    def test_a_super_admin_replaces_the_list_and_it_applies_at_once(self):
        old = "https://app.example/cb"
        new = ["https://app.example/signed-in", "http://127.0.0.1:8123/cb?x=1&y=2"]
        c = self.new_client([old])
        cid = c["client_id"]
        self.assertTrue(self.accepts(cid, old))     # cached on this node now
        self.assertFalse(self.accepts(cid, new[0]))
        second = None
        if self.vault.backend == "postgres":   # cross-node change feed (LISTEN/NOTIFY)
            second = self.vault.add_server()
            self.assertTrue(self.accepts(cid, old, server=second))

        r = self.admin().patch(f"{CLIENTS}/{cid}", {"redirect_uris": new})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["client_id"], cid, r)
        self.assertEqual(r.json["redirect_uris"], new, r)
        self.assertIs(r.json["public"], True, r)
        self.assertIs(r.json["revoked"], False, r)
        self.assertFalse({"client_secret", "secret", "secret_hash"} & set(r.json), r)
        self.assertEqual(self.listed(cid)["redirect_uris"], new)
        # this node: at once
        self.assertFalse(self.accepts(cid, old))
        for uri in new:
            self.assertTrue(self.accepts(cid, uri))
        if second is not None:
            with self.subTest("another node hears of it through the change feed"):
                wait_until(lambda: not self.accepts(cid, old, server=second), 10,
                           "node 2 to refuse the removed redirect URI")
                self.assertTrue(self.accepts(cid, new[1], server=second))

        # audited with the counts, never the URIs or a secret
        events = self.admin().get(
            "/api/v1/me/audit?action=admin.service_client_updated").json["items"]
        mine = [e for e in events if e["target"]["id"] == cid]
        self.assertEqual(len(mine), 1, events)
        self.assertEqual(mine[0]["summary"], {"redirect_uris_before": "1", "redirect_uris": "2"},
                         mine[0])

        # a confidential client keeps its secret and may go back to none
        conf = self.new_client(["https://backend.example/cb"], public=False)
        creds = (conf["client_id"], conf["client_secret"])
        r = self.admin().patch(f"{CLIENTS}/{conf['client_id']}", {"redirect_uris": []})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["redirect_uris"], [], r)
        self.assertIs(r.json["public"], False, r)
        r = self.client(mode="none").raw(
            "POST", "/oauth2/token", "grant_type=client_credentials",
            headers={"Authorization": basic(*creds)},
            content_type="application/x-www-form-urlencoded")
        self.assertEqual(r.status, 200, r)   # the secret still works
        self.vault.remember_secret(r.json["access_token"])

        # the same list again is fine (idempotent)
        r = self.admin().patch(f"{CLIENTS}/{cid}", {"redirect_uris": new})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.listed(cid)["redirect_uris"], new)

    def test_only_a_super_admin_may(self):
        c = self.new_client(["https://only.example/cb"])
        cid = c["client_id"]
        path = f"{CLIENTS}/{cid}"
        body = {"redirect_uris": ["https://attacker.example/cb"]}
        owner = self.create_account(prefix="owner")
        ws = self.create_workspace(owner.client, name="Clients Inc")
        admin_member = self.member_account(owner.client, ws["id"], "admin")
        plain = self.create_account(prefix="plain")
        conf = self.new_client([], public=False)
        callers = [
            ("anonymous", self.client(mode="none"), {}, 401, None),
            ("plain account", plain.client, {}, 403, "admin.required"),
            ("workspace Owner", owner.client, {}, 403, "admin.required"),
            ("workspace Admin", admin_member.client, {}, 403, "admin.required"),
            ("service client (HTTP Basic)", self.client(mode="none"),
             {"Authorization": basic(conf["client_id"], conf["client_secret"])}, 401, None),
        ]
        for label, client, headers, status, code in callers:
            with self.subTest(caller=label):
                r = client.patch(path, body, headers=headers)
                self.assertProblem(r, status, code)
        # a Super Admin on a cookie session still needs the CSRF header
        _, email, password, _ = self.make_super_admin()
        cookie = self.sign_in(email, password, mode="cookie", auto_csrf=False)
        r = cookie.patch(path, body)
        self.assertProblem(r, 403, "csrf.failed")
        self.assertEqual(self.listed(cid)["redirect_uris"], ["https://only.example/cb"])
        r = cookie.patch(path, body, csrf=True)
        self.assertEqual(r.status, 200, r)   # with it, it works

    def test_bad_input_names_the_field_and_changes_nothing(self):
        keep = ["https://keep.example/cb", "http://localhost:3000/cb"]
        c = self.new_client(keep)
        cid = c["client_id"]
        path = f"{CLIENTS}/{cid}"
        sa = self.admin()
        ok = "https://ok.example/cb"
        cases = [
            ("a string", {"redirect_uris": ok}, 400, "redirect_uris"),
            ("an object", {"redirect_uris": {"0": ok}}, 400, "redirect_uris"),
            ("a number item", {"redirect_uris": [ok, 1]}, 400, "redirect_uris"),
            ("a null item", {"redirect_uris": [None]}, 400, "redirect_uris"),
            ("an empty item", {"redirect_uris": [ok, ""]}, 400, "redirect_uris"),
            ("absent", {}, 400, "redirect_uris"),
            ("null", {"redirect_uris": None}, 400, "redirect_uris"),
            ("only other fields", {"public": False, "name": "Renamed"}, 400, "redirect_uris"),
            ("11 items", {"redirect_uris": [f"https://a.example/{i}" for i in range(11)]}, 400,
             "redirect_uris"),
            ("empty for a public client", {"redirect_uris": []}, 400, "redirect_uris"),
            ("http on a public host", {"redirect_uris": [ok, "http://evil.example/cb"]}, 400,
             "redirect_uris[1]"),
            ("a fragment", {"redirect_uris": [ok, ok + "2", "https://a.example/cb#frag"]}, 400,
             "redirect_uris[2]"),
            ("a duplicate", {"redirect_uris": [ok, "https://b.example/", ok]}, 400,
             "redirect_uris[2]"),
            ("user info", {"redirect_uris": ["https://user:pw@a.example/cb"]}, 400,
             "redirect_uris[0]"),
            ("relative", {"redirect_uris": ["/cb"]}, 400, "redirect_uris[0]"),
            ("a custom scheme", {"redirect_uris": ["javascript:alert(1)"]}, 400,
             "redirect_uris[0]"),
            ("whitespace", {"redirect_uris": ["https://a.example/c b"]}, 400, "redirect_uris[0]"),
            ("non-ASCII", {"redirect_uris": ["https://bücher.example/cb"]}, 400,
             "redirect_uris[0]"),
            ("over 2000 characters", {"redirect_uris": [ok, "https://a.example/" + "x" * 2000]},
             400, "redirect_uris[1]"),
            ("over 4000 characters", {"redirect_uris": ["https://a.example/" + "x" * 5000]}, 400,
             "redirect_uris"),
        ]
        for label, body, status, field in cases:
            with self.subTest(case=label):
                r = sa.patch(path, body)
                self.assertProblem(r, status, field=field)
        raw_cases = [
            ("invalid UTF-8", b'{"redirect_uris": ["https://a.example/\xff\xfe"]}',
             "application/json", 400),
            ("malformed JSON", b'{"redirect_uris": [', "application/json", 400),
            ("an array body", b'["https://a.example/cb"]', "application/json", 400),
            ("a form body", b"redirect_uris=https%3A%2F%2Fa.example%2Fcb",
             "application/x-www-form-urlencoded", 415),
        ]
        for label, raw, content_type, status in raw_cases:
            with self.subTest(case=label):
                r = sa.raw("PATCH", path, raw, content_type=content_type)
                self.assertProblem(r, status)
        with self.subTest(case="a 10 MB body"):
            r = sa.send_large("PATCH", path, 10 * 1024 * 1024)
            self.assertProblem(r, 413)
        # unknown and revoked clients
        body = {"redirect_uris": [ok]}
        self.assertProblem(sa.patch(f"{CLIENTS}/svc_nosuch", body), 404,
                           "service_client.not_found")
        self.assertProblem(sa.patch(f"{CLIENTS}/{cid}%00", body), (400, 404))
        gone = self.new_client([ok])
        self.assertEqual(sa.delete(f"{CLIENTS}/{gone['client_id']}").status, 204)
        self.assertProblem(sa.patch(f"{CLIENTS}/{gone['client_id']}", body), 404,
                           "service_client.not_found")
        self.assertEqual(self.listed(gone["client_id"])["redirect_uris"], [ok])
        # nothing changed, and nothing was audited
        self.assertEqual(self.listed(cid)["redirect_uris"], keep)
        self.assertTrue(self.accepts(cid, keep[0]))
        events = sa.get("/api/v1/me/audit?action=admin.service_client_updated").json["items"]
        self.assertEqual([e for e in events if e["target"]["id"] in (cid, gone["client_id"])], [])
        self.healthy()


if __name__ == "__main__":
    main()
