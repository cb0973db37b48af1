#!/usr/bin/python3
"""Invitations end to end through the real SMTP sink (SPEC §3): an existing account accepts
after signing in, a new person signs up through the link, email mismatch, an address that
already has an account, Admins cannot invite Owners, resend (old link dies), revoke, decline,
expiry after 7 days (VAULT_CLOCK_OFFSET_FILE), and the workspace audit log of every step
(Billing sees billing events only, Member is refused)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import PUBLIC_URL, TOKEN_SHAPE, VaultTestCase, extract_link, main, unique_email  # noqa: E402,E501
from ws_helpers import INVITE_SUBJECT, WorkspaceFlows  # noqa: E402

SEVEN_DAYS = 7 * 86400


class InvitationsTest(WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    CLOCK_OFFSET = True

    def setUp(self):
        self.owner = self.create_account(name="Olga Owner", prefix="invowner")
        self.ws = self.create_workspace(self.owner.client, name="Invite Co")
        self.wid = self.ws["id"]

    def audit(self, action_prefix="invitation."):
        return self.ws_audit(self.owner.client, self.wid, action_prefix)

    def assertAudited(self, action, invitation_id, actor_id=None):
        events = [e for e in self.audit() if e["action"] == action
                  and e["target"]["id"] == invitation_id]
        self.assertEqual(len(events), 1, (action, invitation_id, self.audit()))
        e = events[0]
        self.assertEqual(e["workspace_id"], self.wid, e)
        self.assertEqual(e["target"]["type"], "invitation", e)
        if actor_id is not None:
            self.assertEqual(e["actor"]["id"], actor_id, e)
        return e

    def accept_anon(self, token, name="New Person", password=None, expect=None):
        c = self.client(mode="cookie", auto_csrf=True)
        r = c.post("/api/v1/invitations/accept",
                   {"token": token, "name": name, "password": password or self.vault.new_password()})
        if expect is not None:
            self.assertEqual(r.status, expect, r)
        return c, r

    # ------------------------------------------------------------------------------------
    def test_existing_account_accepts_after_signing_in(self):
        invitee = self.create_account(name="Ivy Invitee", prefix="existing")
        r = self.owner.client.post(f"/api/v1/workspaces/{self.wid}/invitations",
                                   {"email": invitee.email.upper(), "role": "admin"})
        self.assertEqual(r.status, 201, r)
        inv = r.json
        self.assertTrue(inv["id"].startswith("inv_"), inv)
        self.assertEqual((inv["workspace_id"], inv["role"], inv["status"], inv["invited_by"]),
                         (self.wid, "admin", "pending", self.owner.id), inv)
        msg = self.sink.wait_for_mail(invitee.email, INVITE_SUBJECT)
        self.assertIn("Invite Co", str(msg["Subject"]))
        link = extract_link(msg, "/invitations/accept")
        self.assertTrue(link.startswith(f"{PUBLIC_URL}/invitations/accept?token="), link)
        token = self.vault.token_from(msg)
        self.assertRegex(token, TOKEN_SHAPE)
        self.assertNotIn(token, r.body.decode())
        self.assertAudited("invitation.created", inv["id"], self.owner.id)

        # listed as pending for the Owner and for the invitee, with the workspace
        pending = self.owner.client.get(f"/api/v1/workspaces/{self.wid}/invitations").json["items"]
        self.assertIn(inv["id"], [i["id"] for i in pending])
        mine = invitee.client.get("/api/v1/me/invitations")
        self.assertEqual(mine.status, 200, mine)
        items = [i for i in mine.json["items"] if i["id"] == inv["id"]]
        self.assertEqual(len(items), 1, mine.json)
        self.assertEqual(items[0]["workspace"],
                         {"id": self.wid, "name": "Invite Co", "shortname": self.ws["shortname"]})
        self.assertEqual(items[0]["role"], "admin")
        # not a member yet
        self.assertProblem(invitee.client.get(f"/api/v1/workspaces/{self.wid}"), 404)

        r = invitee.client.post("/api/v1/invitations/accept", {"token": token})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["workspace"]["id"], self.wid, r)
        self.assertEqual(r.json["workspace"]["my_role"], "admin", r)
        self.assertNotIn("session_token", r.json)
        self.assertEqual(self.role_of(self.owner.client, self.wid, invitee.id), "admin")
        r = invitee.client.get(f"/api/v1/workspaces/{self.wid}")
        self.assertEqual((r.status, r.json["my_role"]), (200, "admin"), r)
        self.assertEqual(invitee.client.get("/api/v1/me/invitations").json["items"], [])
        pending = self.owner.client.get(f"/api/v1/workspaces/{self.wid}/invitations").json["items"]
        self.assertNotIn(inv["id"], [i["id"] for i in pending])
        self.assertAudited("invitation.accepted", inv["id"], invitee.id)
        # single use
        r = invitee.client.post("/api/v1/invitations/accept", {"token": token})
        self.assertProblem(r, 400, {"token.used", "token.invalid"}, "token")
        # inviting a member again: 409
        r = self.owner.client.post(f"/api/v1/workspaces/{self.wid}/invitations",
                                   {"email": invitee.email})
        self.assertProblem(r, 409, "member.exists")

    def test_signed_in_invitee_answers_from_the_list(self):
        """POST /me/invitations/{id}/accept|decline: the invitee's own pending invitations only."""
        invitee = self.create_account(name="Lia List", prefix="listed")
        stranger = self.create_account(name="Sam Stranger", prefix="stranger")
        first, _ = self.invite(self.owner.client, self.wid, invitee.email, role="billing")
        path = f"/api/v1/me/invitations/{first['id']}"
        # nobody else can answer it, and without a session nothing happens
        for who in (stranger.client, self.owner.client):
            self.assertProblem(who.post(path + "/accept"), 404, "invitation.not_found")
            self.assertProblem(who.post(path + "/decline"), 404, "invitation.not_found")
        self.assertProblem(self.client(mode="none").post(path + "/accept"), 401, "auth.required")
        self.assertProblem(invitee.client.post("/api/v1/me/invitations/inv_nope/accept"), 404,
                           "invitation.not_found")
        # the invitee declines: gone from both lists, audited as the invitee
        self.assertEqual(invitee.client.post(path + "/decline").status, 204)
        self.assertEqual(invitee.client.get("/api/v1/me/invitations").json["items"], [])
        pending = self.owner.client.get(f"/api/v1/workspaces/{self.wid}/invitations").json["items"]
        self.assertNotIn(first["id"], [i["id"] for i in pending])
        self.assertAudited("invitation.declined", first["id"], invitee.id)
        self.assertProblem(invitee.client.post(path + "/accept"), 404, "invitation.not_found")
        # invited again, the invitee accepts from the list with the invited role
        second, token = self.invite(self.owner.client, self.wid, invitee.email, role="billing")
        r = invitee.client.post(f"/api/v1/me/invitations/{second['id']}/accept")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["workspace"]["id"], r.json["workspace"]["my_role"]),
                         (self.wid, "billing"), r)
        self.assertNotIn("session_token", r.json)
        self.assertEqual(self.role_of(self.owner.client, self.wid, invitee.id), "billing")
        self.assertAudited("invitation.accepted", second["id"], invitee.id)
        # the mailed link of an invitation answered from the list no longer works
        r = self.client(mode="cookie", auto_csrf=True).post("/api/v1/invitations/decline",
                                                            {"token": token})
        self.assertProblem(r, 400, {"token.used", "token.invalid"}, "token")

    def test_new_person_signs_up_through_the_link(self):
        email = unique_email("newbie")
        inv, token = self.invite(self.owner.client, self.wid, email, "billing")
        # a second invitation to the same pending address is refused
        r = self.owner.client.post(f"/api/v1/workspaces/{self.wid}/invitations", {"email": email})
        self.assertProblem(r, 409, "invitation.exists")
        # invalid password: refused, nothing created, link still good
        _, r = self.accept_anon(token, password="short")
        self.assertProblem(r, 400, code_prefix="password.", field="password")
        password = self.vault.new_password()
        c, r = self.accept_anon(token, name="Nina Newbie", password=password, expect=201)
        body = r.json
        self.assertEqual(body["workspace"]["id"], self.wid, body)
        self.assertEqual(body["workspace"]["my_role"], "billing", body)
        self.assertEqual(body["account"]["email"], email, body)
        self.assertEqual(body["account"]["name"], "Nina Newbie", body)
        self.assertIs(body["account"]["email_verified"], True, body)
        self.assertRegex(body["session_token"], TOKEN_SHAPE)
        self.assertEqual(c.session_cookie, body["session_token"])
        self.assertNotIn(password, r.body.decode())
        me = c.get("/api/v1/me")
        self.assertEqual(me.status, 200, me)
        self.assertEqual((me.json["email"], me.json["email_verified"]), (email, True), me)
        self.assertEqual(c.get(f"/api/v1/workspaces/{self.wid}").json["my_role"], "billing")
        # the password works for a normal sign-in
        self.sign_in(email, password)
        self.assertAudited("invitation.accepted", inv["id"], body["account"]["id"])
        # the link is spent
        _, r = self.accept_anon(token)
        self.assertProblem(r, 400, {"token.used", "token.invalid"}, "token")

    def test_email_mismatch_and_existing_address_must_sign_in(self):
        target = self.create_account(prefix="target")
        stranger = self.create_account(prefix="stranger")
        inv, token = self.invite(self.owner.client, self.wid, target.email, "member")
        # signed in as someone else
        r = stranger.client.post("/api/v1/invitations/accept", {"token": token})
        self.assertProblem(r, 403, "invitation.email_mismatch")
        self.assertProblem(stranger.client.get(f"/api/v1/workspaces/{self.wid}"), 404)
        # signing up through the link for an address that already has an account
        _, r = self.accept_anon(token)
        self.assertProblem(r, 401, "auth.required")
        self.assertEqual(self.sign_in(target.email, target.password).get("/api/v1/me").status, 200)
        # still pending: the right person can accept
        r = target.client.post("/api/v1/invitations/accept", {"token": token})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.role_of(self.owner.client, self.wid, target.id), "member")
        self.assertIsNone(self.role_of(self.owner.client, self.wid, stranger.id))

    def test_admin_cannot_invite_an_owner(self):
        admin = self.member_account(self.owner.client, self.wid, "admin")
        email = unique_email("wouldbeowner")
        r = admin.client.post(f"/api/v1/workspaces/{self.wid}/invitations",
                              {"email": email, "role": "owner"})
        self.assertProblem(r, 403, "permission.denied")
        self.assertEqual(self.sink.mails_to(email), [])
        # an Admin may invite an Admin; the Owner may invite an Owner
        self.invite(admin.client, self.wid, unique_email("byadmin"), "admin")
        inv, _ = self.invite(self.owner.client, self.wid, email, "owner")
        # and an Admin cannot resend or revoke the Owner invitation
        base = f"/api/v1/workspaces/{self.wid}/invitations/{inv['id']}"
        self.assertProblem(admin.client.post(base + "/resend"), 403, "permission.denied")
        self.assertProblem(admin.client.delete(base), 403, "permission.denied")
        r = self.owner.client.post(f"/api/v1/workspaces/{self.wid}/invitations",
                                   {"email": unique_email("badrole"), "role": "superuser"})
        self.assertProblem(r, 400, field="role")

    # --------------------------------------------- the inviter's authority (SPEC §12, M3)
    def pending_ids(self):
        r = self.owner.client.get(f"/api/v1/workspaces/{self.wid}/invitations")
        self.assertEqual(r.status, 200, r)
        return {i["id"] for i in r.json["items"]}

    def assertRevokedForAuthority(self, invitation_id, actor_id):
        e = self.assertAudited("invitation.revoked", invitation_id, actor_id)
        self.assertEqual(e["summary"].get("reason"), "inviter_lacks_authority", e)

    def test_removed_admins_invitations_die_with_the_membership(self):
        admin = self.member_account(self.owner.client, self.wid, "admin", prefix="leaving")
        alt = self.create_account(prefix="alternate")  # the Admin's other address
        inv, token = self.invite(admin.client, self.wid, alt.email, "admin")
        new_email = unique_email("altsignup")
        inv2, token2 = self.invite(admin.client, self.wid, new_email, "member")
        r = self.owner.client.delete(f"/api/v1/workspaces/{self.wid}/members/{admin.id}")
        self.assertEqual(r.status, 204, r)
        self.assertFalse({inv["id"], inv2["id"]} & self.pending_ids())
        self.assertRevokedForAuthority(inv["id"], self.owner.id)
        self.assertRevokedForAuthority(inv2["id"], self.owner.id)
        r = alt.client.post("/api/v1/invitations/accept", {"token": token})
        self.assertProblem(r, 400, "token.used", field="token")
        self.accept_anon(token2, expect=400)
        self.assertProblem(alt.client.get(f"/api/v1/workspaces/{self.wid}"), 404)
        self.assertIsNone(self.role_of(self.owner.client, self.wid, alt.id))

    def test_demotion_revokes_only_what_the_new_role_cannot_send(self):
        co_owner = self.member_account(self.owner.client, self.wid, "owner", prefix="coowner")
        as_owner, owner_token = self.invite(co_owner.client, self.wid, unique_email("o"), "owner")
        as_admin, admin_token = self.invite(co_owner.client, self.wid, unique_email("a"), "admin")
        r = self.owner.client.patch(f"/api/v1/workspaces/{self.wid}/members/{co_owner.id}",
                                    {"role": "admin"})
        self.assertEqual(r.status, 200, r)
        pending = self.pending_ids()
        self.assertNotIn(as_owner["id"], pending)
        self.assertIn(as_admin["id"], pending)
        self.assertRevokedForAuthority(as_owner["id"], self.owner.id)
        self.accept_anon(owner_token, expect=400)
        c, r = self.accept_anon(admin_token, expect=201)
        self.assertEqual(r.json["workspace"]["my_role"], "admin", r)
        # an Admin made Billing can send nothing any more
        gone, gone_token = self.invite(co_owner.client, self.wid, unique_email("m"), "member")
        r = self.owner.client.patch(f"/api/v1/workspaces/{self.wid}/members/{co_owner.id}",
                                    {"role": "billing"})
        self.assertEqual(r.status, 200, r)
        self.assertNotIn(gone["id"], self.pending_ids())
        self.accept_anon(gone_token, expect=400)

    def test_acceptance_rechecks_the_inviters_current_role(self):
        admin = self.member_account(self.owner.client, self.wid, "admin", prefix="stale")
        alt = self.create_account(prefix="stalealt")
        inv, token = self.invite(admin.client, self.wid, alt.email, "admin")
        new_email = unique_email("stalenew")
        _, token2 = self.invite(admin.client, self.wid, new_email, "admin")
        # the role changes behind the service's back (another path, a race): the invitation is
        # still pending, and acceptance must judge the inviter's role as it is now
        self.vault.db.sql(f"UPDATE memberships SET role = 'member' WHERE account_id = '{admin.id}'"
                          f" AND workspace_id = '{self.wid}';")
        r = alt.client.post("/api/v1/invitations/accept", {"token": token})
        self.assertProblem(r, 409, "invitation.inviter_lacks_authority", field="token")
        _, r = self.accept_anon(token2)
        self.assertProblem(r, 409, "invitation.inviter_lacks_authority", field="token")
        # nothing was written: no membership, no account for the new address, still pending
        self.assertIsNone(self.role_of(self.owner.client, self.wid, alt.id))
        self.assertIn(inv["id"], self.pending_ids())
        self.assertEqual(self.vault.db.sql(
            f"SELECT count(*) FROM accounts WHERE email_norm = '{new_email.lower()}';"), [["0"]])
        # with the role back, the same link works
        self.vault.db.sql(f"UPDATE memberships SET role = 'admin' WHERE account_id = '{admin.id}'"
                          f" AND workspace_id = '{self.wid}';")
        r = alt.client.post("/api/v1/invitations/accept", {"token": token})
        self.assertEqual(r.status, 200, r)

    def test_resend_revoke_decline(self):
        base = f"/api/v1/workspaces/{self.wid}/invitations"
        # resend: a new email with a new link; the old one stops working
        email = unique_email("resend")
        inv, old = self.invite(self.owner.client, self.wid, email)
        r = self.owner.client.post(f"{base}/{inv['id']}/resend")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["id"], r.json["status"]), (inv["id"], "pending"), r)
        self.assertGreaterEqual(r.json["expires_at"], inv["expires_at"])
        new = self.vault.token_from(self.sink.wait_for_mail(email, INVITE_SUBJECT))
        self.assertNotEqual(new, old)
        _, r = self.accept_anon(old)
        self.assertProblem(r, 400, code_prefix="token.", field="token")
        r = self.client(mode="none").post("/api/v1/invitations/decline", {"token": old})
        self.assertProblem(r, 400, code_prefix="token.", field="token")
        self.assertAudited("invitation.resent", inv["id"], self.owner.id)
        c, r = self.accept_anon(new, expect=201)
        self.assertEqual(r.json["workspace"]["my_role"], "member")

        # revoke: 204, the link is dead, revoking again is 404
        email = unique_email("revoke")
        inv, token = self.invite(self.owner.client, self.wid, email)
        r = self.owner.client.delete(f"{base}/{inv['id']}")
        self.assertEqual(r.status, 204, r)
        _, r = self.accept_anon(token)
        self.assertProblem(r, 400, code_prefix="token.", field="token")
        self.assertProblem(self.owner.client.delete(f"{base}/{inv['id']}"), 404,
                           "invitation.not_found")
        self.assertProblem(self.owner.client.post(f"{base}/{inv['id']}/resend"), 404,
                           "invitation.not_found")
        self.assertNotIn(inv["id"], [i["id"] for i in self.owner.client.get(base).json["items"]])
        self.assertAudited("invitation.revoked", inv["id"], self.owner.id)
        # a revoked address can be invited again
        self.invite(self.owner.client, self.wid, email)

        # decline: anyone with the link, 204, then the link is dead
        invitee = self.create_account(prefix="decliner")
        inv, token = self.invite(self.owner.client, self.wid, invitee.email)
        r = self.client(mode="none").post("/api/v1/invitations/decline", {"token": token})
        self.assertEqual(r.status, 204, r)
        r = invitee.client.post("/api/v1/invitations/accept", {"token": token})
        self.assertProblem(r, 400, code_prefix="token.", field="token")
        r = self.client(mode="none").post("/api/v1/invitations/decline", {"token": token})
        self.assertProblem(r, 400, code_prefix="token.", field="token")
        self.assertEqual(invitee.client.get("/api/v1/me/invitations").json["items"], [])
        self.assertIsNone(self.role_of(self.owner.client, self.wid, invitee.id))
        self.assertAudited("invitation.declined", inv["id"])
        # garbage tokens
        for bad in ("x" * 43, "short", "A" * 43):
            r = self.client(mode="none").post("/api/v1/invitations/decline", {"token": bad})
            self.assertProblem(r, 400, "token.invalid", "token")

    def test_expired_invitation(self):
        email = unique_email("late")
        existing = self.create_account(prefix="lateexisting")
        inv, token = self.invite(self.owner.client, self.wid, email)
        inv2, token2 = self.invite(self.owner.client, self.wid, existing.email)
        try:
            self.vault.set_clock_offset(SEVEN_DAYS - 120)
            # still valid just before the 7 days: the existing-address check answers
            _, r = self.accept_anon(token2)
            self.assertProblem(r, 401, "auth.required")
            self.vault.set_clock_offset(SEVEN_DAYS + 1)
            _, r = self.accept_anon(token)
            self.assertProblem(r, 400, "token.expired", "token")
            r = self.client(mode="none").post("/api/v1/invitations/decline", {"token": token})
            self.assertProblem(r, 400, "token.expired", "token")
            c = self.sign_in(existing.email, existing.password)
            r = c.post("/api/v1/invitations/accept", {"token": token2})
            self.assertProblem(r, 400, "token.expired", "token")
            self.assertEqual(c.get("/api/v1/me/invitations").json["items"], [])
            # an expired invitation no longer blocks a new one to the same address (a fresh
            # sign-in: the Owner's first session is idle for 7 days in this future)
            owner = self.sign_in(self.owner.email, self.owner.password)
            self.invite(owner, self.wid, email)
        finally:
            self.vault.set_clock_offset(0)
        self.assertIsNone(self.role_of(self.owner.client, self.wid, existing.id))

    def test_audit_visibility_by_role(self):
        billing = self.member_account(self.owner.client, self.wid, "billing")
        member = self.member_account(self.owner.client, self.wid, "member")
        admin = self.member_account(self.owner.client, self.wid, "admin")
        path = f"/api/v1/workspaces/{self.wid}/audit"
        owner_events = self.owner.client.get(path + "?limit=1000")
        self.assertEqual(owner_events.status, 200, owner_events)
        actions = {e["action"] for e in owner_events.json["items"]}
        self.assertTrue({"workspace.created", "invitation.created", "invitation.accepted"}
                        <= actions, actions)
        self.assertTrue(all(e["workspace_id"] == self.wid for e in owner_events.json["items"]))
        r = admin.client.get(path + "?limit=1000")
        self.assertEqual(r.status, 200, r)
        self.assertTrue({"workspace.created", "invitation.accepted"} <= {e["action"] for e in
                                                                          r.json["items"]})
        # Billing: billing events only (none yet), even when asking for others
        for q in ("", "?action=invitation.", "?action=workspace.created", "?format=json"):
            r = billing.client.get(path + q)
            self.assertEqual(r.status, 200, (q, r))
            self.assertEqual(r.json["items"], [], (q, r.json))
        for fmt in ("ndjson", "csv"):
            r = billing.client.get(f"{path}?format={fmt}&action=invitation.")
            self.assertEqual(r.status, 200, r)
            self.assertNotIn(b"invitation.", r.body, r)
        r = member.client.get(path)
        self.assertProblem(r, 403, "permission.denied")


if __name__ == "__main__":
    main()
