#!/usr/bin/python3
"""VAULT_TRUSTED_PROXIES: behind a reverse proxy the client address comes from Forwarded /
X-Forwarded-For (the right-most hop that is not a trusted proxy), for sessions, the audit log
and the per-IP limit; without the setting, or from a peer that is not trusted, those headers are
ignored, so no client can choose its own address."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import Vault, VaultTestCase, main, unique_email  # noqa: E402


class BehindTrustedProxyTest(VaultTestCase):
    ARGON2_MEMORY_KIB = 8192
    # The tests reach the server from 127.0.0.1: that is the trusted proxy here. A small per-IP
    # bucket shows whose address the limiter counts.
    EXTRA_ENV = {"VAULT_TRUSTED_PROXIES": "127.0.0.1/32, 10.0.0.0/8",
                 "VAULT_IP_RATE_PER_SECOND": "0.01", "VAULT_IP_BURST": "5"}

    def sign_in_from(self, account, xff):
        c = self.client(mode="cookie", auto_csrf=True)
        r = c.post("/api/v1/sessions", {"email": account.email, "password": account.password},
                   headers={"X-Forwarded-For": xff})
        return c, r

    def test_sessions_and_audit_record_the_forwarded_client(self):
        account = self.create_account(prefix="proxied")
        c, r = self.sign_in_from(account, "1.2.3.4, 203.0.113.7, 10.0.0.5")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["session"]["ip"], "203.0.113.7", r.json["session"])
        c2 = self.client(mode="cookie", auto_csrf=True)
        r = c2.post("/api/v1/sessions", {"email": account.email, "password": account.password},
                    headers={"Forwarded": 'for="[2001:db8::7]:443";proto=https'})
        self.assertEqual(r.json["session"]["ip"], "2001:db8::7", r.json["session"])
        events = c.get("/api/v1/me/audit?action=session.signed_in").json["items"]
        self.assertEqual({e["actor"]["ip"] for e in events}, {"203.0.113.7", "2001:db8::7"})

    def test_the_per_ip_limit_counts_each_forwarded_client(self):
        account = self.create_account(prefix="limited")
        # five attempts each from two clients behind the proxy: each client has its own bucket
        # (the proxy's own address, 127.0.0.1, spent four on the two accounts' sign-ups)
        for xff in ("198.51.100.1", "198.51.100.2"):
            for _ in range(5):
                _, r = self.sign_in_from(account, xff)
                self.assertEqual(r.status, 201, r)
        _, r = self.sign_in_from(account, "198.51.100.1")
        self.assertProblem(r, 429, "rate_limited")
        # a client that forges an address to its left still lands in its own bucket
        _, r = self.sign_in_from(account, "198.51.100.9, 198.51.100.1")
        self.assertProblem(r, 429, "rate_limited")


class WithoutTrustedProxiesTest(VaultTestCase):
    ARGON2_MEMORY_KIB = 8192

    def test_forwarding_headers_are_ignored(self):
        account = self.create_account(prefix="direct")
        c = self.client(mode="cookie", auto_csrf=True)
        r = c.post("/api/v1/sessions", {"email": account.email, "password": account.password},
                   headers={"X-Forwarded-For": "203.0.113.7",
                            "Forwarded": "for=198.51.100.3"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["session"]["ip"], "127.0.0.1")

    def test_a_bad_setting_stops_the_server_with_its_name(self):
        v = Vault(extra_env={"VAULT_TRUSTED_PROXIES": "10.0.0.0/33"})
        try:
            with self.assertRaises(Exception) as caught:
                v.start()
            self.assertIn("trusted_proxies", str(caught.exception))
        finally:
            v.close()


if __name__ == "__main__":
    main()
