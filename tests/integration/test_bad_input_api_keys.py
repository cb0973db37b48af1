#!/usr/bin/python3
"""Bad input on the API key endpoints (docs/api-keys.md): create, roll, list queries, verify, and
hostile {id} path parameters — with the batteries shared with test_bad_input_products (wrong
types, null/missing, invalid UTF-8, lone surrogates, over-long values, malformed JSON, 10 MB
bodies, NUL).

Every rejected request gets a 4xx problem+json naming the field, never a 5xx; the server stays
up; and nothing is written: the keys of both workspaces, the audit trail and the row counts of
api_keys, audit_events and change_feed are the same after the rejected requests as before."""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from key_helpers import VERIFY, KeyFlows  # noqa: E402
from product_helpers import ProductFlows, basic  # noqa: E402
from test_bad_input import expect  # noqa: E402
from test_bad_input_more import BadInputBase  # noqa: E402
import test_bad_input_products as tbip  # noqa: E402  (not its test class: unittest would run it)
from test_bad_input_products import HOSTILE_SEGMENTS, BasicClient, PathEndpoint, all_cases  # noqa: E402


def in_years(n):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + n * 365 * 86400))

COUNTS_SQL = ("SELECT (SELECT count(*) FROM api_keys), (SELECT count(*) FROM audit_events), "
              "(SELECT count(*) FROM change_feed);\n"
              "SELECT id, revoked_at, expires_at, replaced_by FROM api_keys ORDER BY id;\n")


class BadInputApiKeysTest(KeyFlows, ProductFlows, BadInputBase):
    _world = None
    battery = tbip.BadInputProductsTest.battery
    assertRejected = tbip.BadInputProductsTest.assertRejected

    def world(self):
        cls = type(self)
        if cls._world is not None:
            return cls._world
        w = {"admin": self.make_super_admin()}
        owner = self.create_account(prefix="kowner")
        oc = w["oc"] = self.bearer(owner)
        A = w["A"] = self.workspace(oc)["id"]
        owner2 = self.create_account(prefix="kowner2")
        oc2 = w["oc2"] = self.bearer(owner2)
        B = w["B"] = self.workspace(oc2)["id"]
        w["P"] = self.create_product(oc, A, "submit", plan="enterprise", name="Submissions")["id"]
        w["PB"] = self.create_product(oc2, B, "submit", plan="enterprise", name="Elsewhere")["id"]
        w["K"] = self.create_key(oc, A, w["P"])
        w["KB"] = self.create_key(oc2, B, w["PB"])
        w["creds"] = self.service_client(w["admin"], "submit", "Bad input back end")
        cls._world = w
        return w

    def state(self):
        w = self.world()
        s = {}
        for label, client, ws in (("A", w["oc"], w["A"]), ("B", w["oc2"], w["B"])):
            s[label + " keys"] = self.get_json(client, f"/api/v1/workspaces/{ws}/api-keys?limit=500")
            s[label + " audit"] = [e["id"] for e in self.get_json(
                client, f"/api/v1/workspaces/{ws}/audit?limit=1000")["items"]]
        s["database"] = self.vault.db.sql(COUNTS_SQL)
        return s

    def nothing_written(self):
        return self.unchanged("the API keys", self.state)

    def create_endpoint(self):
        w = self.world()
        return PathEndpoint("POST", f"/api/v1/workspaces/{w['A']}/api-keys", w["oc"],
                            {"name": ("string", True, 100), "product": ("string", True, 64),
                             "environment": ("string", True, 32), "permissions": ("array", True, None),
                             "allowed_ips": ("array", False, None), "expires_at": ("string", False, 64)},
                            lambda: {"name": "Bad", "product": w["P"], "environment": "production",
                                     "permissions": ["submissions:read"], "allowed_ips": ["10.0.0.0/8"],
                                     "expires_at": in_years(3)})

    def test_create(self):
        ep = self.create_endpoint()
        extra = []
        for field, values, codes in (
                ("environment", ["prod", "PRODUCTION", "live", "", "production ", "\u0000"],
                 {"validation.enum", "validation.required", "validation.invalid_characters"}),
                ("expires_at", ["2030-01-01", "2031-02-30T00:00:00Z", "1999-01-01T00:00:00Z",
                                in_years(11), "2999-01-01T00:00:00Z", "now", "2030-01-01T00:00:00",
                                "<script>"],
                 {"validation.timestamp", "api_key.expiry_in_past", "api_key.expiry_too_far"}),
                ("name", ["", "   "], {"validation.required", "validation.name", "validation.too_long"})):
            for v in values:
                extra.append((f"{field}: {v!r}", ep.with_value(field, v), expect(400, codes, field)))
        for i, items, codes in ((0, ["jobs:read"], {"api_key.unknown_permission"}),
                                (1, ["submissions:read", "SUBMISSIONS:READ"], {"api_key.unknown_permission"}),
                                (0, ["submissions:read\u0000"], {"api_key.unknown_permission",
                                                                  "validation.invalid_characters", "validation.type"})):
            extra.append((f"permissions {items!r}", ep.with_value("permissions", items),
                          expect(400, codes, {f"permissions[{i}]", "permissions"})))
        for items in ([1], [None], [""], ["x" * 101], [["a"]]):
            extra.append((f"permissions {items!r:.40}", ep.with_value("permissions", items),
                          expect(400, {"validation.type", "validation.too_long"}, "permissions")))
        extra.append(("101 permissions", ep.with_value("permissions", ["submissions:read"] * 101),
                      expect(400, {"validation.too_long"}, "permissions")))
        for i, items in ((0, ["10.0.0.1/8"]), (1, ["::1", "::1/129"]), (0, ["1.2.3.4/"]), (0, ["1.2.3"]),
                         (0, ["fe80::1%eth0"]), (0, ["' OR '1'='1"]), (0, ["10.0.0.0/8 "])):
            extra.append((f"allowed_ips {items!r}", ep.with_value("allowed_ips", items),
                          expect(400, {"api_key.invalid_cidr"}, f"allowed_ips[{i}]")))
        extra.append(("51 networks", ep.with_value("allowed_ips", [f"10.0.{i}.0/24" for i in range(51)]),
                      expect(400, {"validation.too_many"}, "allowed_ips")))
        extra.append(("product of another workspace", ep.with_value("product", self.world()["PB"]),
                      expect(404, {"product.not_found"}, "product")))
        with self.nothing_written():
            self.battery(ep, extra)

    def test_roll(self):
        w = self.world()
        ep = PathEndpoint("POST", f"/api/v1/workspaces/{w['A']}/api-keys/{w['K']['id']}/roll", w["oc"],
                          {"grace_seconds": ("int", False, None), "expires_at": ("string", False, 64)},
                          lambda: {"grace_seconds": 60, "expires_at": in_years(3)})
        extra = [(f"grace_seconds {v}", ep.with_value("grace_seconds", v),
                  expect(400, {"validation.range"}, "grace_seconds")) for v in (-1, 2592001, 10 ** 12)]
        extra += [(f"expires_at {v}", ep.with_value("expires_at", v),
                   expect(400, {"validation.timestamp", "api_key.expiry_in_past"}, "expires_at"))
                  for v in ("yesterday", "2000-01-01T00:00:00Z")]
        # No body at all is a valid roll (the defaults); every other body case applies.
        cases = [c for c in all_cases(ep) if c[0] != "empty body"]
        with self.nothing_written():
            self.battery(ep, cases + extra, cases=False)

    def test_list_queries(self):
        w = self.world()
        base = f"/api/v1/workspaces/{w['A']}/api-keys"
        with self.nothing_written():
            for query, status, field in (("?limit=0", 400, "limit"), ("?limit=501", 400, "limit"),
                                         ("?limit=x", 400, "limit"), ("?cursor=%%%", 400, "cursor"),
                                         ("?cursor=eDp5", 400, "cursor"), ("?cursor=Ojk", 400, "cursor"), ("?cursor=" + "A" * 5000, {400, 414, 431}, None),
                                         ("?environment=live", 400, "environment"),
                                         ("?product=nosuch", 404, "product"),
                                         ("?product=" + w["PB"], 404, "product"),
                                         ("?product=%00", 400, None), ("?cursor=%C3%28", 400, None)):
                with self.subTest(query=query[:40]):
                    r = w["oc"].get(base + query)
                    self.assertNot5xx(r)
                    self.assertProblem(r, status)
                    if field:
                        self.assertEqual(r.json.get("field"), field, r)
        self.healthy()

    def test_verify(self):
        w = self.world()
        client = BasicClient(self.vault, basic(*w["creds"]))
        ep = PathEndpoint("POST", VERIFY, client,
                          {"key": ("string", True, 4096), "environment": ("string", True, 32),
                           "permission": ("string", False, 100), "ip": ("string", False, 64)},
                          lambda: {"key": w["K"]["key"], "environment": "production",
                                   "permission": "submissions:read", "ip": "10.1.2.3"})
        extra = [(f"environment {v!r}", ep.with_value("environment", v),
                  expect(400, {"validation.enum", "validation.required"}, "environment"))
                 for v in ("live", "", "Production")]
        extra += [(f"ip {v!r}", ep.with_value("ip", v), expect(400, {"validation.ip"}, "ip"))
                  for v in ("10.0.0.256", "10.0.0.0/8", "localhost", "::g", " 10.0.0.1", "")]
        with self.nothing_written():
            self.battery(ep, extra)
            # Anything in "key" that is a string is a verdict, never an error.
            for v in ("", " ", "\u00e9" * 100, "avk_live_", "Bearer " + w["K"]["key"], "<script>",
                      "' OR '1'='1", w["K"]["key"][:-1], w["K"]["key"] + "\u00e9", "\ud7ff" * 10):
                with self.subTest(key=v[:30]):
                    r = client.post(VERIFY, {"key": v, "environment": "production"})
                    self.assertEqual(r.status, 200, r)
                    self.assertEqual(r.json, {"valid": False, "reason": "malformed"})
        r = client.post(VERIFY, ep.base())
        self.assertIs(r.json["valid"], True, r)

    def test_hostile_path_parameters(self):
        w = self.world()
        oc = w["oc"]
        A, K, KB = (x.encode() for x in (w["A"], w["K"]["id"], w["KB"]["id"]))
        keys = b"/api/v1/workspaces/" + A + b"/api-keys/"
        routes = [("GET", keys + b"%s", b""), ("DELETE", keys + b"%s", b""),
                  ("POST", keys + b"%s/roll", b"{}"),
                  ("POST", b"/api/v1/workspaces/%s/api-keys",
                   json.dumps({"name": "X", "product": w["P"], "environment": "production",
                               "permissions": ["submissions:read"]}).encode()),
                  ("GET", b"/api/v1/workspaces/%s/api-keys", b"")]
        near_misses = [("GET", keys + K + b"%00x", b""), ("DELETE", keys + K + b"%00", b""),
                       ("POST", keys + K + b"%00/roll", b"{}"), ("DELETE", keys + KB, b""),
                       ("POST", keys + KB + b"/roll", b"{}"), ("GET", keys + K.upper(), b""),
                       ("DELETE", keys + K + b"%20", b"")]
        with self.nothing_written():
            for method, target, body in near_misses:
                with self.subTest(route=f"{method} {target.decode()}"):
                    r = self.raw_request(oc, method, target, body)
                    self.assertNot5xx(r)
                    self.assertProblem(r, {400, 404})
            for method, template, body in routes:
                for seg in HOSTILE_SEGMENTS:
                    with self.subTest(route=f"{method} {template.decode()}", segment=seg[:40]):
                        r = self.raw_request(oc, method, template.replace(b"%s", seg), body)
                        self.assertNot5xx(r)
                        self.assertProblem(r, {400, 404, 405, 414, 431})
        self.healthy()


if __name__ == "__main__":
    from harness import main
    main()
