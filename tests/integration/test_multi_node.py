#!/usr/bin/python3
"""Three `serve` processes on one database (issue 17, ADR 0005): what one node changes, the other
two honour without a restart. Each node first answers with the old state (so its caches hold
it), then node 1 makes the change, and nodes 2 and 3 are polled until they answer with the new
state (up to 5 s each; no speed is asserted: bench/propagation.sh measures it):

  * revocations: an API key revoked on node 1 is "revoked" on nodes 2 and 3; a session signed
    out on node 1 is refused (401) by nodes 2 and 3;
  * grants: a product role removed on node 1, and a member removed from the workspace on node 1,
    change the access checks of nodes 2 and 3 (no_grant, not_member);
  * subscriptions: a Chargebee cancellation received by node 1 makes the product inactive on
    nodes 2 and 3 (check and key verification).

It runs alike on PostgreSQL (nodes woken by LISTEN/NOTIFY) and SQLite (the nodes share the
database file and poll the change feed every 250 ms). On PostgreSQL only (SQLite has no
LISTEN/NOTIFY; that test skips there): after each node's listening connection is killed, changes
still arrive and every node LISTENs again.
"""

import os
import secrets
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main, wait_until  # noqa: E402
from key_helpers import KeyFlows  # noqa: E402
from product_helpers import ProductFlows, basic  # noqa: E402
from ws_helpers import WorkspaceFlows  # noqa: E402

CB_USER = "chargebee-hook"
CB_PASSWORD = "cb-" + secrets.token_hex(16)
WEBHOOK = "/api/v1/billing/chargebee/webhook"
PROPAGATION_LIMIT = 5  # seconds: a bound for the test to end, not a speed claim


class MultiNodeTest(KeyFlows, ProductFlows, WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    EXTRA_ENV = {"VAULT_CHARGEBEE_WEBHOOK_USER": CB_USER,
                 "VAULT_CHARGEBEE_WEBHOOK_PASSWORD": CB_PASSWORD}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vault.add_server()
        cls.vault.add_server()
        cls.nodes = list(cls.vault.servers)

    def setUp(self):
        self.vault.remember_secret(CB_PASSWORD)
        self.assertEqual(len(self.nodes), 3)
        for node in self.nodes:
            self.assertTrue(node.alive(), "a node died")
        self.creds, self.owner, self.ws = self.once("world", self.world)

    def world(self):
        _, _, _, sa = self.make_super_admin()
        creds = self.service_client(sa, "submit", "Submit back end")
        owner = self.create_account(prefix="mnowner")
        ws = self.create_workspace(owner.client, name="Nodes Co")["id"]
        return creds, owner, ws

    def others(self):
        return self.nodes[1:]

    def product(self, name):
        """A submit product (standard plan) of the workspace, made on node 1."""
        return self.create_product(self.owner.client, self.ws, "submit", plan="standard",
                                   name=name)["id"]

    def on_every_node(self, what, answer, expected):
        """Every node answers `expected` (so its caches hold the state): node 1 at once, the
        others once the set-up made on node 1 reached them (a new API key is "unknown" on
        another node until it read the feed)."""
        self.assertEqual(answer(self.nodes[0]), expected, f"node 1: {what}")
        self.seen_by_the_others(what, answer, expected)

    def seen_by_the_others(self, what, answer, expected):
        """Nodes 2 and 3 come to answer `expected` (bounded wait)."""
        for i, node in enumerate(self.others(), 2):
            last = [None]

            def settled(node=node, last=last):
                last[:] = [answer(node)]
                return last[0] == expected
            try:
                wait_until(settled, PROPAGATION_LIMIT, f"node {i} to see {what}")
            except AssertionError as e:
                raise AssertionError(f"{e}; it last answered {last[0]!r}") from None

    # ------------------------------------------------------------------ revocations

    def test_an_api_key_revoked_on_one_node_is_revoked_on_the_others(self):
        pid = self.product("Key revocation")
        key = self.create_key(self.owner.client, self.ws, pid)

        def verdict(node):
            return self.verdict(self.creds, key["key"], permission="submissions:read",
                                server=node)
        self.on_every_node("the new key", verdict, "valid")
        self.revoke_key(self.owner.client, self.ws, key["id"])
        self.seen_by_the_others("the revocation", verdict, "revoked")

    def test_a_session_signed_out_on_one_node_is_refused_by_the_others(self):
        account = self.create_account(prefix="mnsession")
        c = self.sign_in(account.email, account.password, mode="bearer")

        def me(node):
            other = self.client(mode="bearer", server=node)
            other.token = c.token
            return other.get("/api/v1/me").status
        self.on_every_node("the session", me, 200)
        r = c.delete("/api/v1/sessions/current")
        self.assertEqual(r.status, 204, r)
        self.seen_by_the_others("the sign-out", me, 401)

    def bearer_on(self, token):
        """A function asking a node for /api/v1/me with token: its status."""
        def me(node):
            other = self.client(mode="bearer", server=node)
            other.token = token
            return other.get("/api/v1/me").status
        return me

    def test_a_session_opened_on_one_node_works_at_once_on_the_others(self):
        account = self.create_account(prefix="mnfresh")
        c = self.sign_in(account.email, account.password, mode="bearer")
        for i, node in enumerate(self.nodes, 1):  # no wait: a miss is read from the database
            self.assertEqual(self.bearer_on(c.token)(node), 200, f"node {i}")

    def test_sessions_revoked_on_one_node_are_refused_by_the_others(self):
        account = self.create_account(prefix="mnothers")
        keep = self.sign_in(account.email, account.password, mode="bearer")
        gone = self.sign_in(account.email, account.password, mode="bearer")
        self.on_every_node("the session", self.bearer_on(gone.token), 200)
        r = keep.delete("/api/v1/me/sessions")  # every other session
        self.assertEqual(r.status, 204, r)
        self.seen_by_the_others("the revocation", self.bearer_on(gone.token), 401)
        self.on_every_node("the kept session", self.bearer_on(keep.token), 200)

    def test_a_password_change_on_one_node_ends_other_sessions_on_the_others(self):
        account = self.create_account(prefix="mnpassword")
        keep = self.sign_in(account.email, account.password, mode="bearer")
        gone = self.sign_in(account.email, account.password, mode="bearer")
        self.on_every_node("the session", self.bearer_on(gone.token), 200)
        r = keep.post("/api/v1/me/password", {"current_password": account.password,
                                              "new_password": self.vault.new_password()})
        self.assertEqual(r.status, 204, r)
        self.seen_by_the_others("the password change", self.bearer_on(gone.token), 401)
        self.on_every_node("the session that changed it", self.bearer_on(keep.token), 200)

    def test_an_account_disabled_on_one_node_is_refused_by_the_others(self):
        sa = self.once("super admin", lambda: self.make_super_admin()[3])
        account = self.create_account(prefix="mndisabled")
        c = self.sign_in(account.email, account.password, mode="bearer")
        self.on_every_node("the session", self.bearer_on(c.token), 200)
        me = c.get("/api/v1/me").json
        r = sa.patch(f"/api/v1/admin/accounts/{me['id']}", {"disabled": True})
        self.assertEqual(r.status, 200, r)
        self.seen_by_the_others("the disabled account", self.bearer_on(c.token), 401)

    # ------------------------------------------------------------------ grants

    def test_a_product_role_removed_on_one_node_changes_the_others_checks(self):
        pid = self.product("Role removal")
        user = self.member_account(self.owner.client, self.ws, "member", prefix="mnrole")
        self.grant(self.owner.client, self.ws, pid, user.id, "viewer")

        def decision(node):
            return self.reason(self.creds, user.id, pid, "submissions:read", server=node)
        self.on_every_node("the grant", decision, ("allowed", "viewer"))
        self.ungrant(self.owner.client, self.ws, pid, user.id)
        self.seen_by_the_others("the removed grant", lambda n: decision(n)[0], "no_grant")

    def test_a_member_removed_on_one_node_loses_access_on_the_others(self):
        pid = self.product("Member removal")
        user = self.member_account(self.owner.client, self.ws, "member", prefix="mnmember")
        self.grant(self.owner.client, self.ws, pid, user.id, "viewer")

        def decision(node):
            return self.reason(self.creds, user.id, pid, "submissions:read", server=node)
        self.on_every_node("the member's grant", decision, ("allowed", "viewer"))
        r = self.owner.client.delete(f"/api/v1/workspaces/{self.ws}/members/{user.id}")
        self.assertEqual(r.status, 204, r)
        self.seen_by_the_others("the removal", lambda n: decision(n)[0], "not_member")

    # ------------------------------------------------------------------ subscriptions

    def test_a_subscription_cancelled_on_one_node_is_inactive_on_the_others(self):
        pid = self.product("Cancelled")
        user = self.member_account(self.owner.client, self.ws, "member", prefix="mnsub")
        self.grant(self.owner.client, self.ws, pid, user.id, "viewer")
        key = self.create_key(self.owner.client, self.ws, pid)

        def answers(node):
            reason, _ = self.reason(self.creds, user.id, pid, "submissions:read", server=node)
            return reason, self.verdict(self.creds, key["key"], permission="submissions:read",
                                        server=node)
        self.on_every_node("the live subscription", answers, ("allowed", "valid"))
        event = {"id": "ev_" + secrets.token_hex(8), "event_type": "subscription_cancelled",
                 "occurred_at": int(time.time()),
                 "content": {"subscription": {
                     "id": "cb_sub_" + secrets.token_hex(6), "status": "cancelled",
                     "plan_id": "standard-USD-monthly",
                     "current_term_end": int(time.time()) + 86400,
                     "cf_vault_product_id": pid}}}
        r = self.client(mode="none").post(WEBHOOK, event,
                                          headers={"Authorization": basic(CB_USER, CB_PASSWORD)})
        self.assertEqual((r.status, r.json["outcome"]), (200, "applied"), r)
        self.seen_by_the_others("the cancellation", answers,
                                ("product_inactive", "product_inactive"))

    # ------------------------------------------------------------------ the wake-up connection

    def listeners(self):
        rows = self.vault.db.sql("SELECT count(*) FROM pg_stat_activity "
                                 "WHERE datname = current_database() AND query LIKE 'LISTEN %'")
        return int(rows[0][0])

    def test_each_node_listens_again_after_losing_its_wake_up_connection(self):
        if self.vault.backend != "postgres":
            self.skipTest("LISTEN/NOTIFY is PostgreSQL's; on SQLite the nodes only poll")
        wait_until(lambda: self.listeners() == 3, PROPAGATION_LIMIT, "one listener per node")
        self.vault.db.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND query LIKE 'LISTEN %'")
        # Changes made meanwhile still arrive (the table is the source of truth; a catch-up
        # poll reads it), and every node LISTENs again on a new connection.
        pid = self.product("After a lost listener")
        key = self.create_key(self.owner.client, self.ws, pid)

        def verdict(node):
            return self.verdict(self.creds, key["key"], permission="submissions:read",
                                server=node)
        self.on_every_node("the key made after the loss", verdict, "valid")
        wait_until(lambda: self.listeners() == 3, PROPAGATION_LIMIT, "every node to LISTEN again")
        self.revoke_key(self.owner.client, self.ws, key["id"])
        self.seen_by_the_others("the revocation", verdict, "revoked")
        for node in self.nodes:
            self.assertTrue(node.alive(), "a node died with its listening connection")


if __name__ == "__main__":
    main()
