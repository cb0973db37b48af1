"""Helpers for the workspace, member and invitation integration tests (stdlib only).

WorkspaceFlows is a mixin for a VaultTestCase: create workspaces, invite people and accept
through the emailed link, make a Super Admin with the CLI, create many accounts at once, turn
on TOTP. Also tiny_png() (a valid 1x1 PNG made with zlib/struct), totp_code() (RFC 6238) and
problem-body normalisation for byte-for-byte comparisons.
"""

import base64
import concurrent.futures
import hashlib
import hmac
import re
import secrets
import struct
import time
import zlib

from harness import Account, TOKEN_RE, unique_email, wait_until

INVITE_SUBJECT = "You are invited to join"
REQUEST_ID_RE = re.compile(rb'"request_id"\s*:\s*"[^"]*"')


def tiny_png(rgb=(0x20, 0x80, 0xE0)):
    """A valid 1x1 truecolour PNG."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    raw = b"\x00" + bytes(rgb)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def super_admin_2fa(case, client, email, password):
    """Turns on TOTP for a Super Admin's account (VAULT_SUPER_ADMIN_REQUIRE_2FA is on by default)
    and keeps its recovery codes, so case.sign_in() can finish a later second step. Returns the
    base32 secret."""
    r = client.post("/api/v1/me/mfa/totp", {"password": password})
    case.assertEqual(r.status, 200, r)
    secret = r.json["secret"]
    case.vault.remember_secret(secret)
    # the code of the servers' time, which a test may have moved
    now = time.time() + case.vault.clock_offset_seconds
    r = client.post("/api/v1/me/mfa/totp/confirm", {"code": totp_code(secret, now)})
    case.assertEqual(r.status, 200, r)
    for code in r.json["recovery_codes"]:
        case.vault.remember_secret(code)
    case.vault.recovery_codes[email.lower()] = list(r.json["recovery_codes"])
    return secret


def totp_code(secret_b32, unix_time=None, step=30, digits=6):
    """RFC 6238 TOTP (SHA-1) for a base32 secret."""
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if unix_time is None else unix_time) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % (10 ** digits)).zfill(digits)


def without_request_id(raw_body):
    """The raw body with the request_id value blanked (for byte comparisons)."""
    return REQUEST_ID_RE.sub(b'"request_id":""', raw_body)


def unique_shortname(prefix="ws"):
    return f"{prefix}-{secrets.token_hex(4)}"


class WorkspaceFlows:
    """Mixin for a VaultTestCase (needs self.vault, self.sink, create_account, sign_in)."""

    def create_workspace(self, client, shortname=None, name="Acme Corp", expect=201, **extra):
        shortname = shortname or unique_shortname()
        body = {"name": name, "shortname": shortname}
        body.update(extra)
        r = client.post("/api/v1/workspaces", body)
        self.assertEqual(r.status, expect, r)
        return r.json

    def invite(self, client, ws, email, role="member", expect=201):
        """POSTs an invitation; returns (invitation json, token from the email)."""
        r = client.post(f"/api/v1/workspaces/{ws}/invitations", {"email": email, "role": role})
        self.assertEqual(r.status, expect, r)
        if expect != 201:
            return r, None
        msg = self.sink.wait_for_mail(email, INVITE_SUBJECT)
        token = self.vault.token_from(msg)
        return r.json, token

    def join(self, owner_client, ws, account, role="member"):
        """Invites an existing Account and accepts with its own signed-in client."""
        _, token = self.invite(owner_client, ws, account.email, role)
        r = account.client.post("/api/v1/invitations/accept", {"token": token})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["workspace"]["my_role"], role, r)
        return r.json["workspace"]

    def member_account(self, owner_client, ws, role="member", prefix=None):
        account = self.create_account(prefix=prefix or role)
        self.join(owner_client, ws, account, role)
        return account

    def role_of(self, client, ws, account_id):
        r = client.get(f"/api/v1/workspaces/{ws}/members")
        self.assertEqual(r.status, 200, r)
        for m in r.json["items"]:
            if m["account_id"] == account_id:
                return m["role"]
        return None

    def make_super_admin(self, email=None, mode="bearer"):
        """`atomyx-vault admin create-super-admin EMAIL`, set the password through the printed
        link, sign in. Returns (Account-like object, client)."""
        email = email or unique_email("root")
        done = self.vault.cli("admin", "create-super-admin", email)
        self.assertEqual(done.returncode, 0, done.stderr + done.stdout)
        found = TOKEN_RE.search(done.stdout)
        self.assertTrue(found, f"no set-password link in: {done.stdout!r}")
        token = found.group(1)
        self.vault.remember_secret(token)
        account_id = re.search(r"\((acc_[^)]+)\)", done.stdout).group(1)
        password = self.vault.new_password()
        r = self.client(mode="none").post("/api/v1/password/reset",
                                          {"token": token, "password": password})
        self.assertEqual(r.status, 204, r)
        c = self.sign_in(email, password, mode=mode)
        me = c.get("/api/v1/me")
        self.assertEqual(me.status, 200, me)
        self.assertEqual(me.json["id"], account_id)
        super_admin_2fa(self, c, email, password)
        return account_id, email, password, c

    def many_accounts(self, n, prefix="bulk"):
        """n signed-in Accounts, created with the mail round trips batched and the sign-up
        completions in parallel."""
        emails = [unique_email(prefix) for _ in range(n)]
        anon = self.client(mode="none")
        for e in emails:
            r = anon.post("/api/v1/signup", {"name": "Bulk Person", "email": e})
            self.assertEqual(r.status, 202, r)
        wanted = {e.lower() for e in emails}

        def collect():
            got = {}
            for _, msg in self.sink.messages():
                if "verify your email" not in str(msg.get("Subject", "")).lower():
                    continue
                for rcpt in self.sink.recipients(msg) & wanted:
                    got[rcpt] = msg
            return got if len(got) == n else None
        mails = wait_until(collect, 60, f"{n} verification mails", interval=0.2)

        def complete(e):
            token = self.vault.token_from(mails[e.lower()])
            password = self.vault.new_password()
            c = self.client(mode="cookie", auto_csrf=True)
            r = c.post("/api/v1/signup/complete", {"token": token, "password": password})
            return e, password, c, r
        out = []
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            for e, password, c, r in pool.map(complete, emails):
                self.assertEqual(r.status, 201, r)
                out.append(Account(e, password, "Bulk Person", c, r.json))
        return out

    def enable_totp(self, account):
        """Turns on TOTP for the account's session; returns the base32 secret."""
        r = account.client.post("/api/v1/me/mfa/totp", {"password": account.password})
        self.assertEqual(r.status, 200, r)
        secret = r.json["secret"]
        self.vault.remember_secret(secret)
        r = account.client.post("/api/v1/me/mfa/totp/confirm", {"code": totp_code(secret)})
        self.assertEqual(r.status, 200, r)
        return secret

    def ws_audit(self, client, ws, action=None):
        q = "?limit=1000" + (f"&action={action}" if action else "")
        r = client.get(f"/api/v1/workspaces/{ws}/audit{q}")
        self.assertEqual(r.status, 200, r)
        return r.json["items"]
