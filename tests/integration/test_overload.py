#!/usr/bin/env python3
"""Scale-out and overload behaviour of the server process (issue 17):

  * shedding: requests for the blocking (SQL) pool beyond its workers plus the allowed backlog
    get a 503 problem with Retry-After at once, and one that waited in the queue longer than
    the queue timeout gets 503 without running; the server recovers by itself;
  * the per-IP limit holds across nodes: two processes on one database draw from one bucket;
  * rolling restart: SIGTERM makes /readyz answer 503 while the node still serves (answers
    close their connections) for VAULT_DRAIN_SECONDS; a client that follows readiness, like a
    load balancer, sees no failed request while each of two nodes is restarted in turn.

The database is held busy from outside (an exclusive SQLite transaction, or a PostgreSQL
table lock) so a request occupies the single blocking worker for as long as the test says:
what is asserted never depends on the machine's speed.
"""
import os
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Vault, VaultFlows, VaultTestCase, main, metric,  # noqa: E402
                     unique_email, wait_until)


class DatabaseHold:
    """Holds a write lock on the accounts table from another process until release()."""

    def __init__(self, vault):
        db = self.db = vault.db
        if db.backend == "sqlite":
            path = db.url[len("sqlite:"):]
            script = "BEGIN EXCLUSIVE;\nSELECT 'held';\n.shell sleep 30\nCOMMIT;\n"
            self.proc = subprocess.Popen(["sqlite3", "-batch", path], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         text=True)
            self.proc.stdin.write(script)
            self.proc.stdin.flush()
        else:
            # Fed on stdin, the transaction stays open until release(); psql's output is
            # buffered, so the lock is observed in pg_locks rather than read from it.
            self.proc = subprocess.Popen(["psql", db.url, "-qAtX"], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         text=True, env=dict(os.environ,
                                                             PGAPPNAME="vault-test-hold"))
            self.proc.stdin.write("BEGIN;\nLOCK TABLE accounts IN ACCESS EXCLUSIVE MODE;\n")
            self.proc.stdin.flush()
            query = ("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                     "WHERE a.application_name = 'vault-test-hold' AND l.mode = "
                     "'AccessExclusiveLock' AND l.granted")
            wait_until(lambda: db.sql(query)[0][0] != "0", 10, "the table lock")
            return
        line = self.proc.stdout.readline()
        if "held" not in line:
            raise RuntimeError(f"could not hold the database: {line!r}")

    def release(self):
        if self.db.backend == "postgres":
            # Ends the holding backend at once, whatever psql is doing.
            self.db.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = 'vault-test-hold'")
        if self.proc.poll() is None:
            self.proc.kill()   # the transaction dies with its connection
        self.proc.communicate()


class SheddingTest(VaultTestCase):
    """One blocking worker, a backlog of one, a 700 ms queue timeout."""
    EXTRA_ENV = {"VAULT_DB_POOL_SIZE": "1", "VAULT_BLOCKING_QUEUE_LIMIT": "1",
                 "VAULT_BLOCKING_QUEUE_TIMEOUT_MS": "700"}

    def inflight(self):
        r = self.client(mode="none").get("/metrics")
        return metric(r.body.decode(), "vault_blocking_requests_inflight")

    def test_a_full_queue_and_a_long_wait_answer_503_then_the_server_recovers(self):
        acc = self.create_account()
        before = metric(self.client(mode="none").get("/metrics").body.decode(),
                        "vault_http_shed_total")
        answers = {}

        def patch(tag):
            c = acc.client
            c.retry_budget = 0
            answers[tag] = c.patch("/api/v1/me", {"name": f"Name {tag}"})

        hold = DatabaseHold(self.vault)
        threads = []
        try:
            # A takes the only worker and waits on the lock; B waits in the queue (backlog 1).
            for tag, inflight in (("a", 1), ("b", 2)):
                t = threading.Thread(target=patch, args=(tag,))
                t.start()
                threads.append(t)
                wait_until(lambda n=inflight: self.inflight() >= n, 10, f"{inflight} in flight")
            # C finds the queue full: 503 at once, while A and B are still waiting.
            c = acc.client
            c.retry_budget = 0
            started = time.monotonic()
            r = c.patch("/api/v1/me", {"name": "Name c"})
            self.assertProblem(r, 503, "overloaded")
            self.assertEqual(r.headers.get("Retry-After"), "1", r)
            self.assertLess(time.monotonic() - started, 5)
            self.assertTrue(threads[0].is_alive() and threads[1].is_alive())
            time.sleep(1.0)  # B's wait in the queue passes the 700 ms timeout
        finally:
            hold.release()
            for t in threads:
                t.join(30)
        self.assertEqual(answers["a"].status, 200, answers["a"])
        # B was never run: its client gets 503, and its change is not made.
        self.assertProblem(answers["b"], 503, "overloaded")
        me = acc.client.get("/api/v1/me")
        self.assertEqual(me.json["name"], "Name a", me)
        after = metric(self.client(mode="none").get("/metrics").body.decode(),
                       "vault_http_shed_total")
        self.assertEqual(after - before, 2)
        # Recovered on its own: the next request is served.
        r = acc.client.patch("/api/v1/me", {"name": "Name d"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.inflight(), 0)


class SharedRateLimitTest(VaultFlows, unittest.TestCase):
    """Two nodes configured alike (burst 4, one per 100 s) share one bucket per client IP."""

    @classmethod
    def setUpClass(cls):
        cls.vault = Vault(extra_env={"VAULT_IP_RATE_PER_SECOND": "0.01",
                                     "VAULT_IP_BURST": "4"}).start()
        cls.second = cls.vault.add_server()

    @classmethod
    def tearDownClass(cls):
        cls.vault.close()

    def attempt(self, server):
        c = self.client(mode="none", server=server)
        c.retry_budget = 0
        return c.post("/api/v1/sessions", {"email": unique_email("ip"),
                                           "password": "Wrong-guess-xyz-12"})

    def test_nodes_together_allow_the_burst_not_twice_it(self):
        first, second = self.vault.server, self.second
        # Two on each node: each node's own bucket (burst 4) still has room for two more ...
        for server in (first, second, first, second):
            self.assertProblem(self.attempt(server), 401, "auth.invalid_credentials")
        # ... but the shared one is empty: both nodes refuse.
        for server in (first, second):
            r = self.attempt(server)
            self.assertProblem(r, 429, "rate_limited")
            self.assertRegex(r.headers.get("Retry-After", ""), r"^[1-9]\d*$", r)
            self.assertLessEqual(int(r.headers["Retry-After"]), 100)
        # Endpoints without the limit are not affected.
        self.assertEqual(self.client(mode="none", server=second).get("/healthz").status, 200)


class RollingRestartTest(VaultFlows, unittest.TestCase):
    """Two nodes with a 2 s stop grace; a readiness-following client keeps sending reads and
    writes while each node is stopped and started again."""

    @classmethod
    def setUpClass(cls):
        cls.vault = Vault(extra_env={"VAULT_DRAIN_SECONDS": "2"}).start()
        cls.vault.add_server()

    @classmethod
    def tearDownClass(cls):
        cls.vault.close()

    def test_draining_node_is_not_ready_but_still_serves(self):
        node = self.vault.add_server()
        c = self.client(mode="none", server=node)
        c.retry_budget = 0
        self.assertEqual(c.get("/readyz").status, 200)
        node.proc.send_signal(15)
        wait_until(lambda: c.get("/readyz").status == 503, 5, "readyz 503 while draining")
        r = c.get("/readyz")
        self.assertProblem(r, 503, "server.draining")
        r = c.get("/healthz")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get("Connection", "").lower(), "close", r)
        self.assertEqual(node.stop(), 0)
        self.assertIn("draining", node.logs)

    def test_rolling_restart_fails_no_request(self):
        acc = self.create_account()
        ready = {}
        ready_lock = threading.Lock()
        stop = threading.Event()
        failures, served = [], [0]

        def watch():
            # What a load balancer does: probe each node's /readyz every 50 ms.
            while not stop.is_set():
                for s in list(self.vault.servers):
                    port = s.port if s.alive() else None
                    ok = False
                    if port:
                        c = self.client(mode="none", server=s)
                        c.retry_budget = 0
                        try:
                            ok = c.get("/readyz", timeout=2).status == 200
                        except OSError:
                            ok = False
                    with ready_lock:
                        ready[id(s)] = (s, ok)
                time.sleep(0.05)

        clients = [self.sign_in(acc.email, acc.password) for _ in range(2)]

        def traffic(worker):
            n = 0
            c = clients[worker]
            c.retry_budget = 0
            while not stop.is_set():
                with ready_lock:
                    nodes = [s for s, ok in ready.values() if ok]
                if not nodes:
                    time.sleep(0.01)
                    continue
                node = nodes[(n + worker) % len(nodes)]
                n += 1
                c.server = node
                try:
                    if n % 3 == 0:
                        r = c.patch("/api/v1/me", {"name": f"Worker {worker} {n}"})
                    else:
                        r = c.get("/api/v1/me")
                    if r.status != 200:
                        failures.append((node.port, r.status, r.body[:200]))
                except OSError as e:
                    failures.append((node.port, "error", repr(e)))
                served[0] += 1

        self.client(mode="none").get("/healthz")
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        wait_until(lambda: sum(ok for _, ok in ready.values()) == 2, 10, "both nodes ready")
        workers = [threading.Thread(target=traffic, args=(i,), daemon=True) for i in range(2)]
        for w in workers:
            w.start()
        try:
            for node in list(self.vault.servers):
                time.sleep(0.5)
                before = served[0]
                self.assertEqual(node.stop(), 0)    # SIGTERM, 2 s grace, exit
                node.start()
                wait_until(lambda: ready.get(id(node), (None, False))[1], 10, "back and ready")
                time.sleep(0.5)
                self.assertGreater(served[0], before, "traffic kept flowing")
        finally:
            stop.set()
            for w in workers:
                w.join(10)
            watcher.join(10)
        self.assertGreater(served[0], 20)
        self.assertEqual(failures, [])


if __name__ == "__main__":
    main()
