#!/usr/bin/python3
"""Brute-force protection end to end, with TWO server processes on ONE database (SQLite file or
PostgreSQL database) sharing the secret file and a clock-offset file:

  * 50 parallel wrong passwords split across both processes: exactly 5 x 401 then 45 x 429
    auth.locked with Retry-After, and at most 5 argon2 verifications in total (/metrics);
  * the right password is refused on both while locked, accepted once the clock moved 901 s;
  * the owner gets "Sign-in to your account was paused"; an unknown address is locked alike,
    answers identically and gets no mail;
  * the per-IP token bucket itself (rate 1/s, burst 3 on a third process): 429 rate_limited.

The harness raises the per-IP bucket for the first two processes so it does not interfere."""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main, metric, unique_email  # noqa: E402

VERIFICATIONS = "vault_password_verifications_total"
PAUSED = "Sign-in to your account was paused"
LOCK_SECONDS = 15 * 60
ATTEMPTS = 50
MAX_FAILURES = 5


def without_request_id(body):
    return {k: v for k, v in body.items() if k != "request_id"} if isinstance(body, dict) else body


class LockoutTest(VaultTestCase):
    CLOCK_OFFSET = True
    offset = 0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.second = cls.vault.add_server()
        except BaseException:
            cls.vault.close()
            raise

    # ---------------------------------------------------------------- helpers
    @property
    def servers(self):
        return [self.vault.server, self.second]

    def move_clock(self, seconds):
        type(self).offset += seconds
        self.vault.set_clock_offset(type(self).offset)

    def verifications(self, server):
        r = self.client(mode="none", server=server).get("/metrics")
        self.assertEqual(r.status, 200, r)
        value = metric(r.body.decode(), VERIFICATIONS)
        self.assertIsNotNone(value, f"{VERIFICATIONS} missing from /metrics")
        return value

    def total_verifications(self):
        return sum(self.verifications(s) for s in self.servers)

    def attempt(self, email, password, server, retry=False):
        c = self.client(mode="none", server=server)
        if not retry:
            c.retry_budget = 0     # see every 429/503 as it is
        return c.post("/api/v1/sessions", {"email": email, "password": password})

    def parallel_guesses(self, email, n=ATTEMPTS):
        """n wrong passwords at once, alternating between the two processes."""
        results = [None] * n
        errors = []
        barrier = threading.Barrier(n)

        def go(i):
            try:
                barrier.wait(30)
                results[i] = self.attempt(email, f"Wrong-guess-{i:03d}-xyz", self.servers[i % 2])
            except Exception as e:  # reported below, with the index
                errors.append((i, repr(e)))
        threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(errors, [], "requests failed without an HTTP answer")
        return results

    def assertLocked(self, r):
        self.assertProblem(r, 429, "auth.locked")
        retry_after = r.headers.get("Retry-After", "")
        self.assertRegex(retry_after, r"^\d+$", r)
        self.assertTrue(1 <= int(retry_after) <= LOCK_SECONDS, r)
        self.assertIsNone(r.headers.get("Set-Cookie"), r)

    def assertLockoutPattern(self, results):
        by_status = {}
        for r in results:
            by_status.setdefault(r.status, []).append(r)
        summary = {s: len(rs) for s, rs in by_status.items()}
        self.assertEqual(summary, {401: MAX_FAILURES, 429: ATTEMPTS - MAX_FAILURES},
                         f"answers by status: {summary}; e.g. "
                         f"{[rs[0] for rs in by_status.values()]}")
        for r in by_status[401]:
            self.assertProblem(r, 401, "auth.invalid_credentials")
        for r in by_status[429]:
            self.assertLocked(r)

    # ------------------------------------------------------------------ tests
    def test_parallel_guesses_on_two_processes_lock_after_five(self):
        acc = self.create_account(prefix="locked")
        # both processes work on the same database: the account signs in on the second
        self.sign_in(acc.email, acc.password, server=self.second)
        before = self.total_verifications()

        results = self.parallel_guesses(acc.email)
        self.assertLockoutPattern(results)
        answered = {self.servers[i % 2].port for i, r in enumerate(results)}
        self.assertEqual(len(answered), 2)
        spent = self.total_verifications() - before
        self.assertLessEqual(spent, MAX_FAILURES,
                             f"{spent} argon2 verifications for {ATTEMPTS} parallel guesses")

        # locked: the right password is refused on both processes, without verifying
        for server in self.servers:
            self.assertLocked(self.attempt(acc.email, acc.password, server))
        self.assertEqual(self.total_verifications() - before, spent)
        # the session opened before the lockout keeps working
        self.assertEqual(acc.client.get("/api/v1/me").status, 200)

        # the owner is told, once
        msg = self.sink.wait_for_mail(acc.email, PAUSED)
        self.assertIn(acc.email.lower(), self.sink.recipients(msg))
        time.sleep(1)
        paused = [m for m in self.sink.mails_to(acc.email) if PAUSED in str(m["Subject"])]
        self.assertEqual(len(paused), 1, "the lockout mail was sent more than once")

        # the audit trail has one lock-out and one event for the refused attempts (coalesced
        # per lockout period, so a flood does not bury the owner's own activity)
        r = acc.client.get("/api/v1/me/audit?action=account.locked_out")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json["items"]), 1, r)
        r = acc.client.get("/api/v1/me/audit?action=session.sign_in_failed&limit=1000")
        reasons = [e["summary"].get("reason") for e in r.json["items"]]
        self.assertEqual(reasons.count("invalid_credentials"), MAX_FAILURES, reasons)
        self.assertEqual(reasons.count("locked"), 1, reasons)

        # 15 minutes (and a second) later the right password works again, on either process
        self.move_clock(LOCK_SECONDS + 1)
        c = self.sign_in(acc.email, acc.password, server=self.second)
        self.assertEqual(c.get("/api/v1/me").json["email"], acc.email)
        self.sign_in(acc.email, acc.password, server=self.vault.server)
        # ... and a success resets the count: four more failures do not lock
        for i in range(MAX_FAILURES - 1):
            r = self.attempt(acc.email, "Wrong-again-xyz-1", self.servers[i % 2])
            self.assertProblem(r, 401, "auth.invalid_credentials")
        self.sign_in(acc.email, acc.password, server=self.second)

    def test_unknown_address_is_locked_alike_without_mail(self):
        ghost = unique_email("ghost")
        before = self.total_verifications()
        results = self.parallel_guesses(ghost)
        self.assertLockoutPattern(results)
        self.assertLessEqual(self.total_verifications() - before, MAX_FAILURES)

        # the answers look like those for a real account
        acc = self.create_account(prefix="twin")
        for _ in range(MAX_FAILURES):
            self.attempt(acc.email, "Wrong-guess-xyz-12", self.vault.server)
        real = self.attempt(acc.email, "Wrong-guess-xyz-12", self.second)
        fake = self.attempt(ghost, "Wrong-guess-xyz-12", self.second)
        self.assertLocked(real)
        self.assertLocked(fake)
        self.assertEqual(without_request_id(fake.json), without_request_id(real.json))
        self.assertEqual(fake.content_type, real.content_type)

        self.sink.wait_for_mail(acc.email, PAUSED)
        time.sleep(1)   # the mailer is asynchronous: give a wrong mail time to arrive
        self.assertEqual(self.sink.mails_to(ghost), [], "mail sent to an unknown address")

    def test_ip_rate_limit(self):
        limited = self.vault.add_server({"VAULT_IP_RATE_PER_SECOND": "1",
                                         "VAULT_IP_BURST": "3"})
        try:
            before = self.verifications(limited)
            answers = [self.attempt(unique_email("ip"), "Wrong-guess-xyz-12", limited)
                       for _ in range(4)]
            for r in answers[:3]:
                self.assertProblem(r, 401, "auth.invalid_credentials")
            r = answers[3]
            self.assertProblem(r, 429, "rate_limited")
            self.assertRegex(r.headers.get("Retry-After", ""), r"^[1-9]\d*$", r)
            # the limited request did no password work
            self.assertEqual(self.verifications(limited) - before, 3)
            # the bucket is per IP and shared by the other limited endpoints ...
            anon = self.client(mode="none", server=limited)
            anon.retry_budget = 0
            r = anon.post("/api/v1/password/forgot", {"email": unique_email("ip")})
            self.assertProblem(r, 429, "rate_limited")
            # ... not by the rest of the API, nor by the other processes
            self.assertEqual(anon.get("/healthz").status, 200)
            r = self.attempt(unique_email("ip"), "Wrong-guess-xyz-12", self.vault.server)
            self.assertProblem(r, 401, "auth.invalid_credentials")
            # the bucket refills (1 per second)
            time.sleep(int(answers[3].headers["Retry-After"]) + 0.2)
            r = self.attempt(unique_email("ip"), "Wrong-guess-xyz-12", limited)
            self.assertProblem(r, 401, "auth.invalid_credentials")
        finally:
            self.assertEqual(limited.stop(), 0)


if __name__ == "__main__":
    main()
