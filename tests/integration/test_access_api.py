#!/usr/bin/python3
"""The product-facing access API and the Chargebee webhook (SPEC §4 "Access check", §5, §7;
docs/api.md "Product integration", "Billing"), black-box against the real server:

  * a Super Admin (made with `atomyx-vault admin create-super-admin`) issues a service client
    for the "submit" product type: the secret is shown once, never listed, never logged;
  * POST /api/v1/access/check with HTTP Basic client_id:client_secret, single and batch form,
    reaching every reason code (allowed, product_not_found — unknown id and another type's
    product, which wins over anything about the account —, unknown_account, account_disabled,
    not_member, workspace_requires_2fa,
    product_inactive, no_grant, permission_not_in_role) and their precedence;
  * POST /api/v1/access/explain: the whole chain (membership, grants direct / via group,
    effective role, role permissions, subscription);
  * 401 for no / wrong / revoked credentials and for a session token; 400 with the field for
    bad input (malformed JSON, missing account_id, 1001 checks);
  * the Chargebee webhook (server started with VAULT_CHARGEBEE_WEBHOOK_USER/PASSWORD): linking
    by cf_vault_product_id, applied / duplicate / stale / unmatched, cancelled → product_inactive,
    wrong credentials → 401, and 404 on a server without the configuration.
"""

import http.client
import json
import os
import secrets
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main, metric, settled_counter, wait_until  # noqa: E402
from product_helpers import SEED_ROLES, ProductFlows, basic, parse_time  # noqa: E402
from ws_helpers import WorkspaceFlows, totp_code  # noqa: E402

CB_USER = "chargebee-hook"
CB_PASSWORD = "cb-" + secrets.token_hex(16)
WEBHOOK = "/api/v1/billing/chargebee/webhook"
CHECK = "/api/v1/access/check"
EXPLAIN = "/api/v1/access/explain"
REASONS = {"allowed", "unknown_account", "account_disabled", "product_not_found", "not_member",
           "workspace_requires_2fa", "product_inactive", "no_grant", "permission_not_in_role"}


class AccessApiTest(ProductFlows, WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    CLOCK_OFFSET = True  # the rotation grace ends by the clock
    EXTRA_ENV = {"VAULT_CHARGEBEE_WEBHOOK_USER": CB_USER,
                 "VAULT_CHARGEBEE_WEBHOOK_PASSWORD": CB_PASSWORD}
    _world = None

    # ----------------------------------------------------------------- fixtures
    def world(self):
        cls = type(self)
        if cls._world is not None:
            return cls._world
        self.vault.remember_secret(CB_PASSWORD)
        w = {}
        _, _, _, sa = self.make_super_admin()
        w["super"] = sa
        w["creds"] = self.service_client(sa, "submit", "Submit back end")
        owner = self.create_account(name="Olga Owner", prefix="owner")
        a = self.create_workspace(owner.client, name="Access Inc")
        A = w["A"] = a["id"]
        w["owner"] = owner
        for name in ("editor", "viewer", "grouped", "nogrant", "disabled", "inactive"):
            w[name] = self.member_account(owner.client, A, "member", prefix=name)
        w["outsider"] = self.create_account(prefix="outsider")
        oc = owner.client
        w["S"] = self.create_product(oc, A, "submit", plan="enterprise", name="Submissions")
        w["M"] = self.create_product(oc, A, "manage", plan="enterprise", name="Jobs")
        w["OFF"] = self.create_product(oc, A, "submit", plan="enterprise", name="Switched off")
        S, M, OFF = w["S"]["id"], w["M"]["id"], w["OFF"]["id"]
        self.grant(oc, A, S, w["editor"].id, "editor")
        self.grant(oc, A, S, w["viewer"].id, "viewer")
        self.grant(oc, A, S, w["disabled"].id, "editor")
        self.grant(oc, A, M, w["editor"].id, "admin")
        self.grant(oc, A, OFF, w["inactive"].id, "editor")
        g = self.create_group(oc, A, name="Submitters")
        w["G"] = g["id"]
        self.add_to_group(oc, A, g["id"], w["grouped"].id)
        self.grant(oc, A, S, w["grouped"].id, "viewer")
        self.grant(oc, A, S, g["id"], "editor", principal_type="group")
        r = oc.patch(f"/api/v1/workspaces/{A}/products/{OFF}", {"disabled": True})
        self.assertEqual(r.status, 200, r)
        r = sa.patch(f"/api/v1/admin/accounts/{w['disabled'].id}", {"disabled": True})
        self.assertEqual(r.status, 200, r)

        # workspace B requires 2FA: its Owner has TOTP, its member has not
        owner2 = self.create_account(prefix="owner2")
        self.enable_totp(owner2)
        b = self.create_workspace(owner2.client, name="Strict Inc")
        w["B"], w["owner2"] = b["id"], owner2
        w["no2fa"] = self.member_account(owner2.client, b["id"], "member", prefix="no2fa")
        w["T"] = self.create_product(owner2.client, b["id"], "submit", plan="enterprise",
                                     name="Strict")
        self.grant(owner2.client, b["id"], w["T"]["id"], w["no2fa"].id, "editor")
        self.grant(owner2.client, b["id"], w["T"]["id"], owner2.id, "editor")
        r = owner2.client.patch(f"/api/v1/workspaces/{b['id']}", {"require_2fa": True})
        self.assertEqual(r.status, 200, r)
        cls._world = w
        return w

    def cases(self):
        """[(label, account_id, product_id, permission, expected reason, expected role)]."""
        w = self.world()
        S, M, OFF, T = w["S"]["id"], w["M"]["id"], w["OFF"]["id"], w["T"]["id"]
        return [
            ("allowed", w["editor"].id, S, "submissions:create", "allowed", "editor"),
            ("allowed without permission", w["viewer"].id, S, None, "allowed", "viewer"),
            ("allowed via group", w["grouped"].id, S, "files:write", "allowed", "editor"),
            ("unknown account", "acc_" + secrets.token_hex(10), S, None, "unknown_account", None),
            ("unknown product wins over unknown account", "acc_nosuch",
             "prd_" + secrets.token_hex(10), None, "product_not_found", None),
            ("another type's product hides a disabled account", w["disabled"].id, M, None,
             "product_not_found", None),
            ("account disabled", w["disabled"].id, S, "submissions:read", "account_disabled",
             None),
            ("product not found (random id)", w["editor"].id, "prd_" + secrets.token_hex(10),
             None, "product_not_found", None),
            ("product of another type", w["editor"].id, M, "jobs:read", "product_not_found",
             None),
            ("not a member", w["outsider"].id, S, None, "not_member", None),
            ("workspace requires 2FA", w["no2fa"].id, T, "submissions:read",
             "workspace_requires_2fa", None),
            ("2FA member with a grant", w["owner2"].id, T, "submissions:read", "allowed", "editor"),
            ("product inactive", w["inactive"].id, OFF, "submissions:read", "product_inactive",
             "editor"),
            ("inactive wins over no grant", w["viewer"].id, OFF, None, "product_inactive", None),
            ("no grant", w["nogrant"].id, S, "submissions:read", "no_grant", None),
            ("permission not in role", w["viewer"].id, S, "submissions:create",
             "permission_not_in_role", "viewer"),
            ("permission unknown to the type", w["editor"].id, S, "jobs:read",
             "permission_not_in_role", "editor"),
        ]

    # -------------------------------------------------------------------- tests
    def test_service_clients_secret_shown_once(self):
        w = self.world()
        sa = w["super"]
        r = sa.post("/api/v1/admin/service-clients", {"product_type": "submit", "name": "Staging"})
        self.assertEqual(r.status, 201, r)
        secret, cid = r.json["client_secret"], r.json["client_id"]
        self.vault.remember_secret(secret)
        self.assertRegex(secret, r"^[A-Za-z0-9_-]{43}$")
        self.assertEqual(r.json["product_type_id"], "pty_submit", r)
        r = sa.get("/api/v1/admin/service-clients")
        self.assertEqual(r.status, 200, r)
        self.assertNotIn(secret.encode(), r.body)
        self.assertNotIn(w["creds"][1].encode(), r.body)
        listed = {c["client_id"]: c for c in r.json["items"]}
        self.assertIn(cid, listed)
        self.assertEqual(listed[cid]["name"], "Staging")
        self.assertIs(listed[cid]["revoked"], False)
        for c in r.json["items"]:
            self.assertFalse({"client_secret", "secret", "secret_hash"} & set(c), c)
        r = sa.post("/api/v1/admin/service-clients", {"product_type": "nosuch", "name": "X"})
        self.assertProblem(r, 400, "product.unknown_type", field="product_type")
        r = sa.post("/api/v1/admin/service-clients", {"name": "X"})
        self.assertProblem(r, 400, field="product_type")
        # works, then revoked → 401 at once
        creds = (cid, secret)
        self.assertEqual(self.reason(creds, w["editor"].id, w["S"]["id"]), ("allowed", "editor"))
        r = sa.delete(f"/api/v1/admin/service-clients/{cid}")
        self.assertEqual(r.status, 204, r)
        r = self.access(creds, {"account_id": w["editor"].id, "product_id": w["S"]["id"]})
        self.assertProblem(r, 401)
        r = self.access(creds, {"account_id": w["editor"].id, "product_id": w["S"]["id"]},
                        path=EXPLAIN)
        self.assertProblem(r, 401)
        self.assertProblem(sa.delete(f"/api/v1/admin/service-clients/{cid}"), 404)
        r = sa.get("/api/v1/admin/service-clients")
        self.assertIs({c["client_id"]: c for c in r.json["items"]}[cid]["revoked"], True)

    def test_service_client_secret_rotation(self):
        """POST /admin/service-clients/{id}/secret: a new secret once; the old one stops."""
        w = self.world()
        sa = w["super"]
        r = sa.post("/api/v1/admin/service-clients", {"product_type": "submit", "name": "Rotating"})
        self.assertEqual(r.status, 201, r)
        cid, old = r.json["client_id"], r.json["client_secret"]
        self.vault.remember_secret(old)
        probe = {"account_id": w["editor"].id, "product_id": w["S"]["id"]}
        self.assertEqual(self.reason((cid, old), w["editor"].id, w["S"]["id"]), ("allowed", "editor"))
        # nobody but a Super Admin may rotate
        for who in (w["editor"], w["owner2"]):
            self.assertProblem(who.client.post(f"/api/v1/admin/service-clients/{cid}/secret"), 403,
                               "admin.required")
        r = sa.post(f"/api/v1/admin/service-clients/{cid}/secret")
        self.assertEqual(r.status, 200, r)
        new = r.json["client_secret"]
        self.vault.remember_secret(new)
        self.assertRegex(new, r"^[A-Za-z0-9_-]{43}$")
        self.assertNotEqual(new, old)
        self.assertEqual((r.json["client_id"], r.json["name"]), (cid, "Rotating"), r)
        # the old secret stops at once, the new one works
        self.assertProblem(self.access((cid, old), probe), 401, "client.invalid")
        self.assertEqual(self.reason((cid, new), w["editor"].id, w["S"]["id"]), ("allowed", "editor"))
        self.assertNotIn(new.encode(), sa.get("/api/v1/admin/service-clients").body)
        # audited, with the Super Admin as actor (their own audit lists what they did)
        events = sa.get("/api/v1/me/audit?action=admin.service_client_secret_rotated&target="
                        + cid).json["items"]
        me = sa.get("/api/v1/me").json["id"]
        self.assertEqual([(e["target"]["id"], e["actor"]["id"]) for e in events], [(cid, me)])
        # a public client has no secret; unknown and revoked clients are not found
        r = sa.post("/api/v1/admin/service-clients",
                    {"product_type": "submit", "name": "Web", "public": True,
                     "redirect_uris": ["https://app.example/cb"]})
        self.assertEqual(r.status, 201, r)
        self.assertProblem(sa.post(f"/api/v1/admin/service-clients/{r.json['client_id']}/secret"),
                           409, "service_client.public")
        self.assertProblem(sa.post("/api/v1/admin/service-clients/svc_nosuch/secret"), 404,
                           "service_client.not_found")
        self.assertEqual(sa.delete(f"/api/v1/admin/service-clients/{cid}").status, 204)
        self.assertProblem(sa.post(f"/api/v1/admin/service-clients/{cid}/secret"), 404,
                           "service_client.not_found")

    def test_service_client_secret_rotation_with_grace(self):
        """grace_seconds keeps the replaced secret working until the grace ends, so a product
        switches without downtime; a second rotation ends the first grace; bad values → 400."""
        w = self.world()
        sa = w["super"]
        r = sa.post("/api/v1/admin/service-clients", {"product_type": "submit", "name": "Graceful"})
        self.assertEqual(r.status, 201, r)
        cid, first = r.json["client_id"], r.json["client_secret"]
        self.vault.remember_secret(first)
        ok = ("allowed", "editor")
        who, prod = w["editor"].id, w["S"]["id"]
        probe = {"account_id": who, "product_id": prod}
        # bad grace values are named, and nothing changes
        for bad, code in ((-1, "validation.range"), (2592001, "validation.range"),
                          ("600", "validation.type"), (1.5, "validation.type")):
            with self.subTest(grace=bad):
                self.assertProblem(sa.post(f"/api/v1/admin/service-clients/{cid}/secret",
                                           {"grace_seconds": bad}), 400, code, field="grace_seconds")
        self.assertEqual(self.reason((cid, first), who, prod), ok)
        r = sa.post(f"/api/v1/admin/service-clients/{cid}/secret", {"grace_seconds": 600})
        self.assertEqual(r.status, 200, r)
        second = r.json["client_secret"]
        self.vault.remember_secret(second)
        self.assertIn("previous_secret_expires_at", r.json)
        # both work during the grace
        self.assertEqual(self.reason((cid, first), who, prod), ok)
        self.assertEqual(self.reason((cid, second), who, prod), ok)
        listed = {c["client_id"]: c for c in sa.get("/api/v1/admin/service-clients").json["items"]}
        self.assertEqual(listed[cid]["previous_secret_expires_at"], r.json["previous_secret_expires_at"])
        # a second rotation with grace: the first secret stops at once (at most two work)
        r = sa.post(f"/api/v1/admin/service-clients/{cid}/secret", {"grace_seconds": 600})
        self.assertEqual(r.status, 200, r)
        third = r.json["client_secret"]
        self.vault.remember_secret(third)
        self.assertProblem(self.access((cid, first), probe), 401, "client.invalid")
        self.assertEqual(self.reason((cid, second), who, prod), ok)
        self.assertEqual(self.reason((cid, third), who, prod), ok)
        events = sa.get("/api/v1/admin/audit?action=admin.service_client_secret_rotated&target="
                        + cid).json["items"]
        self.assertEqual([e["summary"] for e in events], [{"grace_seconds": "600"}] * 2, events)
        try:
            # the grace ends by the clock: the previous secret stops, the current one works
            self.vault.set_clock_offset(601)
            self.assertProblem(self.access((cid, second), probe), 401, "client.invalid")
            self.assertEqual(self.reason((cid, third), who, prod), ok)
        finally:
            self.vault.set_clock_offset(0)
        # a rotation without grace ends any grace at once
        r = sa.post(f"/api/v1/admin/service-clients/{cid}/secret", {"grace_seconds": 600})
        fourth = r.json["client_secret"]
        self.vault.remember_secret(fourth)
        self.assertEqual(self.reason((cid, third), who, prod), ok)
        r = sa.post(f"/api/v1/admin/service-clients/{cid}/secret", {})
        self.assertEqual(r.status, 200, r)
        self.vault.remember_secret(r.json["client_secret"])
        self.assertNotIn("previous_secret_expires_at", r.json)
        self.assertProblem(self.access((cid, third), probe), 401, "client.invalid")
        self.assertProblem(self.access((cid, fourth), probe), 401, "client.invalid")
        self.assertEqual(self.reason((cid, r.json["client_secret"]), who, prod), ok)

    def test_a_kept_alive_connection_authenticates_again_after_any_client_change(self):
        """A connection that authenticated a client remembers it for its next requests with the
        same header (ADR 0017), so this runs on one kept-alive connection: wrong credentials,
        a rotation (at once and at the end of a grace) and a revocation must all be refused
        on it exactly as on a new connection."""
        w = self.world()
        sa = w["super"]
        cid, first = self.service_client(sa, "submit", "Kept alive")
        body = json.dumps({"account_id": w["editor"].id, "product_id": w["S"]["id"]})
        conn = http.client.HTTPConnection("127.0.0.1", self.vault.server.port, timeout=30)
        local = []

        def ask(secret):
            conn.request("POST", CHECK, body=body,
                         headers={"Authorization": basic(cid, secret),
                                  "Content-Type": "application/json"})
            resp = conn.getresponse()
            payload = json.loads(resp.read() or b"{}")
            local.append(conn.sock.getsockname())
            return resp.status, payload.get("reason") or payload.get("code")

        try:
            self.assertEqual(ask(first), (200, "allowed"))
            self.assertEqual(ask(first), (200, "allowed"))
            self.assertEqual(ask("x" * 43), (401, "client.invalid"))
            self.assertEqual(ask(first), (200, "allowed"))
            # rotated without grace on another connection: refused here from the next request
            r = sa.post(f"/api/v1/admin/service-clients/{cid}/secret")
            self.assertEqual(r.status, 200, r)
            second = r.json["client_secret"]
            self.vault.remember_secret(second)
            self.assertEqual(ask(first), (401, "client.invalid"))
            self.assertEqual(ask(second), (200, "allowed"))
            # rotated with a grace: the previous secret works here until the grace ends
            r = sa.post(f"/api/v1/admin/service-clients/{cid}/secret", {"grace_seconds": 600})
            self.assertEqual(r.status, 200, r)
            third = r.json["client_secret"]
            self.vault.remember_secret(third)
            self.assertEqual(ask(second), (200, "allowed"))
            self.assertEqual(ask(second), (200, "allowed"))
            try:
                self.vault.set_clock_offset(601)
                self.assertEqual(ask(second), (401, "client.invalid"))
                self.assertEqual(ask(third), (200, "allowed"))
            finally:
                self.vault.set_clock_offset(0)
            # revoked: refused on this connection too
            self.assertEqual(sa.delete(f"/api/v1/admin/service-clients/{cid}").status, 204)
            self.assertEqual(ask(third), (401, "client.invalid"))
        finally:
            conn.close()
        self.assertEqual(len(set(local)), 1, "every request used the same connection")

    def test_every_reason_code_single(self):
        creds = self.world()["creds"]
        seen = set()
        for label, account, product, perm, reason, role in self.cases():
            with self.subTest(label):
                d = self.check(creds, account, product, perm)
                self.assertEqual((d["reason"], d["role"]), (reason, role), d)
                self.assertIs(d["allowed"], reason == "allowed", d)
                self.assertEqual((d["account_id"], d["product_id"], d["permission"]),
                                 (account, product, perm), d)
                seen.add(d["reason"])
        self.assertEqual(seen, REASONS)

    def test_batch_matches_single(self):
        creds = self.world()["creds"]
        cases = self.cases()
        checks = []
        for _, account, product, perm, _, _ in cases:
            item = {"account_id": account, "product_id": product}
            if perm:
                item["permission"] = perm
            checks.append(item)
        r = self.access(creds, {"checks": checks})
        self.assertEqual(r.status, 200, r)
        results = r.json["results"]
        self.assertEqual(len(results), len(cases), r)
        for (label, account, product, perm, reason, role), got in zip(cases, results):
            with self.subTest(label):
                self.assertEqual((got["account_id"], got["product_id"]), (account, product))
                self.assertEqual((got["reason"], got["role"], got["allowed"]),
                                 (reason, role, reason == "allowed"), got)
        # 1000 checks are fine
        r = self.access(creds, {"checks": [checks[0]] * 1000})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json["results"]), 1000)

    def test_explain_chain(self):
        w = self.world()
        creds = w["creds"]
        S = w["S"]["id"]
        r = self.access(creds, {"account_id": w["grouped"].id, "product_id": S,
                                "permission": "files:write"}, path=EXPLAIN)
        self.assertEqual(r.status, 200, r)
        e = r.json
        self.assertEqual((e["allowed"], e["reason"], e["role"]), (True, "allowed", "editor"), e)
        chain = e["chain"]
        self.assertEqual(chain["account"], {"exists": True, "disabled": False,
                                            "mfa_enabled": False}, chain)
        self.assertEqual(chain["membership"], {"role": "member"}, chain)
        self.assertEqual(chain["workspace"]["id"], w["A"], chain)
        grants = sorted((g["via"], g["group_id"], g["role"]) for g in chain["grants"])
        self.assertEqual(grants, [("direct", None, "viewer"), ("group", w["G"], "editor")], chain)
        self.assertEqual(chain["effective_role"], "editor", chain)
        self.assertEqual(sorted(chain["role_permissions"]),
                         sorted(SEED_ROLES["submit"]["editor"]), chain)
        self.assertEqual(chain["product"], {"exists": True, "disabled": False}, chain)
        self.assertEqual(chain["subscription"]["plan"], "enterprise", chain)
        self.assertEqual(chain["subscription"]["status"], "active", chain)
        # a denial explains itself too
        r = self.access(creds, {"account_id": w["outsider"].id, "product_id": S}, path=EXPLAIN)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["reason"], "not_member", r)
        self.assertIsNone(r.json["chain"]["membership"], r)
        r = self.access(creds, {"account_id": w["inactive"].id, "product_id": w["OFF"]["id"]},
                        path=EXPLAIN)
        self.assertEqual((r.json["reason"], r.json["chain"]["product"]["disabled"]),
                         ("product_inactive", True), r)
        # another product type's product: nothing about it leaks to this client
        M = w["M"]["id"]
        r = self.access(creds, {"account_id": w["editor"].id, "product_id": M}, path=EXPLAIN)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["reason"], "product_not_found", r)
        self.assertFalse(r.json["chain"]["product"]["exists"], r)
        self.assertEqual(r.json["chain"]["grants"], [], r)
        self.assertNotIn(w["A"].encode(), r.body)
        self.assertNotIn(b"admin", r.body)
        # …nor about the account: a real account (disabled, or with 2FA) answers exactly as a
        # made-up one, for another type's product and for a made-up product alike
        nobody = "acc_" + secrets.token_hex(10)
        made_up = "prd_" + secrets.token_hex(10)

        def answer(account, product):
            r = self.access(creds, {"account_id": account, "product_id": product}, path=EXPLAIN)
            self.assertEqual(r.status, 200, r)
            return {k: v for k, v in r.json.items() if k != "account_id"}

        for product in (M, made_up):
            reference = answer(nobody, product)
            self.assertEqual(reference["reason"], "product_not_found", reference)
            self.assertEqual(reference["chain"]["account"],
                             {"exists": False, "disabled": False, "mfa_enabled": False})
            for label in ("editor", "disabled", "owner2"):
                with self.subTest(product=product, account=label):
                    self.assertEqual(answer(w[label].id, product), reference)
        # explain takes one question, not a batch
        r = self.access(creds, {"checks": [{"account_id": w["editor"].id, "product_id": S}]},
                        path=EXPLAIN)
        self.assertProblem(r, 400, field="account_id")

    def test_credentials_refused(self):
        w = self.world()
        cid, secret = w["creds"]
        body = {"account_id": w["editor"].id, "product_id": w["S"]["id"]}
        wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
        session = self.sign_in(w["editor"].email, w["editor"].password, mode="bearer")
        headers = {
            "no Authorization": "",
            "wrong secret": basic(cid, wrong),
            "short secret": basic(cid, "nope"),
            "unknown client": basic("svc_" + secrets.token_hex(8), secret),
            "empty client id": basic("", secret),
            "secret only": basic(secret, ""),
            "not base64": "Basic !!!***",
            "Bearer session token": f"Bearer {session.token}",
            "Bearer client secret": f"Bearer {secret}",
        }
        for path in (CHECK, EXPLAIN):
            for label, header in headers.items():
                with self.subTest(path=path, creds=label):
                    c = self.client(mode="none")
                    r = c.post(path, body, headers={"Authorization": header} if header else {})
                    self.assertProblem(r, 401)
                    self.assertNotIn("reason", r.json)
            with self.subTest(path=path, creds="session cookie"):
                editor = w["editor"].client
                r = editor.request("POST", path, json_body=body, csrf=True)
                self.assertProblem(r, 401)
        # the right ones still work
        self.assertEqual(self.reason((cid, secret), w["editor"].id, w["S"]["id"]),
                         ("allowed", "editor"))

    def test_unknown_client_ids_are_answered_from_memory(self):
        """Every service client is held in memory (issue 12, the class of L7): an id that was
        never issued is refused without a database read, exactly like a known id with a wrong
        secret, so response times tell nothing about which ids exist."""
        w = self.world()
        cid, secret = w["creds"]
        body = {"account_id": w["editor"].id, "product_id": w["S"]["id"]}
        wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
        self.assertEqual(self.access((cid, secret), body).status, 200)

        def reads():
            return metric(self.client(mode="none").get("/metrics").body.decode(),
                          "vault_service_client_db_reads_total")
        self.assertIsNotNone(reads(), "the metric is exported")
        before = settled_counter(reads, lambda: self.access((cid, secret), body))
        for _ in range(30):
            self.assertProblem(self.access(("svc_" + secrets.token_hex(10), secret), body), 401)
            self.assertProblem(self.access((cid, wrong), body), 401)
            self.assertEqual(self.access((cid, secret), body).status, 200)
        self.assertEqual(reads(), before, "never-issued or known client ids read the database")
        # a client issued now works at once on this node, and is refused at once when revoked
        new_id, new_secret = self.service_client(w["super"], "submit", "Fresh back end")
        self.assertEqual(self.access((new_id, new_secret), body).status, 200)
        r = w["super"].delete(f"/api/v1/admin/service-clients/{new_id}")
        self.assertEqual(r.status, 204, r)
        self.assertProblem(self.access((new_id, new_secret), body), 401)

    def test_bad_input(self):
        w = self.world()
        creds = w["creds"]
        S = w["S"]["id"]
        r = self.access(creds, None, raw=b'{"account_id": "acc_x", ')
        self.assertProblem(r, 400, "validation.malformed_json")
        r = self.access(creds, None, raw=b'[1, 2]')
        self.assertProblem(r, 400)
        r = self.access(creds, {"product_id": S})
        self.assertProblem(r, 400, field="account_id")
        r = self.access(creds, {"account_id": w["editor"].id})
        self.assertProblem(r, 400, field="product_id")
        r = self.access(creds, {"account_id": 42, "product_id": S})
        self.assertProblem(r, 400, field="account_id")
        r = self.access(creds, {"account_id": w["editor"].id, "product_id": S, "permission": 7})
        self.assertProblem(r, 400, field="permission")
        r = self.access(creds, {"account_id": "a" * 5000, "product_id": S})
        self.assertProblem(r, 400, field="account_id")
        one = {"account_id": w["editor"].id, "product_id": S}
        r = self.access(creds, {"checks": [one] * 1001})
        self.assertProblem(r, 400, field="checks")
        r = self.access(creds, {"checks": "all"})
        self.assertProblem(r, 400, field="checks")
        r = self.access(creds, {"checks": [one, {"product_id": S}]})
        self.assertProblem(r, 400)
        self.assertIn("account_id", r.json.get("field") or "", r)
        self.assertTrue((r.json.get("field") or "").startswith("checks[1]"), r)
        r = self.access(creds, {"checks": [one, 5]})
        self.assertProblem(r, 400)
        self.assertTrue((r.json.get("field") or "").startswith("checks"), r)
        r = self.access(creds, None, raw=b'{"account_id": "x", "product_id": "y"}', path=EXPLAIN)
        self.assertEqual(r.status, 200, r)     # well-formed: an answer, not an error
        self.assertEqual(r.json["reason"], "product_not_found", r)  # the product is decided first
        r = self.access(creds, None, raw=b'nope', path=EXPLAIN)
        self.assertProblem(r, 400, "validation.malformed_json")
        self.healthy()

    def test_changes_show_on_the_next_check(self):
        w = self.world()
        creds, sa, owner = w["creds"], w["super"], w["owner"].client
        A = w["A"]
        x = self.member_account(owner, A, "member", prefix="flip")
        S = w["S"]["id"]
        self.grant(owner, A, S, x.id, "viewer")
        self.assertEqual(self.reason(creds, x.id, S), ("allowed", "viewer"))
        r = sa.patch(f"/api/v1/admin/accounts/{x.id}", {"disabled": True})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.reason(creds, x.id, S), ("account_disabled", None))
        r = sa.patch(f"/api/v1/admin/accounts/{x.id}", {"disabled": False})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.reason(creds, x.id, S), ("allowed", "viewer"))
        # a member of a 2FA workspace who turns TOTP off is refused on the next check
        owner2, B, T = w["owner2"], w["B"], w["T"]["id"]
        z = self.create_account(prefix="z2fa")
        totp_secret = self.enable_totp(z)
        self.join(owner2.client, B, z, "member")
        self.grant(owner2.client, B, T, z.id, "viewer")
        self.assertEqual(self.reason(creds, z.id, T), ("allowed", "viewer"))
        r = z.client.delete("/api/v1/me/mfa/totp", json_body={
            "password": z.password, "code": totp_code(totp_secret, time.time() + 30)})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(self.reason(creds, z.id, T), ("workspace_requires_2fa", None))
        # workspace deleted → its products are gone
        c = self.create_account(prefix="shortlived")
        ws = self.create_workspace(c.client, name="Short lived")
        p = self.create_product(c.client, ws["id"], "submit", plan="enterprise")
        self.grant(c.client, ws["id"], p["id"], c.id, "admin")
        self.assertEqual(self.reason(creds, c.id, p["id"]), ("allowed", "admin"))
        r = c.client.request("DELETE", f"/api/v1/workspaces/{ws['id']}",
                             json_body={"confirm": ws["shortname"]})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(self.reason(creds, c.id, p["id"]), ("product_not_found", None))

    def test_changes_from_other_processes(self):
        """SPEC §10: `admin disable-account` works on a running server, and several serve
        processes share one database with caches invalidated across nodes. A change made
        elsewhere must reach this node's access checks within a second."""
        w = self.world()
        creds, owner, A, S = w["creds"], w["owner"].client, w["A"], w["S"]["id"]
        x = self.member_account(owner, A, "member", prefix="cli")
        self.grant(owner, A, S, x.id, "viewer")
        self.assertEqual(self.reason(creds, x.id, S), ("allowed", "viewer"))   # cache warm
        done = self.vault.cli("admin", "disable-account", x.email)
        self.assertEqual(done.returncode, 0, done.stderr + done.stdout)
        with self.subTest("CLI disable-account reaches the running server's checks"):
            self.assert_soon(creds, x.id, S, ("account_disabled", None))
        if self.vault.backend != "postgres":
            return   # cross-node invalidation is specified for PostgreSQL (LISTEN/NOTIFY)
        second = self.vault.add_server()
        y = self.member_account(owner, A, "member", prefix="node")
        self.grant(owner, A, S, y.id, "editor")
        self.assertEqual(self.reason(creds, y.id, S, server=second), ("allowed", "editor"))
        self.ungrant(owner, A, S, y.id)                       # on the first node
        self.assertEqual(self.reason(creds, y.id, S), ("no_grant", None))
        with self.subTest("a grant removed on node 1 reaches node 2"):
            self.assert_soon(creds, y.id, S, ("no_grant", None), server=second)
        # a service client revoked on node 1 stops working on node 2
        cid, secret = self.service_client(w["super"], "submit", "Two nodes")
        # node 2 holds every client in memory: it learns of the new one through the change
        # feed, within a second
        wait_until(lambda: self.access((cid, secret), {"account_id": y.id, "product_id": S},
                                       server=second).status == 200,
                   2, "node 2 to accept the new client")
        r = w["super"].delete(f"/api/v1/admin/service-clients/{cid}")
        self.assertEqual(r.status, 204, r)
        with self.subTest("a service client revoked on node 1 is refused by node 2"):
            def refused():
                r = self.access((cid, secret), {"account_id": y.id, "product_id": S},
                                server=second)
                return r.status == 401
            wait_until(refused, 2, "node 2 to refuse the revoked client")

    def assert_soon(self, creds, account, product, want, server=None, timeout=2):
        got = []

        def matches():
            got.append(self.reason(creds, account, product, server=server))
            return got[-1] == want
        try:
            wait_until(matches, timeout, f"{want}", interval=0.1)
        except AssertionError:
            self.fail(f"after {timeout}s the check still says {got[-1]}, expected {want}")

    # ---------------------------------------------------------------- Chargebee
    def webhook(self, event, user=CB_USER, password=CB_PASSWORD, server=None):
        headers = {"Authorization": basic(user, password)} if user is not None else {}
        return self.client(mode="none", server=server).post(WEBHOOK, event, headers=headers)

    @staticmethod
    def event(sub_id, status, occurred_at, product_id=None, plan_id="standard-USD-monthly",
              term_end=None, event_id=None):
        sub = {"id": sub_id, "status": status, "plan_id": plan_id,
               "current_term_end": term_end or int(time.time()) + 30 * 86400}
        if product_id:
            sub["cf_vault_product_id"] = product_id
        return {"id": event_id or "ev_" + secrets.token_hex(8),
                "event_type": "subscription_changed", "occurred_at": occurred_at,
                "content": {"subscription": sub}}

    def test_chargebee_webhook(self):
        w = self.world()
        A, owner, creds = w["A"], w["owner"].client, w["creds"]
        p = self.create_product(owner, A, "submit", name="Paid by Chargebee")  # local trial
        pid = p["id"]
        self.grant(owner, A, pid, w["viewer"].id, "viewer")
        sub_path = f"/api/v1/workspaces/{A}/products/{pid}/subscription"
        self.assertEqual(self.reason(creds, w["viewer"].id, pid), ("allowed", "viewer"))
        now = int(time.time())
        sub_id = "cb_sub_" + secrets.token_hex(6)
        term_end = now + 30 * 86400

        first = self.event(sub_id, "active", now, pid, term_end=term_end)
        r = self.webhook(first)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["outcome"], "applied", r)
        s = owner.get(sub_path).json
        self.assertEqual((s["plan"], s["status"], s["provider"]),
                         ("standard", "active", "chargebee"), s)
        self.assertAlmostEqual(parse_time(s["period_end"]), term_end, delta=1)
        self.assertEqual(self.products_by_id(owner, A)[pid]["subscription"]["plan"], "standard")
        # the same event again
        r = self.webhook(first)
        self.assertEqual((r.status, r.json["outcome"]), (200, "duplicate"), r)
        # a newer event (linked by the subscription id alone now)
        r = self.webhook(self.event(sub_id, "non_renewing", now + 10))
        self.assertEqual((r.status, r.json["outcome"]), (200, "applied"), r)
        self.assertEqual(owner.get(sub_path).json["status"], "non_renewing")
        self.assertEqual(self.reason(creds, w["viewer"].id, pid), ("allowed", "viewer"))
        # an older one, delivered late: changes nothing
        r = self.webhook(self.event(sub_id, "cancelled", now + 5, pid))
        self.assertEqual((r.status, r.json["outcome"]), (200, "stale"), r)
        self.assertEqual(owner.get(sub_path).json["status"], "non_renewing")
        self.assertEqual(self.reason(creds, w["viewer"].id, pid), ("allowed", "viewer"))
        # cancelled → inactive, at once
        r = self.webhook(self.event(sub_id, "cancelled", now + 20, pid))
        self.assertEqual((r.status, r.json["outcome"]), (200, "applied"), r)
        self.assertEqual(owner.get(sub_path).json["status"], "cancelled")
        self.assertEqual(self.reason(creds, w["viewer"].id, pid, "submissions:read"),
                         ("product_inactive", "viewer"))
        self.assertEqual(self.products_by_id(owner, A)[pid]["status"], "inactive")
        # the plan is Chargebee's now: a local plan change is refused
        r = owner.request("PUT", sub_path, json_body={"plan": "enterprise"})
        self.assertProblem(r, 409)
        # reactivated, with a plan named by its item price
        ev = self.event(sub_id, "active", now + 30, plan_id=None)
        ev["content"]["subscription"].pop("plan_id")
        ev["content"]["subscription"]["subscription_items"] = [
            {"item_price_id": "enterprise-EUR-yearly"}]
        r = self.webhook(ev)
        self.assertEqual((r.status, r.json["outcome"]), (200, "applied"), r)
        s = owner.get(sub_path).json
        self.assertEqual((s["plan"], s["status"]), ("enterprise", "active"), s)
        self.assertEqual(self.reason(creds, w["viewer"].id, pid), ("allowed", "viewer"))
        # an event for nothing we know
        r = self.webhook(self.event("cb_sub_unknown", "active", now))
        self.assertEqual((r.status, r.json["outcome"]), (200, "unmatched"), r)

        # credentials
        bad = self.event(sub_id, "cancelled", now + 40, pid)
        for label, user, password in (("wrong password", CB_USER, "wrong"),
                                      ("wrong user", "someone", CB_PASSWORD),
                                      ("none", None, None)):
            with self.subTest(creds=label):
                self.assertProblem(self.webhook(bad, user, password), 401)
        r = self.client(mode="none").post(WEBHOOK, bad, headers={
            "Authorization": f"Bearer {CB_PASSWORD}"})
        self.assertProblem(r, 401)
        self.assertEqual(owner.get(sub_path).json["status"], "active")
        # bad input with good credentials
        r = self.client(mode="none").raw("POST", WEBHOOK, b"{not json",
                                         headers={"Authorization": basic(CB_USER, CB_PASSWORD)})
        self.assertProblem(r, 400)
        r = self.webhook({"id": "ev_x", "occurred_at": now + 50, "content": {}})
        self.assertProblem(r, 400, field="content.subscription")
        self.assertEqual(owner.get(sub_path).json["status"], "active")

    def linked_to(self, product_id):
        rows = self.vault.db.sql(f"SELECT provider, external_id, status FROM subscriptions "
                                 f"WHERE product_id = '{product_id}';")
        return tuple(rows[0])

    def test_chargebee_never_relinks_a_linked_product(self):
        w = self.world()
        A, owner, B, owner2 = w["A"], w["owner"].client, w["B"], w["owner2"].client
        mine = self.create_product(owner, A, "submit", name="Linked once")["id"]
        theirs = self.create_product(owner2, B, "submit", name="Other workspace")["id"]
        now = int(time.time())
        sub_a, sub_b = "cb_sub_" + secrets.token_hex(6), "cb_sub_" + secrets.token_hex(6)
        for sub, pid in ((sub_a, mine), (sub_b, theirs)):
            r = self.webhook(self.event(sub, "active", now, pid))
            self.assertEqual((r.status, r.json["outcome"]), (200, "applied"), r)
            self.assertEqual(self.linked_to(pid), ("chargebee", sub, "active"))
        # a new subscription naming an already linked product, in this workspace or another
        for pid in (mine, theirs):
            for status in ("cancelled", "active"):
                with self.subTest(product=pid, status=status):
                    intruder = "cb_sub_" + secrets.token_hex(6)
                    r = self.webhook(self.event(intruder, status, now + 5, pid))
                    self.assertEqual((r.status, r.json["outcome"]), (200, "conflict"), r)
        self.assertEqual(self.linked_to(mine), ("chargebee", sub_a, "active"))
        self.assertEqual(self.linked_to(theirs), ("chargebee", sub_b, "active"))
        refused = [e for e in self.ws_audit(owner2, B, "subscription.link_refused")
                   if e["target"]["id"] == theirs]
        self.assertEqual(len(refused), 2, refused)
        # a linked subscription naming another product updates its own product only
        r = self.webhook(self.event(sub_a, "non_renewing", now + 10, theirs))
        self.assertEqual((r.status, r.json["outcome"]), (200, "applied"), r)
        self.assertEqual(self.linked_to(mine), ("chargebee", sub_a, "non_renewing"))
        self.assertEqual(self.linked_to(theirs), ("chargebee", sub_b, "active"))
        self.assertEqual(self.reason(w["creds"], w["owner2"].id, theirs)[0], "no_grant")

    def test_chargebee_times_are_bounded(self):
        w = self.world()
        A, owner = w["A"], w["owner"].client
        pid = self.create_product(owner, A, "submit", name="Bounded times")["id"]
        now = int(time.time())
        sub = "cb_sub_" + secrets.token_hex(6)
        bad_occurred = (10 ** 18, now + 2 * 86400, 946684799, 1)
        for occurred in bad_occurred:
            with self.subTest(occurred_at=occurred):
                r = self.webhook(self.event(sub, "cancelled", occurred, pid))
                self.assertProblem(r, 400, field="occurred_at")
        for term_end in (10 ** 18, now + 101 * 366 * 86400, 946684799):
            with self.subTest(current_term_end=term_end):
                r = self.webhook(self.event(sub, "cancelled", now, pid, term_end=term_end))
                self.assertProblem(r, 400, field="content.subscription.current_term_end")
        self.assertEqual(self.linked_to(pid)[0], "local")
        # within the bounds (an hour of clock skew) it applies, and a later event still does
        r = self.webhook(self.event(sub, "active", now + 3600, pid, term_end=now + 50 * 366 * 86400))
        self.assertEqual((r.status, r.json["outcome"]), (200, "applied"), r)
        r = self.webhook(self.event(sub, "cancelled", now + 3700, pid))
        self.assertEqual((r.status, r.json["outcome"]), (200, "applied"), r)
        self.assertEqual(self.linked_to(pid), ("chargebee", sub, "cancelled"))

    def test_chargebee_not_configured(self):
        self.world()
        other = self.vault.add_server({"VAULT_CHARGEBEE_WEBHOOK_USER": "",
                                       "VAULT_CHARGEBEE_WEBHOOK_PASSWORD": ""})
        ev = self.event("cb_sub_x", "active", int(time.time()))
        for user, password in ((CB_USER, CB_PASSWORD), (None, None), ("", "")):
            r = self.webhook(ev, user, password, server=other)
            self.assertProblem(r, 404)
        # the configured server still answers
        r = self.webhook(self.event("cb_sub_y", "active", int(time.time())))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(json.loads(r.body)["outcome"], "unmatched")


if __name__ == "__main__":
    main()
