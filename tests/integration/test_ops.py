#!/usr/bin/python3
"""Operations: health, readiness, metrics, request ids, unknown routes, the OpenAPI document,
graceful shutdown, and durability across restarts and crashes."""

import json
import os
import re
import secrets
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (API_ENDPOINTS, OPS_ENDPOINTS, Vault, VaultFlows,  # noqa: E402
                     VaultTestCase, main, recv_all, unique_email, wait_until)


def template_key(path):
    return re.sub(r"\{[^}]*\}", "{}", path)


def route_label(route):
    """A route="..." label for route; the method may prefix the path ("POST /api/v1/x")."""
    return rf'route="(?:[A-Z]+ )?{re.escape(route)}"'


def metric_samples(text, name, route):
    """[(labels, value)] of the samples of `name` whose route label is `route`."""
    found = []
    for m in re.finditer(rf"^{re.escape(name)}\{{([^}}]*)\}} (\S+)$", text, re.M):
        if re.search(route_label(route), m.group(1)):
            found.append((m.group(1), float(m.group(2))))
    return found


class OpsTest(VaultTestCase):

    def test_health_and_readiness(self):
        c = self.client(mode="none")
        for path in ("/healthz", "/readyz"):
            r = c.get(path)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json, {"status": "ok"})
            self.assertTrue(r.headers.get("X-Request-Id"), r)

    def test_metrics(self):
        c = self.client(mode="none")
        before = c.get("/metrics")
        self.assertEqual(before.status, 200, before)
        self.assertTrue(before.headers.get("Content-Type", "").startswith("text/plain"), before)
        name = "vault_http_requests_total"
        base = sum(v for _, v in metric_samples(before.body.decode(), name, "/api/v1/me"))
        for _ in range(3):
            self.assertEqual(c.get("/api/v1/me").status, 401)
        r = c.post("/api/v1/sessions", {"email": unique_email("metrics"),
                                        "password": "Zq-metrics-pw-1"})
        self.assertEqual(r.status, 401, r)
        noise = f"/api/v1/no-such-route-{secrets.token_hex(4)}"
        self.assertEqual(c.get(noise).status, 404)
        # outside the API an unknown path is a console page (the SPA shows its own "not found")
        page = f"/no-such-page-{secrets.token_hex(4)}"
        self.assertEqual(c.get(page).status, 200)

        text = c.get("/metrics").body.decode()
        short = text[:3000]
        self.assertTrue(metric_samples(text, name, "/api/v1/sessions"),
                        f'no {name}{{route="/api/v1/sessions"}} in:\n{short}')
        hist = "vault_http_request_duration_seconds"
        buckets = metric_samples(text, hist + "_bucket", "/api/v1/sessions")
        self.assertTrue(buckets, f'no {hist}_bucket{{route="/api/v1/sessions"}} in:\n{short}')
        self.assertTrue(any('le="+Inf"' in labels and value >= 1 for labels, value in buckets),
                        buckets)
        self.assertTrue(metric_samples(text, hist + "_count", "/api/v1/sessions"), short)
        self.assertTrue(metric_samples(text, hist + "_sum", "/api/v1/sessions"), short)
        self.assertRegex(text, r"(?m)^vault_hash_queue_depth(\{[^}]*\})? \d")
        self.assertRegex(text, r"(?m)^# TYPE vault_http_requests_total counter")
        self.assertRegex(text, r"(?m)^# TYPE vault_http_request_duration_seconds histogram")
        after = sum(v for _, v in metric_samples(text, name, "/api/v1/me"))
        self.assertGreaterEqual(after - base, 3, "the /api/v1/me counter did not count 3 requests")
        # unknown paths must not become label values (unbounded cardinality)
        self.assertNotIn(noise, text)
        self.assertNotIn(page, text)

    def test_unknown_route_and_wrong_method(self):
        c = self.client(mode="none")
        r = c.get("/api/v1/definitely-not-a-route")
        self.assertProblem(r, 404, "route.not_found")
        r = c.post("/api/v1/nope", {"a": 1})
        self.assertProblem(r, 404, "route.not_found")
        # 405: the body says 405 too, and Allow lists the path's methods (RFC 9110 §15.5.6)
        for method, path, allowed in (
                ("DELETE", "/api/v1/signup", {"POST"}),
                ("PUT", "/api/v1/me", {"GET", "PATCH", "DELETE"}),
                ("POST", "/api/v1/workspaces/ws_x/members/acc_y", {"PATCH", "DELETE"}),
                ("DELETE", "/api/v1/workspaces/ws_x/products/p/subscription", {"GET", "PUT"})):
            with self.subTest(method=method, path=path):
                r = c.request(method, path)
                self.assertProblem(r, 405, "route.method_not_allowed")
                self.assertEqual(r.json["status"], 405, r)
                allow = r.headers.get("Allow")
                self.assertTrue(allow, r)
                self.assertEqual({m.strip() for m in allow.split(",")}, allowed, allow)

    def test_every_response_has_a_request_id(self):
        c = self.client(mode="none")
        responses = [
            c.get("/healthz"), c.get("/readyz"), c.get("/metrics"), c.get("/api/openapi.json"),
            c.get("/api/v1/me"),                                   # 401
            c.get("/api/v1/nothing-here"),                         # 404
            c.request("DELETE", "/api/v1/signup"),                 # 405
            c.raw("POST", "/api/v1/signup", b"{not json"),         # 400
            c.post("/api/v1/sessions", {"email": unique_email("rid"),
                                        "password": "Zq-request-id-1"}),  # 401
            c.post("/api/v1/password/forgot", {"email": unique_email("rid")}),  # 202
            c.send_large("POST", "/api/v1/signup", 2 * 1024 * 1024),  # 413
        ]
        ids = []
        for r in responses:
            rid = r.headers.get("X-Request-Id")
            self.assertTrue(rid, f"no X-Request-Id on {r!r}")
            ids.append(rid)
            if r.content_type == "application/problem+json":
                self.assertEqual(r.json.get("request_id"), rid, r)
        self.assertEqual(len(set(ids)), len(ids), f"request ids repeat: {ids}")

    def test_openapi_document(self):
        r = self.client(mode="none").get("/api/openapi.json")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.content_type, "application/json", r)
        doc = r.json
        self.assertIsInstance(doc, dict, r)
        self.assertEqual(doc.get("openapi"), "3.1.0")
        self.assertIn("info", doc)
        paths = {template_key(p): {m.upper() for m in ops} for p, ops in doc["paths"].items()}
        for label, endpoints in (("API", API_ENDPOINTS), ("operations", OPS_ENDPOINTS)):
            with self.subTest(label):
                missing = [f"{m} {p}" for m, p in endpoints
                           if m not in paths.get(template_key(p), set())]
                self.assertEqual(missing, [], f"{label} endpoints missing from the OpenAPI doc")


class ConnectionLimitTest(VaultTestCase):
    """VAULT_MAX_CONNECTIONS: idle connections cannot exhaust the server. Beyond the limit a
    new connection gets a 503 problem with Retry-After at once and is closed; once a held
    connection closes, requests are served again."""
    EXTRA_ENV = {"VAULT_MAX_CONNECTIONS": "4"}

    def raw_get(self, path="/healthz"):
        with socket.create_connection(("127.0.0.1", self.vault.server.port), timeout=10) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            return recv_all(s)

    def test_connections_beyond_the_limit_get_503_and_the_server_recovers(self):
        held = [socket.create_connection(("127.0.0.1", self.vault.server.port), timeout=10)
                for _ in range(4)]  # idle: connected, nothing sent
        try:
            wait_until(lambda: b" 503 " in self.raw_get(), 10, "the fifth connection refused")
            refused = self.raw_get()
            head, _, body = refused.partition(b"\r\n\r\n")
            self.assertIn(b"HTTP/1.1 503", head)
            self.assertIn(b"Retry-After: 1", head)
            self.assertEqual(json.loads(body)["code"], "overloaded")
        finally:
            for s in held:
                s.close()
        wait_until(lambda: self.raw_get().startswith(b"HTTP/1.1 200"), 10, "served again")
        metrics = self.raw_get("/metrics").decode()
        refused_total = int(re.search(r"^vault_http_connections_refused_total (\d+)$",
                                      metrics, re.M).group(1))
        self.assertGreaterEqual(refused_total, 2)


class SlowClientTest(VaultTestCase):
    """VAULT_HEADER_TIMEOUT_SECONDS / VAULT_BODY_TIMEOUT_SECONDS are deadlines: a client that
    trickles its header or body a byte at a time is disconnected once they pass, however long
    it keeps sending, and the server keeps answering others."""
    EXTRA_ENV = {"VAULT_HEADER_TIMEOUT_SECONDS": "1", "VAULT_BODY_TIMEOUT_SECONDS": "1"}

    def trickle(self, head, rest):
        """Sends head, then rest one byte every 0.2 s; returns how many bytes of rest went
        before the server closed the connection (len(rest) if it never did)."""
        with socket.create_connection(("127.0.0.1", self.vault.server.port), timeout=10) as s:
            s.sendall(head)
            for i, byte in enumerate(rest):
                try:
                    s.sendall(bytes([byte]))
                except OSError:
                    return i  # reset: the server closed it
                s.settimeout(0.2)
                try:
                    if s.recv(65536) == b"":
                        return i  # closed
                except socket.timeout:
                    pass
                except OSError:
                    return i
            return len(rest)

    def test_a_trickled_header_is_cut_off(self):
        rest = b"Host: x\r\nX-Filler: " + b"a" * 200 + b"\r\n\r\n"  # about 45 s of trickle
        sent = self.trickle(b"GET /healthz HTTP/1.1\r\n", rest)
        self.assertLess(sent, len(rest), "the server waited for the whole trickled header")
        self.assertTrue(recv_ok(self.vault.server.port))

    def test_a_trickled_body_is_cut_off(self):
        body = b"{" + b" " * 200 + b"}"
        head = (b"POST /api/v1/signup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
        sent = self.trickle(head, body)
        self.assertLess(sent, len(body), "the server waited for the whole trickled body")
        self.assertTrue(recv_ok(self.vault.server.port))


def recv_ok(port):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        return recv_all(s).startswith(b"HTTP/1.1 200")


class HugePagesTest(unittest.TestCase):
    """`serve` runs itself once more with glibc's huge-page heap (ADR 0017): the same process,
    now with GLIBC_TUNABLES=glibc.malloc.hugetlb=1. On by default, off with VAULT_HUGE_PAGES=off,
    and an operator's own GLIBC_TUNABLES is left as it is."""

    def tunables_of_running_server(self, extra_env):
        vault = Vault(extra_env=extra_env)
        vault.start()
        try:
            self.assertEqual(vault.client(mode="none").get("/healthz").status, 200)
            with open(f"/proc/{vault.server.proc.pid}/environ", "rb") as f:
                env = dict(e.split(b"=", 1) for e in f.read().split(b"\0") if b"=" in e)
            return env.get(b"GLIBC_TUNABLES")
        finally:
            vault.close()

    def test_serve_asks_for_huge_pages_unless_told_not_to(self):
        self.assertEqual(self.tunables_of_running_server(
            {"GLIBC_TUNABLES": None, "VAULT_HUGE_PAGES": None}), b"glibc.malloc.hugetlb=1")
        self.assertEqual(self.tunables_of_running_server(
            {"GLIBC_TUNABLES": None, "VAULT_HUGE_PAGES": "on"}), b"glibc.malloc.hugetlb=1")
        self.assertIsNone(self.tunables_of_running_server(
            {"GLIBC_TUNABLES": None, "VAULT_HUGE_PAGES": "off"}))
        self.assertEqual(self.tunables_of_running_server(
            {"GLIBC_TUNABLES": "glibc.malloc.arena_max=2", "VAULT_HUGE_PAGES": None}),
            b"glibc.malloc.arena_max=2")


class LifecycleTest(VaultFlows, unittest.TestCase):
    """Each test runs its own server so it can stop, kill and restart it."""

    def setUp(self):
        self.vault = Vault()
        self.vault.start()
        self.addCleanup(self.vault.close)

    def tearDown(self):
        self.assertEqual(self.vault.leaked_secrets(), [], "secrets in the server log")

    def restart(self):
        self.vault.server.start()

    def test_sigterm_exits_zero(self):
        self.assertEqual(self.vault.client().get("/healthz").status, 200)
        code = self.vault.server.stop()
        self.assertEqual(code, 0, self.vault.server.logs)

    def test_restart_keeps_accounts_and_sessions(self):
        acc = self.create_account(prefix="restart")
        self.assertEqual(self.vault.server.stop(), 0)
        self.restart()
        self.sign_in(acc.email, acc.password)
        r = acc.client.get("/api/v1/me")    # the session survives the restart too
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["email"], acc.email)

    def test_sigkill_after_acknowledged_writes(self):
        email = unique_email("crash")
        r = self.vault.client(mode="none").post("/api/v1/signup", {"name": "Crash Test",
                                                                   "email": email})
        self.assertEqual(r.status, 202, r)
        token = self.vault.token_from(self.vault.sink.wait_for_mail(email, "Verify your email"))
        self.vault.server.kill()            # the pending sign-up was acknowledged
        self.restart()
        password = self.vault.new_password()
        r = self.vault.client().post("/api/v1/signup/complete", {"token": token,
                                                                 "password": password})
        self.assertEqual(r.status, 201, r)
        self.vault.server.kill()            # right after the 201
        self.restart()
        self.sign_in(email, password)

        # a password change acknowledged with 204 survives a crash too
        c = self.sign_in(email, password)
        new_password = self.vault.new_password()
        r = c.post("/api/v1/me/password", {"current_password": password,
                                           "new_password": new_password})
        self.assertEqual(r.status, 204, r)
        self.vault.server.kill()
        self.restart()
        self.sign_in(email, new_password)
        self.sign_in(email, password, expect=401)

    def test_password_hash_parameters_change_across_restart(self):
        self.vault.server.stop()
        self.vault.server.set_argon2_memory_kib(8192)
        self.restart()
        acc = self.create_account(prefix="params")
        self.assertEqual(self.vault.server.stop(), 0)
        self.vault.server.set_argon2_memory_kib(None)   # back to the default parameters
        self.restart()
        self.sign_in(acc.email, acc.password)    # verifies, then re-hashes
        self.assertEqual(self.vault.server.stop(), 0)
        self.restart()
        self.sign_in(acc.email, acc.password)    # the re-hashed password verifies
        self.sign_in(acc.email, "Zq-wrong-password-1", expect=401)


if __name__ == "__main__":
    main()
