#!/usr/bin/python3
"""Bad input on every JSON endpoint of docs/api.md: each case must get a 4xx problem+json
with a stable code (and the field, for field errors), never a 5xx, never a partial write,
and the server must stay up."""

import harness
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main, unique_email  # noqa: E402

TEN_MB = 10 * 1024 * 1024
PLACEHOLDER = "@@VALUE@@"

WRONG_TYPES = [("number", 12345), ("bool", True), ("array", ["x"]), ("object", {"a": "b"})]
INVALID_UTF8 = [("lone continuation", b"\x80abc"), ("ff fe", b"\xff\xfe"),
                ("truncated", b"ab\xc3"), ("overlong slash", b"\xc0\xaf"),
                ("surrogate", b"\xed\xa0\x80"), ("beyond U+10FFFF", b"\xf4\x90\x80\x80")]
MALFORMED = [("truncated", b'{"name": '), ("trailing comma", b'{"a": "b",}'),
             ("single quotes", b"{'a': 'b'}"), ("bare word", b"nul"),
             ("raw control char in string", b'{"a": "x\x01y"}'),
             ("two documents", b'{"a": "b"} {"a": "b"}'), ("garbage", b"\x00\x01\x02")]
NOT_OBJECT = [("array", b"[]"), ("string", b'"text"'), ("number", b"42"), ("null", b"null"),
              ("true", b"true"), ("array of object", b'[{"name": "x"}]')]
DEEP = [("deep arrays", b"[" * 100000), ("deep objects", b'{"a":' * 50000),
        ("deep but complete", b"[" * 100000 + b"]" * 100000)]
NAME_HOSTILE = ["\u0000", "Ada\u0000Lovelace", "bell\u0007", "esc\u001b[31mred", "del\u007f",
                "two\nlines", "tab\there", "<script>alert(1)</script>"]
BAD_EMAILS = ["plainaddress", "@example.test", "user@", "user@@example.test",
              "us er@example.test", "user@exam ple.test", "user.example.test"]
HOSTILE_EMAILS = ["a\u0000b@example.test", "<script>alert(1)</script>@example.test",
                  "a@exa\nmple.test", "user@example.test\r\nBcc: victim@example.test",
                  "a" * 64 + "@" + ("b" * 60 + ".") * 4 + "test"]          # > 254 chars
TOKEN_HOSTILE = ["\u0000", "<script>alert(1)</script>", "../../etc/passwd", "' OR '1'='1",
                 "A" * 43]
LOCALE_HOSTILE = ["\u0000", "<script>alert(1)</script>", "xx-!!", "en-US\n"]
TZ_HOSTILE = ["Mars/Olympus_Mons", "../../../../etc/passwd", "/etc/localtime", "<script>",
              "Europe/Berlin\u0000", "UTC+99"]


def expect(status, codes=None, field=None, prefix=None):
    return {"status": status, "codes": codes, "field": field, "prefix": prefix}


class Endpoint:
    """method, path, client (auth), fields {name: kind}, required, base() -> valid body."""

    def __init__(self, method, path, client, fields, required, base, email=None):
        self.method, self.path, self.client = method, path, client
        self.fields, self.required, self.base, self.email = fields, required, base, email

    def send(self, body_bytes):
        return self.client.raw(self.method, self.path, body_bytes)

    def with_value(self, field, value):
        body = self.base()
        body[field] = value
        return json.dumps(body).encode()

    def with_raw(self, field, raw):
        """The body with raw bytes between the quotes of the field's string value."""
        return self._placeholder(field).replace(PLACEHOLDER.encode(), raw)

    def with_json(self, field, text):
        """The body with the field's whole JSON value replaced by raw JSON text."""
        return self._placeholder(field).replace(b'"' + PLACEHOLDER.encode() + b'"', text)

    def _placeholder(self, field):
        body = self.base()
        body[field] = PLACEHOLDER
        return json.dumps(body).encode()


def field_cases(ep, field, kind):
    """(label, body bytes, expectation) for one field of one endpoint."""
    for label, value in WRONG_TYPES:
        yield f"{field}: {label}", ep.with_value(field, value), expect(
            400, {"validation.type"}, field)
    yield f"{field}: 1e400", ep.with_json(field, b"1e400"), expect(
        400, {"validation.type", "validation.malformed_json"})
    if field in ep.required:
        yield f"{field}: null", ep.with_value(field, None), expect(
            400, {"validation.type", "validation.required"}, field)
        body = ep.base()
        del body[field]
        yield f"{field}: missing", json.dumps(body).encode(), expect(
            400, {"validation.required"}, field)
    for label, raw in INVALID_UTF8:
        yield f"{field}: invalid UTF-8 {label}", ep.with_raw(field, raw), expect(
            400, {"validation.invalid_utf8"})

    strict = kind in ("name", "email", "token", "locale", "time_zone")
    if strict:
        yield f"{field}: lone surrogate escape", ep.with_raw(field, b"x\\ud800y"), expect(
            400, prefix="validation." if kind != "token" else None, field=None)
    if kind == "name":
        yield f"{field}: 10000 chars", ep.with_value(field, "a" * 10000), expect(
            400, {"validation.too_long"}, field)
        for v in NAME_HOSTILE:
            yield f"{field}: {v!r}", ep.with_value(field, v), expect(
                400, {"validation.name"}, field)
        for v in ("", "   "):
            yield f"{field}: {v!r}", ep.with_value(field, v), expect(
                400, {"validation.name", "validation.required"}, field)
    elif kind == "email":
        yield f"{field}: 10000 chars", ep.with_value(field, "a" * 10000 + "@example.test"), \
            expect(400, {"validation.too_long", "validation.email"}, field)
        for v in BAD_EMAILS + HOSTILE_EMAILS:
            yield f"{field}: {v[:40]!r}", ep.with_value(field, v), expect(
                400, {"validation.email", "validation.too_long"}, field)
        yield f"{field}: ''", ep.with_value(field, ""), expect(
            400, {"validation.email", "validation.required"}, field)
    elif kind == "login_email":
        codes = {"validation.email", "validation.too_long", "auth.invalid_credentials"}
        for v in ["a" * 10000 + "@example.test"] + BAD_EMAILS + HOSTILE_EMAILS:
            yield f"{field}: {v[:40]!r}", ep.with_value(field, v), expect({400, 401}, codes)
    elif kind == "new_password":
        yield f"{field}: 300 chars", ep.with_value(field, "Zq-" + "x7" * 150), expect(
            400, {"password.too_long"}, field)
        yield f"{field}: too short", ep.with_value(field, "Zq-7x9w"), expect(
            400, {"password.too_short"}, field)
        for v in ("password123", "qwertyuiop"):
            yield f"{field}: common {v}", ep.with_value(field, v), expect(
                400, {"password.common"}, field)
        local = ep.email.split("@")[0]
        yield f"{field}: contains email", ep.with_value(field, f"Zq9-{local}-river"), expect(
            400, {"password.contains_email"}, field)
    elif kind == "credential":
        yield f"{field}: 300 chars", ep.with_value(field, "Zq-" + "x7" * 150), expect({400, 401})
        yield f"{field}: NUL", ep.with_value(field, "Zq-\u0000-abcdefgh"), expect({400, 401})
    elif kind == "token":
        yield f"{field}: 10000 chars", ep.with_value(field, "A" * 10000), expect(
            400, {"token.invalid", "validation.too_long"}, field)
        for v in TOKEN_HOSTILE:
            yield f"{field}: {v!r}", ep.with_value(field, v), expect(400, {"token.invalid"}, field)
        yield f"{field}: ''", ep.with_value(field, ""), expect(
            400, {"token.invalid", "validation.required"}, field)
    elif kind in ("locale", "time_zone"):
        yield f"{field}: 10000 chars", ep.with_value(field, "a" * 10000), expect(
            400, {"validation.too_long"}, field)
        for v in (LOCALE_HOSTILE if kind == "locale" else TZ_HOSTILE):
            yield f"{field}: {v!r}", ep.with_value(field, v), expect(
                400, prefix="validation.", field=field)


def cases(ep):
    for label, raw in MALFORMED:
        yield f"malformed: {label}", raw, expect(400, {"validation.malformed_json",
                                                        "validation.invalid_utf8"})
    yield "empty body", b"", expect(400, prefix="validation.")
    for label, raw in NOT_OBJECT + DEEP:
        yield f"not an object: {label}", raw, expect(400, {"validation.type",
                                                            "validation.malformed_json"})
    yield "invalid UTF-8 in a key", b'{"na\xffme": "x"}', expect(400, {"validation.invalid_utf8"})
    for field, kind in ep.fields.items():
        yield from field_cases(ep, field, kind)


class BadInputTest(VaultTestCase):

    def battery(self, ep):
        for label, body, exp in cases(ep):
            with self.subTest(endpoint=f"{ep.method} {ep.path}", case=label):
                r = ep.send(body)
                self.assertNot5xx(r)
                self.assertProblem(r, exp["status"], harness.nul_ok(exp["codes"], label), exp["field"], exp["prefix"])
        with self.subTest(endpoint=f"{ep.method} {ep.path}", case="10 MB body"):
            r = ep.client.send_large(ep.method, ep.path, TEN_MB)
            self.assertProblem(r, 413, {"request.too_large"})
        self.healthy()

    def bearer(self, acc):
        c = self.client(mode="bearer")
        c.token = acc.client.token
        return c

    # ----------------------------------------------------------------- public
    def test_signup(self):
        anon = self.client(mode="none")
        ep = Endpoint("POST", "/api/v1/signup", anon, {"name": "name", "email": "email"},
                      ["name", "email"], lambda: {"name": "Ada", "email": unique_email("bad")})
        self.battery(ep)
        with self.subTest(case="10 MB chunked body"):
            r = anon.send_large("POST", "/api/v1/signup", TEN_MB, chunked=True)
            self.assertProblem(r, 413, {"request.too_large"})
        self.healthy()
        self.signup()  # still works

    def test_signup_complete(self):
        email, token = self.signup(unique_email("cmpl"))
        good = self.vault.new_password()
        ep = Endpoint("POST", "/api/v1/signup/complete", self.client(mode="none"),
                      {"token": "token", "password": "new_password"}, ["token", "password"],
                      lambda: {"token": token, "password": good}, email=email)
        self.battery(ep)
        # nothing was written: the token still works, once
        c = self.client()
        r = c.post("/api/v1/signup/complete", {"token": token, "password": good})
        self.assertEqual(r.status, 201, r)
        r = c.post("/api/v1/signup/complete", {"token": token, "password": good})
        self.assertProblem(r, 400, {"token.used", "token.invalid"}, "token")
        self.sign_in(email, good)

    def test_sign_in(self):
        acc = self.create_account(prefix="signin")
        # a fresh unknown address per case, so no case runs into the per-address lockout
        ep = Endpoint("POST", "/api/v1/sessions", self.client(mode="none"),
                      {"email": "login_email", "password": "credential"}, ["email", "password"],
                      lambda: {"email": unique_email("nobody"), "password": "Zq-unknown-pw-1"})
        self.battery(ep)
        self.sign_in(acc.email, acc.password)

    def test_password_forgot(self):
        ep = Endpoint("POST", "/api/v1/password/forgot", self.client(mode="none"),
                      {"email": "email"}, ["email"], lambda: {"email": unique_email("forgot")})
        self.battery(ep)

    def test_password_reset(self):
        acc = self.create_account(prefix="reset")
        r = self.client(mode="none").post("/api/v1/password/forgot", {"email": acc.email})
        self.assertEqual(r.status, 202, r)
        token = self.vault.token_from(self.sink.wait_for_mail(acc.email, "Reset your password"))
        good = self.vault.new_password()
        ep = Endpoint("POST", "/api/v1/password/reset", self.client(mode="none"),
                      {"token": "token", "password": "new_password"}, ["token", "password"],
                      lambda: {"token": token, "password": good}, email=acc.email)
        self.battery(ep)
        self.sign_in(acc.email, acc.password)  # the password did not change
        r = self.client().post("/api/v1/password/reset", {"token": token, "password": good})
        self.assertEqual(r.status, 204, r)
        self.sign_in(acc.email, good)

    def test_email_confirm(self):
        acc = self.create_account(prefix="conf")
        new_email = unique_email("confnew")
        r = acc.client.post("/api/v1/me/email", {"new_email": new_email, "password": acc.password})
        self.assertEqual(r.status, 202, r)
        token = self.vault.token_from(
            self.sink.wait_for_mail(new_email, "Confirm your new email address"))
        ep = Endpoint("POST", "/api/v1/email/confirm", self.client(mode="none"),
                      {"token": "token"}, ["token"], lambda: {"token": token})
        self.battery(ep)
        self.assertEqual(acc.client.get("/api/v1/me").json["email"], acc.email)
        r = self.client(mode="none").post("/api/v1/email/confirm", {"token": token})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["email"], new_email)

    # ---------------------------------------------------------- authenticated
    def test_patch_me(self):
        acc = self.create_account(prefix="patch")
        c = self.bearer(acc)
        before = c.get("/api/v1/me").json
        ep = Endpoint("PATCH", "/api/v1/me", c,
                      {"name": "name", "locale": "locale", "time_zone": "time_zone"}, [],
                      lambda: {"name": "Ada Patched", "locale": "en-GB",
                               "time_zone": "Europe/London"})
        self.battery(ep)
        self.assertEqual(c.get("/api/v1/me").json, before, "a rejected PATCH changed the profile")
        # fields a client must not set through PATCH
        for sneaky in ({"email": unique_email("sneaky")}, {"email_verified": False},
                       {"id": "acc_someoneelse"}, {"password": "Zq-new-password-1"}):
            with self.subTest(case=f"read-only {sorted(sneaky)}"):
                r = c.patch("/api/v1/me", sneaky)
                self.assertNot5xx(r)
        after = c.get("/api/v1/me").json
        # a PATCH that only names read-only fields may be a no-op 200 that touches updated_at
        after.pop("updated_at", None)
        before.pop("updated_at", None)
        self.assertEqual(after, before, "PATCH changed a read-only field")
        self.sign_in(acc.email, acc.password)

    def test_change_password(self):
        acc = self.create_account(prefix="chpw")
        c = self.bearer(acc)
        good = self.vault.new_password()
        ep = Endpoint("POST", "/api/v1/me/password", c,
                      {"current_password": "credential", "new_password": "new_password"},
                      ["current_password", "new_password"],
                      lambda: {"current_password": acc.password, "new_password": good},
                      email=acc.email)
        self.battery(ep)
        self.assertEqual(c.get("/api/v1/me").status, 200)
        self.sign_in(acc.email, acc.password)  # unchanged
        r = c.post("/api/v1/me/password", {"current_password": acc.password, "new_password": good})
        self.assertEqual(r.status, 204, r)
        self.sign_in(acc.email, good)

    def test_change_email(self):
        acc = self.create_account(prefix="chem")
        c = self.bearer(acc)
        ep = Endpoint("POST", "/api/v1/me/email", c,
                      {"new_email": "email", "password": "credential"}, ["new_email", "password"],
                      lambda: {"new_email": unique_email("chemnew"), "password": acc.password})
        self.battery(ep)
        self.assertEqual(c.get("/api/v1/me").json["email"], acc.email)
        self.sign_in(acc.email, acc.password)


if __name__ == "__main__":
    main()
