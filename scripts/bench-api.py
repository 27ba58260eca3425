#!/usr/bin/env python3
"""Bench: the REST API over loopback, kept-alive connections, one token.

Prints p50/p99 of GET /api/v1/users (first page), a search, and GET
/api/v1/me with and without the token, alternately (the difference is what
checking a token costs), then holds a steady RATE requests/s for SECONDS and reports
errors and p50/p99.

usage: bench-api.py --base http://127.0.0.1:PORT --token roster_... [--rate 200] [--seconds 60]
Standard library only.
"""
import argparse
import http.client
import statistics
import sys
import threading
import time
import urllib.parse


def connect(base):
    url = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=10)


def timed(conn, path, token):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    start = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    return (time.perf_counter() - start) * 1000, response.status


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def series(base, path, token, reps, expect):
    conn = connect(base)
    for _ in range(20):
        timed(conn, path, token)
    times = []
    for _ in range(reps):
        elapsed, status = timed(conn, path, token)
        if status != expect:
            sys.exit(f"GET {path}: HTTP {status}, expected {expect}")
        times.append(elapsed)
    return times


def interleaved(base, path, token, reps):
    """The same path with and without the token, alternately on one
    connection, so that drift in the machine's load (two cores, the client
    on one of them) falls on both series alike."""
    conn = connect(base)
    for _ in range(50):
        timed(conn, path, token)
        timed(conn, path, None)
    with_token, without = [], []
    for _ in range(reps):
        elapsed, status = timed(conn, path, token)
        if status != 200:
            sys.exit(f"GET {path} with the token: HTTP {status}")
        with_token.append(elapsed)
        elapsed, status = timed(conn, path, None)
        if status != 401:
            sys.exit(f"GET {path} without a token: HTTP {status}")
        without.append(elapsed)
    return with_token, without


def steady(base, path, token, rate, seconds, workers=8):
    times, errors, lock = [], [0], threading.Lock()
    interval = workers / rate
    deadline = time.perf_counter() + seconds

    def worker(offset):
        conn = connect(base)
        next_at = time.perf_counter() + offset * interval / workers
        while next_at < deadline:
            pause = next_at - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            try:
                elapsed, status = timed(conn, path, token)
                ok = status == 200
            except Exception:
                conn = connect(base)
                elapsed, ok = 0.0, False
            with lock:
                if ok:
                    times.append(elapsed)
                else:
                    errors[0] += 1
            next_at += interval

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, errors[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--search", default="ann")
    parser.add_argument("--reps", type=int, default=500)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    args = parser.parse_args()

    def report(label, times):
        print(f"{label:<44} p50 {statistics.median(times):6.2f} ms   p99 {percentile(times, 99):6.2f} ms")

    first = series(args.base, "/api/v1/users", args.token, args.reps, 200)
    report("GET /api/v1/users (first page)", first)
    search = series(args.base, f"/api/v1/users?q={args.search}", args.token, args.reps, 200)
    report(f"GET /api/v1/users?q={args.search}", search)
    with_token, without = interleaved(args.base, "/api/v1/me", args.token, 4 * args.reps)
    report("GET /api/v1/me with the token", with_token)
    report("GET /api/v1/me without a token (no check)", without)
    print(f"{'token check (difference of medians)':<44} {statistics.median(with_token) - statistics.median(without):6.2f} ms")
    times, errors = steady(args.base, "/api/v1/users", args.token, args.rate, args.seconds)
    total = len(times) + errors
    print(
        f"{args.rate} req/s for {args.seconds} s: {total} requests ({total / args.seconds:.0f}/s), "
        f"{errors} errors, p50 {statistics.median(times):.2f} ms, p99 {percentile(times, 99):.2f} ms"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
