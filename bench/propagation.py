#!/usr/bin/python3
"""Change propagation between server nodes (bench/propagation.sh runs it; ADR 0005).

  propagation.py run --vault BIN --dir DIR --changes N --label NAME [--poll-ms 1] [--jitter-ms 250]
  propagation.py table --results FILE       (the JSON lines of the runs, as a table)

Starts three `serve` processes on one database (same secret file), sets up through node 1 a
Super Admin, a service client, a workspace with a product and N API keys, and waits until nodes 2
and 3 answer every key "valid" (so their caches hold them). Then, one key at a time, after a
random pause (--jitter-ms, up to 250 ms, so changes land at random points of a poll interval):
node 1 revokes it, and two threads, one per other node, verify it in a tight loop (--poll-ms,
1 ms between two requests) until the node answers "revoked". The delay of a node is from node
1's 204 (the revocation is committed) to the first "revoked" answer of that node. Prints one
JSON line with p50/p99/max per node and over both. The servers' environment (VAULT_DATABASE,
VAULT_CHANGE_NOTIFY, ...) is the caller's.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import threading
import time

from key_verify import PERMISSION, Api, basic


def start_node(vault, directory, name):
    log = open(os.path.join(directory, name + ".log"), "w+")
    env = dict(os.environ, VAULT_LISTEN="127.0.0.1:0")
    p = subprocess.Popen([vault, "serve"], cwd=directory, env=env, stdout=log,
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with open(log.name) as f:
            m = re.search(r'"msg":"listening".*?"address":"127\.0\.0\.1:(\d+)"', f.read())
        if m:
            return p, int(m.group(1))
        if p.poll() is not None:
            sys.exit(f"{name} exited; see {log.name}")
        time.sleep(0.05)
    sys.exit(f"{name} did not start listening")


def percentile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q / 100 * len(s) + 0.5)) - 1))]


def summary(ms):
    return {"n": len(ms), "p50_ms": round(percentile(ms, 50), 1),
            "p99_ms": round(percentile(ms, 99), 1), "max_ms": round(max(ms), 1)}


def setup(vault, api, changes):
    email = "bench-propagation@bench.example"
    password = f"Correct-Horse-Battery-{int(time.time())}"
    out = subprocess.run([vault, "admin", "create-super-admin", email], check=True,
                         capture_output=True, text=True).stdout
    token = re.search(r"token=([A-Za-z0-9_-]+)", out).group(1)
    api.call("POST", "/api/v1/password/reset", {"token": token, "password": password}, expect=204)
    _, s = api.call("POST", "/api/v1/sessions", {"email": email, "password": password},
                    expect=201)
    bearer = {"Authorization": "Bearer " + s["session_token"]}
    _, c = api.call("POST", "/api/v1/admin/service-clients",
                    {"product_type": "submit", "name": "bench"}, headers=bearer, expect=201)
    _, w = api.call("POST", "/api/v1/workspaces",
                    {"name": "Bench Propagation", "shortname": "bench-propagation"},
                    headers=bearer, expect=201)
    _, p = api.call("POST", f"/api/v1/workspaces/{w['id']}/products",
                    {"product_type": "submit", "name": "Bench Submit",
                     "shortname": "bench-submit", "plan": "enterprise"},
                    headers=bearer, expect=201)
    keys = []
    for i in range(changes):
        _, k = api.call("POST", f"/api/v1/workspaces/{w['id']}/api-keys",
                        {"name": f"bench {i}", "product": p["id"], "environment": "production",
                         "permissions": [PERMISSION]}, headers=bearer, expect=201)
        keys.append((k["id"], k["key"]))
    return bearer, w["id"], {"Authorization": basic(c["client_id"], c["client_secret"])}, keys


def verdict(api, auth, key):
    _, v = api.call("POST", "/api/v1/keys/verify",
                    {"key": key, "environment": "production", "permission": PERMISSION},
                    headers=auth, expect=200)
    return "valid" if v["valid"] else v["reason"]


class Watcher(threading.Thread):
    """Verifies the current key on one node until it is revoked; records the delay."""

    def __init__(self, port, auth, pause):
        super().__init__(daemon=True)
        self.pause = pause
        self.api, self.auth = Api(f"http://127.0.0.1:{port}"), auth
        self.cv = threading.Condition()
        self.key, self.since, self.delays, self.done, self.stop = None, None, [], True, False
        self.requests = 0
        self.error = None
        self.last = None

    def watch(self, key):
        with self.cv:
            self.key, self.since, self.done = key, None, False
            self.cv.notify()

    def committed(self, at):
        with self.cv:
            self.since = at
            self.cv.notify_all()  # the watcher may have seen it first and be waiting for this

    def wait_done(self, timeout=30):
        with self.cv:
            if not self.cv.wait_for(lambda: self.done, timeout):
                sys.exit(f"a node did not honour a revocation within {timeout} s "
                         f"(last answer {self.last!r}, {self.requests} requests)")
            if self.error:
                sys.exit(f"a watcher failed: {self.error}")

    def run(self):
        try:
            self.watch_keys()
        except BaseException as e:  # a dead watcher must not leave the main thread waiting
            with self.cv:
                self.error = f"{type(e).__name__}: {e}"
                self.done = True
                self.cv.notify_all()

    def watch_keys(self):
        while True:
            with self.cv:
                self.cv.wait_for(lambda: self.stop or not self.done)
                if self.stop:
                    return
                key = self.key
            while True:
                self.last = "(waiting for an answer)"
                seen = verdict(self.api, self.auth, key)
                self.last = seen
                self.requests += 1
                at = time.monotonic()
                if seen == "revoked":
                    break
                time.sleep(self.pause)
            with self.cv:
                # A node may answer before node 1's 204 arrives: a delay of 0.
                self.cv.wait_for(lambda: self.since is not None)
                self.delays.append(max(0.0, (at - self.since) * 1000))
                self.done = True
                self.cv.notify_all()


def run(a):
    nodes = [start_node(a.vault, a.dir, f"{a.label}-node{i}") for i in (1, 2, 3)]
    try:
        api = Api(f"http://127.0.0.1:{nodes[0][1]}")
        bearer, ws, auth, keys = setup(a.vault, api, a.changes)
        watchers = [Watcher(port, auth, a.poll_ms / 1000) for _, port in nodes[1:]]
        for w in watchers:
            for _, text in keys:  # cached as valid on every node (once the creation reached it)
                deadline = time.monotonic() + 10
                while verdict(w.api, auth, text) != "valid":
                    if time.monotonic() > deadline:
                        sys.exit("a new key is not valid on another node after 10 s")
                    time.sleep(0.01)
            w.start()
        rng = random.Random(7)
        for key_id, text in keys:
            # A random pause first: changes that follow the previous one's arrival would
            # otherwise land just after the others' poll and always wait a full interval.
            time.sleep(rng.uniform(0, a.jitter_ms / 1000))
            for w in watchers:
                w.watch(text)
            api.call("DELETE", f"/api/v1/workspaces/{ws}/api-keys/{key_id}", headers=bearer,
                     expect=204)
            now = time.monotonic()
            for w in watchers:
                w.committed(now)
            for w in watchers:
                w.wait_done()
        for w in watchers:
            with w.cv:
                w.stop = True
                w.cv.notify_all()
        both = watchers[0].delays + watchers[1].delays
        print(json.dumps({"label": a.label, "changes": a.changes,
                          "node2": summary(watchers[0].delays),
                          "node3": summary(watchers[1].delays), "all": summary(both),
                          "verify_requests": sum(w.requests for w in watchers)}))
    finally:
        for p, _ in nodes:
            p.terminate()
        for p, _ in nodes:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def table(a):
    rows = [json.loads(line) for line in open(a.results) if line.strip()]
    print(f"{'feed wake-up':<28} {'changes':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"
          f"   (nodes 2 and 3 together; node 2 / node 3 p99)")
    for r in rows:
        s = r["all"]
        print(f"{r['label']:<28} {s['n']:>7} {s['p50_ms']:>8} {s['p99_ms']:>8} {s['max_ms']:>8}"
              f"   {r['node2']['p99_ms']} / {r['node3']['p99_ms']}")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--vault", required=True)
    r.add_argument("--dir", required=True)
    r.add_argument("--changes", type=int, default=200)
    r.add_argument("--label", required=True)
    # A pause between two verifications of one watcher: two threads verifying flat out would
    # take a core from the three servers and PostgreSQL on a 2-core machine.
    r.add_argument("--poll-ms", type=float, default=1.0)
    # A random pause (uniform, 0 to this) before each revocation, so that changes arrive at
    # random points of the other nodes' poll interval (250 ms), as real ones do.
    r.add_argument("--jitter-ms", type=float, default=250.0)
    t = sub.add_parser("table")
    t.add_argument("--results", required=True)
    a = ap.parse_args()
    run(a) if a.cmd == "run" else table(a)


if __name__ == "__main__":
    main()
