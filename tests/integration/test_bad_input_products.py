#!/usr/bin/python3
"""Bad input on the product area (docs/api.md "Products, groups, grants, subscriptions" and
"Product-facing API"): products (create, patch, delete), the subscription plan picker, grants
(put, delete), groups (create, patch, delete, members), the access check (single and batch) and
explain, the Chargebee webhook, the product-type and service-client admin endpoints, and the
groups/grants an invitation carries.

Every rejected request must get a 4xx problem+json with a stable code — and, for a field error,
the field: a nested field by its path (`principal.type`, `checks[3].account_id`,
`roles[0].rank`), or by its bare name where that cannot be mistaken for a top-level field — 413
for bodies over the limit, never a 5xx; the server stays up, and nothing is written: products,
subscriptions, grants, groups and their members, invitations (and their mail), product types,
service clients, webhook events and the audit trail are the same after the rejected requests as
before them (compared through the API and by row counts in the database). Hostile path
parameters get a 4xx, never a 5xx, and never reach another object."""

import json
import os
import re
import secrets
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import test_bad_input as bi  # noqa: E402  (cases shared with the first bad-input suites)
import test_bad_input_more as bim  # noqa: E402
from harness import Client, main, unique_email  # noqa: E402
from product_helpers import ProductFlows, basic, unique_product_shortname  # noqa: E402
from test_bad_input import PLACEHOLDER, TEN_MB, Endpoint, expect  # noqa: E402
from test_bad_input_more import BadInputBase  # noqa: E402  (no tests of its own)

CB_USER = "chargebee-badinput"
CB_PASSWORD = "cb-" + secrets.token_hex(16)
WEBHOOK = "/api/v1/billing/chargebee/webhook"
CHECK = "/api/v1/access/check"
EXPLAIN = "/api/v1/access/explain"
INVITE_SUBJECT = bim.INVITE_SUBJECT

PRODUCT_SHORTNAME_BAD = ["a", "1abc", "-abc", "abc-", "a--b", "ab_c", "ab.c", "ab c", "abc!",
                         "\u00e1bc", "<script>", "' OR '1'='1", "abc\u0000", "\u0000", "abc\n",
                         "\uff41\uff42\uff43", "abc;drop", "../etc", "%", "_", "*"]
UNKNOWN_TYPES = ["nosuch", "pty_nosuch", "pty_", " submit", "submit ", "submit\u0000",
                 "<script>", "' OR '1'='1", "%", "*", "sub%", "pty_submit' --"]
UNKNOWN_PLANS = ["nosuch", "standard ", " standard", "standard\u0000", "\u0000", "<script>",
                 "trial' OR '1'='1", "%", "_", "standard-USD-monthly"]
UNKNOWN_ROLES = ["superuser", "Admin", "ADMIN", "admin ", " viewer", "viewer\u0000", "\u0000",
                 "owner", "member", "<script>alert(1)</script>", "' OR '1'='1", "%", "*"]
BAD_PRINCIPAL_TYPES = ["user", "Account", "ACCOUNT", "account ", " group", "groups", "acc",
                       "\u0000", "account\u0000", "<script>", "' OR '1'='1", "*", "service"]
HOSTILE_IDS = ["*", "%", "_", "' OR '1'='1", "<script>", "\u0000", "acc_\u0000", "../x"]
CONTROL_NAMES = ["\u0000", "bell\u0007", "esc\u001b[31mred", "two\nlines", "del\u007f",
                 "c1\u009bcsi"]
HOSTILE_SEGMENTS = bim.HOSTILE_SEGMENTS + [b"_", b"%25%25", b"..", b"%2e%2e", b"%2F", b"%20"]

COUNTS_SQL = ("SELECT (SELECT count(*) FROM audit_events), (SELECT count(*) FROM products), "
              "(SELECT count(*) FROM subscriptions), (SELECT count(*) FROM \"groups\"), "
              "(SELECT count(*) FROM group_members), (SELECT count(*) FROM grants), "
              "(SELECT count(*) FROM invitations), (SELECT count(*) FROM product_types), "
              "(SELECT count(*) FROM product_type_roles), "
              "(SELECT count(*) FROM product_type_plans), "
              "(SELECT count(*) FROM service_clients), (SELECT count(*) FROM webhook_events), "
              "(SELECT count(*) FROM one_time_tokens), (SELECT count(*) FROM memberships);\n"
              "SELECT product_id, plan_key, status, provider, external_id, period_end, "
              "last_event_at, updated_at FROM subscriptions ORDER BY product_id;\n")


# ------------------------------------------------------------------------------ paths

def parse_path(path):
    """"roles[0].rank" → ["roles", 0, "rank"]."""
    keys = []
    for token in path.split("."):
        m = re.fullmatch(r"([A-Za-z_]+)((?:\[\d+\])*)", token)
        keys.append(m.group(1))
        keys += [int(i) for i in re.findall(r"\[(\d+)\]", m.group(2))]
    return keys


def set_path(obj, path, value):
    keys = parse_path(path)
    for k in keys[:-1]:
        obj = obj[k]
    obj[keys[-1]] = value


def del_path(obj, path):
    keys = parse_path(path)
    for k in keys[:-1]:
        obj = obj[k]
    del obj[keys[-1]]


def field_names(path, top):
    """The field names a problem may carry for the value at path: the path itself, or its last
    component ("subscription_items[0]", "rank") when that is not also the name of a top-level
    field of the body (a bare "name" or "role" would point at the wrong field)."""
    last = path.split(".")[-1]
    leaf = re.sub(r"(\[\d+\])+$", "", last)
    names = {path}
    if leaf not in top:
        names |= {leaf, last}
    return frozenset(names)


class PathEndpoint(Endpoint):
    """An Endpoint whose fields may be nested paths ("content.subscription.status").

    spec: {path: (kind, required, max_chars or None)}; top: the body's top-level field names."""

    def __init__(self, method, path, client, spec, base, email=None):
        required = [p for p, (_, req, _) in spec.items() if req]
        super().__init__(method, path, client, {p: k for p, (k, _, _) in spec.items()}, required,
                         base, email)
        self.spec = spec
        self.top = set(base())

    def with_value(self, field, value):
        body = self.base()
        set_path(body, field, value)
        return json.dumps(body).encode()

    def without(self, field):
        body = self.base()
        del_path(body, field)
        return json.dumps(body).encode()

    def _placeholder(self, field):
        return self.with_value(field, PLACEHOLDER)


class BasicClient(Client):
    """A Client that sends one fixed Authorization header (HTTP Basic) on every request,
    send_large included."""

    def __init__(self, vault, authorization):
        super().__init__(vault, mode="none")
        self.authorization = authorization

    def _headers(self, method, auth, csrf, origin, extra):
        headers = super()._headers(method, auth, csrf, origin, extra)
        headers.setdefault("Authorization", self.authorization)
        return headers


# ------------------------------------------------------------------------------ cases

WRONG = {
    "string": [("number", 12345), ("bool", True), ("array", ["x"]), ("object", {"a": "b"})],
    "int": [("string", "123"), ("float", 1.5), ("bool", True), ("array", [1]),
            ("object", {"a": 1}), ("2^64", 2 ** 64), ("-2^64", -(2 ** 64))],
    "object": [("string", "x"), ("number", 5), ("bool", True), ("array", [{}])],
    "array": [("string", "x"), ("number", 5), ("bool", True), ("object", {"a": 1})],
}


def typed_cases(ep, path, kind, required, max_chars):
    """Wrong types, null/missing, invalid UTF-8 and over-long values for a (nested) field."""
    names = field_names(path, ep.top)
    for label, value in WRONG[kind]:
        yield f"{path}: {label}", ep.with_value(path, value), expect(
            400, {"validation.type"}, names)
    yield f"{path}: 1e400", ep.with_json(path, b"1e400"), expect(
        400, {"validation.type", "validation.malformed_json"})
    if required:
        # a null object may be reported at the field or at its first missing member
        yield f"{path}: null", ep.with_value(path, None), expect(
            400, {"validation.type", "validation.required"}, None if kind == "object" else names)
        yield f"{path}: missing", ep.without(path), expect(400, {"validation.required"}, names)
    if kind == "string":
        for label, raw in bi.INVALID_UTF8:
            yield f"{path}: invalid UTF-8 {label}", ep.with_raw(path, raw), expect(
                400, {"validation.invalid_utf8"})
        yield f"{path}: lone surrogate escape", ep.with_raw(path, bim.LONE_SURROGATE), expect(
            400, prefix="validation.")
        if max_chars:
            for n in (max_chars + 1, 10000):
                yield f"{path}: {n} chars", ep.with_value(path, "a" * n), expect(
                    400, {"validation.too_long"}, names)


def all_cases(ep):
    yield from bim.body_cases()
    for path, (kind, required, max_chars) in ep.spec.items():
        if kind in WRONG:
            yield from typed_cases(ep, path, kind, required, max_chars)
        else:   # a kind test_bad_input(_more) knows (top-level fields only)
            yield from bim.field_cases(ep, path, kind)


def values(ep, path, items, status, codes, field=True):
    """One case per value of items at path, expecting status/codes (and the path's names)."""
    names = field_names(path, ep.top) if field else None
    for v in items:
        yield f"{path}: {v!r:.60}", ep.with_value(path, v), expect(status, codes, names)


def shortname_cases(ep, path, code):
    yield from values(ep, path, PRODUCT_SHORTNAME_BAD, 400, {code})
    yield from values(ep, path, [""], 400, {code, "validation.required"})
    yield from values(ep, path, ["a" * 41, "a" * 10000], 400, {code, "validation.too_long"})


# ------------------------------------------------------------------------------ tests

class BadInputProductsTest(ProductFlows, BadInputBase):
    EXTRA_ENV = {"VAULT_CHARGEBEE_WEBHOOK_USER": CB_USER,
                 "VAULT_CHARGEBEE_WEBHOOK_PASSWORD": CB_PASSWORD}
    _world = None

    # ------------------------------------------------------------------ fixture
    def world(self):
        cls = type(self)
        if cls._world is not None:
            return cls._world
        self.vault.remember_secret(CB_PASSWORD)
        w = {"admin": self.make_super_admin()}
        owner = self.create_account(prefix="powner")
        oc = w["oc"] = self.bearer(owner)
        A = w["A"] = self.workspace(oc)["id"]
        member = w["member"] = self.create_account(prefix="pmember")
        _, token = self.invite(oc, A, member.email)
        self.assertEqual(self.bearer(member).post("/api/v1/invitations/accept",
                                                  {"token": token}).status, 200)
        owner2 = self.create_account(prefix="powner2")
        oc2 = w["oc2"] = self.bearer(owner2)
        B = w["B"] = self.workspace(oc2)["id"]
        outsider = w["outsider"] = self.create_account(prefix="poutsider")
        _, token = self.invite(oc2, B, outsider.email)
        self.assertEqual(self.bearer(outsider).post("/api/v1/invitations/accept",
                                                    {"token": token}).status, 200)
        w["P"] = self.create_product(oc, A, "submit", plan="enterprise", name="Submissions")
        w["Q"] = self.create_product(oc, A, "manage", name="Jobs")    # local trial
        w["W"] = self.create_product(oc, A, "submit", name="Billed")   # the webhook's target
        w["PB"] = self.create_product(oc2, B, "submit", plan="enterprise", name="Elsewhere")
        w["G"] = self.create_group(oc, A, name="Editors")
        w["G2"] = self.create_group(oc, A, name="Viewers")
        w["GB"] = self.create_group(oc2, B, name="Outsiders")
        self.add_to_group(oc, A, w["G"]["id"], member.id)
        self.add_to_group(oc2, B, w["GB"]["id"], outsider.id)
        self.grant(oc, A, w["P"]["id"], member.id, "viewer")
        self.grant(oc, A, w["P"]["id"], w["G"]["id"], "editor", principal_type="group")
        self.grant(oc2, B, w["PB"]["id"], outsider.id, "viewer")
        self.invite(oc, A, unique_email("pending"))
        w["creds"] = self.service_client(w["admin"], "submit", "Bad input back end")
        cls._world = w
        return w

    # --------------------------------------------------------------- snapshots
    def state(self):
        """Everything a rejected product-area request must leave alone."""
        w = self.world()
        s = {}
        for label, client, ws in (("A", w["oc"], w["A"]), ("B", w["oc2"], w["B"])):
            base = f"/api/v1/workspaces/{ws}"
            products = self.get_json(client, base + "/products")
            s[label + " products"] = products
            for p in products["items"]:
                s[f"{label} grants {p['id']}"] = self.get_json(
                    client, f"{base}/products/{p['id']}/grants")
                s[f"{label} subscription {p['id']}"] = self.get_json(
                    client, f"{base}/products/{p['id']}/subscription")
            groups = self.get_json(client, base + "/groups")
            s[label + " groups"] = groups
            for g in groups["items"]:
                s[f"{label} group {g['id']}"] = self.get_json(client, f"{base}/groups/{g['id']}")
            s[label + " members"] = self.get_json(client, base + "/members")
            s[label + " invitations"] = self.get_json(client, base + "/invitations")
            s[label + " audit"] = [e["id"] for e in
                                   self.get_json(client, base + "/audit?limit=1000")["items"]]
        s["product types"] = self.get_json(w["admin"], "/api/v1/admin/product-types")
        s["service clients"] = self.get_json(w["admin"], "/api/v1/admin/service-clients")
        s["database"] = self.vault.db.sql(COUNTS_SQL)
        s["invitation mails"] = sum(INVITE_SUBJECT.lower() in str(m.get("Subject", "")).lower()
                                    for _, m in self.sink.messages())
        return s

    def nothing_written(self):
        return self.unchanged("the product area", self.state)

    # -------------------------------------------------------------- assertions
    def assertRejected(self, r, exp):
        self.assertNot5xx(r)
        field = exp["field"]
        names = field if isinstance(field, (set, frozenset)) else None
        self.assertProblem(r, exp["status"], exp["codes"], None if names else field,
                           exp["prefix"])
        if names:
            self.assertIn(r.json.get("field"), names, r)

    def battery(self, ep, extra=(), large=True, cases=True):
        todo = (list(all_cases(ep)) if cases else []) + list(extra)
        for label, body, exp in todo:
            exp = dict(exp)
            codes = set(exp["codes"]) if exp.get("codes") is not None else None
            # A NUL anywhere is refused up front (validation.invalid_characters); role names and
            # plan keys are slugs (product.shortname_invalid). Both name the field.
            if codes is not None and ("\\x00" in label or "\\u0000" in label or "NUL" in label):
                codes.add("validation.invalid_characters")
            if codes is not None and ("roles[" in label or "plans[" in label or label.startswith("key")):
                codes.add("product.shortname_invalid")
            exp["codes"] = codes
            with self.subTest(endpoint=f"{ep.method} {ep.path}", case=label):
                self.assertRejected(ep.send(body), exp)
        if large:
            with self.subTest(endpoint=f"{ep.method} {ep.path}", case="10 MB body"):
                r = ep.client.send_large(ep.method, ep.path, TEN_MB)
                self.assertProblem(r, 413, {"request.too_large"})
        self.healthy()

    def expect_each(self, client, requests):
        """requests: [(method, path, body or None, status, codes, field)]."""
        for method, path, body, status, codes, field in requests:
            with self.subTest(request=f"{method} {path}", body=str(body)[:60]):
                raw = json.dumps(body).encode() if body is not None else None
                r = client.request(method, path, body=raw)
                self.assertRejected(r, expect(status, codes, field))

    # ---------------------------------------------------------------- products
    def test_create_product(self):
        w = self.world()
        path = f"/api/v1/workspaces/{w['A']}/products"
        ep = PathEndpoint("POST", path, w["oc"],
                          {"product_type": ("string", True, 64), "name": ("ws_name", True, None),
                           "shortname": ("string", True, 40), "plan": ("string", False, 64)},
                          lambda: {"product_type": "submit", "name": "New product",
                                   "shortname": unique_product_shortname("new"),
                                   "plan": "standard"})
        extra = list(shortname_cases(ep, "shortname", "product.shortname_invalid"))
        extra += values(ep, "product_type", UNKNOWN_TYPES, 400, {"product.unknown_type"})
        extra += values(ep, "product_type", [""], 400,
                        {"product.unknown_type", "validation.required"})
        extra += values(ep, "plan", UNKNOWN_PLANS, 400, {"product.unknown_plan"})
        # a plan named but empty is not "no plan"
        extra += values(ep, "plan", [""], 400, {"product.unknown_plan", "validation.required"})
        # another type's plan key is fine, another workspace's short name too; this one's not
        taken = w["P"]["shortname"]
        extra += values(ep, "shortname", [taken, taken.upper()], 409,
                        {"product.shortname_taken"}, field=False)
        with self.nothing_written():
            self.battery(ep, extra)
        self.create_product(w["oc"], w["A"], "prepare", plan="standard", name="Still works")

    def test_patch_product(self):
        w = self.world()
        A, Q = w["A"], w["Q"]["id"]
        ep = PathEndpoint("PATCH", f"/api/v1/workspaces/{A}/products/{Q}", w["oc"],
                          {"name": ("ws_name", False, None), "shortname": ("string", False, 40),
                           "disabled": ("bool", False, None)},
                          lambda: {"name": "Renamed", "shortname": unique_product_shortname("ren"),
                                   "disabled": True})
        extra = list(shortname_cases(ep, "shortname", "product.shortname_invalid"))
        extra += values(ep, "shortname", [w["P"]["shortname"], w["P"]["shortname"].upper()], 409,
                        {"product.shortname_taken"}, field=False)
        with self.nothing_written():
            self.battery(ep, extra)
            # another workspace's product, or none, through this workspace
            self.expect_each(w["oc"], [
                ("PATCH", f"/api/v1/workspaces/{A}/products/{pid}", {"name": "X"}, 404,
                 {"product.not_found"}, None)
                for pid in (w["PB"]["id"], w["PB"]["shortname"], "prd_nosuch", "nosuch")])
        r = w["oc"].patch(f"/api/v1/workspaces/{A}/products/{Q}", {"name": "Jobs"})
        self.assertEqual(r.status, 200, r)

    def test_delete_product(self):
        w = self.world()
        A, oc = w["A"], w["oc"]
        base = f"/api/v1/workspaces/{A}/products/"
        with self.nothing_written():
            self.expect_each(oc, [("DELETE", base + pid, None, 404, {"product.not_found"}, None)
                                  for pid in (w["PB"]["id"], w["PB"]["shortname"], "prd_nosuch",
                                              w["Q"]["id"] + "x", "%25", "_", "*")])
            # a body is not a confirmation of anything: garbage on an unknown product is a 404
            r = oc.raw("DELETE", base + "prd_nosuch", b"{not json")
            self.assertProblem(r, {400, 404})
            with self.subTest(case="10 MB body"):
                r = oc.send_large("DELETE", base + w["Q"]["id"], TEN_MB)
                self.assertProblem(r, 413, {"request.too_large"})
        self.healthy()

    def test_put_subscription(self):
        w = self.world()
        A, Q = w["A"], w["Q"]["id"]
        ep = PathEndpoint("PUT", f"/api/v1/workspaces/{A}/products/{Q}/subscription", w["oc"],
                          {"plan": ("string", True, 64)}, lambda: {"plan": "standard"})
        extra = list(values(ep, "plan", UNKNOWN_PLANS, 400, {"product.unknown_plan"}))
        extra += values(ep, "plan", [""], 400, {"product.unknown_plan", "validation.required"})
        with self.nothing_written():
            self.battery(ep, extra)
            self.expect_each(w["oc"], [
                ("PUT", f"/api/v1/workspaces/{A}/products/{pid}/subscription",
                 {"plan": "standard"}, 404, {"product.not_found"}, None)
                for pid in (w["PB"]["id"], "prd_nosuch")])

    def test_cancel_and_resume_subscription(self):
        """No body is read: hostile product ids get a 404, a 10 MB body a 413, nothing is
        written (the product's subscription is not cancelled by any of them)."""
        w = self.world()
        A, oc = w["A"], w["oc"]
        base = f"/api/v1/workspaces/{A}/products/"
        with self.nothing_written():
            for action in ("cancel", "resume"):
                self.expect_each(oc, [
                    ("POST", f"{base}{pid}/subscription/{action}", None, 404,
                     {"product.not_found"}, None)
                    for pid in (w["PB"]["id"], w["PB"]["shortname"], "prd_nosuch",
                                w["Q"]["id"] + "x", "%25", "_", "*", "%00", "%C3%A9")])
                r = oc.raw("POST", f"{base}prd_nosuch/subscription/{action}", b"{not json")
                self.assertProblem(r, {400, 404})
                with self.subTest(case=f"{action}: 10 MB body"):
                    r = oc.send_large("POST", f"{base}{w['Q']['id']}/subscription/{action}",
                                      TEN_MB)
                    self.assertProblem(r, 413, {"request.too_large"})
        self.healthy()

    # ------------------------------------------------------------------ grants
    def test_put_grant(self):
        w = self.world()
        A, P, member = w["A"], w["P"]["id"], w["member"]
        path = f"/api/v1/workspaces/{A}/products/{P}/grants"
        # the valid base would raise the member from viewer to editor
        ep = PathEndpoint("PUT", path, w["oc"],
                          {"principal": ("object", True, None),
                           "principal.type": ("string", True, 16),
                           "principal.id": ("string", True, 64), "role": ("string", True, 64)},
                          lambda: {"principal": {"type": "account", "id": member.id},
                                   "role": "editor"})
        ptype = field_names("principal.type", ep.top)
        extra = [("principal: {}", b'{"principal": {}, "role": "editor"}',
                  expect(400, {"validation.required"}, ptype))]
        extra += values(ep, "principal.type", BAD_PRINCIPAL_TYPES, 400,
                        {"validation.principal_type"})
        extra += values(ep, "principal.type", [""], 400,
                        {"validation.principal_type", "validation.required"})
        extra += values(ep, "role", UNKNOWN_ROLES, 400, {"grant.unknown_role"})
        extra += values(ep, "role", [""], 400, {"grant.unknown_role", "validation.required"})
        # principals this workspace does not have: another workspace's, made up, mistyped
        for label, ptype_, pid, code in [
                ("another workspace's member", "account", w["outsider"].id, "member.not_found"),
                ("another workspace's Owner", "account", w["oc2"].get("/api/v1/me").json["id"],
                 "member.not_found"),
                ("another workspace's group", "group", w["GB"]["id"], "group.not_found"),
                ("made-up account", "account", "acc_" + secrets.token_hex(10),
                 "member.not_found"),
                ("made-up group", "group", "grp_" + secrets.token_hex(10), "group.not_found"),
                ("an account as a group", "group", member.id, "group.not_found"),
                ("a group as an account", "account", w["G"]["id"], "member.not_found"),
                # a NUL and more after a real id must not reach the real one
                ("hostile id: member id + NUL", "account", member.id + "\u0000x",
                 "member.not_found"),
                ("hostile id: group id + NUL", "group", w["G2"]["id"] + "\u0000x",
                 "group.not_found")] + [
                (f"hostile id {v!r}", t, v, c) for v in HOSTILE_IDS
                for t, c in (("account", "member.not_found"), ("group", "group.not_found"))]:
            body = {"principal": {"type": ptype_, "id": pid}, "role": "editor"}
            if label.startswith("hostile"):   # not found, or refused as an impossible id
                exp = expect({400, 404}, {code, "validation.type", "validation.invalid",
                                          "validation.principal_id"})
            else:
                exp = expect(404, {code}, "principal")
            extra.append((f"principal: {label}", json.dumps(body).encode(), exp))
        with self.nothing_written():
            self.battery(ep, extra)
            body = {"principal": {"type": "account", "id": w["outsider"].id}, "role": "viewer"}
            self.expect_each(w["oc"], [
                ("PUT", f"/api/v1/workspaces/{A}/products/{pid}/grants", body, 404,
                 {"product.not_found"}, None) for pid in (w["PB"]["id"], "prd_nosuch")])
        self.grant(w["oc"], A, P, member.id, "viewer")    # still works (and is what it was)

    def test_delete_grant(self):
        w = self.world()
        A, P, member, oc = w["A"], w["P"]["id"], w["member"], w["oc"]
        base = f"/api/v1/workspaces/{A}/products/{P}/grants/"
        requests = [("DELETE", f"{base}{t}/{member.id}", None, 400,
                     {"validation.principal_type"}, "principal_type")
                    for t in ("user", "Account", "ACCOUNT", "accounts", "%00", "%3Cscript%3E",
                              "%27%20OR%20%271%27%3D%271", "*", "account%20")]
        requests += [("DELETE", base + rest, None, 404, {"grant.not_found"}, None)
                     for rest in (f"account/{w['outsider'].id}", "account/acc_nosuch",
                                  f"group/{member.id}", f"account/{w['G']['id']}",
                                  f"group/{w['GB']['id']}", "account/%25", "account/*",
                                  "group/_")]
        requests += [("DELETE", f"/api/v1/workspaces/{A}/products/{w['PB']['id']}/grants/"
                      f"account/{w['outsider'].id}", None, 404, {"product.not_found"}, None)]
        with self.nothing_written():
            self.expect_each(oc, requests)
            with self.subTest(case="10 MB body"):
                r = oc.send_large("DELETE", f"{base}account/{member.id}", TEN_MB)
                self.assertProblem(r, 413, {"request.too_large"})
        self.healthy()

    # ------------------------------------------------------------------ groups
    def test_create_group(self):
        w = self.world()
        ep = PathEndpoint("POST", f"/api/v1/workspaces/{w['A']}/groups", w["oc"],
                          {"name": ("ws_name", True, None),
                           "description": ("description", False, None)},
                          lambda: {"name": f"Group {secrets.token_hex(4)}",
                                   "description": "A perfectly fine group."})
        extra = list(values(ep, "name", ["Editors", "EDITORS", "editors", "Viewers"], 409,
                            {"group.name_taken"}, field=False))
        with self.nothing_written():
            self.battery(ep, extra)
        self.create_group(w["oc"], w["A"])   # still works

    def test_patch_group(self):
        w = self.world()
        A, G2 = w["A"], w["G2"]["id"]
        ep = PathEndpoint("PATCH", f"/api/v1/workspaces/{A}/groups/{G2}", w["oc"],
                          {"name": ("ws_name", False, None),
                           "description": ("description", False, None)},
                          lambda: {"name": f"Renamed {secrets.token_hex(4)}",
                                   "description": "changed"})
        extra = list(values(ep, "name", ["Editors", "EDITORS"], 409, {"group.name_taken"},
                            field=False))
        with self.nothing_written():
            self.battery(ep, extra)
            self.expect_each(w["oc"], [
                ("PATCH", f"/api/v1/workspaces/{A}/groups/{gid}", {"name": "X"}, 404,
                 {"group.not_found"}, None)
                for gid in (w["GB"]["id"], "grp_nosuch", "Editors", "%25", "*")])

    def test_delete_group(self):
        w = self.world()
        A, oc = w["A"], w["oc"]
        base = f"/api/v1/workspaces/{A}/groups/"
        with self.nothing_written():
            self.expect_each(oc, [("DELETE", base + gid, None, 404, {"group.not_found"}, None)
                                  for gid in (w["GB"]["id"], "grp_nosuch", "Editors", "editors",
                                              w["G"]["id"] + "x", "%25", "_", "*")])
            with self.subTest(case="10 MB body"):
                r = oc.send_large("DELETE", base + w["G"]["id"], TEN_MB)
                self.assertProblem(r, 413, {"request.too_large"})
        self.healthy()

    def test_group_members(self):
        w = self.world()
        A, oc, member = w["A"], w["oc"], w["member"]
        G, G2, GB = w["G"]["id"], w["G2"]["id"], w["GB"]["id"]
        base = f"/api/v1/workspaces/{A}/groups/"
        requests = []
        for method in ("PUT", "DELETE"):
            requests += [(method, f"{base}{G2}/members/{acc}", None, 404, {"member.not_found"},
                          None)
                         for acc in (w["outsider"].id, "acc_nosuch", G, "%25", "*", "_")]
            requests += [(method, f"{base}{gid}/members/{member.id}", None, 404,
                          {"group.not_found"}, None) for gid in (GB, "grp_nosuch", "Editors")]
        requests.append(("DELETE", f"{base}{G2}/members/{member.id}", None, 404,
                         {"member.not_found"}, None))       # not in that group
        with self.nothing_written():
            self.expect_each(oc, requests)
            for method, group in (("PUT", G2), ("DELETE", G)):
                with self.subTest(case=f"10 MB body, {method}"):
                    r = oc.send_large(method, f"{base}{group}/members/{member.id}", TEN_MB)
                    self.assertProblem(r, 413, {"request.too_large"})
        self.healthy()

    # ------------------------------------------------------------- access API
    def access_client(self):
        return BasicClient(self.vault, basic(*self.world()["creds"]))

    def check_endpoint(self, path):
        w = self.world()
        return PathEndpoint("POST", path, self.access_client(),
                            {"account_id": ("string", True, 64),
                             "product_id": ("string", True, 64),
                             "permission": ("string", False, 128)},
                            lambda: {"account_id": w["member"].id, "product_id": w["P"]["id"],
                                     "permission": "submissions:read"})

    def test_access_check_single(self):
        ep = self.check_endpoint(CHECK)
        with self.nothing_written():
            self.battery(ep)
            # well-formed but impossible ids: a denial (or a 400), never "allowed", never a 5xx
            for field in ("account_id", "product_id"):
                for v in HOSTILE_IDS + ["", " ", "acc_" + "\u00e9" * 60]:
                    with self.subTest(endpoint=f"POST {CHECK}", field=field, value=v):
                        r = ep.send(ep.with_value(field, v))
                        self.assertNot5xx(r)
                        if r.status == 200:
                            self.assertIs(r.json["allowed"], False, r)
                        else:
                            self.assertProblem(r, 400, code_prefix="validation.")
        r = ep.client.post(CHECK, ep.base())
        self.assertEqual((r.status, r.json.get("reason")), (200, "allowed"), r)

    def test_access_check_batch(self):
        w = self.world()
        item = {"account_id": w["member"].id, "product_id": w["P"]["id"],
                "permission": "submissions:read"}
        ep = PathEndpoint("POST", CHECK, self.access_client(),
                          {"checks": ("array", False, None),
                           "checks[3].account_id": ("string", True, 64),
                           "checks[2].product_id": ("string", True, 64),
                           "checks[0].permission": ("string", False, 128)},
                          lambda: {"checks": [dict(item) for _ in range(5)]})
        extra = [(f"checks: {label}", ep.with_value("checks", v),
                  expect(400, {"validation.type"}, "checks"))
                 for label, v in (("string", "all"), ("object", item), ("number", 5))]
        for i, label, v in ((1, "number", 5), (3, "string", "x"), (0, "null", None),
                            (4, "array", [item]), (2, "bool", True)):
            body = ep.base()
            body["checks"][i] = v
            extra.append((f"checks[{i}]: {label}", json.dumps(body).encode(),
                          expect(400, {"validation.type"}, f"checks[{i}]")))
        for n in (1001, 5000):
            extra.append((f"{n} checks", json.dumps({"checks": [item] * n}).encode(),
                          expect(400, {"validation.too_long"}, "checks")))
        # a bad item after 1000 good ones, and good items around a bad one
        body = {"checks": [item] * 999 + [{"product_id": w["P"]["id"]}]}
        extra.append(("checks[999] without account_id", json.dumps(body).encode(),
                      expect(400, {"validation.required"}, "checks[999].account_id")))
        body = ep.base()
        body["checks"][1]["account_id"] = w["outsider"].id
        body["checks"][3]["permission"] = ["submissions:read"]
        extra.append(("checks[3].permission an array", json.dumps(body).encode(),
                      expect(400, {"validation.type"}, "checks[3].permission")))
        extra.append(("checks: []", b'{"checks": []}', expect(400, prefix="validation.")))
        with self.nothing_written():
            self.battery(ep, extra)
        r = ep.client.post(CHECK, ep.base())
        self.assertEqual(r.status, 200, r)
        self.assertEqual([d["reason"] for d in r.json["results"]], ["allowed"] * 5, r)

    def test_access_explain(self):
        w = self.world()
        ep = self.check_endpoint(EXPLAIN)
        item = {"account_id": w["member"].id, "product_id": w["P"]["id"]}
        extra = [("a batch", json.dumps({"checks": [item]}).encode(),
                  expect(400, {"validation.required"}, "account_id"))]
        with self.nothing_written():
            self.battery(ep, extra)
        r = ep.client.post(EXPLAIN, ep.base())
        self.assertEqual((r.status, r.json.get("reason")), (200, "allowed"), r)

    # --------------------------------------------------------------- Chargebee
    def test_chargebee_webhook(self):
        w = self.world()
        A, W = w["A"], w["W"]["id"]
        event_id = "ev_badinput_" + secrets.token_hex(6)
        sub_id = "cb_sub_badinput_" + secrets.token_hex(6)
        now = int(time.time())

        def base():
            # a well-formed event would link W to Chargebee and cancel it
            return {"id": event_id, "event_type": "subscription_cancelled", "occurred_at": now,
                    "content": {"subscription": {
                        "id": sub_id, "status": "cancelled", "plan_id": "standard-USD-monthly",
                        "subscription_items": [{"item_price_id": "standard-USD-monthly"}],
                        "current_term_end": now + 86400, "cf_vault_product_id": W,
                        "meta_data": {"vault_product_id": W}}}}
        sub = "content.subscription."
        ep = PathEndpoint("POST", WEBHOOK, BasicClient(self.vault, basic(CB_USER, CB_PASSWORD)),
                          {"id": ("string", True, 128), "event_type": ("string", False, 128),
                           "occurred_at": ("int", True, None), "content": ("object", True, None),
                           "content.subscription": ("object", True, None),
                           sub + "id": ("string", True, 128),
                           sub + "status": ("string", True, 32),
                           sub + "plan_id": ("string", False, 128),
                           sub + "subscription_items": ("array", False, None),
                           sub + "current_term_end": ("int", False, None),
                           sub + "cf_vault_product_id": ("string", False, 64),
                           sub + "meta_data": ("object", False, None)}, base)
        extra = list(values(ep, "occurred_at", [0, -1, -(2 ** 40)], 400,
                            {"validation.required", "validation.range"}))
        extra.append(("occurred_at: a numeric string", ep.with_value("occurred_at", str(now)),
                      expect(400, {"validation.type"}, "occurred_at")))
        body = base()
        body["content"]["subscription"]["subscription_items"] = ["standard-USD-monthly"]
        extra.append(("subscription_items[0]: a string", json.dumps(body).encode(),
                      expect(400, {"validation.type"},
                             field_names(sub + "subscription_items[0]", ep.top))))
        body = base()
        body["content"]["subscription"].pop("plan_id")
        body["content"]["subscription"]["subscription_items"][0]["item_price_id"] = 7
        extra.append(("item_price_id: a number", json.dumps(body).encode(),
                      expect(400, {"validation.type"},
                             field_names(sub + "subscription_items[0].item_price_id", ep.top))))
        body = base()
        body["content"]["subscription"]["meta_data"]["vault_product_id"] = 7
        extra.append(("meta_data.vault_product_id: a number", json.dumps(body).encode(),
                      expect(400, {"validation.type"},
                             field_names(sub + "meta_data.vault_product_id", ep.top))))
        with self.nothing_written():
            self.battery(ep, extra)
            # bad credentials come first, whatever the body
            for label, auth in (("wrong password", basic(CB_USER, "wrong")),
                                ("none", None)):
                with self.subTest(case=f"malformed event, {label}"):
                    c = self.client(mode="none")
                    r = c.raw("POST", WEBHOOK, b"{not json",
                              headers={"Authorization": auth} if auth else None)
                    self.assertProblem(r, 401, {"webhook.unauthenticated"})
        # the rejected events were not recorded: their id is new to the server
        body = base()
        body["content"]["subscription"] = {"id": "cb_sub_nothing_" + secrets.token_hex(4),
                                           "status": "active"}
        r = ep.client.post(WEBHOOK, body)
        self.assertEqual((r.status, (r.json or {}).get("outcome")), (200, "unmatched"), r)
        sub_now = self.get_json(w["oc"], f"/api/v1/workspaces/{A}/products/{W}/subscription")
        self.assertEqual(sub_now["provider"], "local", sub_now)
        # a product id with a NUL tail is not that product: refused, or unmatched
        body = base()
        body["id"] = "ev_badinput_nul_" + secrets.token_hex(4)
        body["content"]["subscription"]["id"] = "cb_sub_nul_" + secrets.token_hex(4)
        for key in ("cf_vault_product_id", "meta_data"):
            body["content"]["subscription"].pop(key)
        body["content"]["subscription"]["cf_vault_product_id"] = W + "\u0000x"
        r = ep.client.post(WEBHOOK, body)
        self.assertNot5xx(r)
        if r.status == 200:
            self.assertEqual(r.json.get("outcome"), "unmatched", r)
        else:
            self.assertProblem(r, 400, code_prefix="validation.")
        sub_now = self.get_json(w["oc"], f"/api/v1/workspaces/{A}/products/{W}/subscription")
        self.assertEqual(sub_now["provider"], "local", sub_now)

    # ------------------------------------------------------------------ admin
    def test_admin_product_types(self):
        w = self.world()
        admin = w["admin"]

        def base():
            return {"key": unique_product_shortname("pt"), "name": "Bad Input Type",
                    "api_permissions": ["things:read", "things:write"],
                    "roles": [{"name": "boss", "rank": 2, "permissions": ["things:write"]},
                              {"name": "reader", "rank": 1, "permissions": ["things:read"]}],
                    "plans": [{"key": "basic", "name": "Basic", "seats": 10, "trial_days": 0,
                               "features": ["export"]}]}
        ep = PathEndpoint("POST", "/api/v1/admin/product-types", admin,
                          {"key": ("string", True, 40), "name": ("string", True, 100),
                           "api_permissions": ("array", False, None),
                           "roles": ("array", True, None), "plans": ("array", True, None),
                           "roles[0].name": ("string", True, 40),
                           "roles[0].rank": ("int", False, None),
                           "roles[0].permissions": ("array", False, None),
                           "plans[0].key": ("string", True, 40),
                           "plans[0].name": ("string", True, 100),
                           "plans[0].seats": ("int", False, None),
                           "plans[0].trial_days": ("int", False, None),
                           "plans[0].features": ("array", False, None)}, base)
        extra = list(shortname_cases(ep, "key", "product.shortname_invalid"))
        extra += values(ep, "key", ["manage", "SUBMIT"], 409, {"product_type.key_taken"},
                        field=False)
        extra += values(ep, "roles", [[]], 400, {"validation.required"})
        extra += values(ep, "plans", [[]], 400, {"validation.required"})
        extra += values(ep, "roles", [[{"name": f"r{i}"} for i in range(51)]], 400,
                        {"validation.too_long"})
        extra += values(ep, "plans", [[{"key": f"p{i}", "name": "P"} for i in range(51)]], 400,
                        {"validation.too_long"})
        for path, items in (("roles[0]", ["boss", 5, None, ["boss"]]),
                            ("plans[0]", ["basic", 5, None, [{}]])):
            extra += values(ep, path, items, 400, {"validation.type"})
        extra += values(ep, "plans[0].seats", [-1, 1000001, 2 ** 40], 400, {"validation.range"})
        extra += values(ep, "plans[0].trial_days", [-1, 366, 1000], 400, {"validation.range"})
        extra += values(ep, "roles[0].rank", ["3", "high", 2.5], 400, {"validation.type"})
        # a rank that does not fit the server's integer must not wrap around
        extra += values(ep, "roles[0].rank", [2 ** 31, -(2 ** 31) - 1, 2 ** 40, 2 ** 62], 400,
                        {"validation.range", "validation.type"})
        for path in ("api_permissions", "roles[0].permissions", "plans[0].features"):
            extra += values(ep, path, [[5], [""], [None], [["x"]], ["a" * 129]], 400,
                            {"validation.type", "validation.too_long"},
                            field=False)
            extra += values(ep, path, [["x"] * 201], 400, {"validation.too_long"}, field=False)
            # these lists are stored space-separated: a name with a space would become two
            extra += values(ep, path + "[0]", ["things:read things:write", "things:write ",
                                               "a\tb", "a\nb", "x\u00a0y", "é"], 400,
                            {"validation.permission"})
        extra += values(ep, "name", CONTROL_NAMES + ["", "   "], 400,
                        {"validation.name", "validation.required"})
        extra += values(ep, "roles[0].name", CONTROL_NAMES + [""], 400,
                        {"validation.name", "validation.required", "product.role_invalid",
                         "validation.role"})
        extra += values(ep, "plans[0].key", CONTROL_NAMES + [""], 400,
                        {"validation.required", "product.shortname_invalid",
                         "product.plan_invalid"})
        dup_roles, dup_plans = base(), base()
        dup_roles["roles"][1]["name"] = "boss"
        dup_plans["plans"].append(dict(dup_plans["plans"][0]))
        extra += [("duplicate role", json.dumps(dup_roles).encode(),
                   expect(409, {"product_type.duplicate_role"})),
                  ("duplicate plan", json.dumps(dup_plans).encode(),
                   expect(409, {"product_type.duplicate_plan"}))]
        with self.nothing_written():
            self.battery(ep, extra)
            # not a Super Admin: refused, bad body or not
            for label, raw in (("valid", json.dumps(base()).encode()), ("malformed", b"{x"),
                               ("roles not an array", json.dumps(
                                   dict(base(), roles="boss")).encode())):
                with self.subTest(case=f"non-admin, {label} body"):
                    r = w["oc"].raw("POST", "/api/v1/admin/product-types", raw)
                    self.assertProblem(r, 403, "admin.required")  # authorisation comes first
        r = admin.post("/api/v1/admin/product-types", base())
        self.assertEqual(r.status, 201, r)   # still works

    def test_admin_service_clients(self):
        w = self.world()
        ep = PathEndpoint("POST", "/api/v1/admin/service-clients", w["admin"],
                          {"product_type": ("string", True, 64), "name": ("ws_name", True, None)},
                          lambda: {"product_type": "submit", "name": "Another back end"})
        extra = list(values(ep, "product_type", UNKNOWN_TYPES, 400, {"product.unknown_type"}))
        extra += values(ep, "product_type", [""], 400,
                        {"product.unknown_type", "validation.required"})
        with self.nothing_written():
            self.battery(ep, extra)
            with self.subTest(case="non-admin"):
                r = w["oc"].raw("POST", "/api/v1/admin/service-clients",
                                json.dumps(ep.base()).encode())
                self.assertProblem(r, 403, {"admin.required"})
            self.expect_each(w["admin"], [
                ("DELETE", f"/api/v1/admin/service-clients/{cid}", None, 404,
                 {"service_client.not_found"}, None)
                for cid in ("svc_nosuch", "%25", "*", w["creds"][0] + "x")])

    # ------------------------------------------------------------- invitations
    def test_invitation_access(self):
        w = self.world()
        A, P, G = w["A"], w["P"], w["G"]["id"]
        ep = PathEndpoint("POST", f"/api/v1/workspaces/{A}/invitations", w["oc"],
                          {"groups": ("array", False, None), "grants": ("array", False, None),
                           "grants[0].product": ("string", True, 64),
                           "grants[0].role": ("string", True, 64)},
                          lambda: {"email": unique_email("invacc"), "role": "member",
                                   "groups": [G],
                                   "grants": [{"product": P["id"], "role": "viewer"}]})
        groups = field_names("groups[0]", ep.top) | {"groups"}
        grants = field_names("grants[0]", ep.top) | {"grants"}
        extra = list(values(ep, "groups", [[5], [None], [""], [{"id": G}], [["x"]],
                                           ["g" * 65]], 400,
                            {"validation.type", "validation.too_long"}, field=False))
        extra += [("groups: 51 items", ep.with_value("groups", [G] * 51),
                   expect(400, {"validation.too_long"}, groups)),
                  ("groups: second item a number", ep.with_value("groups", [G, 5]),
                   expect(400, {"validation.type"}, groups | {"groups[1]"}))]
        extra += values(ep, "grants", [[{"product": P["id"], "role": "viewer"}] * 51], 400,
                        {"validation.too_long"})
        extra += values(ep, "grants[0]", ["viewer", 5, None, [P["id"], "viewer"]], 400,
                        {"validation.type"})
        # access this workspace does not have
        for label, value, status, codes, names in [
                ("another workspace's group", {"groups": [w["GB"]["id"]]}, 404,
                 {"group.not_found"}, groups),
                ("made-up group", {"groups": ["grp_nosuch"]}, 404, {"group.not_found"}, groups),
                ("a group by name", {"groups": ["Editors"]}, 404, {"group.not_found"}, groups),
                ("a group id + NUL", {"groups": [w["G2"]["id"] + "\u0000x"]}, {400, 404},
                 {"group.not_found", "validation.type"}, groups),
                ("a product id + NUL",
                 {"grants": [{"product": P["id"] + "\u0000x", "role": "viewer"}]}, {400, 404},
                 {"product.not_found", "validation.type"},
                 grants | {"grants[0].product", "product"}),
                ("unknown product", {"grants": [{"product": "prd_nosuch", "role": "viewer"}]},
                 404, {"product.not_found"}, grants | {"grants[0].product"}),
                ("another workspace's product",
                 {"grants": [{"product": w["PB"]["id"], "role": "viewer"}]}, 404,
                 {"product.not_found"}, grants | {"grants[0].product"}),
                ("another workspace's product by short name",
                 {"grants": [{"product": w["PB"]["shortname"], "role": "viewer"}]}, 404,
                 {"product.not_found"}, grants | {"grants[0].product"}),
                ("unknown product role", {"grants": [{"product": P["id"], "role": "owner"}]},
                 400, {"grant.unknown_role"}, grants | {"grants[0].role"}),
                ("second grant bad", {"grants": [{"product": P["id"], "role": "viewer"},
                                                 {"product": P["shortname"]}]},
                 400, {"validation.required"}, {"grants[1].role"})]:
            body = ep.base()
            body.update(value)
            extra.append((label, json.dumps(body).encode(), expect(status, codes, names)))
        extra += values(ep, "grants[0].role", UNKNOWN_ROLES, 400, {"grant.unknown_role"},
                        field=False)
        with self.nothing_written():
            self.battery(ep, extra)
            time.sleep(0.3)   # a mail sent by mistake has time to arrive before the snapshot
        self.invite(w["oc"], A, unique_email("invok"))   # still works

    # ---------------------------------------------------------- path parameters
    def test_hostile_path_parameters(self):
        """{ws}, {product}, {group}, {account_id}, {principal_type}, {principal_id} and the
        service client {id} with invalid UTF-8, NUL, SQL-ish, wildcard, dot or huge values: a
        4xx problem, never a 5xx, and never another object."""
        w = self.world()
        oc, admin = w["oc"], w["admin"]
        A, P, G, M = (x.encode() for x in (w["A"], w["P"]["id"], w["G"]["id"], w["member"].id))
        ws, prod, grp = b"/api/v1/workspaces/", b"/api/v1/workspaces/" + A + b"/products/", \
            b"/api/v1/workspaces/" + A + b"/groups/"
        routes = [(oc, "POST", ws + b"%s/products",
                   b'{"product_type": "submit", "name": "X", "shortname": "hostile"}'),
                  (oc, "POST", ws + b"%s/groups", b'{"name": "Hostile"}'),
                  (oc, "GET", prod + b"%s", b""),
                  (oc, "PATCH", prod + b"%s", b'{"disabled": true}'),
                  (oc, "DELETE", prod + b"%s", b""),
                  (oc, "PUT", prod + b"%s/subscription", b'{"plan": "standard"}'),
                  (oc, "PUT", prod + b"%s/grants",
                   b'{"principal": {"type": "account", "id": "' + M + b'"}, "role": "admin"}'),
                  (oc, "DELETE", prod + P + b"/grants/%s/" + M, b""),
                  (oc, "DELETE", prod + P + b"/grants/account/%s", b""),
                  (oc, "DELETE", prod + P + b"/grants/group/%s", b""),
                  (oc, "PATCH", grp + b"%s", b'{"name": "Hostile"}'),
                  (oc, "DELETE", grp + b"%s", b""),
                  (oc, "PUT", grp + b"%s/members/" + M, b""),
                  (oc, "DELETE", grp + b"%s/members/" + M, b""),
                  (oc, "PUT", grp + G + b"/members/%s", b""),
                  (oc, "DELETE", grp + G + b"/members/%s", b""),
                  (admin, "DELETE", b"/api/v1/admin/service-clients/%s", b"")]
        Q, G2 = w["Q"]["id"].encode(), w["G2"]["id"].encode()
        nul = b"%00x"
        near_misses = [  # a real id, then a NUL: must not reach the real object
            (oc, "GET", prod + P + nul, b""),
            (oc, "PATCH", prod + Q + nul, b'{"disabled": true}'),
            (oc, "PUT", prod + Q + nul + b"/subscription", b'{"plan": "standard"}'),
            (oc, "DELETE", prod + Q + nul, b""),
            (oc, "DELETE", prod + P + b"/grants/account/" + M + nul, b""),
            (oc, "PATCH", grp + G2 + nul, b'{"name": "Hostile"}'),
            (oc, "DELETE", grp + G2 + nul, b""),
            (oc, "PUT", grp + G2 + b"/members/" + M + nul, b""),
            (oc, "DELETE", grp + G + b"/members/" + M + nul, b""),
            (oc, "PUT", grp + G2 + nul + b"/members/" + M, b""),
            (oc, "POST", ws + A + nul + b"/groups", b'{"name": "Hostile"}'),
            (admin, "DELETE", b"/api/v1/admin/service-clients/" + w["creds"][0].encode() + nul,
             b"")]
        with self.nothing_written():
            for client, method, target, body in near_misses:
                with self.subTest(route=f"{method} {target.decode()}"):
                    r = self.raw_request(client, method, target, body)
                    self.assertNot5xx(r)
                    self.assertProblem(r, {400, 404})
            for client, method, template, body in routes:
                for seg in HOSTILE_SEGMENTS:
                    with self.subTest(route=f"{method} {template.decode()}", segment=seg[:40]):
                        r = self.raw_request(client, method, template.replace(b"%s", seg), body)
                        self.assertNot5xx(r)
                        self.assertProblem(r, {400, 404, 405, 414, 431})
        self.healthy()


if __name__ == "__main__":
    main()
