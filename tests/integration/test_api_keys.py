#!/usr/bin/python3
"""API keys (SPEC §6; docs/api-keys.md), black-box against the real server:

  * create: 201 with the full key once (Cache-Control: no-store), in the documented format;
    GET and lists show only the prefix and the last four;
  * the checksum: any mistyped, truncated or extended key is "malformed" (even when its id is a
    real key's), while a well-formed key that was never issued is "unknown";
  * every verification reason code: malformed, unknown, revoked, expired, wrong_environment,
    permission_denied, product_inactive, ip_not_allowed (IPv4, IPv6, IPv4-mapped), plus a key of
    another product type's product (unknown to that client) and a deleted product's key;
  * roll: the new key has the same scope; with a grace period both work until the grace ends
    (the clock is moved), without one the old key is revoked at once; revoked or already rolled
    keys cannot be rolled;
  * revocation on one server process is seen by another within the change-feed interval;
  * the secret is nowhere in the database (every table dumped) nor in the logs (checked at
    tear-down) nor in list/get responses; only the HMAC-SHA-256 under the server secret is kept;
  * last use is written in batches: with a one-hour flush interval nothing is written during
    50 verifications, and the final flush at shutdown records the time and address;
  * every key operation is in the workspace audit log, without the secret;
  * bad input gets 400 naming the field; verify without client credentials gets 401.
"""

import hashlib
import hmac
import http.client
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (Vault, VaultFlows, VaultTestCase, main, mann_whitney_p, metric,  # noqa: E402
                     settled_counter, wait_until)
from key_helpers import KEY_RE, VERIFY, KeyFlows, make_key_text, secret_part  # noqa: E402
from product_helpers import ProductFlows, basic, parse_time  # noqa: E402
from ws_helpers import WorkspaceFlows  # noqa: E402

import unittest  # noqa: E402



def rfc3339(unix):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(unix))


class ApiKeyTest(KeyFlows, ProductFlows, WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    CLOCK_OFFSET = True
    _world = None

    def world(self):
        cls = type(self)
        if cls._world is not None:
            return cls._world
        w = {}
        _, _, _, sa = self.make_super_admin()
        w["submit"] = self.service_client(sa, "submit", "Submit back end")
        w["manage"] = self.service_client(sa, "manage", "Manage back end")
        owner = self.create_account(name="Kim Keys", prefix="owner")
        w["owner"] = owner
        w["A"] = self.create_workspace(owner.client, name="Keys Inc")["id"]
        oc = owner.client
        w["S"] = self.create_product(oc, w["A"], "submit", plan="enterprise", name="Submit")["id"]
        w["M"] = self.create_product(oc, w["A"], "manage", plan="enterprise", name="Manage")["id"]
        cls._world = w
        return w

    def offset(self, seconds):
        """Moves the servers' clock forward by `seconds` more (it never goes back)."""
        cls = type(self)
        cls._offset = getattr(cls, "_offset", 0) + seconds
        self.vault.set_clock_offset(cls._offset)

    # ------------------------------------------------------------------ create and show
    def test_create_shows_the_key_once_and_lists_only_prefix_and_last_four(self):
        w = self.world()
        oc = w["owner"].client
        r = oc.post(f"/api/v1/workspaces/{w['A']}/api-keys",
                    {"name": "CI uploader", "product": w["S"], "environment": "production",
                     "permissions": ["submissions:read", "submissions:create", "submissions:read"]})
        self.assertEqual(r.status, 201, r)
        self.vault.remember_secret(r.json["key"])
        self.vault.remember_secret(secret_part(r.json["key"]))
        self.assertEqual(r.headers.get("Cache-Control"), "no-store")
        k = r.json
        m = KEY_RE.match(k["key"])
        self.assertTrue(m, k["key"])
        self.assertEqual(m.group(1), "live")
        self.assertEqual(k["id"], "ak_" + m.group(2))
        self.assertEqual(k["prefix"], f"avk_live_{m.group(2)}")
        self.assertEqual(k["last_four"], k["key"][-4:])
        self.assertEqual(k["permissions"], ["submissions:read", "submissions:create"])
        self.assertEqual(k["status"], "active")
        self.assertEqual(k["created_by"], w["owner"].id)
        self.assertIsNone(k["expires_at"])
        self.assertIsNone(k["last_used_at"])
        secret = secret_part(k["key"])
        got = oc.get(f"/api/v1/workspaces/{w['A']}/api-keys/{k['id']}")
        self.assertEqual(got.status, 200, got)
        listed = oc.get(f"/api/v1/workspaces/{w['A']}/api-keys")
        self.assertEqual(listed.status, 200, listed)
        self.assertIn(k["id"], [i["id"] for i in listed.json["items"]])
        for body in (got.body, listed.body):
            text = body.decode()
            self.assertNotIn(secret, text)
            self.assertNotIn(k["key"], text)
            self.assertNotIn(secret[:12], text)
        self.assertNotIn("key", got.json)
        self.assertEqual(got.json["last_four"], k["last_four"])
        # The key works, with its scope.
        v = self.verify(w["submit"], k["key"], permission="submissions:create")
        self.assertEqual(v, {"valid": True, "key_id": k["id"], "name": "CI uploader",
                             "workspace_id": w["A"], "product_id": w["S"],
                             "environment": "production",
                             "permissions": ["submissions:read", "submissions:create"],
                             "expires_at": None,
                             "features": ["core", "reports", "sso", "audit-export"]})

    def test_environments_have_their_own_tags(self):
        w = self.world()
        for env, tag in (("staging", "stage"), ("development", "dev")):
            k = self.create_key(w["owner"].client, w["A"], w["S"], environment=env)
            self.assertTrue(k["key"].startswith(f"avk_{tag}_"), k["key"])
            self.assertEqual(self.verdict(w["submit"], k["key"], environment=env), "valid")

    # ------------------------------------------------------------------ checksum
    def test_checksum_rejects_mistyped_keys_before_lookup(self):
        w = self.world()
        k = self.create_key(w["owner"].client, w["A"], w["S"])["key"]
        self.assertEqual(self.verdict(w["submit"], k), "valid")
        body, crc = k[:-6], k[-6:]
        i = len("avk_live_") + 20 + 1 + 10  # a character inside the secret
        flipped = k[:i] + ("A" if k[i] != "A" else "B") + k[i + 1:]
        swapped = k[:i] + k[i + 1] + k[i] + k[i + 2:] if k[i] != k[i + 1] else flipped
        bad_crc = body + ("0" if crc[0] != "0" else "1") + crc[1:]
        for bad in (flipped, swapped, bad_crc, k[:-1], k + "x", k.upper(), k.replace("avk_", "avk-"),
                    k.replace("_live_", "_test_"), " " + k, "Bearer " + k, "", "avk_", "x" * 300):
            with self.subTest(key=bad[:40]):
                self.assertEqual(self.verdict(w["submit"], bad), "malformed")
        # Well-formed (right checksum) but never issued: unknown; a real id with a made-up
        # secret: unknown too (the stored HMAC does not match).
        self.assertEqual(self.verdict(w["submit"], make_key_text()), "unknown")
        real_id = "ak_" + KEY_RE.match(k).group(2)
        self.assertEqual(self.verdict(w["submit"], make_key_text(key_id=real_id)), "unknown")
        # A staging tag on a production key (checksum recomputed) is not that key either.
        forged = make_key_text("staging", key_id=real_id, secret=secret_part(k))
        self.assertEqual(self.verdict(w["submit"], forged, environment="staging"), "unknown")

    # ------------------------------------------------------------------ reason codes
    def test_every_reason_code(self):
        w = self.world()
        oc, A, S = w["owner"].client, w["A"], w["S"]
        c = w["submit"]
        seen = set()

        def expect(reason, key, **kw):
            self.assertEqual(self.verdict(c, key, **kw), reason)
            seen.add(reason)

        expect("malformed", "not-a-key")
        expect("unknown", make_key_text())
        revoked = self.create_key(oc, A, S)
        expect("valid", revoked["key"])
        self.revoke_key(oc, A, revoked["id"])
        expect("revoked", revoked["key"])
        self.revoke_key(oc, A, revoked["id"])  # idempotent
        staging = self.create_key(oc, A, S, environment="staging")
        expect("wrong_environment", staging["key"], environment="production")
        expect("valid", staging["key"], environment="staging")
        narrow = self.create_key(oc, A, S, permissions=["submissions:read"])
        expect("permission_denied", narrow["key"], permission="submissions:create")
        expect("permission_denied", narrow["key"], permission="jobs:read")
        expect("valid", narrow["key"], permission="submissions:read")
        expect("valid", narrow["key"])  # no permission asked: validity only
        fenced = self.create_key(oc, A, S, allowed_ips=["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"])
        self.assertEqual(fenced["allowed_ips"], ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7/32"])
        expect("ip_not_allowed", fenced["key"], ip="192.168.1.1")
        expect("ip_not_allowed", fenced["key"])  # an allow-list needs the caller's address
        expect("ip_not_allowed", fenced["key"], ip="192.0.2.8")
        expect("ip_not_allowed", fenced["key"], ip="2001:db9::1")
        for ip in ("10.1.2.3", "2001:db8::1", "::ffff:10.9.9.9", "192.0.2.7"):
            expect("valid", fenced["key"], ip=ip)
        # Product inactive: a disabled product rejects its keys, and accepts them again after.
        P = self.create_product(oc, A, "submit", plan="enterprise", name="Switchable")["id"]
        switch = self.create_key(oc, A, P)
        expect("valid", switch["key"])
        r = oc.patch(f"/api/v1/workspaces/{A}/products/{P}", {"disabled": True})
        self.assertEqual(r.status, 200, r)
        expect("product_inactive", switch["key"])
        r = oc.patch(f"/api/v1/workspaces/{A}/products/{P}", {"disabled": False})
        self.assertEqual(r.status, 200, r)
        expect("valid", switch["key"])
        # Another product type's client does not learn the key exists.
        self.assertEqual(self.verdict(w["manage"], narrow["key"]), "unknown")
        # A deleted product takes its keys with it.
        r = oc.delete(f"/api/v1/workspaces/{A}/products/{P}")
        self.assertEqual(r.status, 204, r)
        expect("unknown", switch["key"])
        # Expiry: the clock moves past it.
        now = time.time() + getattr(type(self), "_offset", 0)
        short = self.create_key(oc, A, S, expires_at=rfc3339(now + 120))
        self.assertEqual(parse_time(short["expires_at"]), int(now + 120))
        v = self.verify(c, short["key"])
        self.assertEqual(v["expires_at"], short["expires_at"])
        self.offset(180)
        expect("expired", short["key"])
        got = oc.get(f"/api/v1/workspaces/{A}/api-keys/{short['id']}")
        self.assertEqual(got.json["status"], "expired")
        seen.discard("valid")
        self.assertEqual(seen, {"malformed", "unknown", "revoked", "wrong_environment",
                                "permission_denied", "ip_not_allowed", "product_inactive",
                                "expired"})

    def test_zz_trial_end_makes_keys_product_inactive(self):
        w = self.world()
        oc, A = w["owner"].client, w["A"]
        T = self.create_product(oc, A, "submit", plan="trial", name="Trial run")["id"]
        k = self.create_key(oc, A, T, expires_at=rfc3339(time.time() + 400 * 86400))
        self.assertEqual(self.verdict(w["submit"], k["key"]), "valid")
        # Moves the clock past session lifetimes: this test runs last (unittest sorts by name).
        self.offset(15 * 86400)
        self.assertEqual(self.verdict(w["submit"], k["key"]), "product_inactive")

    # ------------------------------------------------------------------ roll
    def test_roll_with_grace_then_old_key_expires(self):
        w = self.world()
        oc, A, S = w["owner"].client, w["A"], w["S"]
        old = self.create_key(oc, A, S, environment="staging",
                              permissions=["files:read", "files:write"],
                              allowed_ips=["10.0.0.0/8"])
        rolled = self.roll_key(oc, A, old["id"], grace_seconds=300)
        new = rolled
        self.assertNotEqual(new["key"], old["key"])
        for field in ("product_id", "environment", "permissions", "allowed_ips", "name"):
            self.assertEqual(new[field], old[field], field)
        self.assertEqual(new["rolled_from"], old["id"])
        self.assertEqual(rolled["previous"]["replaced_by"], new["id"])
        self.assertEqual(rolled["previous"]["status"], "active")
        self.assertIsNotNone(rolled["previous"]["expires_at"])
        for key in (old["key"], new["key"]):
            self.assertEqual(self.verdict(w["submit"], key, environment="staging", ip="10.0.0.1",
                                          permission="files:write"), "valid")
        # Rolling the same key twice is refused: roll the replacement.
        r = oc.post(f"/api/v1/workspaces/{A}/api-keys/{old['id']}/roll", {})
        self.assertProblem(r, 409, "api_key.already_rolled")
        self.offset(301)
        self.assertEqual(self.verdict(w["submit"], old["key"], environment="staging", ip="10.0.0.1"),
                         "expired")
        self.assertEqual(self.verdict(w["submit"], new["key"], environment="staging", ip="10.0.0.1"),
                         "valid")

    def test_roll_without_grace_revokes_now(self):
        w = self.world()
        oc, A, S = w["owner"].client, w["A"], w["S"]
        old = self.create_key(oc, A, S)
        self.assertEqual(self.verdict(w["submit"], old["key"]), "valid")  # cached now
        rolled = self.roll_key(oc, A, old["id"])
        self.assertEqual(rolled["previous"]["status"], "revoked")
        self.assertEqual(self.verdict(w["submit"], old["key"]), "revoked")
        self.assertEqual(self.verdict(w["submit"], rolled["key"]), "valid")
        r = oc.post(f"/api/v1/workspaces/{A}/api-keys/{old['id']}/roll", {})
        self.assertProblem(r, 409, "api_key.revoked")

    def test_roll_keeps_lifetime_or_takes_a_new_expiry(self):
        w = self.world()
        oc, A, S = w["owner"].client, w["A"], w["S"]
        now = time.time() + getattr(type(self), "_offset", 0)
        old = self.create_key(oc, A, S, expires_at=rfc3339(now + 86400))
        lifetime = parse_time(old["expires_at"]) - parse_time(old["created_at"])
        new = self.roll_key(oc, A, old["id"])
        self.assertAlmostEqual(parse_time(new["expires_at"]) - parse_time(new["created_at"]), lifetime,
                               delta=1)
        newer = self.roll_key(oc, A, new["id"], expires_at=rfc3339(now + 7 * 86400))
        self.assertEqual(parse_time(newer["expires_at"]), int(now + 7 * 86400))

    # ------------------------------------------------------------------ id oracle (L7)
    def lookup_db_reads(self):
        return metric(self.client(mode="none").get("/metrics").body.decode(),
                      "vault_api_key_lookup_db_reads_total")

    def test_unknown_ids_are_answered_without_the_database(self):
        w = self.world()
        k = self.create_key(w["owner"].client, w["A"], w["S"])
        self.assertEqual(self.verdict(w["submit"], k["key"]), "valid")  # now cached
        wait_until(lambda: self.lookup_db_reads() is not None, 10, "the metric is exported")
        before = settled_counter(self.lookup_db_reads,
                                 lambda: self.verdict(w["submit"], k["key"]))
        for _ in range(50):
            self.assertEqual(self.verdict(w["submit"], make_key_text()), "unknown")
        wrong_secret = make_key_text(key_id=k["id"])
        for _ in range(20):
            self.assertEqual(self.verdict(w["submit"], wrong_secret), "unknown")
            self.assertEqual(self.verdict(w["submit"], k["key"]), "valid")
        self.assertEqual(self.lookup_db_reads(), before,
                         "verifying never-issued ids (or cached ones) read the database")

    def test_known_and_unknown_ids_take_the_same_time(self):
        """Interleaved timings of a real key id with a wrong secret and of never-issued ids on
        one keep-alive connection; a two-sided Mann–Whitney U test at alpha 0.001 must not tell
        them apart (before the fix every unknown id cost a database read)."""
        w = self.world()
        k = self.create_key(w["owner"].client, w["A"], w["S"])
        self.assertEqual(self.verdict(w["submit"], k["key"]), "valid")
        known = make_key_text(key_id=k["id"])
        headers = {"Authorization": basic(*w["submit"]), "Content-Type": "application/json"}
        conn = http.client.HTTPConnection("127.0.0.1", self.vault.server.port, timeout=10)

        def timed(key):
            body = json.dumps({"key": key, "environment": "production"})
            t0 = time.perf_counter_ns()
            conn.request("POST", VERIFY, body=body, headers=headers)
            r = conn.getresponse()
            data = r.read()
            elapsed = time.perf_counter_ns() - t0
            self.assertEqual((r.status, json.loads(data)["reason"]), (200, "unknown"), data)
            return elapsed

        try:
            for _ in range(50):  # warm both paths
                timed(known), timed(make_key_text())
            a, b = [], []
            for i in range(400):
                pair = [(a, known), (b, make_key_text())]
                if i % 2:
                    pair.reverse()  # alternate the order, so drift hits both alike
                for sink, key in pair:
                    sink.append(timed(key))
        finally:
            conn.close()
        p = mann_whitney_p(a, b)
        sys.stderr.write(f"\n  verify known-vs-unknown id: median {sorted(a)[200] / 1000:.0f} vs "
                         f"{sorted(b)[200] / 1000:.0f} µs, Mann–Whitney p = {p:.3g}\n")
        self.assertGreater(p, 0.001, "known and unknown key ids are told apart by timing")

    # ------------------------------------------------------------------ other nodes
    def test_revocation_reaches_another_server_process(self):
        w = self.world()
        oc, A, S = w["owner"].client, w["A"], w["S"]
        if not hasattr(type(self), "_second"):
            type(self)._second = self.vault.add_server()
        second = type(self)._second
        k = self.create_key(oc, A, S)
        # a new key reaches the other process through the change feed, like a revocation
        wait_until(lambda: self.verdict(w["submit"], k["key"], server=second) == "valid", 10,
                   "new key seen by the second process")
        self.revoke_key(oc, A, k["id"])
        started = time.monotonic()
        wait_until(lambda: self.verdict(w["submit"], k["key"], server=second) == "revoked", 10,
                   "revocation seen by the second process")
        sys.stderr.write(f"\n  revocation reached the second process in "
                         f"{time.monotonic() - started:.2f}s\n")

    # ------------------------------------------------------------------ secrets at rest
    def test_secret_is_nowhere_in_the_database(self):
        w = self.world()
        oc, A, S = w["owner"].client, w["A"], w["S"]
        k = self.create_key(oc, A, S)
        rolled = self.roll_key(oc, A, k["id"], grace_seconds=60)
        self.verify(w["submit"], rolled["key"], ip="10.0.0.1")
        db = self.vault.db
        if db.backend == "sqlite":
            tables = [r[0] for r in db.sql("SELECT name FROM sqlite_master WHERE type = 'table';")]
        else:
            tables = [r[0] for r in db.sql(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public';")]
        self.assertIn("api_keys", tables)
        dump = "\n".join("|".join(row) for t in tables for row in db.sql(f"SELECT * FROM {t};"))
        self.assertIn(k["id"], dump)
        for text in (k["key"], rolled["key"]):
            s = secret_part(text)
            for piece in (text, s, s[:16], s[-16:]):
                self.assertNotIn(piece, dump)
        # What is stored is HMAC-SHA-256(server secret, "api_key" 0x00 key).
        with open(self.vault.server.env["VAULT_SECRET_FILE"], "rb") as f:
            server_secret = f.read().strip()
        rows = db.sql(f"SELECT secret_hash FROM api_keys WHERE id = '{rolled['id']}';")
        want = hmac.new(server_secret, b"api_key\x00" + rolled["key"].encode(), hashlib.sha256).hexdigest()
        self.assertEqual(rows[0][0], want)

    # ------------------------------------------------------------------ last used
    def test_last_used_is_recorded_in_batches(self):
        w = self.world()
        oc, A, S = w["owner"].client, w["A"], w["S"]
        k = self.create_key(oc, A, S)
        before = metric(self.client(mode="none").get("/metrics").body.decode(),
                        "vault_api_key_usage_flushes_total")
        for i in range(40):
            self.verify(w["submit"], k["key"], ip=f"203.0.113.{i % 3 + 1}")

        def used():
            g = oc.get(f"/api/v1/workspaces/{A}/api-keys/{k['id']}").json
            return g if g["last_used_at"] else None
        wait_until(used, 10, "last use written")
        g = used()
        self.assertIn(g["last_used_ip"], {"203.0.113.1", "203.0.113.2", "203.0.113.3"})
        after = metric(self.client(mode="none").get("/metrics").body.decode(),
                       "vault_api_key_usage_flushes_total")
        self.assertLess(after - before, 40)  # coalesced: far fewer writes than verifications

    # ------------------------------------------------------------------ audit
    def test_key_operations_are_audited_without_the_secret(self):
        w = self.world()
        oc, A, S = w["owner"].client, w["A"], w["S"]
        k = self.create_key(oc, A, S, name="Audited")
        rolled = self.roll_key(oc, A, k["id"], grace_seconds=10)
        self.revoke_key(oc, A, rolled["id"])
        r = oc.get(f"/api/v1/workspaces/{A}/audit?action=api_key.")
        self.assertEqual(r.status, 200, r)
        events = r.json["items"]
        by = {(e["action"], e["target"]["id"]) for e in events}
        self.assertIn(("api_key.created", k["id"]), by)
        self.assertIn(("api_key.rolled", k["id"]), by)
        self.assertIn(("api_key.revoked", rolled["id"]), by)
        text = r.body.decode()
        for key in (k["key"], rolled["key"]):
            self.assertNotIn(secret_part(key), text)

    # ------------------------------------------------------------------ bad input
    def test_bad_input_names_the_field(self):
        w = self.world()
        oc, A, S = w["owner"].client, w["A"], w["S"]
        base = {"name": "Bad", "product": S, "environment": "production",
                "permissions": ["submissions:read"]}
        cases = [
            ({"environment": "prod"}, "environment"),
            ({"permissions": []}, "permissions"),
            ({"permissions": "submissions:read"}, "permissions"),
            ({"permissions": ["submissions:read", "jobs:read"]}, "permissions[1]"),
            ({"permissions": [1]}, "permissions"),
            ({"allowed_ips": ["10.0.0.1/8"]}, "allowed_ips[0]"),
            ({"allowed_ips": ["10.0.0.0/8", "not-an-ip"]}, "allowed_ips[1]"),
            ({"allowed_ips": ["10.0.0.0/33"]}, "allowed_ips[0]"),
            ({"allowed_ips": ["::/129"]}, "allowed_ips[0]"),
            ({"expires_at": "tomorrow"}, "expires_at"),
            ({"expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
            ({"expires_at": "2026-02-30T00:00:00Z"}, "expires_at"),
            ({"expires_at": 1893456000}, "expires_at"),
            ({"name": ""}, "name"),
            ({"name": 5}, "name"),
            ({"name": "x" * 101}, "name"),
            ({"product": ["S"]}, "product"),
        ]
        for patch, field in cases:
            with self.subTest(patch=str(patch)[:60]):
                body = dict(base)
                body.update(patch)
                r = oc.post(f"/api/v1/workspaces/{A}/api-keys", body)
                self.assertProblem(r, 400, field=field)
        r = oc.post(f"/api/v1/workspaces/{A}/api-keys", dict(base, product="no-such-product"))
        self.assertProblem(r, 404, "product.not_found")
        r = oc.raw("POST", f"/api/v1/workspaces/{A}/api-keys", b'{"name": "x",',
                   headers={"Content-Type": "application/json"})
        self.assertProblem(r, 400, "validation.malformed_json")
        k = self.create_key(oc, A, S)
        for body, field in (({"grace_seconds": -1}, "grace_seconds"),
                            ({"grace_seconds": 40 * 86400}, "grace_seconds"),
                            ({"grace_seconds": "60"}, "grace_seconds"),
                            ({"expires_at": "2001-01-01T00:00:00Z"}, "expires_at")):
            r = oc.post(f"/api/v1/workspaces/{A}/api-keys/{k['id']}/roll", body)
            self.assertProblem(r, 400, field=field)
        r = oc.get(f"/api/v1/workspaces/{A}/api-keys?cursor=bm9wZQ")
        self.assertProblem(r, 400, field="cursor")
        r = oc.get(f"/api/v1/workspaces/{A}/api-keys?environment=prod")
        self.assertProblem(r, 400, field="environment")
        # verify
        creds = w["submit"]
        for body, field in (({"environment": "production"}, "key"),
                            ({"key": 7, "environment": "production"}, "key"),
                            ({"key": k["key"]}, "environment"),
                            ({"key": k["key"], "environment": "live"}, "environment"),
                            ({"key": k["key"], "environment": "production", "ip": "10.0.0.300"}, "ip"),
                            ({"key": k["key"], "environment": "production", "permission": 3}, "permission"),
                            ({"key": "a" * 5000, "environment": "production"}, "key")):
            r = self.client(mode="none").post(VERIFY, body, headers={"Authorization": basic(*creds)})
            self.assertProblem(r, 400, field=field)
        self.healthy()

    def test_verify_needs_a_service_client(self):
        w = self.world()
        k = self.create_key(w["owner"].client, w["A"], w["S"])
        body = {"key": k["key"], "environment": "production"}
        r = self.client(mode="none").post(VERIFY, body)
        self.assertProblem(r, 401, "client.required")
        r = self.client(mode="none").post(VERIFY, body,
                                          headers={"Authorization": basic(w["submit"][0], "wrong")})
        self.assertProblem(r, 401, "client.invalid")
        r = w["owner"].client.post(VERIFY, body)  # a person's session is not a client
        self.assertProblem(r, 401)

    def test_list_pages_with_a_cursor(self):
        w = self.world()
        oc, A = w["owner"].client, w["A"]
        P = self.create_product(oc, A, "submit", plan="enterprise", name="Paged")["id"]
        made = [self.create_key(oc, A, P, name=f"Paged {i}")["id"] for i in range(5)]
        seen, cursor = [], None
        while True:
            q = f"?product={P}&limit=2" + (f"&cursor={cursor}" if cursor else "")
            r = oc.get(f"/api/v1/workspaces/{A}/api-keys{q}")
            self.assertEqual(r.status, 200, r)
            self.assertLessEqual(len(r.json["items"]), 2)
            seen += [i["id"] for i in r.json["items"]]
            cursor = r.json["next_cursor"]
            if not cursor:
                break
        self.assertEqual(sorted(seen), sorted(made))
        self.assertEqual(len(seen), len(set(seen)))
        r = oc.get(f"/api/v1/workspaces/{A}/api-keys?environment=development&product={P}")
        self.assertEqual(r.json["items"], [])


class LastUsedFlushTest(KeyFlows, ProductFlows, WorkspaceFlows, VaultFlows, unittest.TestCase):
    """With a one-hour flush interval, verifications write nothing; the shutdown flush does."""

    def test_usage_is_written_once_at_shutdown(self):
        vault = Vault(argon2_memory_kib=8192, extra_env={"VAULT_KEY_USAGE_FLUSH_MS": "3600000"})
        self.vault = vault
        vault.start()
        try:
            _, _, _, sa = self.make_super_admin()
            creds = self.service_client(sa, "submit")
            owner = self.create_account(prefix="flush")
            A = self.create_workspace(owner.client)["id"]
            S = self.create_product(owner.client, A, "submit", plan="enterprise")["id"]
            k = self.create_key(owner.client, A, S)
            for _ in range(50):
                self.assertEqual(self.verdict(creds, k["key"], ip="198.51.100.9"), "valid")
            rows = vault.db.sql(usage_sql(k["id"]))
            self.assertEqual(rows, [["0", ""]])  # nothing written per verification
            m = self.client(mode="none").get("/metrics").body.decode()
            self.assertEqual(metric(m, "vault_api_key_usage_flushes_total"), 0)
            self.assertEqual(vault.server.stop(), 0)
            rows = vault.db.sql(usage_sql(k["id"]))
            self.assertGreater(int(rows[0][0]), 0)
            self.assertEqual(rows[0][1], "198.51.100.9")
        finally:
            vault.close()
        self.assertEqual(vault.leaked_secrets(), [])


def usage_sql(key_id):
    # Last use lives apart from the key (migration 0020); a key never used has no row there.
    return ("SELECT COALESCE(u.last_used_at, 0), COALESCE(u.last_used_ip, '') FROM api_keys k "
            f"LEFT JOIN api_key_usage u ON u.key_id = k.id WHERE k.id = '{key_id}';")


if __name__ == "__main__":
    main()
