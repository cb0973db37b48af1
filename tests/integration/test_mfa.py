#!/usr/bin/python3
"""Second factor end to end: TOTP enrolment (secret, otpauth URI, QR SVG), confirmation with a
code from Debian's oathtool, recovery codes, the two-step sign-in, no step used twice, the ±1
step window, single-use recovery codes and MFA tokens, the per-account code lockout,
recovery-code regeneration, turning 2FA off, and no TOTP secret or recovery code in the logs.

The servers read VAULT_CLOCK_OFFSET_FILE, so every code is computed for a chosen 30-second step
with the server's clock set to the middle of it: no test depends on where the real clock is in
its step."""

import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main  # noqa: E402

STEP = 30
SECRET_SHAPE = re.compile(r"^[A-Z2-7]{32}$")          # 20 bytes, base32 without padding
RECOVERY_SHAPE = re.compile(r"^[a-z2-7]{5}-[a-z2-7]{5}$")


def oathtool(secret, unix_time):
    """The 6-digit TOTP code of `secret` (base32) at `unix_time`, by oathtool(1)."""
    done = subprocess.run(["oathtool", "--totp", "-b", secret, "-N", f"@{int(unix_time)}"],
                          capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise AssertionError(f"oathtool failed: {done.stderr.strip()}")
    code = done.stdout.strip()
    if not re.fullmatch(r"\d{6}", code):
        raise AssertionError(f"oathtool printed {done.stdout!r}")
    return code


class MfaTest(VaultTestCase):
    CLOCK_OFFSET = True
    offset = 0          # what the clock file holds; only ever grows (sessions stay valid)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:   # a second process on the same database, for the replay race
            cls.second = cls.vault.add_server()
        except BaseException:
            cls.vault.close()
            raise

    # ------------------------------------------------------------------ clock
    @classmethod
    def server_now(cls):
        return int(time.time()) + cls.offset

    def move_clock(self, seconds):
        type(self).offset += seconds
        self.vault.set_clock_offset(type(self).offset)

    def fresh_step(self):
        """Moves the server clock forward to the middle of a step no code was computed for
        yet; returns the server's time there (good for ~14 s)."""
        step = self.server_now() // STEP + 1
        target = step * STEP + STEP // 2
        self.move_clock(target - self.server_now())
        return target

    def code_at(self, secret, t):
        return oathtool(secret, t)

    # ---------------------------------------------------------------- helpers
    def me(self, client):
        r = client.get("/api/v1/me")
        self.assertEqual(r.status, 200, r)
        return r.json

    def enrol(self, acc):
        """Starts and confirms TOTP; returns (secret, recovery codes)."""
        r = acc.client.post("/api/v1/me/mfa/totp", {"password": acc.password})
        self.assertEqual(r.status, 200, r)
        secret = r.json["secret"]
        self.vault.remember_secret(secret)
        t = self.fresh_step()
        r = acc.client.post("/api/v1/me/mfa/totp/confirm", {"code": self.code_at(secret, t)})
        self.assertEqual(r.status, 200, r)
        for code in r.json["recovery_codes"]:
            self.vault.remember_secret(code)
        return secret, r.json["recovery_codes"]

    def start_sign_in(self, acc, **client_kw):
        """Password step with 2FA on: 200 {mfa_required, mfa_token}; returns (client, token)."""
        c = self.client(auto_csrf=True, **client_kw)
        r = c.post("/api/v1/sessions", {"email": acc.email, "password": acc.password})
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.json.get("mfa_required"), True, r)
        self.assertEqual(r.json.get("expires_in"), 300, r)
        self.assertNotIn("session_token", r.json, r)
        self.assertNotIn("session", r.json, r)
        self.assertIsNone(r.headers.get("Set-Cookie"), r)
        self.assertIsNone(c.session_cookie)
        token = r.json["mfa_token"]
        self.assertIsInstance(token, str, r)
        self.vault.remember_secret(token)
        return c, token

    def complete(self, client, mfa_token, code=None, recovery_code=None):
        body = {"mfa_token": mfa_token}
        if code is not None:
            body["code"] = code
        if recovery_code is not None:
            body["recovery_code"] = recovery_code
        return client.post("/api/v1/sessions/mfa", body)

    def assertCodeRefused(self, r, field="code"):
        self.assertProblem(r, 401, "mfa.invalid_code", field)
        self.assertIsNone(r.headers.get("Set-Cookie"), r)

    # ------------------------------------------------------------------ tests
    def test_window_bounds_on_fresh_accounts(self):
        """±1 step, at both ends, each on a fresh account and several steps after enrolment so
        that the replay guard (which refuses every step up to the last used one) cannot hide
        a window that is too wide."""
        for delta, accepted in ((-2, False), (-1, True), (2, False), (1, True)):
            with self.subTest(steps=delta):
                acc = self.create_account(prefix=f"win{delta + 2}")
                secret, _ = self.enrol(acc)
                for _ in range(4):      # four steps past the one burned by the enrolment
                    t = self.fresh_step()
                c, token = self.start_sign_in(acc)
                r = self.complete(c, token, code=self.code_at(secret, t + delta * STEP))
                if accepted:
                    self.assertEqual(r.status, 201, r)
                else:
                    self.assertCodeRefused(r)

    def test_enrol_sign_in_replay_recovery_disable(self):
        acc = self.create_account(prefix="totp")
        self.assertIs(self.me(acc.client).get("mfa_enabled"), False)

        # enrolment: secret, otpauth URI, QR code; not active until confirmed
        r = acc.client.post("/api/v1/me/mfa/totp", {"password": acc.password})
        self.assertEqual(r.status, 200, r)
        secret, uri, svg = r.json["secret"], r.json["otpauth_uri"], r.json["qr_svg"]
        self.vault.remember_secret(secret)
        self.assertRegex(secret, SECRET_SHAPE)
        self.assertTrue(uri.startswith("otpauth://totp/"), uri)
        parts = urllib.parse.urlsplit(uri)
        self.assertEqual((parts.scheme, parts.netloc), ("otpauth", "totp"), uri)
        query = urllib.parse.parse_qs(parts.query)
        self.assertEqual(query.get("secret"), [secret], uri)
        self.assertIn(f"secret={secret}&issuer=", uri)
        issuer = query.get("issuer", [""])[0]
        self.assertTrue(issuer, uri)
        label = urllib.parse.unquote(parts.path.lstrip("/"))
        self.assertEqual(label, f"{issuer}:{acc.email}", uri)
        for key, value in (("algorithm", "SHA1"), ("digits", "6"), ("period", "30")):
            self.assertIn(query.get(key, [value]), [[value]], uri)
        self.assertTrue(svg.startswith("<svg"), svg[:80])
        self.assertIn("</svg>", svg)
        self.assertIs(self.me(acc.client).get("mfa_enabled"), False)
        # not active yet: the password alone still signs in
        self.sign_in(acc.email, acc.password)

        # a wrong code does not confirm; the right one (from oathtool) does
        t = self.fresh_step()
        r = acc.client.post("/api/v1/me/mfa/totp/confirm",
                            {"code": self.code_at(secret, t + 4 * STEP)})
        self.assertCodeRefused(r)
        r = acc.client.post("/api/v1/me/mfa/totp/confirm", {"code": self.code_at(secret, t)})
        self.assertEqual(r.status, 200, r)
        codes = r.json["recovery_codes"]
        for code in codes:
            self.vault.remember_secret(code)
        self.assertEqual(len(codes), 10, codes)
        self.assertEqual(len(set(codes)), 10, codes)
        for code in codes:
            self.assertRegex(code, RECOVERY_SHAPE)
        self.assertIs(self.me(acc.client).get("mfa_enabled"), True)
        r = acc.client.post("/api/v1/me/mfa/totp/confirm",
                            {"code": self.code_at(secret, self.fresh_step())})
        self.assertProblem(r, 409, "mfa.already_enabled")
        r = acc.client.post("/api/v1/me/mfa/totp", {"password": acc.password})
        self.assertProblem(r, 409, "mfa.already_enabled")

        # sign out, sign in: the password step now asks for the second factor
        r = acc.client.delete("/api/v1/sessions/current")
        self.assertEqual(r.status, 204, r)
        c, mfa_token = self.start_sign_in(acc)
        self.assertProblem(c.get("/api/v1/me"), 401, "auth.required")  # no session yet
        t = self.fresh_step()
        code = self.code_at(secret, t)
        r = self.complete(c, mfa_token, code=code)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["account"]["email"], acc.email)
        self.assertTrue(r.json["session"]["id"].startswith("ses_"), r)
        self.assertEqual(c.session_cookie, r.json["session_token"])
        me = self.me(c)
        self.assertIs(me.get("mfa_enabled"), True, me)
        self.assertEqual(me["id"], acc.id)

        # the MFA token is single use
        r = self.complete(self.client(), mfa_token, code=self.code_at(secret, t + STEP))
        self.assertProblem(r, 400, {"token.used", "token.invalid"}, "mfa_token")

        # the same code (same step) on a new sign-in: refused, a step is used once
        c2, token2 = self.start_sign_in(acc)
        self.assertCodeRefused(self.complete(c2, token2, code=code))
        # a code two steps or more away is outside the ±1 step window
        self.assertCodeRefused(self.complete(c2, token2, code=self.code_at(secret, t + 120)))
        self.assertCodeRefused(self.complete(c2, token2, code=self.code_at(secret, t - 120)))
        # a malformed code is refused alike
        self.assertCodeRefused(self.complete(c2, token2, code="12345"))
        # the next step's code is inside the window (clock drift)
        r = self.complete(c2, token2, code=self.code_at(secret, t + STEP))
        self.assertEqual(r.status, 201, r)
        # ... and burns every step up to it: the current step's code is refused now
        c3, token3 = self.start_sign_in(acc)
        self.assertCodeRefused(self.complete(c3, token3, code=self.code_at(secret, t)))

        # a recovery code works once
        r = self.complete(c3, token3, recovery_code=codes[0])
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.me(c3)["id"], acc.id)
        c4, token4 = self.start_sign_in(acc)
        self.assertCodeRefused(self.complete(c4, token4, recovery_code=codes[0]), "recovery_code")
        # recovery codes are typed by people: case and the dash do not matter
        r = self.complete(c4, token4, recovery_code=codes[1].replace("-", "").upper())
        self.assertEqual(r.status, 201, r)
        # neither or both of code / recovery_code: 400
        c5, token5 = self.start_sign_in(acc)
        self.assertProblem(self.complete(c5, token5), 400, code_prefix="validation.")
        self.assertProblem(self.complete(c5, token5, code=self.code_at(secret, self.fresh_step()),
                                         recovery_code=codes[2]), 400, code_prefix="validation.")
        self.assertProblem(self.complete(self.client(), "x" * 43, code="123456"), 400,
                           code_prefix="token.", field="mfa_token")

        # the audit trail names the methods
        r = c4.get("/api/v1/me/audit?action=session.signed_in&limit=10")
        self.assertEqual(r.status, 200, r)
        methods = [e["summary"].get("method") for e in r.json["items"]]
        self.assertEqual(methods[:4], ["password+recovery_code", "password+recovery_code",
                                       "password+totp", "password+totp"], methods)
        r = c4.get("/api/v1/me/audit?action=mfa.&limit=100")
        actions = [e["action"] for e in r.json["items"]]
        self.assertEqual(actions.count("mfa.recovery_code_used"), 2, actions)
        self.assertIn("mfa.totp_enabled", actions)
        self.assertIn("mfa.totp_enrolment_started", actions)

        # turning 2FA off needs the password and a code
        r = c4.delete("/api/v1/me/mfa/totp", json_body={"password": "Wrong-" + "p" * 12,
                                                        "code": self.code_at(secret, self.fresh_step())})
        self.assertProblem(r, 401, "auth.invalid_credentials", "password")
        far = self.code_at(secret, self.server_now() + 20 * STEP)
        r = c4.delete("/api/v1/me/mfa/totp", json_body={"password": acc.password, "code": far})
        self.assertProblem(r, 401, "mfa.invalid_code", "code")
        self.assertIs(self.me(c4).get("mfa_enabled"), True)
        r = c4.delete("/api/v1/me/mfa/totp", json_body={"password": acc.password,
                                                        "code": self.code_at(secret, self.fresh_step())})
        self.assertEqual(r.status, 204, r)
        self.assertIs(self.me(c4).get("mfa_enabled"), False)
        r = c4.delete("/api/v1/me/mfa/totp", json_body={"password": acc.password,
                                                        "code": self.code_at(secret, self.fresh_step())})
        self.assertProblem(r, 409, "mfa.not_enabled")
        r = c4.get("/api/v1/me/audit?action=mfa.totp_disabled")
        self.assertEqual(len(r.json["items"]), 1, r)
        # the password alone signs in again; the old codes are gone
        self.sign_in(acc.email, acc.password)

        # secrets never reach the logs
        logs = "\n".join(s.logs for s in self.vault.servers)
        for value in [secret, uri, mfa_token, token2, token3] + codes:
            self.assertNotIn(value, logs)
        self.assertNotIn(secret.lower(), logs)

    def test_disable_with_recovery_code(self):
        acc = self.create_account(prefix="totprc")
        secret, codes = self.enrol(acc)
        r = acc.client.delete("/api/v1/me/mfa/totp",
                              json_body={"password": acc.password, "code": codes[3]})
        self.assertEqual(r.status, 204, r)
        self.assertIs(self.me(acc.client).get("mfa_enabled"), False)
        self.sign_in(acc.email, acc.password)
        # enrolling again gives a new secret
        secret2, _ = self.enrol(acc)
        self.assertNotEqual(secret, secret2)

    def test_regenerated_recovery_codes_void_the_old_ones(self):
        acc = self.create_account(prefix="regen")
        secret, old = self.enrol(acc)
        far = self.code_at(secret, self.server_now() + 20 * STEP)
        r = acc.client.post("/api/v1/me/mfa/recovery-codes", {"code": far})
        self.assertProblem(r, 401, "mfa.invalid_code", "code")
        r = acc.client.post("/api/v1/me/mfa/recovery-codes",
                            {"code": self.code_at(secret, self.fresh_step())})
        self.assertEqual(r.status, 200, r)
        new = r.json["recovery_codes"]
        for code in new:
            self.vault.remember_secret(code)
        self.assertEqual(len(new), 10)
        self.assertFalse(set(new) & set(old), "regenerated codes repeat old ones")
        c, token = self.start_sign_in(acc)
        self.assertCodeRefused(self.complete(c, token, recovery_code=old[0]), "recovery_code")
        self.assertEqual(self.complete(c, token, recovery_code=new[0]).status, 201)

    def test_parallel_use_of_one_code_on_two_processes_signs_in_once(self):
        acc = self.create_account(prefix="race")
        secret, _ = self.enrol(acc)
        servers = [self.vault.server, self.second]
        pending = [self.start_sign_in(acc, server=servers[i % 2]) for i in range(4)]
        code = self.code_at(secret, self.fresh_step())
        results = [None] * len(pending)

        def go(i):
            c, token = pending[i]
            results[i] = self.complete(c, token, code=code)
        threads = [threading.Thread(target=go, args=(i,)) for i in range(len(pending))]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        statuses = sorted(r.status for r in results)
        self.assertEqual(statuses, [201, 401, 401, 401], results)
        for r in results:
            if r.status == 401:
                self.assertCodeRefused(r)

    def test_mfa_token_expires_after_five_minutes(self):
        acc = self.create_account(prefix="slow")
        secret, _ = self.enrol(acc)
        c, token = self.start_sign_in(acc)
        self.move_clock(301)
        r = self.complete(c, token, code=self.code_at(secret, self.fresh_step()))
        self.assertProblem(r, 400, {"token.expired", "token.invalid"}, "mfa_token")
        self.assertIsNone(c.session_cookie)

    def test_wrong_codes_lock_the_second_step(self):
        acc = self.create_account(prefix="mfalock")
        secret, codes = self.enrol(acc)
        c, token = self.start_sign_in(acc)
        t = self.fresh_step()
        wrong = self.code_at(secret, t + 10 * STEP)
        for i in range(5):
            self.assertCodeRefused(self.complete(c, token, code=wrong))
        c.retry_budget = 0
        for attempt in ({"code": self.code_at(secret, t)}, {"recovery_code": codes[0]}):
            r = self.complete(c, token, **attempt)
            self.assertProblem(r, 429, "auth.locked")
            self.assertGreater(int(r.headers.get("Retry-After", "0")), 10, r)
        # the password step is not locked, but its second step is
        c2, token2 = self.start_sign_in(acc)
        c2.retry_budget = 0
        self.assertProblem(self.complete(c2, token2, code=self.code_at(secret, t)), 429,
                           "auth.locked")
        # 15 minutes later the right code works
        self.move_clock(901)
        c3, token3 = self.start_sign_in(acc)
        r = self.complete(c3, token3, code=self.code_at(secret, self.fresh_step()))
        self.assertEqual(r.status, 201, r)
        actions = [e["action"] for e in
                   c3.get("/api/v1/me/audit?action=session.mfa_failed&limit=100").json["items"]]
        self.assertEqual(len(actions), 5, actions)


if __name__ == "__main__":
    main()
