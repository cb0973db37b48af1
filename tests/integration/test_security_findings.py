#!/usr/bin/python3
"""Regression tests for the account findings of the security review (issue 12), over HTTP as a
client would see them, on both backends:

  H1  a pending email-change link dies with a password reset (no takeover through the new address)
  M1  a reset link dies with a later reset, a password change or an email change
  M2  2FA enrolment needs the password and mails the owner; a fresh factor does not survive a reset
  M6  password re-checks count toward the sign-in lockout, share its 429 and are audited
  L1  login CSRF: bodies must be application/json, credential endpoints refuse a foreign Origin
  L4  account deletion leaves member.left in each workspace's log
  L5  /me/audit hides the address and browser of an administrator who acted on the account
  L12 look-alike (non-ASCII) addresses and bidi overrides in names are refused
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import PUBLIC_URL, VaultTestCase, main, unique_email  # noqa: E402
from ws_helpers import WorkspaceFlows, totp_code  # noqa: E402

RESET_SUBJECT = "Reset your password"
CONFIRM_SUBJECT = "Confirm your new email address"


class SecurityFindingsTest(WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192

    # ------------------------------------------------------------------ helpers
    def reset_token(self, email):
        r = self.client(mode="none").post("/api/v1/password/forgot", {"email": email})
        self.assertEqual(r.status, 202, r)
        msg = self.sink.wait_for_mail(email, RESET_SUBJECT)
        return self.vault.token_from(msg)

    def reset(self, token, expect=204):
        password = self.vault.new_password()
        r = self.client(mode="none").post("/api/v1/password/reset",
                                          {"token": token, "password": password})
        self.assertEqual(r.status, expect, r)
        return password, r

    def request_email_change(self, acc, new_email):
        r = acc.client.post("/api/v1/me/email", {"new_email": new_email, "password": acc.password})
        self.assertEqual(r.status, 202, r)
        return self.vault.token_from(self.sink.wait_for_mail(new_email, CONFIRM_SUBJECT))

    def my_actions(self, client):
        r = client.get("/api/v1/me/audit?limit=1000")
        self.assertEqual(r.status, 200, r)
        return r.json["items"]

    # ------------------------------------------------------------------ H1, M1
    def test_email_change_link_dies_with_a_password_reset(self):
        victim = self.create_account(prefix="h1victim")
        thief_address = unique_email("h1thief")
        # the thief, holding a stolen session and the password, asks to move the account
        change = self.request_email_change(victim, thief_address)
        # the owner notices and resets the password
        new_password, _ = self.reset(self.reset_token(victim.email))
        # the thief's link is now dead: the account keeps its address
        r = self.client(mode="none").post("/api/v1/email/confirm", {"token": change})
        self.assertProblem(r, 400, "token.used", "token")
        c = self.sign_in(victim.email, new_password)
        self.assertEqual(c.get("/api/v1/me").json["email"], victim.email)
        # and no reset can be asked through the thief's address
        r = self.client(mode="none").post("/api/v1/password/forgot", {"email": thief_address})
        self.assertEqual(r.status, 202, r)
        with self.assertRaises(AssertionError):
            self.sink.wait_for_mail(thief_address, RESET_SUBJECT, timeout=1)

    def test_reset_link_dies_with_later_changes(self):
        # a later reset
        a = self.create_account(prefix="m1a")
        first = self.reset_token(a.email)
        self.reset(self.reset_token(a.email))
        _, r = self.reset(first, expect=400)
        self.assertProblem(r, 400, "token.used", "token")
        # a password change
        b = self.create_account(prefix="m1b")
        before = self.reset_token(b.email)
        r = b.client.post("/api/v1/me/password", {"current_password": b.password,
                                                  "new_password": self.vault.new_password()})
        self.assertEqual(r.status, 204, r)
        _, r = self.reset(before, expect=400)
        self.assertProblem(r, 400, "token.used", "token")
        # an email change: the link sent to the old address dies, the old address is told
        c = self.create_account(prefix="m1c")
        to_old = self.reset_token(c.email)
        new_address = unique_email("m1cnew")
        r = self.client(mode="none").post("/api/v1/email/confirm",
                                          {"token": self.request_email_change(c, new_address)})
        self.assertEqual(r.status, 200, r)
        self.sink.wait_for_mail(c.email, "Your email address was changed")
        _, r = self.reset(to_old, expect=400)
        self.assertProblem(r, 400, "token.used", "token")

    # ------------------------------------------------------------------ M2
    def test_enrolment_needs_the_password_notifies_and_a_fresh_factor_yields_to_a_reset(self):
        acc = self.create_account(prefix="m2")
        r = acc.client.post("/api/v1/me/mfa/totp", {})
        self.assertProblem(r, 400, "validation.required", "password")
        r = acc.client.post("/api/v1/me/mfa/totp", {"password": "Not-the-password-1"})
        self.assertProblem(r, 401, "auth.invalid_credentials", "password")
        secret = self.enable_totp(acc)
        self.sink.wait_for_mail(acc.email, "Two-factor authentication changed")
        # the factor is active ...
        r = self.client(mode="none").post("/api/v1/sessions",
                                          {"email": acc.email, "password": acc.password})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["mfa_required"])
        # ... but was enrolled minutes ago: a reset (proof of the mailbox) removes it
        new_password, _ = self.reset(self.reset_token(acc.email))
        r = self.client(mode="none").post("/api/v1/sessions",
                                          {"email": acc.email, "password": new_password})
        self.assertEqual(r.status, 201, r)
        self.sink.wait_for_mail(acc.email, "Two-factor authentication changed")
        self.assertNotEqual(totp_code(secret), "")

    # ------------------------------------------------------------------ M6
    def test_password_rechecks_count_toward_the_lockout(self):
        acc = self.create_account(prefix="m6")
        wrong = "Wrong-password-123"
        attempts = [
            ("POST", "/api/v1/me/password", {"current_password": wrong,
                                             "new_password": "Another-long-pass-9"}),
            ("POST", "/api/v1/me/email", {"new_email": unique_email("m6n"), "password": wrong}),
            ("DELETE", "/api/v1/me", {"password": wrong}),
            ("POST", "/api/v1/me/mfa/totp", {"password": wrong}),
            ("POST", "/api/v1/me/password", {"current_password": wrong,
                                             "new_password": "Another-long-pass-9"}),
        ]
        for method, path, body in attempts:
            r = acc.client.request(method, path, json_body=body)
            self.assertProblem(r, 401, "auth.invalid_credentials")
        self.sink.wait_for_mail(acc.email, "Sign-in to your account was paused")
        # the address is now locked for sign-in and re-checks alike, even with the right password
        anon = self.client(mode="none")
        anon.retry_budget = 0
        r = anon.post("/api/v1/sessions", {"email": acc.email, "password": acc.password})
        self.assertProblem(r, 429, "auth.locked")
        acc.client.retry_budget = 0
        r = acc.client.post("/api/v1/me/password", {"current_password": acc.password,
                                                    "new_password": "Another-long-pass-9"})
        self.assertProblem(r, 429, "auth.locked")
        self.assertTrue(r.headers.get("Retry-After"))
        failed = [e for e in self.my_actions(acc.client)
                  if e["action"] == "account.password_recheck_failed"]
        self.assertEqual(len(failed), 5, failed)

    # ------------------------------------------------------------------ L1
    def test_login_csrf_is_refused(self):
        acc = self.create_account(prefix="l1")
        body = '{"email": "%s", "password": "%s"}' % (acc.email, acc.password)
        anon = self.client(mode="none")
        # a cross-site form or no-preflight fetch can only send these media types
        for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
            r = anon.raw("POST", "/api/v1/sessions", body.encode(), content_type=ctype)
            self.assertProblem(r, 415, "validation.content_type")
            self.assertNotIn("Set-Cookie", r.headers)
        # a foreign Origin is refused on every credential endpoint, before anything is read
        for path in ("/api/v1/sessions", "/api/v1/signup", "/api/v1/signup/complete",
                     "/api/v1/sessions/mfa", "/api/v1/password/forgot", "/api/v1/password/reset",
                     "/api/v1/email/confirm", "/api/v1/invitations/accept",
                     "/api/v1/invitations/decline"):
            r = anon.request("POST", path, body=body, origin="https://evil.example")
            self.assertProblem(r, 403, "origin.forbidden")
            self.assertNotIn("Set-Cookie", r.headers)
        # the console's own origin, and clients that send none, are served
        r = anon.request("POST", "/api/v1/sessions", body=body, origin=PUBLIC_URL)
        self.assertEqual(r.status, 201, r)
        r = anon.post("/api/v1/sessions", {"email": acc.email, "password": acc.password})
        self.assertEqual(r.status, 201, r)
        r = anon.request("POST", "/api/v1/sessions", body=body,
                         content_type="application/json; charset=utf-8")
        self.assertEqual(r.status, 201, r)

    # ------------------------------------------------------------------ L4, L5
    def test_deletion_leaves_member_left_in_each_workspace(self):
        owner = self.create_account(prefix="l4owner")
        ws = self.create_workspace(owner.client)["id"]
        leaver = self.create_account(prefix="l4leaver")
        self.join(owner.client, ws, leaver)
        r = leaver.client.delete("/api/v1/me", json_body={"password": leaver.password})
        self.assertEqual(r.status, 204, r)
        events = [e for e in self.ws_audit(owner.client, ws, "member.")
                  if e["action"] == "member.left"]
        self.assertEqual(len(events), 1, events)
        self.assertEqual(events[0]["target"]["id"], leaver.id, events)

    def test_my_audit_hides_the_acting_administrators_address(self):
        _, _, _, root = self.make_super_admin()
        acc = self.create_account(prefix="l5")
        account_id = acc.id
        for disabled in (True, False):
            r = root.patch(f"/api/v1/admin/accounts/{account_id}", {"disabled": disabled},
                           headers={"User-Agent": "operator-browser/1"})
            self.assertEqual(r.status, 200, r)
        c = self.sign_in(acc.email, acc.password)
        mine = self.my_actions(c)
        by_admin = [e for e in mine if e["actor"]["id"] not in ("", account_id)
                    and e["actor"]["type"] == "account"]
        self.assertTrue(by_admin, mine)
        for e in by_admin:
            self.assertFalse(e["actor"].get("ip"), e)
            self.assertFalse(e["actor"].get("user_agent"), e)
        own = [e for e in mine if e["action"] == "session.signed_in"]
        self.assertTrue(own and own[0]["actor"].get("ip"), own)   # one's own stays visible

    # ------------------------------------------------------------------ L12
    def test_look_alike_addresses_and_bidi_names_are_refused(self):
        anon = self.client(mode="none")
        for email in ("\uff41lice@example.test", "\u0430lice@example.test",
                      "alice@m\u00fcller.example"):
            r = anon.post("/api/v1/signup", {"name": "Alice", "email": email})
            self.assertProblem(r, 400, "validation.email", "email")
        for name in ("Alice \u202egnp.exe", "Al\u200bice", "\u2066Alice\u2069"):
            r = anon.post("/api/v1/signup", {"name": name, "email": unique_email("l12")})
            self.assertProblem(r, 400, "validation.name", "name")
        owner = self.create_account(prefix="l12owner")
        r = owner.client.post("/api/v1/workspaces", {"name": "Acme \u202eroc",
                                                     "shortname": "acme-bidi"})
        self.assertProblem(r, 400, None, "name")


if __name__ == "__main__":
    main()
