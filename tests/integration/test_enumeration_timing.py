#!/usr/bin/python3
"""Enumeration by timing (issue 12, M5; SPEC §12 "public endpoints that take an email address
cost the same whether or not an account exists"): for each endpoint that takes an address,
requests for a known address and for an unknown one are sent interleaved in random order, must
get the same answer, and their latencies are compared with a two-sided Mann-Whitney U test.

No fixed threshold in milliseconds: a difference counts only when it is statistically
significant (p < 0.001) in two independent rounds in a row. A real leak (the 1.6 ms of a token
insert and fsync on one path) gives p far below 1e-10 in every round; two false alarms in a row
from identical distributions happen once in a million runs. Background load slows both groups
alike (random interleaving), so it costs power, never correctness.

Endpoints: sign-up, forgot password, sign-in (wrong password), email change (new address known
or not), invitation acceptance by a signed-in person with another address.
"""

import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main, mann_whitney_p, unique_email  # noqa: E402
from ws_helpers import WorkspaceFlows, without_request_id  # noqa: E402

ALPHA = 0.001
SAMPLES = 60   # per group and round
ROUNDS = 2     # a leak must be significant in each of them



def median(v):
    s = sorted(v)
    return s[len(s) // 2]


class EnumerationTimingTest(WorkspaceFlows, VaultTestCase):
    ARGON2_MEMORY_KIB = 8192

    def compare(self, what, known, unknown, samples=SAMPLES):
        """known(i) / unknown(i) send one request each and return the response. Asserts equal
        answers and no significant latency difference in ROUNDS rounds."""
        for warm in range(3):
            known(warm)
            unknown(warm)
        results = []
        for round_no in range(ROUNDS):
            order = [0] * samples + [1] * samples
            random.shuffle(order)
            times = ([], [])
            answers = (set(), set())
            for i, group in enumerate(order):
                send = known if group == 0 else unknown
                start = time.perf_counter()
                r = send(i)
                times[group].append(time.perf_counter() - start)
                answers[group].add((r.status, without_request_id(r.body)))
            self.assertEqual(answers[0], answers[1], f"{what}: the answers differ")
            self.assertEqual(len(answers[0]), 1, f"{what}: the answer varies: {answers[0]}")
            p = mann_whitney_p(times[0], times[1])
            results.append((p, median(times[0]) * 1e3, median(times[1]) * 1e3))
            if p >= ALPHA:
                return   # no evidence of a difference
        detail = "; ".join(f"round {k + 1}: p={p:.2g}, median known {mk:.2f} ms, unknown {mu:.2f} ms"
                           for k, (p, mk, mu) in enumerate(results))
        self.fail(f"{what}: known and unknown addresses are told apart by timing ({detail})")

    def test_mann_whitney_detects_a_shift_and_not_noise(self):
        rng = random.Random(7)
        same_a = [rng.gauss(3.0, 0.5) for _ in range(SAMPLES)]
        same_b = [rng.gauss(3.0, 0.5) for _ in range(SAMPLES)]
        shifted = [v + 1.6 for v in same_b]
        self.assertGreater(mann_whitney_p(same_a, same_b), ALPHA)
        self.assertLess(mann_whitney_p(same_a, shifted), 1e-10)

    def test_signup(self):
        known = self.create_account(prefix="tsk")
        anon = self.client(mode="none")
        self.compare("POST /api/v1/signup",
                     lambda i: anon.post("/api/v1/signup", {"name": "Tim", "email": known.email}),
                     lambda i: anon.post("/api/v1/signup", {"name": "Tim",
                                                            "email": unique_email("tsu")}))

    def test_forgot_password(self):
        known = self.create_account(prefix="tfk")
        anon = self.client(mode="none")
        self.compare("POST /api/v1/password/forgot",
                     lambda i: anon.post("/api/v1/password/forgot", {"email": known.email}),
                     lambda i: anon.post("/api/v1/password/forgot",
                                         {"email": unique_email("tfu")}))

    def test_sign_in(self):
        # four wrong passwords per known address stay under the lockout (five)
        accounts = self.many_accounts(12, prefix="tik")
        anon = self.client(mode="none")
        wrong = "Wrong-password-123"
        state = {"i": 0}

        def known(_):
            acc = accounts[(state["i"] // 4) % len(accounts)]
            state["i"] += 1
            return anon.post("/api/v1/sessions", {"email": acc.email, "password": wrong})

        def unknown(_):
            return anon.post("/api/v1/sessions", {"email": unique_email("tiu"), "password": wrong})

        # 12 accounts x 4 attempts = 48 per round including warm-up; fresh ones for round two
        def fresh_round():
            accounts[:] = self.many_accounts(12, prefix="tik")
            state["i"] = 0
        self.compare_sign_in(known, unknown, fresh_round)

    def compare_sign_in(self, known, unknown, fresh_round):
        # as compare(), with fewer samples (each costs an argon2id verification) and a fresh
        # set of known accounts per round (the lockout would otherwise answer differently)
        samples = 20
        results = []
        for _ in range(ROUNDS):
            order = [0] * samples + [1] * samples
            random.shuffle(order)
            times = ([], [])
            answers = (set(), set())
            for group in order:
                start = time.perf_counter()
                r = (known if group == 0 else unknown)(0)
                times[group].append(time.perf_counter() - start)
                answers[group].add((r.status, without_request_id(r.body)))
            self.assertEqual(answers[0], answers[1], "POST /api/v1/sessions: the answers differ")
            p = mann_whitney_p(times[0], times[1])
            results.append(p)
            if p >= ALPHA:
                return
            fresh_round()
        self.fail(f"POST /api/v1/sessions: timing tells known addresses apart (p={results})")

    def test_email_change(self):
        me = self.create_account(prefix="tem")
        other = self.create_account(prefix="teo")
        self.compare("POST /api/v1/me/email",
                     lambda i: me.client.post("/api/v1/me/email", {"new_email": other.email,
                                                                   "password": me.password}),
                     lambda i: me.client.post("/api/v1/me/email",
                                              {"new_email": unique_email("teu"),
                                               "password": me.password}),
                     samples=40)

    def test_invitation_accept(self):
        owner = self.create_account(prefix="tao")
        ws = self.create_workspace(owner.client)["id"]
        existing = self.create_account(prefix="tae")
        _, to_known = self.invite(owner.client, ws, existing.email)
        _, to_unknown = self.invite(owner.client, ws, unique_email("tan"))
        bystander = self.create_account(prefix="tab")   # signed in with neither address
        self.compare("POST /api/v1/invitations/accept",
                     lambda i: bystander.client.post("/api/v1/invitations/accept",
                                                     {"token": to_known}),
                     lambda i: bystander.client.post("/api/v1/invitations/accept",
                                                     {"token": to_unknown}))


if __name__ == "__main__":
    main()
