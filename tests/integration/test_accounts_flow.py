#!/usr/bin/python3
"""Accounts end to end: sign-up, sessions, password recovery and change, email change,
profile, anti-enumeration, single-use tokens, cookie attributes, CSRF, secret-free logs."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (PUBLIC_URL, TOKEN_SHAPE, VaultTestCase, extract_link,  # noqa: E402
                     main, unique_email)


def without_request_id(body):
    return {k: v for k, v in body.items() if k != "request_id"} if isinstance(body, dict) else body


class AccountsFlowTest(VaultTestCase):
    CLOCK_OFFSET = True  # only test_session_last_use_is_recorded moves it (forward)

    def assertSignedOut(self, token):
        r = self.client(mode="none").get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        self.assertProblem(r, 401)

    def assertSignedIn(self, token, email=None):
        r = self.client(mode="none").get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        self.assertEqual(r.status, 200, r)
        if email:
            self.assertEqual(r.json["email"], email)
        return r.json

    # ---------------------------------------------------------------- sign-up
    def test_signup_complete_session_signout_signin(self):
        email = unique_email("flow")
        anon = self.client(mode="none")
        r = anon.post("/api/v1/signup", {"name": "Grace Hopper", "email": email})
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json, {"status": "verification_sent"})

        msg = self.sink.wait_for_mail(email, "Verify your email address")
        self.assertIn("vault@example.test", str(msg["From"]))
        link = extract_link(msg, "/signup/complete")
        self.assertTrue(link.startswith(f"{PUBLIC_URL}/signup/complete?token="), link)
        token = self.vault.token_from(msg)
        self.assertRegex(token, TOKEN_SHAPE)

        password = self.vault.new_password()
        c = self.client(mode="cookie", auto_csrf=True)
        r = c.post("/api/v1/signup/complete", {"token": token, "password": password})
        self.assertEqual(r.status, 201, r)
        body = r.json
        self.assertEqual(body["account"]["email"], email)
        self.assertEqual(body["account"]["name"], "Grace Hopper")
        self.assertIs(body["account"]["email_verified"], True)
        self.assertTrue(body["account"]["id"].startswith("acc_"), body)
        self.assertTrue(body["session"]["id"].startswith("ses_"), body)
        self.assertTrue(body["session"]["csrf_token"], body)
        self.assertRegex(body["session_token"], TOKEN_SHAPE)
        self.assertEqual(c.session_cookie, body["session_token"])
        attrs = c.cookie_attrs["vault_session"]
        self.assertIn("httponly", attrs, attrs)
        self.assertEqual(attrs.get("samesite", "").lower(), "lax", attrs)
        self.assertEqual(attrs.get("path"), "/", attrs)
        self.assertNotIn(password, r.body.decode())

        # the session works by cookie and by Bearer
        r = c.get("/api/v1/me")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["email"], email)
        self.assertEqual(r.json["id"], body["account"]["id"])
        self.assertNotIn("password_hash", r.json)
        self.assertSignedIn(body["session_token"], email)
        r = c.get("/api/v1/sessions/current")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["id"], body["session"]["id"])
        self.assertIs(r.json["current"], True)
        self.assertEqual(r.json["csrf_token"], body["session"]["csrf_token"])

        # the verification token is single use
        r = self.client(mode="none").post("/api/v1/signup/complete",
                                          {"token": token, "password": self.vault.new_password()})
        self.assertProblem(r, 400, {"token.used", "token.invalid"}, "token")

        # sign out: 204, cookie cleared, the token no longer works
        old_token = body["session_token"]
        r = c.delete("/api/v1/sessions/current")
        self.assertEqual(r.status, 204, r)
        self.assertIsNone(c.session_cookie, "sign-out did not clear the cookie")
        self.assertSignedOut(old_token)
        r = c.get("/api/v1/me")
        self.assertProblem(r, 401, "auth.required")

        # sign in again
        c2 = self.sign_in(email.upper(), password)  # emails are case-insensitive
        self.assertNotEqual(c2.token, old_token)
        self.assertEqual(c2.get("/api/v1/me").json["email"], email)
        attrs = c2.cookie_attrs["vault_session"]
        self.assertIn("httponly", attrs, attrs)
        self.assertEqual(attrs.get("samesite", "").lower(), "lax", attrs)

    def test_signup_with_existing_email_answers_identically_and_warns(self):
        acc = self.create_account(prefix="exists")
        anon = self.client(mode="none")
        fresh = unique_email("fresh")
        r_new = anon.post("/api/v1/signup", {"name": "Someone", "email": fresh})
        r_old = anon.post("/api/v1/signup", {"name": "Someone", "email": acc.email})
        self.assertEqual(r_old.status, r_new.status)
        self.assertEqual(r_old.status, 202, r_old)
        self.assertEqual(without_request_id(r_old.json), without_request_id(r_new.json))
        self.assertEqual(r_old.content_type, r_new.content_type)

        warn = self.sink.wait_for_mail(acc.email, "Someone tried to sign up")
        self.assertIn(f"{PUBLIC_URL}/password/forgot", extract_link(warn, "/password/forgot"))
        self.sink.wait_for_mail(fresh, "Verify your email address")
        # the existing account is untouched: the password still works
        self.sign_in(acc.email, acc.password)

    def test_signin_unknown_email_and_wrong_password_answer_alike(self):
        acc = self.create_account(prefix="enum")
        r_unknown = self.client().post("/api/v1/sessions", {"email": unique_email("nobody"),
                                                            "password": "Nope-" + "x" * 12})
        r_wrong = self.client().post("/api/v1/sessions", {"email": acc.email,
                                                          "password": "Nope-" + "x" * 12})
        self.assertProblem(r_unknown, 401, "auth.invalid_credentials")
        self.assertEqual(r_wrong.status, r_unknown.status)
        self.assertEqual(without_request_id(r_wrong.json), without_request_id(r_unknown.json))
        self.assertIsNone(r_wrong.headers.get("Set-Cookie"))

    # ------------------------------------------------------- password recovery
    def test_forgot_and_reset_password(self):
        acc = self.create_account(prefix="reset")
        first_token = acc.client.token
        other = self.sign_in(acc.email, acc.password)
        anon = self.client(mode="none")

        unknown = unique_email("ghost")
        r_unknown = anon.post("/api/v1/password/forgot", {"email": unknown})
        r_known = anon.post("/api/v1/password/forgot", {"email": acc.email})
        self.assertEqual(r_known.status, 202, r_known)
        self.assertEqual(r_known.json, {"status": "reset_sent"})
        self.assertEqual(r_unknown.status, r_known.status)
        self.assertEqual(without_request_id(r_unknown.json), without_request_id(r_known.json))

        msg = self.sink.wait_for_mail(acc.email, "Reset your password")
        self.assertTrue(extract_link(msg, "/password/reset").startswith(
            f"{PUBLIC_URL}/password/reset?token="))
        token = self.vault.token_from(msg)
        self.assertRegex(token, TOKEN_SHAPE)
        self.assertEqual(self.sink.mails_to(unknown), [], "mail sent to an unknown address")

        new_password = self.vault.new_password()
        r = anon.post("/api/v1/password/reset", {"token": token, "password": new_password})
        self.assertEqual(r.status, 204, r)
        self.sink.wait_for_mail(acc.email, "Your password was changed")

        # every session is revoked
        self.assertSignedOut(first_token)
        self.assertSignedOut(other.token)
        # the new password works, the old one does not
        self.sign_in(acc.email, acc.password, expect=401)
        self.sign_in(acc.email, new_password)
        # the reset token is single use
        r = anon.post("/api/v1/password/reset", {"token": token,
                                                 "password": self.vault.new_password()})
        self.assertProblem(r, 400, {"token.used", "token.invalid"}, "token")
        self.sign_in(acc.email, new_password)

    def test_change_password_keeps_current_session_only(self):
        acc = self.create_account(prefix="chpw")
        second = self.sign_in(acc.email, acc.password)
        third = self.sign_in(acc.email, acc.password, mode="bearer")

        r = acc.client.post("/api/v1/me/password", {"current_password": "Wrong-" + "z" * 12,
                                                    "new_password": self.vault.new_password()})
        self.assertProblem(r, 401, "auth.invalid_credentials", "current_password")
        self.assertSignedIn(second.token)

        new_password = self.vault.new_password()
        r = acc.client.post("/api/v1/me/password", {"current_password": acc.password,
                                                    "new_password": new_password})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(acc.client.get("/api/v1/me").status, 200)
        self.assertSignedIn(acc.client.token)
        self.assertSignedOut(second.token)
        self.assertSignedOut(third.token)
        self.sink.wait_for_mail(acc.email, "Your password was changed")
        self.sign_in(acc.email, acc.password, expect=401)
        self.sign_in(acc.email, new_password)

    # ------------------------------------------------------------ email change
    def test_change_email(self):
        acc = self.create_account(prefix="old")
        new_email = unique_email("new")

        r = acc.client.post("/api/v1/me/email", {"new_email": new_email,
                                                 "password": "Wrong-" + "q" * 12})
        self.assertProblem(r, 401, None, "password")

        taken = self.create_account(prefix="taken")
        r = acc.client.post("/api/v1/me/email", {"new_email": taken.email,
                                                 "password": acc.password})
        # A taken address is not revealed: the same answer; its owner is told instead.
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json, {"status": "confirmation_sent"})
        self.sink.wait_for_mail(taken.email, "Someone tried to use your address")

        r = acc.client.post("/api/v1/me/email", {"new_email": new_email,
                                                 "password": acc.password})
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.json, {"status": "confirmation_sent"})
        msg = self.sink.wait_for_mail(new_email, "Confirm your new email address")
        self.assertTrue(extract_link(msg, "/email/confirm").startswith(
            f"{PUBLIC_URL}/email/confirm?token="))
        token = self.vault.token_from(msg)
        self.assertRegex(token, TOKEN_SHAPE)
        # nothing changes before the confirmation
        self.assertEqual(acc.client.get("/api/v1/me").json["email"], acc.email)

        anon = self.client(mode="none")
        r = anon.post("/api/v1/email/confirm", {"token": token})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["email"], new_email)
        self.assertEqual(r.json["id"], acc.id)
        # the old address is told (at request or at confirmation time)
        self.sink.wait_for_mail(acc.email, "Your email address is being changed")

        r = anon.post("/api/v1/email/confirm", {"token": token})
        self.assertProblem(r, 400, {"token.used", "token.invalid"}, "token")
        self.assertEqual(acc.client.get("/api/v1/me").json["email"], new_email)
        self.sign_in(new_email, acc.password)
        self.sign_in(acc.email, acc.password, expect=401)

    # ------------------------------------------------------------------ profile
    def test_patch_profile(self):
        acc = self.create_account(prefix="prof")
        r = acc.client.patch("/api/v1/me", {"name": "Ada King", "locale": "de-DE",
                                            "time_zone": "Europe/Berlin"})
        self.assertEqual(r.status, 200, r)
        for key, value in (("name", "Ada King"), ("locale", "de-DE"),
                           ("time_zone", "Europe/Berlin")):
            self.assertEqual(r.json[key], value, r)
        r = acc.client.patch("/api/v1/me", {"name": "Ada Byron"})  # partial update
        self.assertEqual(r.status, 200, r)
        me = self.assertSignedIn(acc.client.token, acc.email)
        self.assertEqual((me["name"], me["locale"], me["time_zone"]),
                         ("Ada Byron", "de-DE", "Europe/Berlin"))
        self.assertEqual(me["email"], acc.email)

    # ----------------------------------------------------------------- sessions
    def test_list_and_revoke_sessions(self):
        acc = self.create_account(prefix="sess")
        b = self.sign_in(acc.email, acc.password, user_agent="second-device/1")
        c = self.sign_in(acc.email, acc.password, user_agent="third-device/1")
        r = acc.client.get("/api/v1/me/sessions")
        self.assertEqual(r.status, 200, r)
        items = r.json["items"]
        self.assertEqual(len(items), 3, items)
        current = [s for s in items if s["current"]]
        self.assertEqual([s["id"] for s in current], [acc.body["session"]["id"]])
        for s in items:
            self.assertNotIn("csrf_token", s)
        b_id = b.get("/api/v1/sessions/current").json["id"]

        r = acc.client.delete(f"/api/v1/me/sessions/{b_id}")
        self.assertEqual(r.status, 204, r)
        self.assertSignedOut(b.token)
        self.assertSignedIn(c.token)
        r = acc.client.delete("/api/v1/me/sessions/ses_doesnotexist")
        self.assertProblem(r, 404, "session.not_found")
        # another account cannot revoke my session: it does not exist for them
        other = self.create_account(prefix="sess2")
        c_id = c.get("/api/v1/sessions/current").json["id"]
        r = other.client.delete(f"/api/v1/me/sessions/{c_id}")
        self.assertProblem(r, 404, "session.not_found")
        self.assertSignedIn(c.token)

        r = acc.client.delete("/api/v1/me/sessions")
        self.assertEqual(r.status, 204, r)
        self.assertSignedOut(c.token)
        self.assertSignedIn(acc.client.token)
        self.assertEqual(len(acc.client.get("/api/v1/me/sessions").json["items"]), 1)

    def test_export_my_data(self):
        """GET /api/v1/me/export: everything held about me, nothing secret, nobody else's."""
        me = self.create_account(name="Ellen Export", prefix="export")
        other = self.create_account(name="Otto Other", prefix="exportother")
        ws = me.client.post("/api/v1/workspaces", {"name": "Export Co",
                                                   "shortname": "exp" + os.urandom(4).hex()})
        self.assertEqual(ws.status, 201, ws)
        second = self.sign_in(me.email, me.password)
        self.assertProblem(self.client(mode="none").get("/api/v1/me/export"), 401, "auth.required")
        r = second.get("/api/v1/me/export")
        self.assertEqual(r.status, 200, r)
        self.assertIn("attachment", r.headers.get("Content-Disposition", ""))
        d = r.json
        self.assertEqual(d["format"], "atomyx-vault-personal-data/1")
        self.assertEqual((d["account"]["id"], d["account"]["email"], d["account"]["mfa_enabled"]),
                         (me.id, me.email, False))
        self.assertEqual(len(d["sessions"]), 2, d["sessions"])
        self.assertEqual(sum(1 for s in d["sessions"] if s["current"]), 1)
        self.assertEqual([(w["id"], w["my_role"]) for w in d["workspaces"]],
                         [(ws.json["id"], "owner")])
        actions = {e["action"] for e in d["activity"]}
        self.assertTrue({"account.created", "session.signed_in", "workspace.created"} <= actions,
                        actions)
        self.assertIs(d["activity_truncated"], False)
        body = r.body.decode()
        # nothing secret: no password hash, no session token, no CSRF token, no other account
        for secret in (me.password, second.session_cookie, "$argon2id$", other.email, other.id):
            self.assertNotIn(secret, body)
        self.assertNotIn("csrf_token", body)
        # the export itself is recorded in the person's own activity
        events = second.get("/api/v1/me/audit?action=account.data_exported").json["items"]
        self.assertEqual([e["actor"]["id"] for e in events], [me.id])

    def test_session_last_use_is_recorded(self):
        """GET /me answers from a read on the network thread when it can (SQLite); when the
        session's last use is due for an update (a minute later, or from a new address) the
        request is re-run where it may write, and the update lands."""
        acc = self.create_account(prefix="touch")
        other = self.sign_in(acc.email, acc.password, user_agent="other-device/1")
        sid = acc.body["session"]["id"]

        def last_seen():  # read through the other session, which touches only itself
            items = other.get("/api/v1/me/sessions").json["items"]
            return [s for s in items if s["id"] == sid][0]["last_seen_at"]

        before = last_seen()
        self.assertSignedIn(acc.client.token, acc.email)  # within the minute: nothing to write
        self.assertEqual(last_seen(), before)
        type(self).offset = getattr(type(self), "offset", 0) + 120
        self.vault.set_clock_offset(type(self).offset)
        self.assertEqual(last_seen(), before)  # the other session's use does not touch this one
        self.assertSignedIn(acc.client.token, acc.email)
        after = last_seen()
        self.assertGreater(after, before)  # RFC 3339 UTC strings order like the times

    # --------------------------------------------------------------------- CSRF
    def test_csrf_protection(self):
        acc = self.create_account(prefix="csrf")
        c = self.sign_in(acc.email, acc.password, auto_csrf=False)
        self.assertTrue(c.csrf_token)
        patch = {"name": "Changed By Csrf"}

        r = c.patch("/api/v1/me", patch)  # cookie, no X-CSRF-Token
        self.assertProblem(r, 403, "csrf.failed")
        r = c.patch("/api/v1/me", patch, csrf="not-the-token")
        self.assertProblem(r, 403, "csrf.failed")
        r = c.patch("/api/v1/me", patch, csrf=True, origin="http://evil.example")
        self.assertProblem(r, 403, "csrf.failed")
        r = c.delete("/api/v1/sessions/current")
        self.assertProblem(r, 403, "csrf.failed")
        self.assertEqual(c.get("/api/v1/me").json["name"], acc.name)  # nothing changed

        r = c.patch("/api/v1/me", patch, csrf=True)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["name"], patch["name"])
        r = c.patch("/api/v1/me", {"name": "Same Origin"}, csrf=True, origin=PUBLIC_URL)
        self.assertEqual(r.status, 200, r)

        # a session's CSRF token does not work for another session
        r = acc.client.patch("/api/v1/me", patch, csrf=c.csrf_token)
        self.assertProblem(r, 403, "csrf.failed")

        # Bearer needs neither the header nor a matching origin
        r = c.patch("/api/v1/me", {"name": "Bearer Name"}, auth="bearer", csrf=False)
        self.assertEqual(r.status, 200, r)
        r = c.patch("/api/v1/me", {"name": "Bearer Name 2"}, auth="bearer", csrf=False,
                    origin="http://evil.example")
        self.assertEqual(r.status, 200, r)

    def test_logs_hold_no_secrets_so_far(self):
        # (tearDownClass checks again after shutdown, over everything the class did)
        self.create_account(prefix="logs")
        leaked = self.vault.leaked_secrets()
        self.assertEqual(leaked, [], "secrets in the server log")


if __name__ == "__main__":
    main()
