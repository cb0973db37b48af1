#!/usr/bin/python3
"""Workspace authorization, table-driven (SPEC §3 capability table, docs/api.md "Workspaces,
members, invitations" and "Platform administration").

Every workspace endpoint and every admin endpoint is called by every kind of caller:
anonymous, Member, Billing, Admin, Owner (of workspace A), the Owner of another workspace (B),
a Super Admin (member of no workspace), and a disabled account (a Member of A whose account a
Super Admin disabled; it keeps the session token it had before). The expected status of each
cell is stated in MATRIX below. Bodies are harmless but valid, so the status reflects
authorization: allowed callers get a specific 2xx (or a 4xx named in the table, e.g. DELETE
workspace with a wrong confirmation → 400), and nobody ever deletes workspace A.

A second test proves a non-member learns nothing: for each workspace endpoint, a real id /
shortname of A and a made-up one give byte-identical problem bodies (request_id aside).
"""

import os
import random
import secrets
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main, unique_email  # noqa: E402
from ws_helpers import (WorkspaceFlows, tiny_png, unique_shortname,  # noqa: E402
                        without_request_id)

CALLERS = ["anonymous", "member", "billing", "admin", "owner", "owner_of_other_workspace",
           "super_admin", "disabled_account"]
SHORT = {"anonymous": "anon", "member": "member", "billing": "billing", "admin": "admin",
         "owner": "owner", "owner_of_other_workspace": "other_own", "super_admin": "super",
         "disabled_account": "disabled"}
PNG = tiny_png()


def ws(owner, admin, billing, member):
    """Expected cells of a /api/v1/workspaces/{ws}... endpoint: members get the given status
    (int, or (status, code)); non-members 404 workspace.not_found, signed-out 401."""
    return {"anonymous": 401, "disabled_account": 401, "owner_of_other_workspace": 404,
            "super_admin": 404, "owner": owner, "admin": admin, "billing": billing,
            "member": member}


def platform(super_admin):
    """Expected cells of an /api/v1/admin/... endpoint: 403 admin.required for everyone but
    the Super Admin, 401 when signed out."""
    cells = {c: 403 for c in CALLERS}
    cells.update(anonymous=401, disabled_account=401, super_admin=super_admin)
    return cells


def anyone_signed_in(status):
    cells = {c: status for c in CALLERS}
    cells.update(anonymous=401, disabled_account=401)
    return cells


# (label, method, path, body, expected, prepare)
#   path: str formatted with the world (w) and the prepare() result (p)
#   body: None, dict, ("raw", bytes, content type) or callable(w, p) returning one of those
#   prepare: callable(test, w) run before every cell of the row, result passed as p
MATRIX = [
    ("GET workspace", "GET", "/api/v1/workspaces/{w[A]}", None,
     ws(200, 200, 200, 200), None),
    ("GET workspace by SHORTNAME", "GET", "/api/v1/workspaces/{w[A_SHORT]}", None,
     ws(200, 200, 200, 200), None),
    ("PATCH workspace description", "PATCH", "/api/v1/workspaces/{w[A]}", {"description": "x"},
     ws(200, 200, 403, 403), None),
    ("DELETE workspace wrong confirm", "DELETE", "/api/v1/workspaces/{w[A]}",
     {"confirm": "not-the-shortname"},
     ws((400, "workspace.confirmation_mismatch"), 403, 403, 403), None),
    ("PUT logo", "PUT", "/api/v1/workspaces/{w[A]}/logo", ("raw", PNG, "image/png"),
     ws(204, 204, 403, 403), None),
    ("GET logo", "GET", "/api/v1/workspaces/{w[A]}/logo", None,
     ws(200, 200, 200, 200), lambda t, w: t.ensure_logo()),
    ("DELETE logo", "DELETE", "/api/v1/workspaces/{w[A]}/logo", None,
     ws(204, 204, 403, 403), lambda t, w: t.ensure_logo()),
    ("GET members", "GET", "/api/v1/workspaces/{w[A]}/members", None,
     ws(200, 200, 200, 200), None),
    ("PATCH Member's role to member", "PATCH", "/api/v1/workspaces/{w[A]}/members/{w[MEMBER_ID]}",
     {"role": "member"}, ws(200, 200, 403, 403), None),
    ("PATCH Owner's role to owner", "PATCH", "/api/v1/workspaces/{w[A]}/members/{w[OWNER_ID]}",
     {"role": "owner"}, ws(200, 403, 403, 403), None),
    ("PATCH Member's role to owner", "PATCH", "/api/v1/workspaces/{w[A]}/members/{p}",
     {"role": "owner"}, ws(200, 403, 403, 403), lambda t, w: t.ensure_throwaway("member")),
    ("DELETE a Member", "DELETE", "/api/v1/workspaces/{w[A]}/members/{p}", None,
     ws(204, 204, 403, 403), lambda t, w: t.ensure_throwaway("member")),
    ("DELETE an Owner", "DELETE", "/api/v1/workspaces/{w[A]}/members/{p}", None,
     ws(204, 403, 403, 403), lambda t, w: t.ensure_throwaway("owner")),
    # (to a non-member, so the world keeps its Owner: the refusal comes after the role check)
    ("POST ownership-transfer", "POST", "/api/v1/workspaces/{w[A]}/ownership-transfer",
     {"account_id": "acc_not_a_member"}, ws((404, "member.not_found"), 403, 403, 403), None),
    ("POST invitation (member)", "POST", "/api/v1/workspaces/{w[A]}/invitations",
     lambda w, p: {"email": unique_email("inv"), "role": "member"},
     ws(201, 201, 403, 403), None),
    ("POST invitation (owner)", "POST", "/api/v1/workspaces/{w[A]}/invitations",
     lambda w, p: {"email": unique_email("invo"), "role": "owner"},
     ws(201, 403, 403, 403), None),
    ("GET invitations", "GET", "/api/v1/workspaces/{w[A]}/invitations", None,
     ws(200, 200, 403, 403), None),
    ("DELETE invitation", "DELETE", "/api/v1/workspaces/{w[A]}/invitations/{p}", None,
     ws(204, 204, 403, 403), lambda t, w: t.fresh_invitation()),
    ("POST invitation resend", "POST", "/api/v1/workspaces/{w[A]}/invitations/{w[INV]}/resend",
     None, ws(200, 200, 403, 403), None),
    ("GET workspace audit", "GET", "/api/v1/workspaces/{w[A]}/audit", None,
     ws(200, 200, 200, 403), None),
    ("GET workspace audit, streamed CSV", "GET", "/api/v1/workspaces/{w[A]}/audit?format=csv",
     None, ws(200, 200, 200, 403), None),
    # invalid input: authorisation comes first, so only callers allowed to act see the 400
    ("PATCH workspace, invalid body", "PATCH", "/api/v1/workspaces/{w[A]}", {"name": 5},
     ws(400, 400, 403, 403), None),
    ("PATCH workspace, malformed JSON", "PATCH", "/api/v1/workspaces/{w[A]}",
     ("raw", b"{not json", "application/json"), ws(400, 400, 403, 403), None),
    ("DELETE workspace, invalid body", "DELETE", "/api/v1/workspaces/{w[A]}", {"confirm": 5},
     ws(400, 403, 403, 403), None),
    ("PUT logo, not an image", "PUT", "/api/v1/workspaces/{w[A]}/logo",
     ("raw", b"GIF89a-not-allowed", "image/gif"), ws(400, 400, 403, 403), None),
    ("PATCH role, invalid role", "PATCH", "/api/v1/workspaces/{w[A]}/members/{w[MEMBER_ID]}",
     {"role": "superuser"}, ws(400, 400, 403, 403), None),
    ("POST invitation, invalid email", "POST", "/api/v1/workspaces/{w[A]}/invitations",
     {"email": "not-an-email", "role": "member"}, ws(400, 400, 403, 403), None),
    ("GET workspace audit, invalid limit", "GET", "/api/v1/workspaces/{w[A]}/audit?limit=x",
     None, ws(400, 400, 400, 403), None),
    # last workspace row: the Owner's cell really renames A (paths use the id)
    ("PATCH workspace shortname", "PATCH", "/api/v1/workspaces/{w[A]}",
     lambda w, p: {"shortname": unique_shortname("renamed")}, ws(200, 403, 403, 403), None),
    ("POST /workspaces (create)", "POST", "/api/v1/workspaces",
     lambda w, p: {"name": "Side project", "shortname": unique_shortname("side")},
     anyone_signed_in(201), None),
    ("GET /me/workspaces", "GET", "/api/v1/me/workspaces", None, anyone_signed_in(200), None),
    ("GET /me/invitations", "GET", "/api/v1/me/invitations", None, anyone_signed_in(200), None),
    ("GET admin/accounts", "GET", "/api/v1/admin/accounts", None, platform(200), None),
    ("GET admin/accounts/{id}", "GET", "/api/v1/admin/accounts/{w[MEMBER_ID]}", None,
     platform(200), None),
    ("PATCH admin/accounts/{id} no-op", "PATCH", "/api/v1/admin/accounts/{w[MEMBER_ID]}",
     {"disabled": False}, platform(200), None),
    ("GET admin/workspaces", "GET", "/api/v1/admin/workspaces", None, platform(200), None),
    ("GET admin/workspaces/{id}", "GET", "/api/v1/admin/workspaces/{w[A]}", None,
     platform(200), None),
    ("PATCH admin/accounts/{id}, invalid body", "PATCH", "/api/v1/admin/accounts/{w[MEMBER_ID]}",
     {"disabled": "yes"}, platform(400), None),
    ("GET admin/accounts, invalid limit", "GET", "/api/v1/admin/accounts?limit=0", None,
     platform(400), None),
    ("GET admin/workspaces, invalid limit", "GET", "/api/v1/admin/workspaces?limit=x", None,
     platform(400), None),
    # suspension (issue 19): each cell acts on a fresh workspace of B's Owner, so A stays as is
    ("POST admin/workspaces/{id}/suspension", "POST", "/api/v1/admin/workspaces/{p}/suspension",
     {"reason": "Unpaid invoices"}, platform(200), lambda t, w: t.fresh_workspace()),
    ("DELETE admin/workspaces/{id}/suspension", "DELETE",
     "/api/v1/admin/workspaces/{p}/suspension", None, platform(200),
     lambda t, w: t.fresh_workspace(suspended=True)),
    ("DELETE admin/workspaces/{id}", "DELETE", "/api/v1/admin/workspaces/{p}",
     lambda w, p: {"confirm": p}, platform(204),
     lambda t, w: t.fresh_workspace(field="shortname")),
    ("DELETE admin/workspaces/{id}, wrong confirm", "DELETE", "/api/v1/admin/workspaces/{w[A]}",
     {"confirm": "not-the-shortname"}, platform((400, "workspace.confirmation_mismatch")), None),
    ("PUT admin/workspaces/{id}/owners/{account_id}", "PUT",
     "/api/v1/admin/workspaces/{p}/owners/{w[MEMBER_ID]}", None, platform(200),
     lambda t, w: t.fresh_workspace()),
    ("POST admin/workspaces/{id}/suspension, no reason", "POST",
     "/api/v1/admin/workspaces/{w[A]}/suspension", {}, platform(400), None),
    ("GET admin/audit", "GET", "/api/v1/admin/audit", None, platform(200), None),
    ("GET admin/audit, streamed NDJSON", "GET", "/api/v1/admin/audit?format=ndjson", None,
     platform(200), None),
    ("GET admin/audit, invalid from", "GET", "/api/v1/admin/audit?from=x", None, platform(400),
     None),
    # the mail outbox's dead letters (issue 16): each cell retries a fresh dead letter
    ("GET admin/mail-outbox", "GET", "/api/v1/admin/mail-outbox?state=dead", None, platform(200),
     None),
    ("GET admin/mail-outbox, invalid state", "GET", "/api/v1/admin/mail-outbox?state=sent", None,
     platform(400), None),
    ("POST admin/mail-outbox/{id}/retry", "POST", "/api/v1/admin/mail-outbox/{p}/retry", None,
     platform(202), lambda t, w: t.fresh_dead_letter()),
    ("POST admin/mail-outbox/{id}/retry, unknown", "POST",
     "/api/v1/admin/mail-outbox/mail_unknown/retry", None, platform((404, "mail.not_found")),
     None),
]

# Endpoints under /api/v1/workspaces/{ws} for the "learns nothing" comparison:
# (method, suffix formatted with the world, body)
WS_ENDPOINTS = [
    ("GET", "", None),
    ("PATCH", "", {"description": "x"}),
    ("DELETE", "", {"confirm": "whatever"}),
    ("PUT", "/logo", ("raw", PNG, "image/png")),
    ("GET", "/logo", None),
    ("DELETE", "/logo", None),
    ("GET", "/members", None),
    ("PATCH", "/members/{w[MEMBER_ID]}", {"role": "member"}),
    ("DELETE", "/members/{w[MEMBER_ID]}", None),
    ("POST", "/invitations", {"email": "someone@example.test", "role": "member"}),
    ("GET", "/invitations", None),
    ("DELETE", "/invitations/{w[INV]}", None),
    ("POST", "/invitations/{w[INV]}/resend", None),
    ("GET", "/audit", None),
]


def expected_status_code(row_label, path, caller, cell):
    """(status, code or None) of a table cell."""
    if isinstance(cell, tuple):
        return cell
    if cell == 401:
        return 401, "auth.required"
    if cell == 404:
        return 404, "workspace.not_found"
    if cell == 403:
        return 403, "admin.required" if path.startswith("/api/v1/admin/") else "permission.denied"
    return cell, None


def send(client, method, path, body):
    """body: None, a JSON-able value, or ("raw", bytes, content type)."""
    if isinstance(body, tuple) and body and body[0] == "raw":
        return client.request(method, path, body=body[1], content_type=body[2])
    return client.request(method, path, json_body=body)


def run_matrix(test, w, matrix, callers, short, on_response=None):
    """Calls every row of `matrix` — (label, method, path, body, expected, prepare) — as every
    caller in w["clients"], and fails `test` with the whole grid when any cell differs from
    expected (status, and the code when the cell names one; errors must be problem+json).
    on_response(response) sees every answer (e.g. to remember secrets it returns)."""
    failures, grid = [], []
    for label, method, path_t, body_t, expected, prepare in matrix:
        test.assertEqual(set(expected), set(callers), label)
        row = []
        for caller in callers:
            p = prepare(test, w) if prepare else None
            path = path_t.format(w=w, p=p)
            body = body_t(w, p) if callable(body_t) else body_t
            r = send(w["clients"][caller], method, path, body)
            if on_response:
                on_response(r)
            want_status, want_code = expected_status_code(label, path, caller, expected[caller])
            got_code = r.json.get("code") if isinstance(r.json, dict) else None
            ok = r.status == want_status and (want_code is None or got_code == want_code)
            if r.status >= 400 and r.content_type != "application/problem+json":
                ok = False
            row.append(str(r.status) if ok else f"{r.status}!={want_status}")
            if not ok:
                failures.append(f"{label} [{caller}] {method} {path} body={body!r:.80}: "
                                f"expected {want_status} {want_code or ''}, got {r!r:.300}")
        grid.append((label, row))
    width = max(len(g[0]) for g in grid)
    lines = [" " * width + " | " + " ".join(f"{short[c]:>9}" for c in callers)]
    for name, row in grid:
        lines.append(f"{name:<{width}} | " + " ".join(f"{cell:>9}" for cell in row))
    if os.environ.get("VAULT_IT_SHOW_MATRIX") == "1":
        sys.stderr.write("\n" + "\n".join(lines) + "\n")
    if failures:
        test.fail(f"{len(failures)} cell(s) differ from the capability table "
                  "(x!=y: got x, expected y):\n" + "\n".join(lines) + "\n\n" + "\n".join(failures))


class WorkspaceAuthzTest(WorkspaceFlows, VaultTestCase):
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
        w["A"], w["A_SHORT"] = a["id"], a["shortname"].upper()
        w["owner"] = owner
        w["admin"] = self.member_account(owner.client, a["id"], "admin")
        w["member"] = self.member_account(owner.client, a["id"], "member")
        w["billing"] = self.member_account(owner.client, a["id"], "billing")
        w["disabled"] = self.member_account(owner.client, a["id"], "member", prefix="disabled")
        w["throwaway"] = self.create_account(prefix="throwaway")
        w["OWNER_ID"], w["MEMBER_ID"] = owner.id, w["member"].id
        other = self.create_account(name="Bob Other", prefix="ownerb")
        b = self.create_workspace(other.client, name="Workspace B")
        w["B"], w["other"] = b["id"], other
        inv, _ = self.invite(owner.client, a["id"], unique_email("standing"), "member")
        w["INV"] = inv["id"]

        sa_id, _, _, sa_client = self.make_super_admin()
        w["super"] = sa_client
        disabled = w["disabled"]
        self.assertEqual(disabled.client.get("/api/v1/me").status, 200)
        r = sa_client.patch(f"/api/v1/admin/accounts/{disabled.id}", {"disabled": True})
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.json["disabled"], True, r)
        # the session it had before is dead (by cookie and by Bearer)
        self.assertProblem(disabled.client.get("/api/v1/me"), 401)
        r = self.client(mode="none").get(
            "/api/v1/me", headers={"Authorization": f"Bearer {disabled.body['session_token']}"})
        self.assertProblem(r, 401)
        # and it cannot sign in again
        r = self.client(mode="none").post("/api/v1/sessions",
                                          {"email": disabled.email, "password": disabled.password})
        self.assertIn(r.status, (401, 403), r)
        self.assertNotIn("session_token", r.json or {}, r)
        # the Super Admin cannot disable itself
        r = sa_client.patch(f"/api/v1/admin/accounts/{sa_id}", {"disabled": True})
        self.assertProblem(r, 409, "admin.self")

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

    def ensure_logo(self):
        w = self.world()
        r = w["owner"].client.request("PUT", f"/api/v1/workspaces/{w['A']}/logo", body=PNG,
                                      content_type="image/png")
        self.assertEqual(r.status, 204, r)

    def ensure_throwaway(self, role):
        """The throw-away account is a member of A with `role`; returns its account id."""
        w = self.world()
        t, owner = w["throwaway"], w["owner"].client
        current = self.role_of(owner, w["A"], t.id)
        if current is None:
            self.join(owner, w["A"], t, role)
        elif current != role:
            r = owner.patch(f"/api/v1/workspaces/{w['A']}/members/{t.id}", {"role": role})
            self.assertEqual(r.status, 200, r)
        return t.id

    def fresh_invitation(self):
        w = self.world()
        r = w["owner"].client.post(f"/api/v1/workspaces/{w['A']}/invitations",
                                   {"email": unique_email("revokeme"), "role": "member"})
        self.assertEqual(r.status, 201, r)
        return r.json["id"]

    def fresh_workspace(self, suspended=False, field="id"):
        """A new workspace of B's Owner (suspended by the Super Admin if asked); its id (or
        the named field)."""
        w = self.world()
        made = self.create_workspace(w["other"].client, name="Spare")
        wid = made["id"]
        if suspended:
            r = w["super"].post(f"/api/v1/admin/workspaces/{wid}/suspension", {"reason": "test"})
            self.assertEqual(r.status, 200, r)
        return made[field]

    def fresh_dead_letter(self):
        """A dead row written straight into the outbox (its sealed text is not a message: a
        retry fails to open it, which is the sender's business); its id."""
        mid = "mail_authz_" + secrets.token_hex(6)
        self.vault.db.sql("INSERT INTO mail_outbox (id, created_at, recipient, sealed, attempts, "
                          f"next_attempt_at, state) VALUES ('{mid}', 1, 'x@example.test', "
                          "'not-sealed', 8, 1, 'dead')")
        return mid

    send = staticmethod(send)

    # -------------------------------------------------------------------- tests
    def test_capability_matrix(self):
        w = self.world()
        run_matrix(self, w, MATRIX, CALLERS, SHORT)

        # nobody deleted A, nobody lost their role, the Owner is still the only Owner
        owner = w["owner"].client
        r = owner.get(f"/api/v1/workspaces/{w['A']}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["description"], "x", r)
        roles = {m["account_id"]: m["role"]
                 for m in owner.get(f"/api/v1/workspaces/{w['A']}/members").json["items"]}
        self.assertEqual(roles.get(w["OWNER_ID"]), "owner", roles)
        self.assertEqual(roles.get(w["admin"].id), "admin", roles)
        self.assertEqual(roles.get(w["member"].id), "member", roles)
        self.assertEqual(roles.get(w["billing"].id), "billing", roles)
        self.assertEqual(roles.get(w["disabled"].id), "member", roles)
        r = w["other"].client.get(f"/api/v1/workspaces/{w['B']}")
        self.assertEqual(r.status, 200, r)
        # cookie-authenticated changes still need the CSRF header; Bearer does not
        r = owner.request("PATCH", f"/api/v1/workspaces/{w['A']}", json_body={"description": "y"},
                          csrf=False)
        self.assertProblem(r, 403, "csrf.failed")
        r = owner.request("PATCH", f"/api/v1/workspaces/{w['A']}", json_body={"description": "y"},
                          auth="bearer")
        self.assertEqual(r.status, 200, r)
        self.healthy()

    def test_non_member_learns_nothing(self):
        w = self.world()
        real_id = w["A"]
        prefix, suffix = real_id.split("_", 1)
        fake_id = prefix + "_" + "".join(random.sample(suffix, len(suffix)))
        if fake_id == real_id:
            fake_id = prefix + "_" + suffix[::-1]
        owner = w["owner"].client
        real_short = owner.get(f"/api/v1/workspaces/{real_id}").json["shortname"]
        fake_short = unique_shortname("nosuch")
        pairs = [(real_id, fake_id), (real_short, fake_short), (real_short.upper(), fake_short)]
        ignored_headers = {"date", "x-request-id", "content-length"}
        for who in ("owner_of_other_workspace", "super_admin"):
            client = w["clients"][who]
            for method, suffix_t, body in WS_ENDPOINTS:
                suffix_path = suffix_t.format(w=w)
                for real, fake in pairs:
                    with self.subTest(who=who, method=method, path=suffix_path, ws=real):
                        r_real = self.send(client, method, f"/api/v1/workspaces/{real}{suffix_path}",
                                           body)
                        r_fake = self.send(client, method, f"/api/v1/workspaces/{fake}{suffix_path}",
                                           body)
                        self.assertProblem(r_real, 404, "workspace.not_found")
                        self.assertEqual(r_real.status, r_fake.status, (r_real, r_fake))
                        self.assertEqual(without_request_id(r_real.body),
                                         without_request_id(r_fake.body))
                        h_real = sorted((k.lower(), v) for k, v in r_real.headers.items()
                                        if k.lower() not in ignored_headers)
                        h_fake = sorted((k.lower(), v) for k, v in r_fake.headers.items()
                                        if k.lower() not in ignored_headers)
                        self.assertEqual(h_real, h_fake)
        # and the other Owner's view of the world does not mention A anywhere
        other = w["clients"]["owner_of_other_workspace"]
        for path in ("/api/v1/me/workspaces", "/api/v1/me/invitations", "/api/v1/me/audit"):
            r = other.get(path)
            self.assertEqual(r.status, 200, r)
            self.assertNotIn(real_id.encode(), r.body, path)
            self.assertNotIn(real_short.encode(), r.body, path)


if __name__ == "__main__":
    main()
