#!/usr/bin/python3
"""Invariants under races (issue 17): many parallel clients spread over TWO `serve` processes on
one database (a PostgreSQL database, or one SQLite file that both processes open). Each test
fires the competing requests together from a barrier and asserts the invariant on the final
state (never on timings):

  * unique workspace short name: 20 parallel creations of one short name, exactly one 201;
  * last Owner: the two last Owners demote each other, leave, delete their accounts, or leave
    while the other deletes its account, all at once: at least one Owner always remains;
  * seat limit: parallel grants, group additions and acceptances of invitations carrying grants
    on a 5-seat trial product never take it above 5 users, and every 200 is one of the 5;
  * single use: one password-reset, invitation (signing up through it, or accepting it
    signed in), sign-up verification or email-change token redeemed in parallel, and one 2FA
    recovery code used by parallel second steps: exactly one success;
  * lockout: failed sign-ins spread over both processes count together, so the account locks at
    the configured threshold in total (5), not per process."""

import concurrent.futures
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main, unique_email  # noqa: E402
from product_helpers import ProductFlows  # noqa: E402
from ws_helpers import WorkspaceFlows, super_admin_2fa, unique_shortname  # noqa: E402

PARALLEL = 10
MAX_FAILURES = 5    # VAULT_LOCKOUT_MAX_FAILURES' default
TRIAL_SEATS = 5     # the trial plan of every seeded product type


class RacesTest(ProductFlows, WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    NODES = 2

    # ---------------------------------------------------------------- helpers
    def node(self, i):
        return self.vault.servers[i % 2]

    def as_on(self, account, i, **kw):
        """A client of the account's session on node i % 2."""
        c = self.client(mode="cookie", auto_csrf=True, server=self.node(i), **kw)
        c.cookies = dict(account.client.cookies)
        c.csrf_token = account.client.csrf_token
        return c

    def anon_on(self, i):
        c = self.client(mode="none", server=self.node(i))
        c.retry_budget = 0
        return c

    @staticmethod
    def together(calls):
        """Runs the callables at once (released by one barrier); returns their results."""
        barrier = threading.Barrier(len(calls))

        def go(call):
            barrier.wait(30)
            return call()
        with concurrent.futures.ThreadPoolExecutor(len(calls)) as pool:
            return list(pool.map(go, calls))

    def statuses(self, results):
        return sorted(r.status for r in results)

    def accounts(self, n):
        """n fresh signed-in accounts (batched sign-ups)."""
        return self.many_accounts(n, prefix="racer")

    def owners_of(self, ws):
        rows = self.vault.db.sql(f"SELECT account_id FROM memberships WHERE workspace_id = "
                                 f"'{ws}' AND role = 'owner';")
        return [r[0] for r in rows]

    def workspace_with_two_owners(self, one, two, label):
        w = self.create_workspace(one.client, name=f"Race {label}")["id"]
        self.join(one.client, w, two, "owner")
        return w

    def assertOneSuccess(self, results, ok, what):
        good = [r for r in results if r.status == ok]
        self.assertEqual(len(good), 1, f"{what}: {results}")
        for r in results:
            if r.status != ok:
                self.assertLess(r.status, 500, r)
        return good[0]

    def redeem_in_parallel(self, path, token, ok, what, **extra):
        """PARALLEL anonymous redemptions of one token spread over both nodes, each with its own
        new password; asserts exactly one `ok`; returns (results, the winning password)."""
        passwords = [self.vault.new_password() for _ in range(PARALLEL)]
        results = self.together([
            (lambda i=i: self.anon_on(i).post(path, {"token": token, "password": passwords[i],
                                                     **extra}))
            for i in range(PARALLEL)])
        winner = self.assertOneSuccess(results, ok, what)
        return results, passwords[results.index(winner)]

    # ---------------------------------------------------------------- short name
    def test_parallel_creations_of_one_shortname_on_two_nodes(self):
        racers = self.accounts(20)
        shortname = unique_shortname("race")
        results = self.together([
            (lambda i=i, a=a: self.as_on(a, i).post(
                "/api/v1/workspaces", {"name": "Same Name", "shortname": shortname}))
            for i, a in enumerate(racers)])
        winner = self.assertOneSuccess(results, 201, "one creation of the short name")
        for r in results:
            if r.status != 201:
                self.assertProblem(r, 409, "workspace.shortname_taken")
        rows = self.vault.db.sql(f"SELECT id FROM workspaces WHERE shortname = '{shortname}';")
        self.assertEqual([r[0] for r in rows], [winner.json["id"]])
        won_by = racers[results.index(winner)]
        self.assertEqual(self.owners_of(winner.json["id"]), [won_by.id])

    # ---------------------------------------------------------------- last Owner
    def last_owner_rounds(self, label, moves, rounds):
        """Each round: a workspace with Owners one and two, then moves(one, two, ws, round)
        -> the callables racing on the two nodes; at least one Owner must remain."""
        people = self.accounts(2 * rounds)
        outcomes = []
        for n in range(rounds):
            one, two = people[2 * n], people[2 * n + 1]
            ws = self.workspace_with_two_owners(one, two, f"{label} {n}")
            results = self.together(moves(one, two, ws, n))
            for r in results:
                self.assertLess(r.status, 500, r)
            owners = self.owners_of(ws)
            self.assertGreaterEqual(len(owners), 1,
                                    f"{label} round {n}: no Owner left after {results}")
            outcomes.append(tuple(self.statuses(results)))
        return outcomes

    def test_last_two_owners_demote_each_other_on_two_nodes(self):
        def moves(one, two, ws, n):
            path = f"/api/v1/workspaces/{ws}/members/"
            return [lambda: self.as_on(one, n).patch(path + two.id, {"role": "member"}),
                    lambda: self.as_on(two, n + 1).patch(path + one.id, {"role": "member"})]
        for outcome in self.last_owner_rounds("demote", moves, 6):
            self.assertEqual(outcome.count(200), 1, outcome)

    def test_last_two_owners_leave_on_two_nodes(self):
        def moves(one, two, ws, n):
            path = f"/api/v1/workspaces/{ws}/members/"
            return [lambda: self.as_on(one, n).delete(path + one.id),
                    lambda: self.as_on(two, n + 1).delete(path + two.id)]
        for outcome in self.last_owner_rounds("leave", moves, 6):
            self.assertEqual(outcome, (204, 409), outcome)

    def test_last_two_owners_delete_their_accounts_on_two_nodes(self):
        def moves(one, two, ws, n):
            return [lambda: self.as_on(one, n).delete("/api/v1/me",
                                                      json_body={"password": one.password}),
                    lambda: self.as_on(two, n + 1).delete("/api/v1/me",
                                                          json_body={"password": two.password})]
        for outcome in self.last_owner_rounds("delete", moves, 6):
            self.assertEqual(outcome, (204, 409), outcome)

    def test_one_owner_leaves_while_the_other_deletes_its_account(self):
        def moves(one, two, ws, n):
            path = f"/api/v1/workspaces/{ws}/members/"
            return [lambda: self.as_on(one, n).delete(path + one.id),
                    lambda: self.as_on(two, n + 1).delete("/api/v1/me",
                                                          json_body={"password": two.password})]
        for outcome in self.last_owner_rounds("leave-delete", moves, 6):
            self.assertEqual(outcome, (204, 409), outcome)

    # ---------------------------------------------------------------- seats
    def test_seat_limit_holds_under_parallel_grants_groups_and_acceptances(self):
        owner = self.create_account(prefix="seat-owner")
        ws = self.create_workspace(owner.client, name="Seats")["id"]
        pid = self.create_product(owner.client, ws, "layout", name="Tight")["id"]  # trial
        group = self.create_group(owner.client, ws, name="Racers")["id"]
        self.grant(owner.client, ws, pid, group, "viewer", principal_type="group")
        members = self.accounts(12)
        for m in members:
            self.join(owner.client, ws, m)
        invitees = self.accounts(6)
        tokens = [self.invite_with_grant(owner.client, ws, pid, a) for a in invitees]
        grant_path = f"/api/v1/workspaces/{ws}/products/{pid}/grants"
        calls = []
        for i, m in enumerate(members[:6]):      # direct grants
            calls.append(lambda i=i, m=m: self.as_on(owner, i).request(
                "PUT", grant_path,
                json_body={"principal": {"type": "account", "id": m.id}, "role": "viewer"}))
        for i, m in enumerate(members[6:]):      # through the granted group
            calls.append(lambda i=i, m=m: self.as_on(owner, i + 1).request(
                "PUT", f"/api/v1/workspaces/{ws}/groups/{group}/members/{m.id}"))
        for i, (a, t) in enumerate(zip(invitees, tokens)):   # invitations carrying a grant
            calls.append(lambda i=i, a=a, t=t: self.as_on(a, i).post(
                "/api/v1/invitations/accept", {"token": t}))
        results = self.together(calls)
        for r in results:
            self.assertLess(r.status, 500, r)
            if r.status >= 400:
                self.assertProblem(r, 409, "product.seat_limit")
        succeeded = sum(1 for r in results if r.status < 300)
        users = self.products_by_id(owner.client, ws)[pid]["users"]
        self.assertLessEqual(users, TRIAL_SEATS, results)
        self.assertEqual(succeeded, users, results)
        self.assertEqual(users, TRIAL_SEATS, "the limit should have been reached")

    def invite_with_grant(self, owner_client, ws, pid, account):
        r = owner_client.post(f"/api/v1/workspaces/{ws}/invitations",
                              {"email": account.email, "role": "member",
                               "grants": [{"product": pid, "role": "viewer"}]})
        self.assertEqual(r.status, 201, r)
        return self.vault.token_from(self.sink.wait_for_mail(account.email, "invited to join"))

    # ---------------------------------------------------------------- single-use tokens
    def test_one_password_reset_token_redeemed_in_parallel(self):
        acc = self.create_account(prefix="reset-race")
        r = self.client(mode="none").post("/api/v1/password/forgot", {"email": acc.email})
        self.assertEqual(r.status, 202, r)
        token = self.vault.token_from(self.sink.wait_for_mail(acc.email, "Reset your password"))
        results, chosen = self.redeem_in_parallel("/api/v1/password/reset", token, 204,
                                                  "one password reset")
        for r in results:
            if r.status != 204:
                self.assertProblem(r, 400, field="token")
        self.sign_in(acc.email, chosen)
        self.sign_in(acc.email, acc.password, expect=401)

    def test_one_signup_verification_token_completed_in_parallel(self):
        email, token = self.signup(unique_email("verify-race"), "Vera Race")
        _, chosen = self.redeem_in_parallel("/api/v1/signup/complete", token, 201,
                                            "one sign-up completion")
        rows = self.vault.db.sql(f"SELECT COUNT(*) FROM accounts WHERE email = '{email}';")
        self.assertEqual(rows[0][0], "1")
        self.sign_in(email, chosen)

    def test_one_email_change_token_confirmed_in_parallel(self):
        acc = self.create_account(prefix="email-race")
        new_email = unique_email("email-new")
        r = acc.client.post("/api/v1/me/email", {"new_email": new_email, "password": acc.password})
        self.assertEqual(r.status, 202, r)
        token = self.vault.token_from(self.sink.wait_for_mail(new_email,
                                                              "Confirm your new email address"))
        results = self.together([
            (lambda i=i: self.as_on(acc, i).post("/api/v1/email/confirm", {"token": token}))
            for i in range(PARALLEL)])
        ok = [r for r in results if r.status < 300]
        self.assertEqual(len(ok), 1, results)
        for r in results:
            self.assertLess(r.status, 500, r)
        rows = self.vault.db.sql(f"SELECT email FROM accounts WHERE id = '{acc.id}';")
        self.assertEqual(rows[0][0], new_email)
        rows = self.vault.db.sql(f"SELECT COUNT(*) FROM audit_events WHERE target_id = "
                                 f"'{acc.id}' AND action = 'account.email_changed';")
        self.assertEqual(rows[0][0], "1", "one change, recorded once")

    def test_one_invitation_token_used_to_sign_up_in_parallel(self):
        owner = self.create_account(prefix="inv-owner")
        ws = self.create_workspace(owner.client, name="Invites")["id"]
        email = unique_email("inv-new")
        _, token = self.invite(owner.client, ws, email)
        self.redeem_in_parallel("/api/v1/invitations/accept", token, 201,
                                "one acceptance by signing up", name="Ina Race")
        rows = self.vault.db.sql(f"SELECT COUNT(*) FROM accounts WHERE email = '{email}';")
        self.assertEqual(rows[0][0], "1")
        rows = self.vault.db.sql(f"SELECT COUNT(*) FROM memberships m JOIN accounts a ON "
                                 f"a.id = m.account_id WHERE a.email = '{email}';")
        self.assertEqual(rows[0][0], "1")
        accepted = self.ws_audit(owner.client, ws, "invitation.accepted")
        self.assertEqual(len(accepted), 1, accepted)

    def test_one_invitation_token_accepted_signed_in_in_parallel(self):
        owner = self.create_account(prefix="inv-owner")
        ws = self.create_workspace(owner.client, name="Invites")["id"]
        guest = self.create_account(prefix="inv-guest")
        _, token = self.invite(owner.client, ws, guest.email)
        results = self.together([
            (lambda i=i: self.as_on(guest, i).post("/api/v1/invitations/accept",
                                                   {"token": token}))
            for i in range(PARALLEL)])
        self.assertOneSuccess(results, 200, "one acceptance")
        self.assertEqual(self.role_of(owner.client, ws, guest.id), "member")
        accepted = self.ws_audit(owner.client, ws, "invitation.accepted")
        self.assertEqual(len(accepted), 1, accepted)

    def test_one_recovery_code_used_by_parallel_second_steps(self):
        acc = self.create_account(prefix="rc-race")
        super_admin_2fa(self, acc.client, acc.email, acc.password)   # any account's TOTP
        code = self.vault.recovery_codes[acc.email.lower()][0]
        pending = []
        for i in range(PARALLEL):   # one first step each, so only the code is shared
            c = self.client(mode="bearer", server=self.node(i))
            r = c.post("/api/v1/sessions", {"email": acc.email, "password": acc.password})
            self.assertEqual(r.status, 200, r)
            self.assertTrue(r.json.get("mfa_required"), r)
            pending.append((c, r.json["mfa_token"]))
        results = self.together([
            (lambda c=c, t=t: c.post("/api/v1/sessions/mfa",
                                     {"mfa_token": t, "recovery_code": code}))
            for c, t in pending])
        self.assertOneSuccess(results, 201, "one sign-in with the recovery code")
        used = self.vault.db.sql(f"SELECT COUNT(*) FROM recovery_codes WHERE account_id = "
                                 f"'{acc.id}' AND used_at IS NOT NULL;")
        self.assertEqual(used[0][0], "1")

    # ---------------------------------------------------------------- lockout
    def test_failures_on_two_nodes_count_together(self):
        acc = self.create_account(prefix="lock-race")
        for i in range(MAX_FAILURES):        # alternating: 3 on one node, 2 on the other
            r = self.anon_on(i).post("/api/v1/sessions",
                                     {"email": acc.email, "password": f"Wrong-{i}-password-x"})
            self.assertProblem(r, 401)
        for i in range(2):                   # locked on both, even with the right password
            r = self.anon_on(i).post("/api/v1/sessions",
                                     {"email": acc.email, "password": acc.password})
            self.assertProblem(r, 429, "auth.locked")

    def test_parallel_failures_on_two_nodes_lock_at_the_threshold(self):
        acc = self.create_account(prefix="lock-burst")
        results = self.together([
            (lambda i=i: self.anon_on(i).post(
                "/api/v1/sessions", {"email": acc.email, "password": f"Wrong-{i}-password-x"}))
            for i in range(4 * MAX_FAILURES)])
        self.assertEqual(self.statuses(results).count(401), MAX_FAILURES, results)
        self.assertEqual(self.statuses(results).count(429), 3 * MAX_FAILURES, results)
        r = self.anon_on(1).post("/api/v1/sessions", {"email": acc.email,
                                                      "password": acc.password})
        self.assertProblem(r, 429, "auth.locked")


if __name__ == "__main__":
    main()
