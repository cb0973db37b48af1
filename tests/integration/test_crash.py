#!/usr/bin/python3
"""Crash safety (issue 17): a steady mix of writes from a few client threads while the server is
killed with SIGKILL at random moments, 20 times, on either backend. The moments and the writes
come from a seeded RNG (VAULT_CRASH_SEED, default 17; printed on failure), so a failing run can
be replayed. After each restart:

  * every write that got a 2xx before the kill is there, read back through the API: sign-up
    requests (their verification mail is delivered in the end, from the outbox), completed
    sign-ups (the password signs in), workspaces (with their Owner), invitations, product-role
    grants and subscription plans (each the last acknowledged value, or a later unanswered one),
    API keys (they verify) and revocations (the key is refused);
  * nothing is half-written: checked in the database itself — no workspace without an Owner
    membership, no key, invitation or sign-up without its audit event, no revoked key without
    its revocation event;
  * the audit chain verifies (`atomyx-vault audit verify`);
  * a second node on the same database that is never killed refuses every key whose
    revocation was acknowledged, within the change-feed interval.

A write whose answer was lost with the connection may or may not be there; both are fine."""

import http.client
import os
import random
import secrets
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main, unique_email, wait_until  # noqa: E402
from key_helpers import VERIFY, secret_part  # noqa: E402
from product_helpers import ProductFlows, basic  # noqa: E402
from ws_helpers import WorkspaceFlows, unique_shortname  # noqa: E402

SEED = int(os.environ.get("VAULT_CRASH_SEED", "17"))
CYCLES = 20
THREADS = 4
MEMBERS_PER_THREAD = 2
SIGNUP_POOL = 40          # verification tokens fetched up front, completed during the chaos
ROLES = ("viewer", "editor", "admin")
PLANS = ("standard", "enterprise")
UNKNOWN = "unknown"       # the connection died before an answer


class Ledger:
    """What the clients were told, per write. Thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self.signups = []          # (email, outcome) of POST /signup
        self.accounts = []         # (email, password) of acknowledged sign-up completions
        self.workspaces = []       # ids of acknowledged workspace creations
        self.invitations = []      # ids of acknowledged invitations
        self.keys = {}             # key id -> {"key": text, "revoke": None | 204 | UNKNOWN}
        self.registers = {}        # ("grant", member) / ("plan", product) -> [(value, outcome)]
        self.cut = 0               # writes in flight when the server died (answer lost)

    def add(self, name, item):
        with self.lock:
            getattr(self, name).append(item)

    def count_cut(self, error):
        if not isinstance(error, ConnectionRefusedError):   # refused: sent after the kill
            with self.lock:
                self.cut += 1

    def write(self, register, value, outcome):
        with self.lock:
            self.registers.setdefault(register, []).append((value, outcome))


def allowed_values(history):
    """The values a register may hold after the crash: the last acknowledged one, or any value
    written after it whose answer was lost (None if nothing was ever acknowledged)."""
    allowed = {None}
    for value, outcome in history:
        if outcome == UNKNOWN:
            allowed.add(value)
        elif 200 <= outcome < 300:
            allowed = {value}
    return allowed


class CrashTest(ProductFlows, WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    # A killed node's claims on outbox rows lapse after 2 s (default 5 min), so the restarted
    # node sends what the dead one had claimed but not sent within the test.
    EXTRA_ENV = {"VAULT_MAIL_CLAIM_SECONDS": "2"}

    # ------------------------------------------------------------------ setup
    def setUp(self):
        self.ledger = Ledger()
        _, _, _, sa = self.make_super_admin()
        self.creds = self.service_client(sa, "submit", "Crash back end")
        self.owner = self.create_account(name="Olga Owner", prefix="crash-owner")
        oc = self.owner.client
        self.ws = self.create_workspace(oc, name="Crash Ltd")["id"]
        self.keyed = self.create_product(oc, self.ws, "submit", plan="enterprise",
                                         name="Keys")["id"]
        self.plans = [self.create_product(oc, self.ws, "manage", plan="standard",
                                          name=f"Plan {t}")["id"] for t in range(THREADS)]
        members = self.many_accounts(THREADS * MEMBERS_PER_THREAD, prefix="crash-member")
        for m in members:
            self.join(oc, self.ws, m)
        self.members = [[m.id for m in members[t::THREADS]] for t in range(THREADS)]
        self.signup_tokens = self.fetch_signup_tokens(SIGNUP_POOL)
        self.second = self.vault.add_server()   # a node that lives through every crash

    def fetch_signup_tokens(self, n):
        emails = [unique_email("crash-signup") for _ in range(n)]
        anon = self.client(mode="none")
        for e in emails:
            r = anon.post("/api/v1/signup", {"name": "Crash Person", "email": e})
            self.assertEqual(r.status, 202, r)
        return [(e, self.vault.token_from(self.sink.wait_for_mail(e, "Verify your email",
                                                                  timeout=60)))
                for e in emails]

    # ------------------------------------------------------------------ writes
    def client_of_owner(self):
        c = self.client(mode="cookie", auto_csrf=True)
        c.cookies = dict(self.owner.client.cookies)
        c.csrf_token = self.owner.client.csrf_token
        c.retry_budget = 0   # a 503 during the crash is an answer like any other
        return c

    def one_write(self, rng, t, c, own_keys):
        """One random write; returns nothing, records the outcome in the ledger."""
        led = self.ledger
        kind = rng.choice(("signup", "complete", "workspace", "invite", "grant", "grant",
                           "key", "key", "revoke", "revoke", "plan"))
        ws = self.ws

        def send(method, path, body=None):
            try:
                r = c.request(method, path, json_body=body)
            except (OSError, http.client.HTTPException) as e:   # the server died
                led.count_cut(e)
                return UNKNOWN, None
            return r.status, r.json

        if kind == "signup":
            email = unique_email("crash-late")
            status, _ = send("POST", "/api/v1/signup", {"name": "Late Person", "email": email})
            led.add("signups", (email, status))
        elif kind == "complete":
            with led.lock:
                if not self.signup_tokens:
                    return
                email, token = self.signup_tokens.pop()
            password = self.vault.new_password()
            anon = self.client(mode="none")
            anon.retry_budget = 0
            try:
                r = anon.post("/api/v1/signup/complete", {"token": token, "password": password})
                if r.status == 201:
                    led.add("accounts", (email, password))
            except (OSError, http.client.HTTPException) as e:
                led.count_cut(e)   # the answer was lost: the account may or may not exist
        elif kind == "workspace":
            status, body = send("POST", "/api/v1/workspaces",
                                {"name": "Crash Child", "shortname": unique_shortname("crash")})
            if status == 201:
                led.add("workspaces", body["id"])
        elif kind == "invite":
            status, body = send("POST", f"/api/v1/workspaces/{ws}/invitations",
                                {"email": unique_email("crash-invitee"), "role": "member"})
            if status == 201:
                led.add("invitations", body["id"])
        elif kind == "grant":
            member = rng.choice(self.members[t])
            role = rng.choice(ROLES)
            status, _ = send("PUT", f"/api/v1/workspaces/{ws}/products/{self.keyed}/grants",
                             {"principal": {"type": "account", "id": member}, "role": role})
            led.write(("grant", member), role, status)
        elif kind == "plan":
            plan = rng.choice(PLANS)
            product = self.plans[t]
            status, _ = send("PUT", f"/api/v1/workspaces/{ws}/products/{product}/subscription",
                             {"plan": plan})
            led.write(("plan", product), plan, status)
        elif kind == "key":
            status, body = send("POST", f"/api/v1/workspaces/{ws}/api-keys",
                                {"name": f"Crash {secrets.token_hex(3)}", "product": self.keyed,
                                 "environment": "production",
                                 "permissions": ["submissions:read"]})
            if status == 201:
                self.vault.remember_secret(body["key"])
                self.vault.remember_secret(secret_part(body["key"]))
                with led.lock:
                    led.keys[body["id"]] = {"key": body["key"], "revoke": None}
                own_keys.append(body["id"])
        elif kind == "revoke" and own_keys:
            key_id = own_keys.pop(rng.randrange(len(own_keys)))
            # The surviving node verifies it first, so it holds the key in its cache and must
            # learn of the revocation rather than read it fresh.
            self.key_verdict(led.keys[key_id]["key"], server=self.second)
            status, _ = send("DELETE", f"/api/v1/workspaces/{ws}/api-keys/{key_id}")
            with led.lock:
                led.keys[key_id]["revoke"] = status

    def chaos(self, cycle):
        """Writes from THREADS clients until the server is killed at a random moment."""
        rng = random.Random(f"{SEED}/{cycle}")
        stop = threading.Event()
        errors = []

        def worker(t):
            wrng = random.Random(f"{SEED}/{cycle}/{t}")
            c = self.client_of_owner()
            own_keys = self.own_keys[t]
            try:
                while not stop.is_set():
                    self.one_write(wrng, t, c, own_keys)
            except BaseException as e:   # a bug in the test itself: report it
                errors.append(e)
        threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
        for th in threads:
            th.start()
        time.sleep(rng.uniform(0.2, 1.5))   # when the crash comes, not an assertion
        self.vault.server.kill()
        stop.set()
        for th in threads:
            th.join(60)
        self.assertEqual(errors, [])

    # ------------------------------------------------------------------ checks
    def key_verdict(self, key, server=None):
        r = self.client(mode="none", server=server).post(
            VERIFY, {"key": key, "environment": "production"},
            headers={"Authorization": basic(*self.creds)})
        self.assertEqual(r.status, 200, r)
        return "valid" if r.json["valid"] else r.json["reason"]

    def sql_count(self, query):
        return int(self.vault.db.sql(query + ";")[0][0])

    def check_database(self, cycle):
        """Nothing half-written, read in the database itself."""
        half = {
            "workspace without an Owner":
                "SELECT COUNT(*) FROM workspaces w WHERE NOT EXISTS (SELECT 1 FROM memberships m "
                "WHERE m.workspace_id = w.id AND m.role = 'owner')",
            "key without its creation event":
                "SELECT COUNT(*) FROM api_keys k WHERE NOT EXISTS (SELECT 1 FROM audit_events e "
                "WHERE e.target_id = k.id AND e.action = 'api_key.created')",
            "revoked key without its revocation event":
                "SELECT COUNT(*) FROM api_keys k WHERE k.revoked_at <> 0 AND NOT EXISTS (SELECT 1 "
                "FROM audit_events e WHERE e.target_id = k.id AND e.action = 'api_key.revoked')",
            "invitation without its creation event":
                "SELECT COUNT(*) FROM invitations i WHERE NOT EXISTS (SELECT 1 FROM audit_events e "
                "WHERE e.target_id = i.id AND e.action = 'invitation.created')",
            "signed-up account without its creation event":
                "SELECT COUNT(*) FROM accounts a WHERE a.email LIKE 'crash-signup-%' AND NOT "
                "EXISTS (SELECT 1 FROM audit_events e WHERE e.target_id = a.id AND "
                "e.action = 'account.created')",
            "workspace without its creation event":
                "SELECT COUNT(*) FROM workspaces w WHERE NOT EXISTS (SELECT 1 FROM audit_events e "
                "WHERE e.workspace_id = w.id AND e.action = 'workspace.created')",
        }
        for what, query in half.items():
            self.assertEqual(self.sql_count(query), 0, f"cycle {cycle}: {what} (seed {SEED})")

    def check_audit_chain(self, cycle):
        done = self.vault.cli("audit", "verify")
        self.assertEqual(done.returncode, 0, f"cycle {cycle}: {done.stdout}{done.stderr}")
        self.assertIn("audit chain ok", done.stdout + done.stderr)

    def check_acknowledged(self, cycle, seen, final):
        """Every write acknowledged since the last check (the indexes in `seen`) is there."""
        led = self.ledger
        oc = self.client_of_owner()
        where = f"cycle {cycle} (seed {SEED})"
        for email, password in led.accounts[seen["accounts"]:]:
            self.sign_in(email, password)
        for ws in led.workspaces[seen["workspaces"]:]:
            r = oc.get(f"/api/v1/workspaces/{ws}")
            self.assertEqual(r.status, 200, (where, r))
            self.assertEqual(r.json.get("my_role"), "owner", (where, r))
        # Every page: past 1,000 invitations the oldest are on the next ones.
        listed, cursor = set(), None
        while True:
            page = f"&cursor={urllib.parse.quote(cursor)}" if cursor else ""
            r = oc.get(f"/api/v1/workspaces/{self.ws}/invitations?limit=1000{page}")
            self.assertEqual(r.status, 200, r)
            listed |= {i["id"] for i in r.json["items"]}
            cursor = r.json.get("next_cursor")
            if not cursor:
                break
        missing = [i for i in led.invitations if i not in listed]
        self.assertEqual(missing, [], f"{where}: acknowledged invitations lost")
        r = oc.get(f"/api/v1/workspaces/{self.ws}/products/{self.keyed}/grants?limit=1000")
        self.assertEqual(r.status, 200, r)
        roles = {g["principal"]["id"]: g["role"] for g in r.json["items"]}
        for (kind, target), history in led.registers.items():
            if kind == "grant":
                held = roles.get(target)
            else:
                r = oc.get(f"/api/v1/workspaces/{self.ws}/products/{target}/subscription")
                self.assertEqual(r.status, 200, r)
                held = r.json["plan"]
                if not any(o != UNKNOWN and 200 <= o < 300 for _, o in history):
                    continue   # still the plan it was created with, or a lost change
            self.assertIn(held, allowed_values(history), f"{where}: {kind} {target} {history}")
        # Each key is read back once per state it was left in (and all of them after the last
        # crash), on the restarted node and, once revoked, on the surviving one.
        for key_id, k in led.keys.items():
            if k.get("checked_as", "never") == k["revoke"] and not final:
                continue
            verdict = self.key_verdict(k["key"])
            if k["revoke"] == 204:
                self.assertEqual(verdict, "revoked", f"{where}: key {key_id} revoked before "
                                                     "the crash verifies after it")
            elif k["revoke"] is None:
                self.assertEqual(verdict, "valid", f"{where}: acknowledged key {key_id}")
            else:
                self.assertIn(verdict, ("valid", "revoked"), f"{where}: key {key_id}")
            if k["revoke"] == 204:
                wait_until(lambda k=k: self.key_verdict(k["key"], server=self.second) == "revoked",
                           10, f"{where}: the surviving node to refuse revoked key {key_id}")
            k["checked_as"] = k["revoke"]
        seen["accounts"] = len(led.accounts)
        seen["workspaces"] = len(led.workspaces)

    def check_signup_mails(self):
        """Each acknowledged sign-up request's mail is delivered, even across the crashes."""
        wanted = {e.lower() for e, status in self.ledger.signups if status == 202}

        missing = set(wanted)

        def delivered():
            for _, msg in self.sink.messages():
                missing.difference_update(self.sink.recipients(msg))
            return not missing
        try:
            wait_until(delivered, 60, "the verification mails of acknowledged sign-ups",
                       interval=0.5)
        except AssertionError:
            self.fail(f"{len(missing)} of {len(wanted)} acknowledged sign-ups got no mail: "
                      f"{sorted(missing)[:5]}")

    # ------------------------------------------------------------------ the test
    def test_kill_9_during_writes_loses_no_acknowledged_write(self):
        self.own_keys = [[] for _ in range(THREADS)]
        seen = {"accounts": 0, "workspaces": 0}
        for cycle in range(CYCLES):
            self.chaos(cycle)
            self.vault.server.start()
            self.check_acknowledged(cycle, seen, final=cycle == CYCLES - 1)
            self.check_database(cycle)
            self.check_audit_chain(cycle)
        led = self.ledger
        acked = (len(led.accounts) + len(led.workspaces) + len(led.invitations) + len(led.keys)
                 + sum(1 for s in led.signups if s[1] == 202)
                 + sum(1 for h in led.registers.values() for _, o in h if o != UNKNOWN))
        self.assertGreater(acked, CYCLES * 5, "too few writes were acknowledged to mean much")
        revoked = sum(1 for k in led.keys.values() if k["revoke"] == 204)
        self.assertGreater(revoked, 0, "no revocation was acknowledged")
        self.assertGreater(led.cut, 0, "no write was in flight at any kill")
        self.check_signup_mails()
        sys.stderr.write(f"\n[crash seed {SEED}] {CYCLES} kills, {acked} acknowledged writes, "
                         f"{revoked} revocations, {led.cut} cut off in flight\n")


if __name__ == "__main__":
    main()
