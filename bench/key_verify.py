#!/usr/bin/python3
"""Helper for bench/key_verify.sh (stdlib only).

  key_verify.py setup --base URL --vault BIN --keys N --out FILE
      Through the API: a Super Admin (CLI + set-password link), a service client for "submit",
      one workspace with an enterprise "submit" product, and N API keys (production,
      submissions:read). Checks one verifies as valid and a mistyped one as malformed. Writes
      the credentials and the key texts as JSON.
  key_verify.py seed --db FILE --secret FILE --keys N --workspaces W --out FILE [--sample S]
      Adds N keys to the (stopped) server's SQLite database directly, spread over W new
      workspaces each with an active enterprise "submit" product, stored exactly as the server
      stores them (HMAC-SHA-256 of the key text under the server secret). Writes S of the key
      texts (random) to FILE for the load.
  key_verify.py lua --setup FILE [--keys FILE] --out FILE
      A wrk script POSTing /api/v1/keys/verify with a key picked at random per request.
  key_verify.py sample --base URL --setup FILE --lua FILE [--n 500]
      Verifies N of the script's keys one by one; prints the answer mix.
  key_verify.py table --results FILE
      Prints the Markdown table.
"""
import argparse
import base64
import hashlib
import hmac
import http.client
import json
import random
import re
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import zlib

PERMISSION = "submissions:read"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BASE32 = "abcdefghijklmnopqrstuvwxyz234567"


class Api:
    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)

    def call(self, method, path, body=None, headers=None, expect=None):
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        self.conn.request(method, path, body=None if body is None else json.dumps(body).encode(), headers=h)
        r = self.conn.getresponse()
        raw = r.read()
        out = json.loads(raw) if raw else None
        if expect is not None and r.status != expect:
            sys.exit(f"{method} {path} answered {r.status} (expected {expect}): {raw[:500]!r}")
        return r.status, out


def basic(client_id, secret):
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def crc62(body):
    v = zlib.crc32(body.encode())
    out = ""
    for _ in range(6):
        out = BASE62[v % 62] + out
        v //= 62
    return out


def setup(a):
    api = Api(a.base)
    email, password = "bench-keys@bench.example", f"Correct-Horse-Battery-{int(time.time())}"
    out = subprocess.run([a.vault, "admin", "create-super-admin", email], check=True, capture_output=True,
                         text=True).stdout
    token = re.search(r"token=([A-Za-z0-9_-]+)", out).group(1)
    api.call("POST", "/api/v1/password/reset", {"token": token, "password": password}, expect=204)
    _, s = api.call("POST", "/api/v1/sessions", {"email": email, "password": password}, expect=201)
    bearer = {"Authorization": "Bearer " + s["session_token"]}
    _, c = api.call("POST", "/api/v1/admin/service-clients", {"product_type": "submit", "name": "bench"},
                    headers=bearer, expect=201)
    _, w = api.call("POST", "/api/v1/workspaces", {"name": "Bench Keys", "shortname": "bench-keys"},
                    headers=bearer, expect=201)
    _, p = api.call("POST", f"/api/v1/workspaces/{w['id']}/products",
                    {"product_type": "submit", "name": "Bench Submit", "shortname": "bench-submit",
                     "plan": "enterprise"}, headers=bearer, expect=201)
    keys = []
    for i in range(a.keys):
        _, k = api.call("POST", f"/api/v1/workspaces/{w['id']}/api-keys",
                        {"name": f"bench {i}", "product": p["id"], "environment": "production",
                         "permissions": [PERMISSION]}, headers=bearer, expect=201)
        keys.append(k["key"])
    auth = {"Authorization": basic(c["client_id"], c["client_secret"])}
    _, ok = api.call("POST", "/api/v1/keys/verify", {"key": keys[0], "environment": "production",
                                                      "permission": PERMISSION}, headers=auth, expect=200)
    typo = keys[0][:-7] + ("A" if keys[0][-7] != "A" else "B") + keys[0][-6:]
    _, bad = api.call("POST", "/api/v1/keys/verify", {"key": typo, "environment": "production"},
                      headers=auth, expect=200)
    if not ok["valid"] or bad.get("reason") != "malformed":
        sys.exit(f"sanity: {ok} / {bad}")
    with open(a.out, "w") as f:
        json.dump({"client_id": c["client_id"], "client_secret": c["client_secret"], "keys": keys}, f)
    print(json.dumps({"valid": ok["valid"], "typo": bad["reason"]}))


def seed(a):
    secret = open(a.secret, "rb").read().strip()
    rng = random.Random(20261128)
    db = sqlite3.connect(a.db)
    db.execute("PRAGMA synchronous = OFF")
    now = int(time.time())
    W = a.workspaces
    db.execute("BEGIN")
    db.executemany("INSERT INTO workspaces (id, name, shortname, description, require_2fa, created_at, updated_at) "
                   "VALUES (?, ?, ?, '', 0, ?, ?)",
                   ((f"ws_k{w:06d}", f"Keys {w}", f"keys-{w}", now, now) for w in range(W)))
    db.executemany("INSERT INTO products (id, workspace_id, type_id, name, shortname, disabled, created_at, "
                   "updated_at) VALUES (?, ?, 'pty_submit', 'Submit', 'submit', 0, ?, ?)",
                   ((f"prd_k{w:06d}", f"ws_k{w:06d}", now, now) for w in range(W)))
    db.executemany("INSERT INTO subscriptions (product_id, plan_key, status, provider, external_id, period_end, "
                   "last_event_at, updated_at) VALUES (?, 'enterprise', 'active', 'local', '', 0, 0, ?)",
                   ((f"prd_k{w:06d}", now) for w in range(W)))
    sample_at = set(rng.sample(range(a.keys), min(a.sample, a.keys)))
    sample = []

    def rows():
        for i in range(a.keys):
            n, middle = i, ""
            for _ in range(20):
                middle = BASE32[n % 32] + middle
                n //= 32
            s = "".join(rng.choices(BASE62, k=43))
            body = f"avk_live_{middle}_{s}"
            text = body + crc62(body)
            if i in sample_at:
                sample.append(text)
            mac = hmac.new(secret, b"api_key\x00" + text.encode(), hashlib.sha256).hexdigest()
            w = i % W
            yield (f"ak_{middle}", f"ws_k{w:06d}", f"prd_k{w:06d}", "production", f"seeded {i}", mac, text[-4:],
                   PERMISSION, "", "acc_bench", now, 0, 0, 0, "", "", "")
    db.executemany("INSERT INTO api_keys (id, workspace_id, product_id, environment, name, secret_hash, last_four, "
                   "permissions, allowed_ips, created_by, created_at, expires_at, revoked_at, last_used_at, "
                   "last_used_ip, rolled_from, replaced_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   rows())
    db.commit()
    count = db.execute("SELECT COUNT(*) FROM api_keys").fetchone()[0]
    db.close()
    rng.shuffle(sample)
    with open(a.out, "w") as f:
        json.dump(sample, f)
    print(json.dumps({"keys_in_store": count, "sample": len(sample)}))


def lua(a):
    st = json.load(open(a.setup))
    keys = json.load(open(a.keys)) if a.keys else st["keys"]
    lines = "\n".join(keys)
    script = f"""-- generated by bench/key_verify.py: {len(keys)} keys
local auth = "{basic(st['client_id'], st['client_secret'])}"
local keys_text = [[
{lines}
]]
local reqs = {{}}
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
function init(args)
  math.randomseed(4242 + 7919 * (tid or 0))
  local headers = {{["Authorization"] = auth, ["Content-Type"] = "application/json"}}
  for key in keys_text:gmatch("(%S+)") do
    local body = '{{"key":"' .. key .. '","environment":"production","permission":"{PERMISSION}","ip":"198.51.100.7"}}'
    reqs[#reqs + 1] = wrk.format("POST", "/api/v1/keys/verify", headers, body)
  end
end
function request()
  return reqs[math.random(#reqs)]
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
               + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'BENCH_JSON {{"requests":%d,"seconds":%.3f,"rps":%.2f,"p50_ms":%.3f,"p99_ms":%.3f,"errors":%d,"non2xx":%d}}\\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors, summary.errors.status))
end
"""
    with open(a.out, "w") as f:
        f.write(script)
    with open(a.out + ".keys", "w") as f:
        f.write(lines + "\n")
    print(json.dumps({"keys": len(keys)}))


def sample(a):
    st = json.load(open(a.setup))
    keys = [l.strip() for l in open(a.lua + ".keys") if l.strip()]
    rng = random.Random(7)
    api = Api(a.base)
    auth = {"Authorization": basic(st["client_id"], st["client_secret"])}
    mix = {}
    for _ in range(a.n):
        status, r = api.call("POST", "/api/v1/keys/verify", {"key": rng.choice(keys), "environment": "production",
                                                              "permission": PERMISSION}, headers=auth)
        k = ("valid" if r["valid"] else r["reason"]) if status == 200 else f"http_{status}"
        mix[k] = mix.get(k, 0) + 1
    print(json.dumps(mix))


def table(a):
    R = json.load(open(a.results))
    small, big = R["small"], R["big"]
    yn = lambda b: "met" if b else "NOT met"
    lat = lambda x: (f"p50 {x['p50_ms']:.2f} ms, p99 {x['p99_ms']:.2f} ms"
                     + (f"; server CPU {x['server_cpu_us']:.0f} µs/req" if "server_cpu_us" in x else ""))
    median = lambda xs: sorted(xs)[len(xs) // 2] if len(xs) % 2 else sum(sorted(xs)[len(xs) // 2 - 1:len(xs) // 2 + 1]) / 2
    rows = []
    medians = {}
    for name, size in (("small", small), ("big", big)):
        ratios = []
        for i, r in enumerate(size["rounds"], 1):
            ratio = r["verify"]["rps"] / r["healthz"]["rps"]
            ratios.append(ratio)
            rows.append((f"{size['keys']:,} keys, round {i}: GET /healthz", f"{r['healthz']['rps']:,.0f} req/s",
                         lat(r["healthz"]), "1.00", ""))
            rows.append((f"{size['keys']:,} keys, round {i}: POST /api/v1/keys/verify",
                         f"{r['verify']['rps']:,.0f} verifications/s", lat(r["verify"]), f"{ratio:.2f} of /healthz", ""))
        medians[name] = median(ratios)
        rows.append((f"**{size['keys']:,} keys: median of {len(ratios)} rounds**", "", "",
                     f"**{medians[name]:.2f}** of /healthz (rounds {', '.join(f'{x:.2f}' for x in ratios)})",
                     f"≥ 0.70: {yn(medians[name] >= 0.7)}"))
    flat = medians["big"] / medians["small"]
    best_big = max(r["verify"]["rps"] for r in big["rounds"])
    rows += [
        (f"median at {big['keys']:,} keys ÷ median at {small['keys']:,}", f"{flat:.2f}", "", "", f"≥ 0.95: {yn(flat >= 0.95)}"),
    ]
    # The rounds alternate between the two servers, so round i of each size ran side by side:
    # the flatness of each such pair, its median. Shown beside the verdict, not as it.
    pairs = [(b["verify"]["rps"] / b["healthz"]["rps"]) / (s["verify"]["rps"] / s["healthz"]["rps"])
             for s, b in zip(small["rounds"], big["rounds"])]
    if pairs:
        rows.append((f"flatness of each pair of neighbouring rounds, median", f"{median(pairs):.2f}", "",
                     f"pairs {', '.join(f'{x:.2f}' for x in pairs)}", "(reported beside the flatness)"))
    # The same flatness in server CPU per verification: no /healthz in it. Shown beside the
    # verdict, not as it.
    cpu = {n: [r["verify"]["server_cpu_us"] for r in R[n]["rounds"] if "server_cpu_us" in r["verify"]]
           for n in ("small", "big")}
    if cpu["small"] and cpu["big"]:
        c_small, c_big = median(cpu["small"]), median(cpu["big"])
        rows.append((f"server CPU per verification, median: {small['keys']:,} keys ÷ {big['keys']:,} keys",
                     f"{c_small / c_big:.2f}", f"{c_small:.1f} µs / {c_big:.1f} µs", "", "(reported beside the flatness)"))
    rows += [
        ("verifications/s vs the Node library's ~3,400/s", f"{best_big / 3400:.1f}×", "", "",
         f"> 10×: {yn(best_big / 3400 > 10)}"),
    ]
    print()
    print("| measurement | rate | latency | ratio | target (issue) |")
    print("|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print()
    for n in [
        f"answer mix (sampled one by one): {small['keys']:,} keys {small['mix']}; {big['keys']:,} keys {big['mix']}",
        f"{big['keys']:,} keys: drawn at random from {big['sample']:,} spread over {big['workspaces']:,} workspaces/products; "
        f"ready (/readyz 200, key index loaded) {big['ready_s']:.1f} s after the process started "
        f"({big['cached']:,} keys loaded; {small['keys']:,} keys, first start: {small['ready_s']:.1f} s)",
        f"server VmRSS after the rounds: {small['keys']:,} keys {small['rss_kib'] / 1024:.0f} MiB, "
        f"{big['keys']:,} keys {big['rss_kib'] / 1024:.0f} MiB: "
        f"{(big['rss_kib'] - small['rss_kib']) * 1024 / max(1, big['keys'] - small['keys']):.0f} bytes per added key",
        f"seeding {big['seed_s']:.0f} s; wrk -t2 -c{R['conns']}; {R['rounds']} rounds per size, alternating "
        f"between a server on each store (both running), each /healthz "
        f"{R['seconds']} s + verify {R['seconds']} s + /healthz {R['seconds']} s, after a "
        f"{R.get('warmup', 3)} s verify warm-up; non-2xx: "
        f"{sum(r['verify']['non2xx'] for r in small['rounds'])} / {sum(r['verify']['non2xx'] for r in big['rounds'])}",
        f"other processes: {R['background']}% of the CPUs busy before the run"
        + (" (busy machine: figures are rough)" if R["background"] > 10 else ""),
    ]:
        print("- " + n)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("setup")
    p.add_argument("--base", required=True)
    p.add_argument("--vault", required=True)
    p.add_argument("--keys", type=int, default=100)
    p.add_argument("--out", required=True)
    p = sub.add_parser("seed")
    p.add_argument("--db", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--keys", type=int, required=True)
    p.add_argument("--workspaces", type=int, default=10000)
    p.add_argument("--sample", type=int, default=100000)
    p.add_argument("--out", required=True)
    p = sub.add_parser("lua")
    p.add_argument("--setup", required=True)
    p.add_argument("--keys")
    p.add_argument("--out", required=True)
    p = sub.add_parser("sample")
    p.add_argument("--base", required=True)
    p.add_argument("--setup", required=True)
    p.add_argument("--lua", required=True)
    p.add_argument("--n", type=int, default=500)
    p = sub.add_parser("table")
    p.add_argument("--results", required=True)
    a = ap.parse_args()
    {"setup": setup, "seed": seed, "lua": lua, "sample": sample, "table": table}[a.cmd](a)


if __name__ == "__main__":
    main()
