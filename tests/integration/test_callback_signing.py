#!/usr/bin/python3
"""Per-product callback signing secrets (issue 19), black-box against the real server:

  * workspace side: POST/GET .../products/{product}/signing-secrets, POST .../{id}/roll,
    DELETE .../{id}: the secret (`whsec_…`) is shown once (201, no-store) and never listed or
    logged; one active secret per product (409 `callback_secret.exists`); audited
    `product.signing_secret.created/rolled/revoked`; a product's Admin may, a Member may not;
  * product side: POST /api/v1/callbacks/sign returns headers whose `v1=` signature this test
    recomputes with Python's hmac from the shown secret; /verify accepts it; after a roll with a
    grace period both secrets sign and verify, after the grace (the server's clock moved) only
    the new one; a revoked secret verifies nothing; timestamps more than 5 minutes off are
    refused; a token without `callbacks:sign` → 403, another type's client / another workspace /
    unknown product → 404, a suspended workspace → 403 / `workspace_suspended`;
  * bad input (too big, wrong types, missing fields, invalid UTF-8, bad grace_seconds, long
    labels) → 4xx naming the field, nothing written.
"""

import base64
import hashlib
import hmac
import os
import secrets
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main  # noqa: E402
from product_helpers import ProductFlows, basic  # noqa: E402
from ws_helpers import WorkspaceFlows  # noqa: E402

SIGN = "/api/v1/callbacks/sign"
VERIFY = "/api/v1/callbacks/verify"
BODY = '{"event":"submission.created","id":"sub_1","note":"caf\u00e9 \u2713"}'


def key_of(secret):
    """The HMAC key a receiver uses: the 32 bytes after `whsec_` (unpadded base64url)."""
    assert secret.startswith("whsec_"), secret
    raw = secret[len("whsec_"):]
    return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))


def signature(secret, timestamp, body):
    msg = f"{timestamp}.".encode("ascii") + body.encode("utf-8")
    return hmac.new(key_of(secret), msg, hashlib.sha256).hexdigest()


class CallbackSigningTest(ProductFlows, WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    CLOCK_OFFSET = True  # the grace period ends by the clock
    def world(self):
        return self.once("world", self._make_world)

    def _make_world(self):
        w = {}
        _, _, _, sa = self.make_super_admin()
        w["super"] = sa
        w["creds"] = self.service_client(sa, "submit", "Submit back end")
        w["manage_creds"] = self.service_client(sa, "manage", "Manage back end")
        owner = self.create_account(name="Sig Owner", prefix="sowner")
        w["owner"] = owner
        w["A"] = self.create_workspace(owner.client, name="Signing Inc")["id"]
        w["B"] = self.create_workspace(owner.client, name="Other Inc")["id"]
        w["member"] = self.member_account(owner.client, w["A"], "member", prefix="smember")
        return w

    def now(self):
        return int(time.time()) + self.vault.clock_offset_seconds

    def base(self, ws, product):
        return f"/api/v1/workspaces/{ws}/products/{product}/signing-secrets"

    def new_product(self, ws=None):
        w = self.world()
        return self.create_product(w["owner"].client, ws or w["A"], "submit")["id"]

    def create_secret(self, client, ws, product, body=None, expect=201):
        r = client.post(self.base(ws, product), body if body is not None else {"label": "Main"})
        self.assertEqual(r.status, expect, r)
        if r.status == 201:
            self.vault.remember_secret(r.json["secret"])
        return r.json

    def roll(self, client, ws, product, sid, grace=None, expect=201):
        body = {} if grace is None else {"grace_seconds": grace}
        r = client.post(self.base(ws, product) + f"/{sid}/roll", body)
        self.assertEqual(r.status, expect, r)
        if r.status == 201:
            self.vault.remember_secret(r.json["secret"])
        return r.json

    def listed(self, client, ws, product):
        r = client.get(self.base(ws, product))
        self.assertEqual(r.status, 200, r)
        return r

    def product_call(self, path, body, creds=None, auth_header=None):
        return self.access(creds or self.world()["creds"], body, path=path,
                           auth_header=auth_header)

    def sign(self, product, body=BODY, ws=None, expect=200, **extra):
        payload = {"workspace_id": ws or self.world()["A"], "product_id": product, "body": body}
        payload.update(extra)
        r = self.product_call(SIGN, payload)
        self.assertEqual(r.status, expect, r)
        return r.json

    def verify(self, product, sig_header, timestamp, body=BODY, ws=None):
        r = self.product_call(VERIFY, {"workspace_id": ws or self.world()["A"],
                                       "product_id": product, "body": body,
                                       "timestamp": timestamp, "signature": sig_header})
        self.assertEqual(r.status, 200, r)
        return r.json

    # ------------------------------------------------------------ create, list, sign
    def test_created_secret_is_shown_once_and_signs_as_python_hmac_computes(self):
        w = self.world()
        owner, A = w["owner"].client, w["A"]
        p = self.new_product()
        r = owner.post(self.base(A, p), {"label": "Receivers"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.headers.get("Cache-Control"), "no-store")
        created = r.json
        secret = created["secret"]
        self.vault.remember_secret(secret)
        self.assertTrue(secret.startswith("whsec_"), created)
        self.assertEqual(len(key_of(secret)), 32)
        self.assertEqual((created["state"], created["label"], created["product_id"]),
                         ("active", "Receivers", p), created)
        self.assertEqual(created["last_four"], secret[-4:])
        self.assertIsNone(created["expires_at"])
        # the list never carries the secret
        lst = self.listed(owner, A, p)
        self.assertNotIn(secret, lst.body.decode("utf-8"))
        self.assertNotIn(secret[len("whsec_"):], lst.body.decode("utf-8"))
        self.assertEqual([s["id"] for s in lst.json["items"]], [created["id"]])
        self.assertNotIn("secret", lst.json["items"][0])
        self.assertIsNone(lst.json["next_cursor"])
        # a second active secret is refused: roll instead
        r = owner.post(self.base(A, p), {})
        self.assertProblem(r, 409, "callback_secret.exists")
        # the product signs through its service client; the test recomputes the signature
        signed = self.sign(p)
        ts = int(signed["headers"]["X-Atomyx-Timestamp"])
        self.assertLessEqual(abs(ts - self.now()), 5)
        self.assertEqual(signed["timestamp"], ts)
        self.assertEqual(signed["headers"]["X-Atomyx-Signature"],
                         "v1=" + signature(secret, ts, BODY))
        self.assertEqual(signed["secret_ids"], [created["id"]])
        # an explicit timestamp is used as given
        signed = self.sign(p, timestamp=ts - 60)
        self.assertEqual(signed["headers"]["X-Atomyx-Signature"],
                         "v1=" + signature(secret, ts - 60, BODY))
        v = self.verify(p, "v1=" + signature(secret, ts, BODY), ts)
        self.assertEqual(v, {"valid": True, "secret_id": created["id"], "reason": None})
        # a changed body, another timestamp or another key does not verify
        self.assertFalse(self.verify(p, "v1=" + signature(secret, ts, BODY + " "), ts)["valid"])
        self.assertFalse(self.verify(p, "v1=" + signature(secret, ts, BODY), ts + 1)["valid"])
        other = "whsec_" + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
        v = self.verify(p, "v1=" + signature(other, ts, BODY), ts)
        self.assertEqual((v["valid"], v["reason"]), (False, "signature_mismatch"), v)
        # audited, without the secret
        events = self.ws_audit(owner, A, "product.signing_secret.created")
        mine = [e for e in events if e["target"]["id"] == created["id"]]
        self.assertEqual(len(mine), 1, events)
        self.assertEqual(mine[0]["summary"], {"product": p, "label": "Receivers"}, mine[0])
        self.assertEqual(mine[0]["target"]["type"], "callback_secret", mine[0])

    def test_a_product_admin_manages_secrets_and_a_member_may_not(self):
        w = self.world()
        owner, A = w["owner"].client, w["A"]
        p = self.new_product()
        admin = self.member_account(owner, A, "member", prefix="spadmin")
        self.grant(owner, A, p, admin.id, "admin")
        created = self.create_secret(admin.client, A, p)
        self.assertEqual(self.listed(admin.client, A, p).json["items"][0]["id"], created["id"])
        # another product of the workspace is not theirs
        q = self.new_product()
        r = admin.client.post(self.base(A, q), {})
        self.assertProblem(r, 403, "permission.denied")
        r = w["member"].client.post(self.base(A, p), {})
        self.assertProblem(r, 403, "permission.denied")
        r = w["member"].client.get(self.base(A, p))
        self.assertProblem(r, 403, "permission.denied")

    # ------------------------------------------------------------ roll with grace
    def test_rolled_secret_verifies_old_and_new_within_the_grace_then_only_the_new(self):
        w = self.world()
        owner, A = w["owner"].client, w["A"]
        p = self.new_product()
        old = self.create_secret(owner, A, p)
        rolled = self.roll(owner, A, p, old["id"], grace=3600)
        new = rolled
        self.assertNotEqual(new["secret"], old["secret"])
        self.assertEqual(rolled["previous"]["id"], old["id"])
        self.assertEqual(rolled["previous"]["state"], "expiring")
        self.assertEqual(rolled["previous"]["replaced_by"], new["id"])
        self.assertEqual(new["label"], "Main")  # the label carries over
        # both sign, the new (current) one first
        signed = self.sign(p)
        ts = signed["timestamp"]
        self.assertEqual(signed["secret_ids"], [new["id"], old["id"]])
        self.assertEqual(signed["headers"]["X-Atomyx-Signature"],
                         f"v1={signature(new['secret'], ts, BODY)} "
                         f"v1={signature(old['secret'], ts, BODY)}")
        # a receiver still on the old secret, or already on the new one: both verify
        v = self.verify(p, "v1=" + signature(old["secret"], ts, BODY), ts)
        self.assertEqual((v["valid"], v["secret_id"]), (True, old["id"]), v)
        v = self.verify(p, "v1=" + signature(new["secret"], ts, BODY), ts)
        self.assertEqual((v["valid"], v["secret_id"]), (True, new["id"]), v)
        v = self.verify(p, signed["headers"]["X-Atomyx-Signature"], ts)
        self.assertEqual((v["valid"], v["secret_id"]), (True, new["id"]), v)
        # the expiring secret cannot be rolled again
        r = owner.post(self.base(A, p) + f"/{old['id']}/roll", {})
        self.assertProblem(r, 409, "callback_secret.not_active")
        # audited with the grace
        events = [e for e in self.ws_audit(owner, A, "product.signing_secret.rolled")
                  if e["target"]["id"] == old["id"]]
        self.assertEqual(len(events), 1, events)
        self.assertEqual(events[0]["summary"]["grace_seconds"], "3600", events[0])
        self.assertEqual(events[0]["summary"]["new_secret"], new["id"], events[0])
        # after the grace only the new secret signs and verifies
        try:
            self.vault.set_clock_offset(3601)
            ts = self.now()
            signed = self.sign(p)
            self.assertEqual(signed["secret_ids"], [new["id"]])
            v = self.verify(p, "v1=" + signature(old["secret"], ts, BODY), ts)
            self.assertEqual((v["valid"], v["reason"]), (False, "signature_mismatch"), v)
            v = self.verify(p, "v1=" + signature(new["secret"], ts, BODY), ts)
            self.assertEqual((v["valid"], v["secret_id"]), (True, new["id"]), v)
            states = {s["id"]: s["state"] for s in self.listed(owner, A, p).json["items"]}
            self.assertEqual(states, {old["id"]: "expired", new["id"]: "active"})
        finally:
            self.vault.set_clock_offset(0)

    def test_roll_without_grace_revokes_the_old_secret_at_once(self):
        w = self.world()
        owner, A = w["owner"].client, w["A"]
        p = self.new_product()
        old = self.create_secret(owner, A, p)
        new = self.roll(owner, A, p, old["id"], grace=0)
        self.assertEqual(new["previous"]["state"], "revoked")
        signed = self.sign(p)
        self.assertEqual(signed["secret_ids"], [new["id"]])
        ts = signed["timestamp"]
        self.assertFalse(self.verify(p, "v1=" + signature(old["secret"], ts, BODY), ts)["valid"])
        # the default grace is a day
        newer = self.roll(owner, A, p, new["id"])
        self.assertEqual(newer["previous"]["state"], "expiring")
        self.assertEqual(self.sign(p)["secret_ids"], [newer["id"], new["id"]])

    # ------------------------------------------------------------ revoke
    def test_revoked_secret_verifies_nothing_and_signing_needs_a_secret(self):
        w = self.world()
        owner, A = w["owner"].client, w["A"]
        p = self.new_product()
        r = self.product_call(SIGN, {"workspace_id": A, "product_id": p, "body": BODY})
        self.assertProblem(r, 409, "callback_secret.none")
        s = self.create_secret(owner, A, p)
        ts = self.now()
        sig = "v1=" + signature(s["secret"], ts, BODY)
        self.assertTrue(self.verify(p, sig, ts)["valid"])
        r = owner.delete(self.base(A, p) + f"/{s['id']}")
        self.assertEqual(r.status, 204, r)
        v = self.verify(p, sig, ts)
        self.assertEqual((v["valid"], v["reason"]), (False, "signature_mismatch"), v)
        r = self.product_call(SIGN, {"workspace_id": A, "product_id": p, "body": BODY})
        self.assertProblem(r, 409, "callback_secret.none")
        self.assertEqual(self.listed(owner, A, p).json["items"][0]["state"], "revoked")
        # idempotent, audited once
        r = owner.delete(self.base(A, p) + f"/{s['id']}")
        self.assertEqual(r.status, 204, r)
        events = [e for e in self.ws_audit(owner, A, "product.signing_secret.revoked")
                  if e["target"]["id"] == s["id"]]
        self.assertEqual(len(events), 1, events)
        # a revoked secret cannot be rolled; a new one may be created
        r = owner.post(self.base(A, p) + f"/{s['id']}/roll", {})
        self.assertProblem(r, 409, "callback_secret.not_active")
        self.create_secret(owner, A, p)
        # unknown ids, and another product's secret, are not found
        r = owner.delete(self.base(A, p) + "/cbs_" + secrets.token_hex(10))
        self.assertProblem(r, 404, "callback_secret.not_found")
        q = self.new_product()
        r = owner.delete(self.base(A, q) + f"/{s['id']}")
        self.assertProblem(r, 404, "callback_secret.not_found")

    # ------------------------------------------------------------ who may sign
    def test_timestamps_more_than_five_minutes_off_are_refused(self):
        w = self.world()
        p = self.new_product()
        s = self.create_secret(w["owner"].client, w["A"], p)
        for off in (-301, 301):
            ts = self.now() + off
            v = self.verify(p, "v1=" + signature(s["secret"], ts, BODY), ts)
            self.assertEqual((v["valid"], v["reason"]), (False, "timestamp_out_of_range"), v)
            r = self.product_call(SIGN, {"workspace_id": w["A"], "product_id": p, "body": BODY,
                                         "timestamp": ts})
            self.assertProblem(r, 400, "validation.range", field="timestamp")

    def test_only_the_scope_the_product_type_and_the_workspace_may_sign(self):
        w = self.world()
        p = self.new_product()
        self.create_secret(w["owner"].client, w["A"], p)
        body = {"workspace_id": w["A"], "product_id": p, "body": BODY}

        def token(scope):
            r = self.client(mode="none").raw(
                "POST", "/oauth2/token", f"grant_type=client_credentials&scope={scope}",
                headers={"Authorization": basic(*w["creds"])},
                content_type="application/x-www-form-urlencoded")
            self.assertEqual(r.status, 200, r)
            self.vault.remember_secret(r.json["access_token"])
            return "Bearer " + r.json["access_token"]
        r = self.product_call(SIGN, body, auth_header=token("access:check keys:verify"))
        self.assertProblem(r, 403, "client.scope")
        r = self.product_call(VERIFY, dict(body, timestamp=self.now(), signature="v1=00"),
                              auth_header=token("access:check"))
        self.assertProblem(r, 403, "client.scope")
        r = self.product_call(SIGN, body, auth_header=token("callbacks:sign"))
        self.assertEqual(r.status, 200, r)
        # no credentials, a session, another type's client, another workspace, a made-up product
        r = self.client(mode="none").post(SIGN, body)
        self.assertProblem(r, 401)
        r = w["owner"].client.post(SIGN, body)
        self.assertProblem(r, 401)
        r = self.product_call(SIGN, body, creds=w["manage_creds"])
        self.assertProblem(r, 404, "product.not_found")
        r = self.product_call(VERIFY, dict(body, timestamp=self.now(), signature="v1=00"),
                              creds=w["manage_creds"])
        self.assertProblem(r, 404, "product.not_found")
        r = self.product_call(SIGN, dict(body, workspace_id=w["B"]))
        self.assertProblem(r, 404, "product.not_found")
        r = self.product_call(SIGN, dict(body, product_id="prd_" + secrets.token_hex(10)))
        self.assertProblem(r, 404, "product.not_found")

    def test_a_suspended_workspace_neither_signs_nor_verifies(self):
        w = self.world()
        owner = w["owner"].client
        ws = self.create_workspace(owner, name="Suspended Signing")["id"]
        p = self.create_product(owner, ws, "submit")["id"]
        s = self.create_secret(owner, ws, p)
        r = w["super"].post(f"/api/v1/admin/workspaces/{ws}/suspension", {"reason": "Unpaid"})
        self.assertEqual(r.status, 200, r)
        try:
            r = self.product_call(SIGN, {"workspace_id": ws, "product_id": p, "body": BODY})
            self.assertProblem(r, 403, "workspace.suspended")
            ts = self.now()
            v = self.verify(p, "v1=" + signature(s["secret"], ts, BODY), ts, ws=ws)
            self.assertEqual((v["valid"], v["reason"]), (False, "workspace_suspended"), v)
            # and its administrators cannot change the secrets meanwhile
            r = owner.post(self.base(ws, p) + f"/{s['id']}/roll", {})
            self.assertProblem(r, 403, "workspace.suspended")
        finally:
            r = w["super"].delete(f"/api/v1/admin/workspaces/{ws}/suspension")
            self.assertEqual(r.status, 200, r)
        self.assertEqual(self.sign(p, ws=ws)["secret_ids"], [s["id"]])

    # ------------------------------------------------------------ bad input
    def test_bad_input_is_refused_by_field_and_writes_nothing(self):
        w = self.world()
        owner, A = w["owner"].client, w["A"]
        p = self.new_product()
        base = self.base(A, p)
        cases = [
            ({"label": 5}, "label"),
            ({"label": "x" * 101}, "label"),
            ({"label": "bad\u0007bell"}, "label"),
            ({"label": "nul\u0000"}, "label"),
            ({"label": ["a"]}, "label"),
        ]
        for body, field in cases:
            self.assertProblem(owner.post(base, body), 400, field=field)
        self.assertProblem(owner.raw("POST", base, b'{"label":"\xff\xfe"}'), 400)
        self.assertProblem(owner.raw("POST", base, b'{"label":'), 400)
        self.assertProblem(owner.raw("POST", base, b'[]'), 400)
        self.assertProblem(owner.raw("POST", base, b'{}', content_type="text/plain"), 415)
        self.assertEqual(owner.send_large("POST", base, 2 * 1024 * 1024).status, 413)
        self.assertEqual(self.listed(owner, A, p).json["items"], [])
        s = self.create_secret(owner, A, p)
        roll = base + f"/{s['id']}/roll"
        for grace in (-1, 2592001, "60", 1.5, True, [1]):
            self.assertProblem(owner.post(roll, {"grace_seconds": grace}), 400,
                               field="grace_seconds")
        self.assertProblem(owner.raw("POST", roll, b'{"grace_seconds":\xff}'), 400)
        items = self.listed(owner, A, p).json["items"]
        self.assertEqual([(i["id"], i["state"]) for i in items], [(s["id"], "active")])
        self.assertProblem(owner.get(base + "?limit=0"), 400, field="limit")
        self.assertProblem(owner.get(base + "?cursor=nope"), 400, field="cursor")
        # the product side
        good = {"workspace_id": A, "product_id": p, "body": BODY}
        sign_cases = [
            ({"product_id": p, "body": BODY}, "workspace_id"),
            ({"workspace_id": A, "body": BODY}, "product_id"),
            ({"workspace_id": A, "product_id": p}, "body"),
            (dict(good, body=5), "body"),
            (dict(good, body={"a": 1}), "body"),
            (dict(good, workspace_id=7), "workspace_id"),
            (dict(good, product_id="p" * 65), "product_id"),
            (dict(good, timestamp="now"), "timestamp"),
            (dict(good, timestamp=1.5), "timestamp"),
            (dict(good, body="nul\u0000"), "body"),
        ]
        for body, field in sign_cases:
            r = self.product_call(SIGN, body)
            self.assertProblem(r, 400, field=field)
        verify_good = dict(good, timestamp=self.now(), signature="v1=" + "0" * 64)
        verify_cases = [
            ({k: v for k, v in verify_good.items() if k != "timestamp"}, "timestamp"),
            ({k: v for k, v in verify_good.items() if k != "signature"}, "signature"),
            (dict(verify_good, signature=["v1=00"]), "signature"),
            (dict(verify_good, signature="v" * 4097), "signature"),
        ]
        for body, field in verify_cases:
            self.assertProblem(self.product_call(VERIFY, body), 400, field=field)
        c = self.client(mode="none")
        auth = {"Authorization": basic(*w["creds"])}
        for path in (SIGN, VERIFY):
            r = c.raw("POST", path, b'{"workspace_id":"\xff","product_id":"x","body":"y"}',
                      headers=auth)
            self.assertProblem(r, 400)
            self.assertProblem(c.raw("POST", path, b'not json', headers=auth), 400)
        # a body over 1 MiB: the request is too large before it is read
        r = c.post(SIGN, dict(good, body="a" * (1024 * 1024 + 1)), headers=auth)
        self.assertProblem(r, 413)
        # hostile strings are just text to sign
        hostile = "'; DROP TABLE callback_secrets; --\u202e<script>\r\n"
        signed = self.sign(p, body=hostile)
        self.assertEqual(signed["headers"]["X-Atomyx-Signature"],
                         "v1=" + signature(s["secret"], signed["timestamp"], hostile))
        self.assertEqual(len(self.listed(owner, A, p).json["items"]), 1)


if __name__ == "__main__":
    main()
