#!/usr/bin/python3
"""Helper for bench/session_check.sh (stdlib only; PostgreSQL through psql).

  session_check.py setup --base URL --vault BIN --out FILE
      Through the API: a Super Admin (CLI + set-password link) signed in with a bearer token;
      checks GET /api/v1/me answers 200 with it. Writes the account id and token as JSON.
  session_check.py seed --database URL --secret FILE --setup FILE --sessions N --out FILE
                        [--sample S]
      Adds N accounts (copies of the set-up account, not Super Admins) and one session each to
      the stopped server's database, stored exactly as the server stores them: the token hash is
      HMAC-SHA-256 under the server secret of "session" 0x00 token, in lowercase hex. SQLite: one
      transaction; PostgreSQL: accounts by INSERT ... SELECT over a series, sessions by COPY.
      Writes S of the tokens (random) to FILE.
  session_check.py lua --tokens FILE --out FILE [--walk]
      A wrk script: GET /api/v1/me with a token drawn at random per request, or (--walk) each in
      turn, the two threads from either end of the list (without done(): the caller appends
      bench/lib.sh's report.lua).
  session_check.py sample --base URL --tokens FILE [--n 300]
      Asks /api/v1/me with N of the tokens one by one; prints the status mix.
  session_check.py table --results FILE
      Prints the Markdown table.
"""
import argparse
import base64
import hashlib
import hmac
import json
import random
import re
import os
import sqlite3
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from key_verify import Api  # noqa: E402  (the same small JSON client)

EMAIL = "bench-sessions@bench.example"


def setup(a):
    api = Api(a.base)
    password = f"Correct-Horse-Battery-{int(time.time())}"
    out = subprocess.run([a.vault, "admin", "create-super-admin", EMAIL], check=True,
                         capture_output=True, text=True).stdout
    token = re.search(r"token=([A-Za-z0-9_-]+)", out).group(1)
    api.call("POST", "/api/v1/password/reset", {"token": token, "password": password}, expect=204)
    _, s = api.call("POST", "/api/v1/sessions", {"email": EMAIL, "password": password}, expect=201)
    bearer = s["session_token"]
    _, me = api.call("GET", "/api/v1/me", headers={"Authorization": "Bearer " + bearer}, expect=200)
    with open(a.out, "w") as f:
        json.dump({"account_id": me["id"], "token": bearer}, f)
    print(json.dumps({"me": me["email"]}))


def token_of(i):
    # 43 base64url characters, as core::NewToken makes them (256 bits).
    return base64.urlsafe_b64encode(hashlib.sha256(b"bench-session-%d" % i).digest()).decode()[:43]


def rows(secret, n, now, sample_at, sample):
    for i in range(n):
        t = token_of(i)
        if i in sample_at:
            sample.append(t)
        h = hmac.new(secret, b"session\x00" + t.encode(), hashlib.sha256).hexdigest()
        yield (f"ses_bench{i:013d}", f"acc_bench{i:013d}", h, now, now, now + 30 * 86400,
               "127.0.0.1", "bench")


def psql(url, sql, stdin=None):
    r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", url, "-c", sql],
                       input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"psql: {r.stderr}")
    return r.stdout


def account_copy_sql(cols, template, n, pg):
    """INSERT ... SELECT of n copies of the template account (WITH RECURSIVE: both dialects)."""
    num = "lpad(g.i::text, 13, '0')" if pg else "printf('%013d', g.i)"
    pick = []
    for c in cols:
        if c == "id":
            pick.append(f"'acc_bench' || {num}")
        elif c in ("email", "email_norm"):
            pick.append(f"'bench' || {num} || '@bench.example'")
        elif c == "super_admin":
            pick.append("0")  # BIGINT on both backends
        else:
            pick.append(f"t.{c}")
    return (f"WITH RECURSIVE g(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM g WHERE i < {n - 1}) "
            f"INSERT INTO accounts ({', '.join(cols)}) SELECT {', '.join(pick)} "
            f"FROM accounts t, g WHERE t.id = '{template}'")


def seed(a):
    secret = open(a.secret, "rb").read().strip()
    st = json.load(open(a.setup))
    rng = random.Random(20261130)
    now = int(time.time())
    n = a.sessions
    sample_at = set(rng.sample(range(n), min(a.sample, n)))
    sample = []
    session_cols = "id, account_id, token_hash, created_at, last_seen_at, expires_at, ip, user_agent"
    if a.database.startswith("sqlite:"):
        db = sqlite3.connect(a.database[len("sqlite:"):])
        db.execute("PRAGMA synchronous = OFF")
        cols = [r[1] for r in db.execute("PRAGMA table_info(accounts)")]
        db.execute("BEGIN")
        db.execute(account_copy_sql(cols, st["account_id"], n, False))
        db.executemany(f"INSERT INTO sessions ({session_cols}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       rows(secret, n, now, sample_at, sample))
        db.commit()
        count = db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
        db.close()
    else:
        url = a.database
        cols = psql(url, "SELECT column_name FROM information_schema.columns WHERE "
                         "table_name = 'accounts' AND table_schema = current_schema() "
                         "ORDER BY ordinal_position").split()
        psql(url, account_copy_sql(cols, st["account_id"], n, True))
        csv = "".join(",".join(str(x) for x in r) + "\n"
                      for r in rows(secret, n, now, sample_at, sample))
        psql(url, f"\\copy sessions ({session_cols}) FROM STDIN WITH (FORMAT csv)", stdin=csv)
        psql(url, "ANALYZE accounts; ANALYZE sessions")
        count = int(psql(url, "SELECT COUNT(*) FROM sessions").strip())
    rng.shuffle(sample)
    with open(a.out, "w") as f:
        json.dump(sample, f)
    print(json.dumps({"sessions_in_store": count, "sample": len(sample)}))


def lua(a):
    tokens = json.load(open(a.tokens))
    lines = "\n".join(tokens)
    script = f"""-- generated by bench/session_check.py: {len(tokens)} tokens
local tokens_text = [[
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
  for t in tokens_text:gmatch("(%S+)") do
    reqs[#reqs + 1] = wrk.format("GET", "/api/v1/me", {{["Authorization"] = "Bearer " .. t}})
  end
end
local walked = 0
function request()
  if {1 if a.walk else 0} == 1 then  -- the warm-up: every token once, each thread its half
    walked = walked + 1
    return reqs[((tid or 0) * math.floor(#reqs / 2) + walked - 1) % #reqs + 1]
  end
  return reqs[math.random(#reqs)]
end
"""
    with open(a.out, "w") as f:
        f.write(script)
    print(json.dumps({"tokens": len(tokens)}))


def sample(a):
    tokens = json.load(open(a.tokens))
    rng = random.Random(7)
    api = Api(a.base)
    mix = {}
    for _ in range(a.n):
        status, _ = api.call("GET", "/api/v1/me",
                             headers={"Authorization": "Bearer " + rng.choice(tokens)})
        mix[str(status)] = mix.get(str(status), 0) + 1
    print(json.dumps(mix))


def table(a):
    R = json.load(open(a.results))
    print()
    print("| backend, sessions | GET /healthz | GET /api/v1/me | ratio (median of rounds) | "
          "target ≥ 0.70 | server RSS | ready after start |")
    print("|---|---|---|---|---|---|---|")
    for b in R["backends"]:
        rounds = b["rounds"]
        ratios = [r["me"]["rps"] / r["healthz"]["rps"] for r in rounds]
        med = statistics.median(ratios)
        mid = min(rounds, key=lambda r: abs(r["me"]["rps"] / r["healthz"]["rps"] - med))
        h, m = mid["healthz"], mid["me"]
        lat = lambda x: f"{x['rps']:,.0f}/s (p50 {x['p50_ms']:.2f} ms, p99 {x['p99_ms']:.2f} ms)"
        print(f"| {b['backend']}, {b['sessions']:,} | {lat(h)} | {lat(m)} | {med:.2f} "
              f"({', '.join(f'{x:.2f}' for x in ratios)}) | {'met' if med >= 0.7 else 'NOT met'} | "
              f"{b['rss_kib'] / 1024:.0f} MiB | {b['ready_s']:.1f} s |")
    print()
    for b in R["backends"]:
        print(f"- {b['backend']}: {b['cached']:,} sessions in memory "
              f"({b['cache_bytes'] / max(1, b['cached']):.0f} bytes each with the account "
              f"profiles); session DB reads during the measured runs: {b['db_reads']}; "
              f"status mix {b['mix']}; seeding {b['seed_s']:.0f} s; non-2xx "
              f"{sum(r['me']['non2xx'] for r in b['rounds'])}")
    print(f"- wrk -t2 -c{R['conns']}, {R['seconds']} s per /me run with /healthz half before and "
          f"half after, {R['warmup']} s warm-up; tokens drawn at random from {R['sample']:,}; "
          f"other processes kept {R['background']}% of the CPUs busy before the run")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("setup")
    p.add_argument("--base", required=True)
    p.add_argument("--vault", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("seed")
    p.add_argument("--database", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--setup", required=True)
    p.add_argument("--sessions", type=int, required=True)
    p.add_argument("--sample", type=int, default=100000)
    p.add_argument("--out", required=True)
    p = sub.add_parser("lua")
    p.add_argument("--tokens", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--walk", action="store_true", help="each token in turn (the warm-up)")
    p = sub.add_parser("sample")
    p.add_argument("--base", required=True)
    p.add_argument("--tokens", required=True)
    p.add_argument("--n", type=int, default=300)
    p = sub.add_parser("table")
    p.add_argument("--results", required=True)
    a = ap.parse_args()
    {"setup": setup, "seed": seed, "lua": lua, "sample": sample, "table": table}[a.cmd](a)


if __name__ == "__main__":
    main()
