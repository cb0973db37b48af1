"""Helpers for the API key integration tests (stdlib only): test_api_keys, test_api_keys_authz.

KeyFlows is a mixin for a VaultTestCase that also mixes in ProductFlows and WorkspaceFlows:
create, roll and revoke keys through the workspace API and verify them through the
product-facing API with HTTP Basic client credentials. It also builds key texts itself (the
format is public: docs/api-keys.md), so tests can make well-formed keys that were never issued.
"""

import re
import secrets
import zlib

from product_helpers import basic

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
TAGS = {"production": "live", "staging": "stage", "development": "dev"}
KEY_RE = re.compile(r"^avk_(live|stage|dev)_([a-z2-7]{20})_([0-9A-Za-z]{43})([0-9A-Za-z]{6})$")
VERIFY = "/api/v1/keys/verify"


def crc62(body):
    v = zlib.crc32(body.encode("ascii"))
    out = ""
    for _ in range(6):
        out = BASE62[v % 62] + out
        v //= 62
    return out


def make_key_text(environment="production", key_id=None, secret=None):
    """A well-formed key (correct checksum) with the given or random parts."""
    middle = key_id[3:] if key_id else "".join(secrets.choice(BASE32) for _ in range(20))
    secret = secret or "".join(secrets.choice(BASE62) for _ in range(43))
    body = f"avk_{TAGS[environment]}_{middle}_{secret}"
    return body + crc62(body)


def secret_part(key_text):
    return KEY_RE.match(key_text).group(3)


class KeyFlows:
    """Mixin: needs self.vault, self.client, self.assertEqual (a VaultTestCase)."""

    def create_key(self, client, ws, product, environment="production", permissions=None,
                   name=None, expect=201, **extra):
        body = {"name": name or f"Key {secrets.token_hex(3)}", "product": product,
                "environment": environment,
                "permissions": permissions if permissions is not None else ["submissions:read"]}
        body.update(extra)
        r = client.post(f"/api/v1/workspaces/{ws}/api-keys", body)
        self.assertEqual(r.status, expect, r)
        if r.status == 201:
            self.vault.remember_secret(r.json["key"])
            self.vault.remember_secret(secret_part(r.json["key"]))
        return r.json

    def roll_key(self, client, ws, key_id, expect=201, **body):
        r = client.post(f"/api/v1/workspaces/{ws}/api-keys/{key_id}/roll", body)
        self.assertEqual(r.status, expect, r)
        if r.status == 201:
            self.vault.remember_secret(r.json["key"])
            self.vault.remember_secret(secret_part(r.json["key"]))
        return r.json

    def revoke_key(self, client, ws, key_id, expect=204):
        r = client.delete(f"/api/v1/workspaces/{ws}/api-keys/{key_id}")
        self.assertEqual(r.status, expect, r)
        return r

    def verify(self, creds, key, environment="production", permission=None, ip=None,
               server=None, expect=200):
        body = {"key": key, "environment": environment}
        if permission is not None:
            body["permission"] = permission
        if ip is not None:
            body["ip"] = ip
        r = self.client(mode="none", server=server).post(
            VERIFY, body, headers={"Authorization": basic(*creds)})
        self.assertEqual(r.status, expect, r)
        return r.json

    def verdict(self, creds, key, **kw):
        """"valid" or the reason code."""
        v = self.verify(creds, key, **kw)
        return "valid" if v["valid"] else v["reason"]
