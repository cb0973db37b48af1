#!/usr/bin/python3
"""Session lifetimes through the real server and its movable clock (SPEC §2 sessions):
a session unused for longer than VAULT_SESSION_IDLE_SECONDS is refused (401) while one used
within that time keeps working, and no amount of use keeps a session past
VAULT_SESSION_ABSOLUTE_SECONDS. Both the cookie and the Bearer form are checked."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import VaultTestCase, main  # noqa: E402

IDLE = 3600          # 1 hour
ABSOLUTE = 4 * 3600  # 4 hours


class SessionLifetimeTest(VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    CLOCK_OFFSET = True
    EXTRA_ENV = {"VAULT_SESSION_IDLE_SECONDS": str(IDLE),
                 "VAULT_SESSION_ABSOLUTE_SECONDS": str(ABSOLUTE)}

    def setUp(self):
        self.offset = 0
        self.vault.set_clock_offset(0)
        self.account = self.create_account(prefix="lifetime")

    def tearDown(self):
        self.vault.set_clock_offset(0)

    def at(self, seconds):
        """Moves the servers' clock to `seconds` after the start of the test."""
        self.offset = seconds
        self.vault.set_clock_offset(seconds)

    def assertAlive(self, client, alive, what):
        r = client.get("/api/v1/me")
        self.assertEqual(r.status, 200 if alive else 401, (what, self.offset, r))
        if not alive:
            self.assertProblem(r, 401, "auth.required")

    def test_idle_session_is_refused_while_a_used_one_keeps_working(self):
        idle = self.sign_in(self.account.email, self.account.password)
        used = self.sign_in(self.account.email, self.account.password, mode="bearer")
        self.at(IDLE - 600)
        self.assertAlive(used, True, "used within the idle time")
        self.at(IDLE + 60)  # idle: unused for just over the limit; used: 660 s ago
        self.assertAlive(idle, False, "unused for longer than the idle time")
        self.assertAlive(used, True, "used within the idle time")
        # used: last seen IDLE - 30 s ago. The margin is in seconds of the server clock, which
        # keeps running in real time between requests (whole seconds): a 1 s margin would fail
        # whenever a second boundary passes between two requests.
        self.at(2 * IDLE + 60 - 30)
        self.assertAlive(used, True, "used half a minute within the idle time")
        self.at(3 * IDLE + 120)  # used: last seen just over IDLE ago
        self.assertAlive(used, False, "unused for longer than the idle time")

    def test_absolute_lifetime_ends_a_session_in_constant_use(self):
        busy = self.sign_in(self.account.email, self.account.password)
        t = 0
        while t + IDLE // 2 < ABSOLUTE:
            t += IDLE // 2
            self.at(t)
            self.assertAlive(busy, True, "in use, before the absolute lifetime")
        self.at(ABSOLUTE - 30)  # a margin for the real seconds the test itself takes
        self.assertAlive(busy, True, "half a minute before the absolute lifetime")
        self.at(ABSOLUTE + 1)
        self.assertAlive(busy, False, "past the absolute lifetime, used a moment ago")
        # A new sign-in at that time works: only the old session ended.
        fresh = self.sign_in(self.account.email, self.account.password)
        self.assertAlive(fresh, True, "signed in again")


if __name__ == "__main__":
    main()
