#!/usr/bin/python3
"""Super Admin suspension of a workspace (issue 19), black-box against the real server:
  * POST /api/v1/admin/workspaces/{id}/suspension {reason} suspends, DELETE …/suspension
    resumes; both audited (admin.workspace_suspended / admin.workspace_resumed with the reason);
    suspending twice or resuming a workspace that is not suspended is 409; bad input is 400
    naming `reason` and changes nothing;
  * while suspended: access check, explain and batch deny with `workspace_suspended`, API key
    verification answers invalid with `workspace_suspended`, the OpenID Connect authorization
    is denied and a refresh refused (the refresh token family survives); members keep their
    accounts, still list the workspace (`suspended: true`, `suspended_at`, no reason), may read
    it, and every change they try is 403 `workspace.suspended`; an invitation cannot be
    accepted; the Super Admin's actions still work;
  * resuming restores all of it at once, with the same key, grants and refresh token;
  * a second server node on the same database (either backend) sees the suspension and the resumption through the
    change feed.
"""

import base64
import hashlib
import os
import secrets
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main, unique_email, wait_until  # noqa: E402
from key_helpers import KeyFlows  # noqa: E402
from product_helpers import ProductFlows, basic  # noqa: E402
from ws_helpers import WorkspaceFlows  # noqa: E402

FORM = "application/x-www-form-urlencoded"
REDIRECT = "https://submit.example/cb"


class SuspensionTest(WorkspaceFlows, ProductFlows, KeyFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192

    # ----------------------------------------------------------------- fixtures
    def world(self, name="Suspendable"):
        """A workspace with an Owner, a Member granted `editor` on a Submit product, an API
        key for it, and a Super Admin with a Submit service client (also an OAuth client)."""
        cls = type(self)
        if not hasattr(cls, "_sa"):
            cls._sa = self.make_super_admin()[3]
            r = cls._sa.post("/api/v1/admin/service-clients",
                             {"product_type": "submit", "name": "Submit back end",
                              "redirect_uris": [REDIRECT]})
            self.assertEqual(r.status, 201, r)
            self.vault.remember_secret(r.json["client_secret"])
            cls._creds = (r.json["client_id"], r.json["client_secret"])
        w = {"sa": cls._sa, "creds": cls._creds}
        w["owner"] = self.create_account(name="Olga Owner", prefix="sowner")
        ws = self.create_workspace(w["owner"].client, name=name)
        w["ws"], w["short"] = ws["id"], ws["shortname"]
        w["member"] = self.member_account(w["owner"].client, w["ws"], "member", prefix="smember")
        w["product"] = self.create_product(w["owner"].client, w["ws"], "submit")["id"]
        self.grant(w["owner"].client, w["ws"], w["product"], w["member"].id, "editor")
        w["key"] = self.create_key(w["owner"].client, w["ws"], w["product"])["key"]
        return w

    def suspend(self, w, reason="Unpaid invoices since March", expect=200):
        r = w["sa"].post(f"/api/v1/admin/workspaces/{w['ws']}/suspension", {"reason": reason})
        self.assertEqual(r.status, expect, r)
        return r

    def resume(self, w, expect=200):
        r = w["sa"].delete(f"/api/v1/admin/workspaces/{w['ws']}/suspension")
        self.assertEqual(r.status, expect, r)
        return r

    def admin_audit(self, w, action):
        r = w["sa"].get(f"/api/v1/admin/audit?workspace={w['ws']}&action={action}")
        self.assertEqual(r.status, 200, r)
        return r.json["items"]

    def decisions(self, w, server=None):
        """(check, explain, batch, key verdict) for the Member on the product."""
        creds, member, product = w["creds"], w["member"].id, w["product"]
        check = self.reason(creds, member, product, server=server)
        r = self.access(creds, {"account_id": member, "product_id": product},
                        path="/api/v1/access/explain", server=server)
        self.assertEqual(r.status, 200, r)
        explain = r.json["reason"]
        r = self.access(creds, {"checks": [{"account_id": member, "product_id": product},
                                           {"account_id": member, "product_id": product,
                                            "permission": "submissions:read"}]},
                        path="/api/v1/access/check", server=server)
        self.assertEqual(r.status, 200, r)
        batch = [x["reason"] for x in r.json["results"]]
        return check, explain, batch, self.verdict(creds, w["key"], server=server)

    def mine(self, account, ws):
        r = account.client.get("/api/v1/me/workspaces")
        self.assertEqual(r.status, 200, r)
        return next(x for x in r.json["items"] if x["id"] == ws)

    # -------------------------------------------------------------------- tests
    def test_suspension_refuses_keys_checks_and_changes_and_resume_restores_them(self):
        w = self.world()
        owner, member, sa, ws = w["owner"], w["member"], w["sa"], w["ws"]
        allowed = (("allowed", "editor"), "allowed", ["allowed", "allowed"], "valid")
        self.assertEqual(self.decisions(w), allowed)   # caches warm before the suspension
        self.assertIs(self.mine(member, ws)["suspended"], False)

        r = self.suspend(w, "  Unpaid invoices since March  ")
        self.assertEqual((r.json["id"], r.json["suspended"], r.json["suspension_reason"]),
                         (ws, True, "Unpaid invoices since March"), r)
        self.assertRegex(r.json["suspended_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

        with self.subTest("products are refused at once"):
            self.assertEqual(self.decisions(w), (("workspace_suspended", None),
                                                 "workspace_suspended",
                                                 ["workspace_suspended", "workspace_suspended"],
                                                 "workspace_suspended"))
        with self.subTest("members keep their accounts and see the suspension"):
            self.assertEqual(member.client.get("/api/v1/me").status, 200)
            card = self.mine(member, ws)
            self.assertEqual((card["suspended"], card["suspended_at"]),
                             (True, r.json["suspended_at"]), card)
            self.assertNotIn("suspension_reason", card)   # the reason is for the operators
            got = owner.client.get(f"/api/v1/workspaces/{ws}")
            self.assertEqual((got.status, got.json["suspended"]), (200, True), got)
            self.assertNotIn("suspension_reason", got.json)
            for path in ("members", "products", "api-keys", "groups", "audit"):
                self.assertEqual(owner.client.get(f"/api/v1/workspaces/{ws}/{path}").status, 200,
                                 path)
        with self.subTest("members change nothing"):
            o = owner.client
            writes = [
                o.patch(f"/api/v1/workspaces/{ws}", {"description": "changed"}),
                o.post(f"/api/v1/workspaces/{ws}/invitations",
                       {"email": unique_email("late"), "role": "member"}),
                o.patch(f"/api/v1/workspaces/{ws}/members/{member.id}", {"role": "admin"}),
                o.post(f"/api/v1/workspaces/{ws}/products",
                       {"name": "More", "product_type": "manage",
                        "shortname": f"more-{secrets.token_hex(3)}"}),
                o.post(f"/api/v1/workspaces/{ws}/groups", {"name": "Crew"}),
                o.post(f"/api/v1/workspaces/{ws}/api-keys",
                       {"name": "Another", "product": w["product"], "environment": "production",
                        "permissions": ["submissions:read"]}),
                o.delete(f"/api/v1/workspaces/{ws}", json_body={"confirm": w["short"]}),
                member.client.delete(f"/api/v1/workspaces/{ws}/members/{member.id}"),
                # the writes other changes of the same issue added go through the same check
                o.request("PUT", f"/api/v1/workspaces/{ws}/products/{w['product']}/config",
                          json_body={"config": {"theme": "dark"}}),
                o.post(f"/api/v1/workspaces/{ws}/products/{w['product']}/subscription/cancel"),
                o.post(f"/api/v1/workspaces/{ws}/ownership-transfer", {"account_id": member.id}),
            ]
            for r in writes:
                self.assertProblem(r, 403, "workspace.suspended")
            self.assertEqual(self.role_of(owner.client, ws, member.id), "member")
            self.assertEqual(owner.client.get(f"/api/v1/workspaces/{ws}").json["description"], "")
            self.assertEqual(owner.client.get(
                f"/api/v1/workspaces/{ws}/products/{w['product']}/config").json["version"], 0)
            sub = owner.client.get(f"/api/v1/workspaces/{ws}/products/{w['product']}/subscription")
            self.assertNotEqual(sub.json["status"], "non_renewing", sub)
        with self.subTest("suspending again is refused and keeps the first reason"):
            r = self.suspend(w, "Another reason", expect=409)
            self.assertProblem(r, 409, "workspace.already_suspended")
            r = sa.get(f"/api/v1/admin/workspaces/{ws}")
            self.assertEqual(r.json["suspension_reason"], "Unpaid invoices since March", r)
            listed = sa.get(f"/api/v1/admin/workspaces?q={w['short']}").json["items"]
            self.assertEqual([(x["id"], x["suspended"]) for x in listed], [(ws, True)])
        events = self.admin_audit(w, "admin.workspace_suspended")
        self.assertEqual(len(events), 1, events)
        self.assertEqual(events[0]["summary"], {"reason": "Unpaid invoices since March"})
        self.assertEqual(events[0]["target"]["id"], ws)

        r = self.resume(w)
        self.assertEqual((r.json["suspended"], r.json["suspended_at"],
                          r.json["suspension_reason"]), (False, None, None), r)
        with self.subTest("resuming restores everything at once"):
            self.assertEqual(self.decisions(w), allowed)
            self.assertIs(self.mine(member, ws)["suspended"], False)
            r = owner.client.patch(f"/api/v1/workspaces/{ws}", {"description": "back"})
            self.assertEqual(r.status, 200, r)
        events = self.admin_audit(w, "admin.workspace_resumed")
        self.assertEqual([e["summary"] for e in events], [{"reason": "Unpaid invoices since March"}])
        self.assertProblem(self.resume(w, expect=409), 409, "workspace.not_suspended")
        # the workspace's own log shows the Super Admin's actions to its Owner too
        owner_view = {e["action"] for e in self.ws_audit(owner.client, ws, "admin.")}
        self.assertEqual(owner_view, {"admin.workspace_suspended", "admin.workspace_resumed"})

    def test_an_invitation_cannot_be_accepted_while_suspended(self):
        w = self.world("Inviting")
        guest = self.create_account(prefix="guest")
        _, token = self.invite(w["owner"].client, w["ws"], guest.email)
        self.suspend(w)
        r = guest.client.post("/api/v1/invitations/accept", {"token": token})
        self.assertProblem(r, 403, "workspace.suspended")
        self.assertIsNone(self.role_of(w["owner"].client, w["ws"], guest.id))
        self.resume(w)
        r = guest.client.post("/api/v1/invitations/accept", {"token": token})
        self.assertEqual(r.status, 200, r)

    def test_bad_input_is_refused_and_changes_nothing(self):
        w = self.world("Strict")
        sa, path = w["sa"], f"/api/v1/admin/workspaces/{w['ws']}/suspension"
        cases = [
            ({}, "reason"), ({"reason": ""}, "reason"), ({"reason": "   "}, "reason"),
            ({"reason": 42}, "reason"), ({"reason": None}, "reason"), ({"reason": ["x"]}, "reason"),
            ({"reason": "x" * 501}, "reason"), ({"reason": "line\nbreak"}, "reason"),
            ({"reason": "nul\u0000"}, "reason"), ({"reason": "é" * 1001}, "reason"),
        ]
        for body, field in cases:
            with self.subTest(body=str(body)[:40]):
                self.assertProblem(sa.post(path, body), 400, field=field)
        for raw in (b"{not json", b'{"reason": "\xff\xfe"}', b"[]", b'"reason"',
                    b'{"reason": "' + b"x" * 300000 + b'"}'):
            with self.subTest(raw=raw[:20]):
                r = sa.raw("POST", path, raw)
                self.assertIn(r.status, (400, 413), r)
                self.assertEqual(r.content_type, "application/problem+json", r)
        r = sa.raw("POST", path, b'{"reason": "x"}', content_type="text/plain")
        self.assertEqual(r.status, 415, r)
        self.assertProblem(sa.post("/api/v1/admin/workspaces/ws_nope/suspension", {"reason": "x"}),
                           404, "workspace.not_found")
        self.assertProblem(sa.delete("/api/v1/admin/workspaces/ws_nope/suspension"), 404,
                           "workspace.not_found")
        self.assertIs(sa.get(f"/api/v1/admin/workspaces/{w['ws']}").json["suspended"], False)
        self.assertEqual(self.admin_audit(w, "admin.workspace_suspended"), [])
        # 500 characters of any script are accepted; hostile text is kept as text
        reason = "<script>alert(1)</script> ü" + "ж" * 473
        self.assertEqual(len(reason), 500)
        r = self.suspend(w, reason)
        self.assertEqual(r.json["suspension_reason"], reason)
        # by shortname too, as the other admin workspace routes
        r = sa.delete(f"/api/v1/admin/workspaces/{w['short']}/suspension")
        self.assertEqual(r.status, 200, r)

    def test_openid_connect_sign_in_and_refresh_are_refused_then_restored(self):
        w = self.world("Signing")
        member, creds = w["member"], w["creds"]
        verifier = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = urllib.parse.urlencode({
            "response_type": "code", "client_id": creds[0], "redirect_uri": REDIRECT,
            "scope": "openid offline_access", "code_challenge": challenge,
            "code_challenge_method": "S256", "state": "s1",
            "workspace_id": w["ws"], "product_id": w["product"]})

        def plan():
            r = member.client.get(f"/api/v1/oauth/authorization?{query}")
            self.assertEqual(r.status, 200, r)
            return r.json["status"], r.json.get("reason")

        r = member.client.get(f"/oauth2/authorize?{query}")
        self.assertEqual(r.status, 302, r)
        location = urllib.parse.urlparse(r.headers["Location"])
        code = urllib.parse.parse_qs(location.query)["code"][0]
        tokens = self.token_form(creds, grant_type="authorization_code", code=code,
                                 redirect_uri=REDIRECT, code_verifier=verifier)
        self.assertEqual(tokens.status, 200, tokens)
        refresh = tokens.json["refresh_token"]
        self.vault.remember_secret(refresh)

        self.suspend(w)
        self.assertEqual(plan(), ("denied", "workspace_suspended"))
        r = self.token_form(creds, grant_type="refresh_token", refresh_token=refresh)
        self.assertEqual((r.status, r.json["error"]), (400, "invalid_grant"), r)
        self.assertIn("workspace_suspended", r.json.get("error_description", ""), r)

        self.resume(w)
        self.assertEqual(plan(), ("ready", None))
        r = self.token_form(creds, grant_type="refresh_token", refresh_token=refresh)
        self.assertEqual(r.status, 200, r)   # the family outlived the suspension
        self.vault.remember_secret(r.json["refresh_token"])

    def token_form(self, creds, **params):
        body = urllib.parse.urlencode(params)
        r = self.client(mode="none").raw("POST", "/oauth2/token", body,
                                         headers={"Authorization": basic(*creds)},
                                         content_type=FORM)
        if r.status == 200:
            self.vault.remember_secret(r.json["access_token"])
        return r

    def test_another_node_learns_of_suspension_and_resumption(self):
        w = self.world("Two nodes")
        second = self.vault.add_server()
        allowed = (("allowed", "editor"), "allowed", ["allowed", "allowed"], "valid")
        self.assertEqual(self.decisions(w, server=second), allowed)   # node 2's caches warm
        suspended = (("workspace_suspended", None), "workspace_suspended",
                     ["workspace_suspended", "workspace_suspended"], "workspace_suspended")
        self.suspend(w)   # on node 1
        wait_until(lambda: self.decisions(w, server=second) == suspended, 3,
                   "node 2 to refuse the suspended workspace", interval=0.1)
        on_second = self.client(mode="cookie", auto_csrf=True, server=second)
        on_second.cookies = dict(w["owner"].client.cookies)
        on_second.csrf_token = w["owner"].client.csrf_token
        r = on_second.patch(f"/api/v1/workspaces/{w['ws']}", {"description": "x"})
        self.assertProblem(r, 403, "workspace.suspended")
        self.resume(w)
        wait_until(lambda: self.decisions(w, server=second) == allowed, 3,
                   "node 2 to accept the resumed workspace", interval=0.1)


if __name__ == "__main__":
    main()
