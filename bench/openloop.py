#!/usr/bin/python3
"""Open-loop HTTP load generator (stdlib only).

Sends one request every 1/RATE seconds for DURATION seconds whatever the server answers, so a
slow server meets the same offered load as a fast one (no coordinated omission). Each request
takes an idle keep-alive connection from a pool, or opens a new one if none is idle, so a slow
answer never delays the next send. Latency is measured from the request's *scheduled* send time
to the end of its response, so scheduler lag on our side counts against us, not the server.

Prints one JSON object: offered rate, counts and rates per status, p50/p99 per status.

  openloop.py --url http://127.0.0.1:PORT/api/v1/sessions --rate 80 --duration 15 \
              --body '{"email":"a@b.c","password":"..."}'
"""
import argparse
import asyncio
import json
import math
import sys
import time
import urllib.parse


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    # nearest rank: the smallest value with at least p% of the values at or below it
    k = max(0, min(len(sorted_values) - 1, math.ceil(p / 100.0 * len(sorted_values)) - 1))
    return sorted_values[k]


class Pool:
    def __init__(self, host, port):
        self.host, self.port = host, port
        self.idle = []
        self.opened = 0

    async def get(self):
        while self.idle:
            r, w = self.idle.pop()
            if not w.is_closing() and not r.at_eof():
                return r, w
        self.opened += 1
        return await asyncio.open_connection(self.host, self.port)

    def put(self, conn):
        self.idle.append(conn)


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, close = 0, False
    for line in lines[1:]:
        if not line:
            continue
        k, _, v = line.partition(":")
        k = k.strip().lower()
        if k == "content-length":
            length = int(v.strip())
        elif k == "connection" and v.strip().lower() == "close":
            close = True
    if length:
        await reader.readexactly(length)
    return status, close


async def one(pool, payload, scheduled, timeout, results):
    conn = None
    try:
        conn = await asyncio.wait_for(pool.get(), timeout)
        r, w = conn
        w.write(payload)
        status, close = await asyncio.wait_for(read_response(r), timeout)
        results.append((status, time.perf_counter() - scheduled, scheduled))
        if close:
            w.close()
        else:
            pool.put(conn)
    except asyncio.TimeoutError:
        results.append(("timeout", time.perf_counter() - scheduled, scheduled))
        if conn:
            conn[1].close()
    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as e:
        results.append(("error:" + type(e).__name__, time.perf_counter() - scheduled, scheduled))
        if conn:
            conn[1].close()


async def run(args):
    u = urllib.parse.urlsplit(args.url)
    host, port = u.hostname, u.port or 80
    path = (u.path or "/") + ("?" + u.query if u.query else "")
    body = args.body.encode()
    headers = [f"{args.method} {path} HTTP/1.1", f"Host: {u.netloc}",
               "User-Agent: atomyx-openloop", "Connection: keep-alive"]
    if body:
        headers += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    for h in args.header:
        headers.append(h)
    payload = ("\r\n".join(headers) + "\r\n\r\n").encode() + body

    pool = Pool(host, port)
    results = []
    tasks = []
    interval = 1.0 / args.rate
    n = int(round(args.rate * args.duration))
    start = time.perf_counter() + 0.05
    max_lag = 0.0
    for i in range(n):
        scheduled = start + i * interval
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            max_lag = max(max_lag, -delay)
        tasks.append(asyncio.create_task(one(pool, payload, scheduled, args.timeout, results)))
    send_end = time.perf_counter()
    await asyncio.gather(*tasks)
    end = time.perf_counter()
    for r, w in pool.idle:
        w.close()

    # Rates count the answers that *completed* while we were sending, over the sending window:
    # the steady-state throughput. Answers still queued at the end (the drain) are counted in
    # "count" and in the latencies, not in "per_sec", so a deep queue cannot inflate the rate.
    send_window = send_end - start
    by_status, in_window = {}, {}
    for status, lat, scheduled in results:
        by_status.setdefault(str(status), []).append(lat)
        if scheduled + lat <= send_end:
            in_window[str(status)] = in_window.get(str(status), 0) + 1
    out = {
        "offered_rate": args.rate,
        "duration_s": round(send_window, 3),
        "sent": n,
        "drain_s": round(end - send_end, 3),
        "connections_opened": pool.opened,
        "max_send_lag_ms": round(max_lag * 1000, 2),
        "statuses": {},
    }
    for status, lats in sorted(by_status.items()):
        lats.sort()
        out["statuses"][status] = {
            "count": len(lats),
            "per_sec": round(in_window.get(status, 0) / send_window, 2),
            "p50_ms": round(percentile(lats, 50) * 1000, 2),
            "p99_ms": round(percentile(lats, 99) * 1000, 2),
            "max_ms": round(lats[-1] * 1000, 2),
        }
    ok = out["statuses"].get(str(args.ok_status), {})
    busy = out["statuses"].get("503", {})
    out["success_per_sec"] = ok.get("per_sec", 0.0)
    out["success_p50_ms"] = ok.get("p50_ms")
    out["success_p99_ms"] = ok.get("p99_ms")
    out["rejected_503_per_sec"] = busy.get("per_sec", 0.0)
    out["rejected_503_p50_ms"] = busy.get("p50_ms")
    out["rejected_503_p99_ms"] = busy.get("p99_ms")
    out["other"] = {s: v["count"] for s, v in out["statuses"].items()
                    if s not in (str(args.ok_status), "503")}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True)
    ap.add_argument("--method", default="POST")
    ap.add_argument("--body", default="")
    ap.add_argument("--header", action="append", default=[], help="extra 'Name: value' header")
    ap.add_argument("--rate", type=float, required=True, help="requests per second")
    ap.add_argument("--duration", type=float, default=15.0, help="seconds of sending")
    ap.add_argument("--timeout", type=float, default=30.0, help="per-request timeout, seconds")
    ap.add_argument("--ok-status", type=int, default=201)
    args = ap.parse_args()
    if args.rate <= 0 or args.duration <= 0:
        ap.error("--rate and --duration must be positive")
    print(json.dumps(asyncio.run(run(args))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
