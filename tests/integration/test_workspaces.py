#!/usr/bin/python3
"""Workspaces end to end (SPEC §3): shortname rules, concurrent creation of one shortname,
Owners demoting each other at the same moment, the last Owner, logos (content sniffing, size,
CSP), "require 2FA", deletion, the workspaces page (/me/workspaces, last used), member removal
and leaving, and account deletion while the sole Owner."""

import os
import sys
import threading
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main  # noqa: E402
from ws_helpers import WorkspaceFlows, tiny_png, unique_shortname  # noqa: E402

PNG = tiny_png()


def run_together(*calls):
    """Runs the callables in threads released by one barrier; returns their results."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except Exception as e:  # noqa: BLE001 - reported as the result
            results[i] = e
    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


class WorkspacesTest(WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192

    # ------------------------------------------------------------ shortnames
    def test_shortname_rules(self):
        owner = self.create_account(prefix="short")
        c = owner.client
        for shortname in ("api", "admin", "API", "Admin", "www", "vault", "login"):
            with self.subTest(reserved=shortname):
                r = c.post("/api/v1/workspaces", {"name": "Reserved", "shortname": shortname})
                self.assertProblem(r, 400, "workspace.shortname_reserved", "shortname")
        for shortname in ("ab", "a", "a--b", "team--x", "1abc", "9team", "-abc", "abc-", "a_b",
                          "a b", "abc.d", "t\u00e9am", "x" * 41):
            with self.subTest(invalid=shortname):
                r = c.post("/api/v1/workspaces", {"name": "Invalid", "shortname": shortname})
                self.assertProblem(r, 400, {"workspace.shortname_invalid", "validation.too_long"},
                                   "shortname")
        self.assertEqual(c.get("/api/v1/me/workspaces").json["items"], [])

        # uppercase is folded; the folded name is then taken in any case
        base = unique_shortname("MiXed-Case")
        w = self.create_workspace(c, base, name="Mixed")
        self.assertEqual(w["shortname"], base.lower(), w)
        self.assertEqual(w["my_role"], "owner", w)
        self.assertTrue(w["id"].startswith("ws_"), w)
        other = self.create_account(prefix="short2")
        for taken in (base.lower(), base.upper()):
            r = other.client.post("/api/v1/workspaces", {"name": "Dup", "shortname": taken})
            self.assertProblem(r, 409, "workspace.shortname_taken", "shortname")
        # addressed by id or by shortname in any case
        for ref in (w["id"], base.lower(), base.upper()):
            r = c.get(f"/api/v1/workspaces/{ref}")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["id"], w["id"])
        # boundaries: 3 and 40 characters are fine
        self.create_workspace(c, "qrz")
        self.create_workspace(c, ("l" + os.urandom(20).hex())[:40])
        # renaming onto a taken shortname is refused, and so is a reserved one
        mine = self.create_workspace(c)
        r = c.patch(f"/api/v1/workspaces/{mine['id']}", {"shortname": base.upper()})
        self.assertProblem(r, 409, "workspace.shortname_taken")
        r = c.patch(f"/api/v1/workspaces/{mine['id']}", {"shortname": "admin"})
        self.assertProblem(r, 400, "workspace.shortname_reserved", "shortname")
        # the Owner renames: the new shortname resolves, the old one no longer does
        renamed = unique_shortname("Renamed")
        r = c.patch(f"/api/v1/workspaces/{mine['id']}", {"shortname": renamed})
        self.assertEqual((r.status, r.json["shortname"]), (200, renamed.lower()), r)
        self.assertEqual(c.get(f"/api/v1/workspaces/{renamed}").json["id"], mine["id"])
        self.assertProblem(c.get(f"/api/v1/workspaces/{mine['shortname']}"), 404,
                           "workspace.not_found")
        events = self.ws_audit(c, mine["id"], "workspace.updated")
        self.assertIn("shortname", str(events[0]["summary"]), events)

    def test_live_shortname_check(self):
        """GET /api/v1/workspace-shortnames/{s}: what creating with s would say, before trying."""
        owner = self.create_account(prefix="check")
        c = owner.client
        free = unique_shortname("Free-Name")

        def check(s):
            r = c.get("/api/v1/workspace-shortnames/" + urllib.parse.quote(s, safe=""))
            self.assertEqual(r.status, 200, r)
            return r.json

        self.assertEqual(check(free), {"shortname": free, "available": True, "code": None})
        self.assertEqual(check("admin")["code"], "workspace.shortname_reserved")
        self.assertEqual(check("a--b")["code"], "workspace.shortname_invalid")
        self.assertFalse(check("a--b")["available"])
        self.create_workspace(c, free)
        for taken in (free, free.upper()):
            self.assertEqual(check(taken)["code"], "workspace.shortname_taken", taken)
        # the check and creation agree: what it called available can be created
        other = unique_shortname("Other")
        self.assertTrue(check(other)["available"])
        self.create_workspace(c, other)
        # signed-out callers learn nothing; over-long input is a named 400
        anon = self.vault.client()
        self.assertProblem(anon.get("/api/v1/workspace-shortnames/" + free), 401, "auth.required")
        self.assertProblem(c.get("/api/v1/workspace-shortnames/" + "x" * 101), 400,
                           "validation.too_long", "shortname")

    def test_fifty_parallel_creations_of_one_shortname(self):
        accounts = self.many_accounts(50, prefix="race")
        shortname = unique_shortname("race")
        calls = [lambda a=a: a.client.post("/api/v1/workspaces",
                                           {"name": "Race", "shortname": shortname})
                 for a in accounts]
        results = run_together(*calls)
        errors = [r for r in results if isinstance(r, Exception)]
        self.assertEqual(errors, [])
        statuses = sorted(r.status for r in results)
        self.assertEqual(statuses.count(201), 1, statuses)
        self.assertEqual(statuses.count(409), 49, statuses)
        for r in results:
            if r.status == 409:
                self.assertProblem(r, 409, "workspace.shortname_taken", "shortname")
        winner = next(a for a, r in zip(accounts, results) if r.status == 201)
        ws_id = next(r for r in results if r.status == 201).json["id"]
        r = winner.client.get(f"/api/v1/workspaces/{shortname}/members")
        self.assertEqual([(m["account_id"], m["role"]) for m in r.json["items"]],
                         [(winner.id, "owner")])
        for a in accounts:
            if a is not winner:
                self.assertEqual(a.client.get("/api/v1/me/workspaces").json["items"], [])
        self.assertEqual(winner.client.get("/api/v1/me/workspaces").json["items"][0]["id"], ws_id)

        # ten Owners renaming their workspaces to one new shortname at once
        racers = [a for a in accounts if a is not winner][:10]
        own = [self.create_workspace(a.client)["id"] for a in racers]
        target = unique_shortname("rename")
        results = run_together(*[
            lambda a=a, i=i: a.client.patch(f"/api/v1/workspaces/{i}", {"shortname": target})
            for a, i in zip(racers, own)])
        statuses = sorted(r.status for r in results)
        self.assertEqual(statuses, [200] + [409] * 9, results)
        for r in results:
            if r.status == 409:
                self.assertProblem(r, 409, "workspace.shortname_taken")
        self.healthy()

    # ------------------------------------------------------------ ownership
    def test_two_owners_demoting_each_other_at_once(self):
        one = self.create_account(prefix="own1")
        two = self.create_account(prefix="own2")
        outcomes = []
        for round_no in range(20):
            w = self.create_workspace(one.client, name=f"Round {round_no}")
            self.join(one.client, w["id"], two, "owner")
            path = f"/api/v1/workspaces/{w['id']}/members/"
            r1, r2 = run_together(
                lambda: one.client.patch(path + two.id, {"role": "admin"}),
                lambda: two.client.patch(path + one.id, {"role": "admin"}))
            for r in (r1, r2):
                self.assertNotIsInstance(r, Exception)
            statuses = sorted([r1.status, r2.status])
            winner, loser = (r1, r2) if r1.status == 200 else (r2, r1)
            self.assertEqual(winner.status, 200, (round_no, r1, r2))
            # the loser lost either the race for the last Owner (409) or, decided after the
            # winner, was no longer an Owner itself (403); never both 200
            self.assertIn(loser.status, (409, 403), (round_no, r1, r2))
            code = self.assertProblem(loser, {409, 403},
                                      {"workspace.last_owner", "permission.denied"})
            outcomes.append(code)
            members = one.client.get(path.rstrip("/")) if r1.status == 200 else \
                two.client.get(path.rstrip("/"))
            self.assertEqual(members.status, 200, members)
            owners = [m["account_id"] for m in members.json["items"] if m["role"] == "owner"]
            expected_owner = one.id if r1.status == 200 else two.id
            self.assertEqual(owners, [expected_owner], (round_no, statuses, members.json))
        sys.stderr.write(f"\n  loser outcomes over 20 rounds: "
                         f"{outcomes.count('workspace.last_owner')} x 409 last_owner, "
                         f"{outcomes.count('permission.denied')} x 403 (already demoted)\n")

    def test_two_owners_leaving_at_once(self):
        one = self.create_account(prefix="leave1")
        two = self.create_account(prefix="leave2")
        for round_no in range(10):
            w = self.create_workspace(one.client, name=f"Leave {round_no}")
            self.join(one.client, w["id"], two, "owner")
            base = f"/api/v1/workspaces/{w['id']}/members/"
            r1, r2 = run_together(lambda: one.client.delete(base + one.id),
                                  lambda: two.client.delete(base + two.id))
            statuses = sorted([r1.status, r2.status])
            self.assertEqual(statuses, [204, 409], (round_no, r1, r2))
            stayer = one if r1.status == 409 else two
            self.assertProblem(r1 if r1.status == 409 else r2, 409, "workspace.last_owner")
            r = stayer.client.get(base.rstrip("/"))
            self.assertEqual([(m["account_id"], m["role"]) for m in r.json["items"]],
                             [(stayer.id, "owner")], (round_no, r.json))

    def test_demoted_owner_cannot_act_with_its_old_role(self):
        # Owner 1 demotes Owner 2 to Member while Owner 2 promotes a Member to Owner. Either
        # order is fine, but a request decided after the demotion must not use the old role:
        # when the workspace audit shows the demotion first (lower seq), the promotion must
        # have been refused (403).
        one = self.create_account(prefix="stale1")
        two = self.create_account(prefix="stale2")
        third = self.create_account(prefix="stale3")
        stale = []
        for round_no in range(15):
            w = self.create_workspace(one.client, name=f"Stale {round_no}")
            self.join(one.client, w["id"], two, "owner")
            self.join(one.client, w["id"], third, "member")
            base = f"/api/v1/workspaces/{w['id']}/members/"
            r1, r2 = run_together(lambda: one.client.patch(base + two.id, {"role": "member"}),
                                  lambda: two.client.patch(base + third.id, {"role": "owner"}))
            self.assertEqual(r1.status, 200, (round_no, r1))
            self.assertIn(r2.status, (200, 403), (round_no, r2))
            seq = {e["target"]["id"]: e["seq"]
                   for e in self.ws_audit(one.client, w["id"], "member.role_changed")}
            if r2.status == 200 and seq[two.id] < seq[third.id]:
                stale.append(round_no)
        self.assertEqual(stale, [], "a demoted Owner promoted a Member to Owner after its own "
                         "demotion had committed (audit seq order), in these rounds")

    def test_last_owner_cannot_leave_or_be_demoted_and_members_leave_or_are_removed(self):
        owner = self.create_account(prefix="last")
        w = self.create_workspace(owner.client)
        base = f"/api/v1/workspaces/{w['id']}/members"
        r = owner.client.delete(f"{base}/{owner.id}")
        self.assertProblem(r, 409, "workspace.last_owner")
        r = owner.client.patch(f"{base}/{owner.id}", {"role": "admin"})
        self.assertProblem(r, 409, "workspace.last_owner")
        self.assertEqual(self.role_of(owner.client, w["id"], owner.id), "owner")

        admin = self.member_account(owner.client, w["id"], "admin")
        member = self.member_account(owner.client, w["id"], "member")
        leaver = self.member_account(owner.client, w["id"], "billing")
        # role changes are audited with from/to; an unknown member is 404
        r = owner.client.patch(f"{base}/{member.id}", {"role": "billing"})
        self.assertEqual(r.json, {"account_id": member.id, "role": "billing"}, r)
        r = owner.client.patch(f"{base}/{member.id}", {"role": "member"})
        self.assertEqual(r.status, 200, r)
        changes = [e["summary"] for e in self.ws_audit(owner.client, w["id"], "member.role_changed")
                   if e["target"]["id"] == member.id]
        self.assertIn({"from": "member", "to": "billing"},
                      [{k: c.get(k) for k in ("from", "to")} for c in changes], changes)
        self.assertProblem(owner.client.patch(f"{base}/acc_doesnotexist", {"role": "member"}),
                           404, "member.not_found")
        self.assertProblem(owner.client.patch(f"{base}/{member.id}", {"role": "boss"}), 400,
                           field="role")
        # an Admin cannot remove the Owner
        r = admin.client.delete(f"{base}/{owner.id}")
        self.assertProblem(r, 403, "permission.denied")
        # unknown member
        r = owner.client.delete(f"{base}/acc_doesnotexist")
        self.assertProblem(r, 404, "member.not_found")
        # leave (anyone, for themselves)
        r = leaver.client.delete(f"{base}/{leaver.id}")
        self.assertEqual(r.status, 204, r)
        self.assertProblem(leaver.client.get(f"/api/v1/workspaces/{w['id']}"), 404,
                           "workspace.not_found")
        # remove
        r = owner.client.delete(f"{base}/{member.id}")
        self.assertEqual(r.status, 204, r)
        self.assertProblem(member.client.get(f"/api/v1/workspaces/{w['id']}"), 404,
                           "workspace.not_found")
        self.assertEqual(member.client.get("/api/v1/me/workspaces").json["items"], [])
        ids = {m["account_id"] for m in owner.client.get(base).json["items"]}
        self.assertEqual(ids, {owner.id, admin.id})
        # removed twice: 404
        self.assertProblem(owner.client.delete(f"{base}/{member.id}"), 404, "member.not_found")
        events = self.ws_audit(owner.client, w["id"], "member.")
        seen = {(e["action"], e["target"]["id"]) for e in events}
        self.assertIn(("member.left", leaver.id), seen)
        self.assertIn(("member.removed", member.id), seen)
        # with a second Owner the first may leave
        self.join(owner.client, w["id"], self.create_account(prefix="second"), "owner")
        self.assertEqual(owner.client.delete(f"{base}/{owner.id}").status, 204)

    # ------------------------------------------------------------ logo
    def test_logo_upload_sniffing_size_and_csp(self):
        owner = self.create_account(prefix="logo")
        w = self.create_workspace(owner.client)
        self.assertIsNone(w["logo_url"])
        path = f"/api/v1/workspaces/{w['id']}/logo"
        self.assertProblem(owner.client.get(path), 404, "logo.not_found")

        r = owner.client.request("PUT", path, body=PNG, content_type="image/png")
        self.assertEqual(r.status, 204, r)
        r = owner.client.get(path)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.content_type, "image/png", r)
        self.assertEqual(r.body, PNG)
        self.assertEqual(r.headers.get("Content-Security-Policy"), "default-src 'none'; sandbox")
        logo_url = owner.client.get(f"/api/v1/workspaces/{w['id']}").json["logo_url"]
        self.assertTrue(logo_url, logo_url)
        self.assertEqual(owner.client.get(logo_url).body, PNG)
        cards = owner.client.get("/api/v1/me/workspaces").json["items"]
        self.assertTrue(cards[0]["logo_url"], cards)

        svg = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
               b'<script>alert(1)</script></svg>')
        html = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
        gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
        for label, data in (("svg", svg), ("html", html), ("gif", gif), ("empty", b"x")):
            with self.subTest(disguised=label):
                r = owner.client.request("PUT", path, body=data, content_type="image/png")
                self.assertProblem(r, 400, "logo.unsupported_type")
        big = b"\x89PNG\r\n\x1a\n" + b"\x00" * (600 * 1024 - 8)
        r = owner.client.request("PUT", path, body=big, content_type="image/png")
        self.assertProblem(r, 413, {"logo.too_large", "request.too_large"})
        # the refused uploads left the old logo in place
        r = owner.client.get(path)
        self.assertEqual((r.status, r.body), (200, PNG))

        # the type is sniffed from the content, not taken from the header
        jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
        r = owner.client.request("PUT", path, body=jpeg, content_type="image/png")
        self.assertEqual(r.status, 204, r)
        r = owner.client.get(path)
        self.assertEqual((r.status, r.content_type, r.body), (200, "image/jpeg", jpeg))

        r = owner.client.delete(path)
        self.assertEqual(r.status, 204, r)
        self.assertProblem(owner.client.get(path), 404, "logo.not_found")
        self.assertProblem(owner.client.delete(path), 404, "logo.not_found")
        self.assertIsNone(owner.client.get(f"/api/v1/workspaces/{w['id']}").json["logo_url"])
        actions = [e["action"] for e in self.ws_audit(owner.client, w["id"], "workspace.")
                   if e["action"].startswith("workspace.logo_")]
        self.assertEqual(actions.count("workspace.logo_updated"), 2, actions)
        self.assertEqual(actions.count("workspace.logo_removed"), 1, actions)

    # ------------------------------------------------------------ 2FA rule
    def test_require_2fa(self):
        owner = self.create_account(prefix="req2fa")
        self.enable_totp(owner)
        w = self.create_workspace(owner.client)
        member = self.member_account(owner.client, w["id"], "member")
        admin = self.member_account(owner.client, w["id"], "admin")
        r = owner.client.patch(f"/api/v1/workspaces/{w['id']}", {"require_2fa": True})
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.json["require_2fa"], True, r)

        for who in (member, admin):
            for method, suffix in (("GET", ""), ("GET", "/members"), ("GET", "/logo")):
                r = who.client.request(method, f"/api/v1/workspaces/{w['id']}{suffix}")
                self.assertProblem(r, 403, "workspace.requires_2fa")
        # an Admin without 2FA cannot switch the rule off either
        r = admin.client.patch(f"/api/v1/workspaces/{w['id']}", {"require_2fa": False})
        self.assertProblem(r, 403, "workspace.requires_2fa")
        # the card is still listed on the workspaces page
        ids = [c["id"] for c in member.client.get("/api/v1/me/workspaces").json["items"]]
        self.assertIn(w["id"], ids)
        # the Owner (with 2FA) is fine; a member who enrols is let in on the same session
        self.assertEqual(owner.client.get(f"/api/v1/workspaces/{w['id']}").status, 200)
        self.enable_totp(member)
        r = member.client.get(f"/api/v1/workspaces/{w['id']}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["my_role"], "member")
        events = self.ws_audit(owner.client, w["id"], "workspace.updated")
        self.assertTrue(any("require_2fa" in str(e["summary"]) for e in events), events)

    # ------------------------------------------------------------ deletion
    def test_delete_workspace(self):
        owner = self.create_account(prefix="del")
        w = self.create_workspace(owner.client)
        member = self.member_account(owner.client, w["id"], "member")
        path = f"/api/v1/workspaces/{w['id']}"
        invitee = self.create_account(prefix="delinvitee")
        _, token = self.invite(owner.client, w["id"], invitee.email)
        self.assertEqual(len(invitee.client.get("/api/v1/me/invitations").json["items"]), 1)
        r = owner.client.delete(path, json_body={"confirm": w["shortname"] + "x"})
        self.assertProblem(r, 400, "workspace.confirmation_mismatch", "confirm")
        self.assertEqual(owner.client.get(path).status, 200)
        r = owner.client.delete(path, json_body={"confirm": w["shortname"]})
        self.assertEqual(r.status, 204, r)
        for who in (owner, member):
            self.assertProblem(who.client.get(path), 404, "workspace.not_found")
            self.assertProblem(who.client.get(f"/api/v1/workspaces/{w['shortname']}"), 404,
                               "workspace.not_found")
            self.assertEqual(who.client.get("/api/v1/me/workspaces").json["items"], [])
        self.assertProblem(owner.client.delete(path, json_body={"confirm": w["shortname"]}), 404,
                           "workspace.not_found")
        # its invitations went with it
        self.assertEqual(invitee.client.get("/api/v1/me/invitations").json["items"], [])
        r = invitee.client.post("/api/v1/invitations/accept", {"token": token})
        self.assertProblem(r, 400, code_prefix="token.", field="token")
        self.assertEqual(invitee.client.get("/api/v1/me/workspaces").json["items"], [])
        # audit history stays: the Owner's own audit shows the deletion
        r = owner.client.get("/api/v1/me/audit?action=workspace.&limit=1000")
        self.assertEqual(r.status, 200, r)
        actions = [(e["action"], e.get("workspace_id")) for e in r.json["items"]]
        self.assertIn(("workspace.deleted", w["id"]), actions)

    # ------------------------------------------------------------ workspaces page
    def test_my_workspaces_cards_and_last_used(self):
        me = self.create_account(prefix="cards")
        other = self.create_account(prefix="cardsother")
        r = me.client.get("/api/v1/me/workspaces")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {"items": [], "last_workspace_id": None})
        w1 = self.create_workspace(me.client, name="First")
        w2 = self.create_workspace(me.client, name="Second", description="the second one")
        w3 = self.create_workspace(other.client, name="Theirs")
        self.join(other.client, w3["id"], me, "billing")
        r = other.client.request("PUT", f"/api/v1/workspaces/{w3['id']}/logo", body=PNG,
                                 content_type="image/png")
        self.assertEqual(r.status, 204, r)

        r = me.client.get("/api/v1/me/workspaces")
        cards = {c["id"]: c for c in r.json["items"]}
        self.assertEqual(set(cards), {w1["id"], w2["id"], w3["id"]})
        self.assertEqual({k: c["my_role"] for k, c in cards.items()},
                         {w1["id"]: "owner", w2["id"]: "owner", w3["id"]: "billing"})
        self.assertEqual(cards[w2["id"]]["name"], "Second")
        self.assertEqual(cards[w2["id"]]["description"], "the second one")
        self.assertIsNone(cards[w1["id"]]["logo_url"])
        self.assertTrue(cards[w3["id"]]["logo_url"])
        for c in cards.values():
            for key in ("id", "name", "shortname", "description", "require_2fa", "created_at",
                        "updated_at", "my_role", "logo_url"):
                self.assertIn(key, c)

        self.assertEqual(me.client.get(f"/api/v1/workspaces/{w2['id']}").status, 200)
        self.assertEqual(me.client.get("/api/v1/me/workspaces").json["last_workspace_id"],
                         w2["id"])
        self.assertEqual(me.client.get(f"/api/v1/workspaces/{w3['shortname'].upper()}").status,
                         200)
        self.assertEqual(me.client.get("/api/v1/me/workspaces").json["last_workspace_id"],
                         w3["id"])
        # remembered for the next sign-in
        c = self.sign_in(me.email, me.password)
        self.assertEqual(c.get("/api/v1/me/workspaces").json["last_workspace_id"], w3["id"])
        # a workspace you are not in is never remembered
        self.assertEqual(c.get(f"/api/v1/workspaces/{self.create_workspace(other.client)['id']}")
                         .status, 404)
        self.assertEqual(c.get("/api/v1/me/workspaces").json["last_workspace_id"], w3["id"])

    # ------------------------------------------------------------ account deletion
    def test_account_deletion_refused_while_sole_owner(self):
        owner = self.create_account(prefix="sole")
        w = self.create_workspace(owner.client)
        r = owner.client.delete("/api/v1/me", json_body={"password": owner.password})
        self.assertProblem(r, 409, "account.sole_owner")
        self.assertEqual(owner.client.get("/api/v1/me").status, 200)
        co = self.member_account(owner.client, w["id"], "owner", prefix="coowner")
        r = owner.client.delete("/api/v1/me", json_body={"password": owner.password})
        self.assertEqual(r.status, 204, r)
        ids = {m["account_id"]: m["role"]
               for m in co.client.get(f"/api/v1/workspaces/{w['id']}/members").json["items"]}
        self.assertEqual(ids, {co.id: "owner"})
        # and now the remaining Owner is the sole one
        r = co.client.delete("/api/v1/me", json_body={"password": co.password})
        self.assertProblem(r, 409, "account.sole_owner")


if __name__ == "__main__":
    main()
