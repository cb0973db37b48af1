#!/usr/bin/python3
"""Bad input on the endpoints added after test_bad_input.py: the second sign-in step, account
deletion, TOTP confirm/disable, recovery-code regeneration, the audit queries, workspaces
(create, patch, delete, logo), member roles, invitations (create, accept, decline) and the
Super Admin account API.

Every rejected request must get a 4xx problem+json with a stable code (and the field, for field
errors) — 413 for bodies over the limit — never a 5xx; the server stays up, and nothing is
written: the workspace, its members, invitations and audit trail, and the account's own audit
trail are the same after the rejected requests as before them. Raw path parameters and query
strings with invalid UTF-8 or SQL-ish text get a 4xx (or, for a free-text filter, an empty 200),
never a 5xx, on both backends."""

import harness
import base64
import contextlib
import hashlib
import hmac
import http.client
import json
import os
import secrets
import socket
import struct
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import test_bad_input as bi  # noqa: E402  (cases shared with the first bad-input suite)
from harness import TOKEN_RE, Response, VaultTestCase, main, unique_email  # noqa: E402
from test_bad_input import TEN_MB, Endpoint, expect  # noqa: E402
from ws_helpers import super_admin_2fa  # noqa: E402

STEP = 30
INVITE_SUBJECT = "You are invited to join"
SEVEN_DAYS = 7 * 86400

# kinds test_bad_input.field_cases knows; anything else gets its generic string cases
BI_KINDS = {"name", "email", "token", "new_password", "credential", "login_email", "locale",
            "time_zone"}
BOOL_WRONG = [("string true", "true"), ("string false", "false"), ("number 1", 1),
              ("number 0", 0), ("array", [True]), ("object", {"a": True}), ("string yes", "yes")]
LONE_SURROGATE = b"x\\ud800y"
WS_NAME_CONTROL = ["\u0000", "Acme\u0000Corp", "bell\u0007", "esc\u001b[31mred", "del\u007f",
                   "two\nlines", "tab\there", "c1\u009bcsi", "nel\u0085"]
SHORTNAME_BAD = ["ab", "1abc", "-abc", "abc-", "a--b", "ab_c", "ab.c", "ab c", "abc!",
                 "\u00e1bc", "<script>", "' OR '1'='1", "abc\u0000", "\u0000", "abc\n",
                 "\uff41\uff42\uff43", "abc;drop", "../etc"]
SHORTNAME_RESERVED = ["admin", "api", "www", "vault", "login", "ADMIN"]
DESCRIPTION_CONTROL = ["\u0000", "x\u0007y", "\u001b[31mred", "x\u007fy", "cr\rhere"]
ROLE_BAD = ["superuser", "Owner", "OWNER", "root", "super_admin", "guest", " member", "member ",
            "member\u0000", "<script>alert(1)</script>", "' OR '1'='1", "admin;--", "\u0000"]
HOSTILE_CODES = ["\u0000", "<script>", "' OR '1'='1", "12345", "1234567", "12345\u0000",
                 "\uff11\uff12\uff13\uff14\uff15\uff16", " 123456", ""]
LOGO_NOT_IMAGE = [("empty", b""), ("text", b"hello, logo"),
                  ("svg with script", b'<svg xmlns="http://www.w3.org/2000/svg">'
                                      b"<script>alert(1)</script></svg>"),
                  ("html", b"<!doctype html><html><script>alert(1)</script></html>"),
                  ("json", b'{"logo": "x"}'), ("gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
                  ("pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), ("bmp", b"BM" + b"\x00" * 60),
                  ("truncated png magic", b"\x89PN"), ("png magic, 7 bytes", b"\x89PNG\r\n\x1a"),
                  ("riff wave", b"RIFF\x24\x00\x00\x00WAVEfmt "), ("nul bytes", b"\x00" * 100),
                  ("invalid utf-8", b"\xff\xfe\xfd"), ("jpeg magic, 2 bytes", b"\xff\xd8")]
# (query, field) that must get 400 validation.query naming the field
AUDIT_BAD_QUERIES = [
    ("limit=0", "limit"), ("limit=-1", "limit"), ("limit=1001", "limit"), ("limit=abc", "limit"),
    ("limit=", "limit"), ("limit", "limit"), ("limit=1e3", "limit"), ("limit=10.5", "limit"),
    ("limit=99999999999999999999", "limit"), ("limit=0x10", "limit"), ("limit=%00", "limit"),
    ("limit=%3Cscript%3E", "limit"), ("limit=1%3B%20DROP%20TABLE%20audit_events", "limit"),
    ("cursor=0", "cursor"), ("cursor=-1", "cursor"), ("cursor=abc", "cursor"),
    ("cursor=", "cursor"), ("cursor=1%27%20OR%20%271%27%3D%271", "cursor"),
    ("cursor=%ff%fe", "cursor"), ("format=xml", "format"), ("format=", "format"),
    ("format=csv%00", "format"), ("format=%3Cscript%3E", "format"),
    ("action=" + "a" * 101, "action"), ("limit=50&format=yaml", "format")]
# free-text filters and odd-but-parseable values: 200 (an empty or filtered page) or 400
AUDIT_ODD_QUERIES = [
    "action=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "action=%27%20OR%20%271%27%3D%271",
    "action=%25", "action=_", "action=%00", "action=a%00b", "action=%ff%fe", "action=%C0%AF",
    "action=%ED%A0%80", "action=", "cursor=99999999999999999999", "unknown=1",
    "limit=5&limit=abc", "action=session.&action=%ff", "%ff=%ff", "=&&="]
ADMIN_BAD_LIMITS = ["0", "201", "-1", "abc", "", "1e2", "2.5", "99999999999999999999", "%00",
                    "%27%20OR%201%3D1"]
ADMIN_ODD_QUERIES = ["q=%ff", "q=%C0%AF", "q=%00", "q=%27", "q=%25", "q=_",
                     "q=%27%20OR%20%271%27%3D%271", "q=%3Cscript%3E", "cursor=%ff",
                     "cursor=%27%20OR%201%3D1--", "cursor=acc_doesnotexist", "q=" + "a" * 5000]
# raw path segments for {ws}, {account_id}, {id}: a 4xx, never a 5xx
HOSTILE_SEGMENTS = [b"\xff\xfe", b"%ff%fe", b"\xc0\xaf", b"%00", b"%27%20OR%20%271%27%3D%271",
                    b"..%2F..%2Fetc%2Fpasswd", b"%3Cscript%3E", b"ws_" + b"A" * 5000, b"*", b"%25"]


def tiny_png():
    """A valid 1x1 truecolour PNG."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00\x20\x80\xe0")) + chunk(b"IEND", b""))


def totp_code(secret_b32, unix_time):
    """RFC 6238 TOTP (SHA-1, 6 digits, 30 s) for a base32 secret."""
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(unix_time) // STEP), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 1000000).zfill(6)


def unique_shortname(prefix="bad"):
    return f"{prefix}-{secrets.token_hex(4)}"


# ----------------------------------------------------------------------------- cases

def body_cases():
    """Body-level cases every JSON endpoint must reject (from test_bad_input)."""
    for label, raw in bi.MALFORMED:
        yield f"malformed: {label}", raw, expect(400, {"validation.malformed_json",
                                                        "validation.invalid_utf8"})
    yield "empty body", b"", expect(400, prefix="validation.")
    for label, raw in bi.NOT_OBJECT + bi.DEEP:
        yield f"not an object: {label}", raw, expect(400, {"validation.type",
                                                            "validation.malformed_json"})
    yield "invalid UTF-8 in a key", b'{"na\xffme": "x"}', expect(400, {"validation.invalid_utf8"})


def bool_cases(ep, field):
    for label, value in BOOL_WRONG:
        yield f"{field}: {label}", ep.with_value(field, value), expect(
            400, {"validation.type"}, field)
    yield f"{field}: 1e400", ep.with_json(field, b"1e400"), expect(
        400, {"validation.type", "validation.malformed_json"})
    for label, raw in bi.INVALID_UTF8:
        yield f"{field}: invalid UTF-8 {label}", ep.with_raw(field, raw), expect(
            400, {"validation.invalid_utf8"})


def long_cases(ep, field, limit, codes):
    for n in (limit + 1, 10000):
        yield f"{field}: {n} chars", ep.with_value(field, "a" * n), expect(
            400, {"validation.too_long"} | set(codes), field)


def kind_cases(ep, field, kind):
    """Cases for the field kinds test_bad_input does not know."""
    if kind == "ws_name":
        yield from long_cases(ep, field, 100, {"validation.name"})
        for v in WS_NAME_CONTROL:
            yield f"{field}: {v!r}", ep.with_value(field, v), expect(400, {"validation.name"}, field)
        for v in ("", "   "):
            yield f"{field}: {v!r}", ep.with_value(field, v), expect(
                400, {"validation.name", "validation.required"}, field)
    elif kind == "shortname":
        yield from long_cases(ep, field, 40, {"workspace.shortname_invalid"})
        for v in SHORTNAME_BAD:
            yield f"{field}: {v!r}", ep.with_value(field, v), expect(
                400, {"workspace.shortname_invalid"}, field)
        for v in SHORTNAME_RESERVED:
            yield f"{field}: reserved {v!r}", ep.with_value(field, v), expect(
                400, {"workspace.shortname_reserved"}, field)
        yield f"{field}: ''", ep.with_value(field, ""), expect(
            400, {"workspace.shortname_invalid", "validation.required"}, field)
    elif kind == "description":
        yield from long_cases(ep, field, 1000, set())
        for v in DESCRIPTION_CONTROL:
            yield f"{field}: {v!r}", ep.with_value(field, v), expect(
                400, prefix="validation.", field=field)
    elif kind == "role":
        yield from long_cases(ep, field, 20, {"validation.role"})
        for v in ROLE_BAD:
            yield f"{field}: {v!r}", ep.with_value(field, v), expect(
                400, {"validation.role", "validation.too_long"}, field)
        yield f"{field}: ''", ep.with_value(field, ""), expect(
            400, {"validation.role", "validation.required"}, field)
    elif kind == "code":
        yield from long_cases(ep, field, 32, set())
    if kind != "token":
        yield f"{field}: lone surrogate escape", ep.with_raw(field, LONE_SURROGATE), expect(
            400, prefix="validation.")


def field_cases(ep, field, kind):
    if kind == "bool":
        yield from bool_cases(ep, field)
        return
    yield from bi.field_cases(ep, field, kind if kind in BI_KINDS else "string")
    if kind not in BI_KINDS:
        yield from kind_cases(ep, field, kind)


def all_cases(ep):
    yield from body_cases()
    for field, kind in ep.fields.items():
        yield from field_cases(ep, field, kind)


# ------------------------------------------------------------------------------ tests

class BadInputBase(VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    CLOCK_OFFSET = True
    offset = 0          # what the clock file holds; only ever grows

    # -------------------------------------------------------------- clock, TOTP
    @classmethod
    def server_now(cls):
        return int(time.time()) + cls.offset

    def move_clock(self, seconds):
        type(self).offset += int(seconds)
        self.vault.set_clock_offset(type(self).offset)

    def fresh_code(self, secret):
        """Moves the server clock to the middle of a step no code was used in; its code."""
        target = (self.server_now() // STEP + 1) * STEP + STEP // 2
        self.move_clock(target - self.server_now())
        return totp_code(secret, target)

    # ------------------------------------------------------------------ flows
    def bearer(self, acc):
        c = self.client(mode="bearer")
        c.token = acc.client.token
        return c

    def enable_totp(self, acc):
        c = self.bearer(acc)
        r = c.post("/api/v1/me/mfa/totp", {"password": acc.password})
        self.assertEqual(r.status, 200, r)
        secret = r.json["secret"]
        self.vault.remember_secret(secret)
        r = c.post("/api/v1/me/mfa/totp/confirm", {"code": self.fresh_code(secret)})
        self.assertEqual(r.status, 200, r)
        for code in r.json["recovery_codes"]:
            self.vault.remember_secret(code)
        return secret

    def mfa_token(self, acc):
        r = self.client(mode="none").post("/api/v1/sessions",
                                          {"email": acc.email, "password": acc.password})
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.json.get("mfa_required"), True, r)
        self.vault.remember_secret(r.json["mfa_token"])
        return r.json["mfa_token"]

    def workspace(self, client, **extra):
        body = {"name": "Bad Input Co", "shortname": unique_shortname("co")}
        body.update(extra)
        r = client.post("/api/v1/workspaces", body)
        self.assertEqual(r.status, 201, r)
        return r.json

    def invite(self, owner, ws, email, role="member"):
        r = owner.post(f"/api/v1/workspaces/{ws}/invitations", {"email": email, "role": role})
        self.assertEqual(r.status, 201, r)
        return r.json, self.vault.token_from(self.sink.wait_for_mail(email, INVITE_SUBJECT))

    def make_super_admin(self):
        email = unique_email("root")
        done = self.vault.cli("admin", "create-super-admin", email)
        self.assertEqual(done.returncode, 0, done.stderr + done.stdout)
        found = TOKEN_RE.search(done.stdout)
        self.assertTrue(found, f"no set-password link in: {done.stdout!r}")
        self.vault.remember_secret(found.group(1))
        password = self.vault.new_password()
        r = self.client(mode="none").post("/api/v1/password/reset",
                                          {"token": found.group(1), "password": password})
        self.assertEqual(r.status, 204, r)
        client = self.sign_in(email, password, mode="bearer")
        super_admin_2fa(self, client, email, password)
        return client

    # --------------------------------------------------------------- snapshots
    def get_json(self, client, path):
        r = client.get(path)
        self.assertEqual(r.status, 200, r)
        return r.json

    def my_audit(self, client):
        # A wrong password on a re-check is recorded by design (SPEC §12: every re-check is
        # audited); any other rejected request must leave the trail alone.
        return [e["id"] for e in self.get_json(client, "/api/v1/me/audit?limit=1000")["items"]
                if e["action"] != "account.password_recheck_failed"]

    def ws_state(self, client, ws):
        """Everything a rejected workspace request must leave alone."""
        base = f"/api/v1/workspaces/{ws}"
        return {"workspace": self.get_json(client, base),
                "members": self.get_json(client, base + "/members"),
                "invitations": self.get_json(client, base + "/invitations"),
                "audit": [e["id"] for e in self.get_json(client, base + "/audit?limit=1000")["items"]]}

    @contextlib.contextmanager
    def unchanged(self, what, snapshot):
        before = snapshot()
        yield
        self.assertEqual(snapshot(), before, f"a rejected request changed {what}")

    # ------------------------------------------------------------- assertions
    def battery(self, ep, extra=(), large=True):
        for label, body, exp in list(all_cases(ep)) + list(extra):
            with self.subTest(endpoint=f"{ep.method} {ep.path}", case=label):
                r = ep.send(body)
                self.assertNot5xx(r)
                self.assertProblem(r, exp["status"], harness.nul_ok(exp["codes"], label), exp["field"], exp["prefix"])
        if large:
            with self.subTest(endpoint=f"{ep.method} {ep.path}", case="10 MB body"):
                r = ep.client.send_large(ep.method, ep.path, TEN_MB)
                self.assertProblem(r, 413, {"request.too_large"})
        self.healthy()

    def assertCodeRejected(self, r, field):
        """A wrong second-factor code: 401 mfa.invalid_code (field), or 429 once locked."""
        self.assertNot5xx(r)
        if r.status == 429:
            self.assertProblem(r, 429, {"auth.locked"})
        elif r.status == 400:  # a NUL is refused before any code is checked
            self.assertProblem(r, 400, {"validation.invalid_characters"}, field)
        else:
            self.assertProblem(r, 401, {"mfa.invalid_code"}, field)

    def raw_request(self, client, method, target, body=b""):
        """Sends a request line with raw bytes in the target (http.client refuses them)."""
        head = [method.encode() + b" " + target + b" HTTP/1.1",
                f"Host: 127.0.0.1:{client.port}".encode(), b"Connection: close",
                b"User-Agent: vault-it/1", b"Content-Type: application/json",
                f"Content-Length: {len(body)}".encode()]
        if client.token:
            head.append(f"Authorization: Bearer {client.token}".encode())
        with socket.create_connection(("127.0.0.1", client.port), timeout=30) as sock:
            sock.sendall(b"\r\n".join(head) + b"\r\n\r\n" + body)
            r = http.client.HTTPResponse(sock, method=method)
            r.begin()
            return Response(r.status, r.headers, r.read())

    def assertOddQuery(self, r):
        """A free-text or odd-but-parseable query: a page, or a 400 problem — never a 5xx."""
        self.assertNot5xx(r)
        if r.status != 200:
            self.assertProblem(r, 400, code_prefix="validation.")


class BadInputMoreTest(BadInputBase):

    # ------------------------------------------------------------ second factor
    def test_sessions_mfa(self):
        acc = self.create_account(prefix="mfastep")
        secret = self.enable_totp(acc)
        me = self.bearer(acc)
        token = self.mfa_token(acc)
        anon = self.client(mode="none")
        ep = Endpoint("POST", "/api/v1/sessions/mfa", anon,
                      {"mfa_token": "token", "code": "code"}, ["mfa_token", "code"],
                      lambda: {"mfa_token": token, "code": "000000"})
        rec = Endpoint("POST", "/api/v1/sessions/mfa", anon, {"recovery_code": "code"}, [],
                       lambda: {"mfa_token": token, "recovery_code": "abcde-fghij"})
        extra = [("both code and recovery_code",
                  b'{"mfa_token": "%s", "code": "000000", "recovery_code": "abcde-fghij"}'
                  % token.encode(), expect(400, {"validation.required"}, "code")),
                 ("empty code and recovery_code",
                  b'{"mfa_token": "%s", "code": "", "recovery_code": ""}' % token.encode(),
                  expect(400, {"validation.required"}, "code")),
                 ("empty object", b"{}", expect(400, {"validation.required"}))]
        with self.unchanged("the account's audit trail", lambda: self.my_audit(me)):
            self.battery(ep, extra)
            for label, body, exp in field_cases(rec, "recovery_code", "code"):
                with self.subTest(endpoint="POST /api/v1/sessions/mfa", case=label):
                    r = rec.send(body)
                    self.assertProblem(r, exp["status"], harness.nul_ok(exp["codes"], label), exp["field"], exp["prefix"])
        # nothing was consumed or counted: the token and a code still work, once
        r = anon.post("/api/v1/sessions/mfa", {"mfa_token": token, "code": self.fresh_code(secret)})
        self.assertEqual(r.status, 201, r)
        self.vault.remember_secret(r.json["session_token"])
        r = anon.post("/api/v1/sessions/mfa", {"mfa_token": token, "code": self.fresh_code(secret)})
        self.assertProblem(r, 400, {"token.used", "token.invalid"}, "mfa_token")
        # an MFA token lives 300 s
        token = self.mfa_token(acc)
        self.move_clock(301)
        r = anon.post("/api/v1/sessions/mfa", {"mfa_token": token, "code": self.fresh_code(secret)})
        self.assertProblem(r, 400, {"token.expired"}, "mfa_token")

    def test_hostile_codes_are_wrong_codes(self):
        """A code that cannot be right is a wrong code (counted, then locked) — never a 5xx and
        never a session or a state change."""
        acc = self.create_account(prefix="mfahostile")
        self.enable_totp(acc)
        me = self.bearer(acc)
        sessions = len(self.get_json(me, "/api/v1/me/sessions")["items"])
        token = self.mfa_token(acc)
        anon = self.client(mode="none")
        for field in ("code", "recovery_code"):
            for v in HOSTILE_CODES[:-1]:
                with self.subTest(endpoint="POST /api/v1/sessions/mfa", field=field, code=v):
                    self.assertCodeRejected(
                        anon.post("/api/v1/sessions/mfa", {"mfa_token": token, field: v}), field)
        self.assertEqual(len(self.get_json(me, "/api/v1/me/sessions")["items"]), sessions)

        # enrolment confirm
        other = self.create_account(prefix="confhostile")
        oc = self.bearer(other)
        self.assertEqual(oc.post("/api/v1/me/mfa/totp", {"password": other.password}).status, 200)
        for v in HOSTILE_CODES:
            with self.subTest(endpoint="POST /api/v1/me/mfa/totp/confirm", code=v):
                self.assertCodeRejected(oc.post("/api/v1/me/mfa/totp/confirm", {"code": v}), "code")
        actions = [e["action"] for e in self.get_json(oc, "/api/v1/me/audit?limit=1000")["items"]]
        self.assertNotIn("mfa.totp_enabled", actions)

        # turning 2FA off, then regenerating recovery codes (same per-account counter)
        third = self.create_account(prefix="offhostile")
        self.enable_totp(third)
        tc = self.bearer(third)
        for v in HOSTILE_CODES:
            with self.subTest(endpoint="DELETE /api/v1/me/mfa/totp", code=v):
                r = tc.raw("DELETE", "/api/v1/me/mfa/totp",
                           json.dumps({"password": third.password, "code": v}).encode())
                self.assertCodeRejected(r, "code")
            with self.subTest(endpoint="POST /api/v1/me/mfa/recovery-codes", code=v):
                self.assertCodeRejected(tc.post("/api/v1/me/mfa/recovery-codes", {"code": v}),
                                        "code")
        r = tc.post("/api/v1/me/mfa/totp", {"password": third.password})
        self.assertProblem(r, 409, {"mfa.already_enabled"})   # still on
        self.healthy()

    def test_totp_confirm(self):
        acc = self.create_account(prefix="confirm")
        c = self.bearer(acc)
        r = c.post("/api/v1/me/mfa/totp", {"password": acc.password})
        self.assertEqual(r.status, 200, r)
        secret = r.json["secret"]
        self.vault.remember_secret(secret)
        ep = Endpoint("POST", "/api/v1/me/mfa/totp/confirm", c, {"code": "code"}, ["code"],
                      lambda: {"code": "000000"})
        with self.unchanged("the account's audit trail", lambda: self.my_audit(c)):
            self.battery(ep)
        r = c.post("/api/v1/me/mfa/totp/confirm", {"code": self.fresh_code(secret)})
        self.assertEqual(r.status, 200, r)   # not locked, enrolment intact

    def test_totp_disable(self):
        acc = self.create_account(prefix="disable")
        secret = self.enable_totp(acc)
        c = self.bearer(acc)
        ep = Endpoint("DELETE", "/api/v1/me/mfa/totp", c,
                      {"password": "credential", "code": "code"}, ["password", "code"],
                      lambda: {"password": acc.password, "code": "000000"})
        with self.unchanged("the account's audit trail", lambda: self.my_audit(c)):
            self.battery(ep)
            self.assertProblem(c.post("/api/v1/me/mfa/totp", {"password": acc.password}), 409, {"mfa.already_enabled"})
        r = c.raw("DELETE", "/api/v1/me/mfa/totp", json.dumps(
            {"password": acc.password, "code": self.fresh_code(secret)}).encode())
        self.assertEqual(r.status, 204, r)

    def test_recovery_codes(self):
        acc = self.create_account(prefix="regen")
        secret = self.enable_totp(acc)
        c = self.bearer(acc)
        ep = Endpoint("POST", "/api/v1/me/mfa/recovery-codes", c, {"code": "code"}, ["code"],
                      lambda: {"code": "000000"})
        with self.unchanged("the account's audit trail", lambda: self.my_audit(c)):
            self.battery(ep)
        r = c.post("/api/v1/me/mfa/recovery-codes", {"code": self.fresh_code(secret)})
        self.assertEqual(r.status, 200, r)
        for code in r.json["recovery_codes"]:
            self.vault.remember_secret(code)

    # ---------------------------------------------------------------- account
    def test_delete_me(self):
        acc = self.create_account(prefix="delme")
        c = self.bearer(acc)
        ep = Endpoint("DELETE", "/api/v1/me", c, {"password": "credential"}, ["password"],
                      lambda: {"password": acc.password})
        with self.unchanged("the account", lambda: (self.get_json(c, "/api/v1/me"),
                                                    self.my_audit(c))):
            self.battery(ep)
        self.sign_in(acc.email, acc.password)

    def test_my_audit_query(self):
        acc = self.create_account(prefix="audq")
        c = self.bearer(acc)
        with self.unchanged("the account's audit trail", lambda: self.my_audit(c)):
            for query, field in AUDIT_BAD_QUERIES:
                with self.subTest(query=query):
                    r = c.get("/api/v1/me/audit?" + query)
                    self.assertNot5xx(r)
                    self.assertProblem(r, 400, {"validation.query"}, field)
            for query in AUDIT_ODD_QUERIES:
                with self.subTest(query=query):
                    self.assertOddQuery(c.get("/api/v1/me/audit?" + query))
        self.healthy()

    # ------------------------------------------------------------- workspaces
    def test_create_workspace(self):
        acc = self.create_account(prefix="wscreate")
        c = self.bearer(acc)
        ep = Endpoint("POST", "/api/v1/workspaces", c,
                      {"name": "ws_name", "shortname": "shortname", "description": "description"},
                      ["name", "shortname"],
                      lambda: {"name": "Bad Input Co", "shortname": unique_shortname("new"),
                               "description": "A perfectly fine description."})
        with self.unchanged("the account's workspaces and audit trail", lambda: (
                self.get_json(c, "/api/v1/me/workspaces")["items"], self.my_audit(c))):
            self.battery(ep)
        self.workspace(c)   # still works

    def test_workspace_names_hostile_but_printable(self):
        """Markup and SQL quotes in a workspace name: rejected (400 validation.name) or stored
        and returned byte for byte — never interpreted."""
        acc = self.create_account(prefix="wshostile")
        c = self.bearer(acc)
        for name in ["<script>alert(1)</script>", "Robert'); DROP TABLE workspaces;--",
                     "O'Brien & Sons \"Ltd\"", "%s%n%x{0}", "\u00c5ngstr\u00f6m \U0001f680"]:
            with self.subTest(name=name):
                r = c.post("/api/v1/workspaces", {"name": name, "shortname": unique_shortname()})
                self.assertNot5xx(r)
                if r.status != 201:
                    self.assertProblem(r, 400, {"validation.name"}, "name")
                    continue
                self.assertEqual(r.json["name"], name, r)
                self.assertEqual(self.get_json(c, f"/api/v1/workspaces/{r.json['id']}")["name"],
                                 name)
        self.healthy()

    def test_patch_workspace(self):
        owner = self.create_account(prefix="wspatch")
        c = self.bearer(owner)
        ws = self.workspace(c, description="original")
        path = f"/api/v1/workspaces/{ws['id']}"
        ep = Endpoint("PATCH", path, c,
                      {"name": "ws_name", "description": "description", "require_2fa": "bool",
                       "shortname": "shortname"}, [],
                      lambda: {"name": "Renamed Co", "description": "changed",
                               "require_2fa": False, "shortname": unique_shortname("ren")})
        with self.unchanged("the workspace", lambda: self.ws_state(c, ws["id"])):
            self.battery(ep)
        r = c.patch(path, {"name": "Renamed Co"})
        self.assertEqual(r.status, 200, r)

    def test_delete_workspace(self):
        owner = self.create_account(prefix="wsdel")
        c = self.bearer(owner)
        ws = self.workspace(c)
        sn, path = ws["shortname"], f"/api/v1/workspaces/{ws['shortname']}"
        ep = Endpoint("DELETE", path, c, {"confirm": "confirm"}, ["confirm"],
                      lambda: {"confirm": "wrong-name"})
        mismatch = {"workspace.confirmation_mismatch", "validation.required"}
        extra = [(f"confirm: {v!r}", ep.with_value("confirm", v), expect(400, mismatch, "confirm"))
                 for v in ["", "wrong-name", " " + sn, sn + " ", sn + "\u0000", "\u0000",
                           "' OR '1'='1", "<script>", ws["id"], "*", "%", sn[:-1]]]
        extra += [(f"confirm: {n} chars", ep.with_value("confirm", "a" * n),
                   expect(400, {"validation.too_long", "workspace.confirmation_mismatch"},
                          "confirm")) for n in (41, 10000)]
        with self.unchanged("the workspace", lambda: self.ws_state(c, ws["id"])):
            self.battery(ep, extra)
        r = c.raw("DELETE", path, json.dumps({"confirm": sn}).encode())
        self.assertEqual(r.status, 204, r)

    def test_logo(self):
        owner = self.create_account(prefix="logo")
        c = self.bearer(owner)
        ws = self.workspace(c)
        path = f"/api/v1/workspaces/{ws['id']}/logo"
        with self.unchanged("the workspace", lambda: self.ws_state(c, ws["id"])):
            for label, body in LOGO_NOT_IMAGE:
                for ctype in ("image/png", "application/octet-stream"):
                    with self.subTest(case=label, content_type=ctype):
                        r = c.raw("PUT", path, body, content_type=ctype)
                        self.assertNot5xx(r)
                        self.assertProblem(r, 400, {"logo.unsupported_type"}, "logo")
            for label, size in (("512 KiB + 1", 512 * 1024 + 1), ("1000 KiB", 1000 * 1024)):
                with self.subTest(case=f"oversize PNG {label}"):
                    body = b"\x89PNG\r\n\x1a\n" + b"\x00" * (size - 8)
                    r = c.raw("PUT", path, body, content_type="image/png")
                    self.assertProblem(r, 413, {"logo.too_large"}, "logo")
            with self.subTest(case="10 MB body"):
                r = c.send_large("PUT", path, TEN_MB)
                self.assertProblem(r, 413, {"request.too_large", "logo.too_large"})
            self.assertProblem(c.get(path), 404, {"logo.not_found"})
        self.healthy()
        r = c.raw("PUT", path, tiny_png(), content_type="image/png")
        self.assertEqual(r.status, 204, r)

    def test_change_role(self):
        owner = self.create_account(prefix="roleowner")
        c = self.bearer(owner)
        ws = self.workspace(c)
        member = self.create_account(prefix="rolemember")
        _, token = self.invite(c, ws["id"], member.email)
        r = self.bearer(member).post("/api/v1/invitations/accept", {"token": token})
        self.assertEqual(r.status, 200, r)
        path = f"/api/v1/workspaces/{ws['id']}/members/{member.id}"
        ep = Endpoint("PATCH", path, c, {"role": "role"}, ["role"], lambda: {"role": "admin"})
        with self.unchanged("the workspace", lambda: self.ws_state(c, ws["id"])):
            self.battery(ep)
            # a bad role for a member that does not exist, or for oneself, is still a bad role
            for target in ("acc_doesnotexist", owner.id):
                r = c.raw("PATCH", f"/api/v1/workspaces/{ws['id']}/members/{target}",
                          b'{"role": "emperor"}')
                self.assertProblem(r, 400, {"validation.role"}, "role")
        r = c.patch(path, {"role": "billing"})
        self.assertEqual(r.status, 200, r)

    def test_create_invitation(self):
        owner = self.create_account(prefix="invowner")
        c = self.bearer(owner)
        ws = self.workspace(c)
        ep = Endpoint("POST", f"/api/v1/workspaces/{ws['id']}/invitations", c,
                      {"email": "email", "role": "role"}, ["email"],
                      lambda: {"email": unique_email("invitee"), "role": "member"})
        with self.unchanged("the workspace", lambda: self.ws_state(c, ws["id"])):
            self.battery(ep)
        self.invite(c, ws["id"], unique_email("invitee"), "admin")

    def test_accept_invitation_new_person(self):
        owner = self.create_account(prefix="accowner")
        c = self.bearer(owner)
        ws = self.workspace(c)
        email = unique_email("newperson")
        inv, token = self.invite(c, ws["id"], email)
        good = self.vault.new_password()
        anon = self.client(mode="none")
        ep = Endpoint("POST", "/api/v1/invitations/accept", anon,
                      {"token": "token", "name": "name", "password": "new_password"},
                      ["token", "name", "password"],
                      lambda: {"token": token, "name": "Grace Hopper", "password": good},
                      email=email)
        with self.unchanged("the workspace", lambda: self.ws_state(c, ws["id"])):
            self.battery(ep)
        # nothing was written: the link still signs the person up, once
        r = self.client().post("/api/v1/invitations/accept",
                               {"token": token, "name": "Grace Hopper", "password": good})
        self.assertEqual(r.status, 201, r)
        self.vault.remember_secret(r.json["session_token"])
        newbie = self.client(mode="bearer")
        newbie.token = r.json["session_token"]
        for client, body in ((anon, {"token": token, "name": "Grace", "password": good}),
                             (newbie, {"token": token})):
            with self.subTest(case="reused token", signed_in=client is newbie):
                r = client.post("/api/v1/invitations/accept", body)
                self.assertProblem(r, 400, {"token.used"}, "token")
        r = anon.post("/api/v1/invitations/decline", {"token": token})
        self.assertProblem(r, 400, {"token.used"}, "token")

    def test_accept_invitation_signed_in(self):
        owner = self.create_account(prefix="accowner2")
        c = self.bearer(owner)
        ws = self.workspace(c)
        invitee = self.create_account(prefix="accinvitee")
        _, token = self.invite(c, ws["id"], invitee.email)
        ic = self.bearer(invitee)
        ep = Endpoint("POST", "/api/v1/invitations/accept", ic, {"token": "token"}, ["token"],
                      lambda: {"token": token})
        with self.unchanged("the workspace", lambda: self.ws_state(c, ws["id"])):
            self.battery(ep)
            # somebody else's session: 403, nothing written
            stranger = self.bearer(self.create_account(prefix="stranger"))
            r = stranger.post("/api/v1/invitations/accept", {"token": token})
            self.assertProblem(r, 403, {"invitation.email_mismatch"})
        r = ic.post("/api/v1/invitations/accept", {"token": token})
        self.assertEqual(r.status, 200, r)
        r = ic.post("/api/v1/invitations/accept", {"token": token})
        self.assertProblem(r, 400, {"token.used"}, "token")

    def test_decline_invitation(self):
        owner = self.create_account(prefix="decowner")
        c = self.bearer(owner)
        ws = self.workspace(c)
        _, token = self.invite(c, ws["id"], unique_email("decliner"))
        anon = self.client(mode="none")
        ep = Endpoint("POST", "/api/v1/invitations/decline", anon, {"token": "token"}, ["token"],
                      lambda: {"token": token})
        with self.unchanged("the workspace", lambda: self.ws_state(c, ws["id"])):
            self.battery(ep)
        self.assertEqual(anon.post("/api/v1/invitations/decline", {"token": token}).status, 204)
        r = anon.post("/api/v1/invitations/decline", {"token": token})
        self.assertProblem(r, 400, {"token.used"}, "token")
        r = anon.post("/api/v1/invitations/accept",
                      {"token": token, "name": "Late Person", "password": self.vault.new_password()})
        self.assertProblem(r, 400, {"token.used"}, "token")

    def test_workspace_audit_query(self):
        owner = self.create_account(prefix="wsaud")
        c = self.bearer(owner)
        ws = self.workspace(c)
        path = f"/api/v1/workspaces/{ws['id']}/audit?"
        with self.unchanged("the workspace", lambda: self.ws_state(c, ws["id"])):
            for query, field in AUDIT_BAD_QUERIES:
                with self.subTest(query=query):
                    r = c.get(path + query)
                    self.assertNot5xx(r)
                    self.assertProblem(r, 400, {"validation.query"}, field)
            for query in AUDIT_ODD_QUERIES:
                with self.subTest(query=query):
                    self.assertOddQuery(c.get(path + query))
        self.healthy()

    def test_hostile_path_parameters(self):
        """{ws}, {account_id} and {id} with invalid UTF-8, NUL, SQL-ish or huge values: a 4xx
        problem (404 for an unknown id), never a 5xx."""
        owner = self.create_account(prefix="pathowner")
        c = self.bearer(owner)
        ws = self.workspace(c)
        admin = self.make_super_admin()
        wsb = ws["id"].encode()
        routes = [(c, "PATCH", b"/api/v1/workspaces/%s", b'{"name": "X"}'),
                  (c, "DELETE", b"/api/v1/workspaces/%s", b'{"confirm": "x"}'),
                  (c, "PUT", b"/api/v1/workspaces/%s/logo", tiny_png()),
                  (c, "GET", b"/api/v1/workspaces/%s/audit", b""),
                  (c, "POST", b"/api/v1/workspaces/%s/invitations",
                   b'{"email": "someone@example.test"}'),
                  (c, "PATCH", b"/api/v1/workspaces/" + wsb + b"/members/%s", b'{"role": "admin"}'),
                  (admin, "PATCH", b"/api/v1/admin/accounts/%s", b'{"disabled": false}')]
        with self.unchanged("the workspace", lambda: self.ws_state(c, ws["id"])):
            for client, method, template, body in routes:
                for seg in HOSTILE_SEGMENTS:
                    with self.subTest(route=f"{method} {template.decode()}", segment=seg[:40]):
                        r = self.raw_request(client, method, template.replace(b"%s", seg), body)
                        self.assertNot5xx(r)
                        self.assertProblem(r, {400, 404, 414, 431})
        self.healthy()

    # ------------------------------------------------------------------ admin
    def test_admin_accounts(self):
        admin = self.make_super_admin()
        target = self.create_account(prefix="admtarget")
        tc = self.bearer(target)
        with self.unchanged("the target account", lambda: (
                self.get_json(admin, f"/api/v1/admin/accounts/{target.id}"),
                self.get_json(tc, "/api/v1/me"), self.my_audit(tc))):
            for listing in ("/api/v1/admin/accounts", "/api/v1/admin/workspaces"):
                for limit in ADMIN_BAD_LIMITS:
                    with self.subTest(endpoint=f"GET {listing}", limit=limit):
                        r = admin.get(f"{listing}?limit={limit}")
                        self.assertNot5xx(r)
                        self.assertProblem(r, 400, {"validation.query"}, "limit")
                for query in ADMIN_ODD_QUERIES:
                    with self.subTest(endpoint=f"GET {listing}", query=query[:40]):
                        self.assertOddQuery(admin.get(f"{listing}?{query}"))
            # disabled/super_admin as wrong types; the valid base would disable and promote
            ep = Endpoint("PATCH", f"/api/v1/admin/accounts/{target.id}", admin,
                          {"disabled": "bool", "super_admin": "bool"}, [],
                          lambda: {"disabled": True, "super_admin": True})
            self.battery(ep)
            for name, value in (("disabled", "true"), ("super_admin", 1)):
                with self.subTest(case=f"non-admin sends {name}={value!r}"):
                    r = tc.raw("PATCH", f"/api/v1/admin/accounts/{target.id}",
                               json.dumps({name: value}).encode())
                    self.assertProblem(r, {400, 403}, {"validation.type", "admin.required"})
        r = tc.get("/api/v1/admin/accounts?limit=0")
        self.assertProblem(r, {400, 403}, {"validation.query", "admin.required"})


class ExpiredInvitationTest(BadInputBase):
    """An invitation link after its 7 days: 400 token.expired for accept (signed in or new
    person) and decline; nothing written."""

    def test_expired_token(self):
        owner = self.create_account(prefix="expowner")
        c = self.bearer(owner)
        ws = self.workspace(c)
        invitee = self.create_account(prefix="expinvitee")
        _, existing_token = self.invite(c, ws["id"], invitee.email)
        _, new_token = self.invite(c, ws["id"], unique_email("expnew"))
        self.move_clock(SEVEN_DAYS + 60)
        c = self.sign_in(owner.email, owner.password, mode="bearer")     # sessions idled out
        ic = self.sign_in(invitee.email, invitee.password, mode="bearer")
        anon = self.client(mode="none")
        with self.unchanged("the workspace", lambda: self.ws_state(c, ws["id"])):
            cases = [(anon, "accept", {"token": new_token, "name": "Late Person",
                                       "password": self.vault.new_password()}),
                     (ic, "accept", {"token": existing_token}),
                     (anon, "decline", {"token": new_token}),
                     (anon, "decline", {"token": existing_token})]
            for client, what, body in cases:
                with self.subTest(what=what, signed_in=client is ic):
                    r = client.post(f"/api/v1/invitations/{what}", body)
                    self.assertProblem(r, 400, {"token.expired"}, "token")
        self.assertEqual(self.get_json(ic, "/api/v1/me/workspaces")["items"], [])
        self.healthy()


if __name__ == "__main__":
    main()
