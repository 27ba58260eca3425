#!/usr/bin/env python3
"""Bench: the same page on fresh connections and on one kept-alive connection.

A server that leaves Nagle's algorithm on (no TCP_NODELAY) answers a reused
connection about 40 ms late: the response's last small write waits for the
client's delayed ACK. Browsers reuse connections, so every page after the
first would pay it. This prints both medians and exits 1 when the kept-alive
median is more than 20 ms above the fresh one.

usage: bench-keepalive.py --base http://127.0.0.1:PORT [--path /login] [--reps 200]
Standard library only.
"""
import argparse
import http.client
import statistics
import sys
import time
import urllib.parse


def get(conn, path):
    start = time.perf_counter()
    conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
    response = conn.getresponse()
    response.read()
    elapsed = (time.perf_counter() - start) * 1000
    if response.status != 200:
        sys.exit(f"GET {path}: HTTP {response.status}")
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--path", default="/login")
    parser.add_argument("--reps", type=int, default=200)
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.base)

    def connect():
        return http.client.HTTPConnection(url.hostname, url.port, timeout=30)

    fresh = []
    for _ in range(args.reps):
        conn = connect()
        fresh.append(get(conn, args.path))
        conn.close()
    conn = connect()
    get(conn, args.path)  # the first request on the connection is a fresh one
    reused = [get(conn, args.path) for _ in range(args.reps)]
    conn.close()

    fresh_median, reused_median = statistics.median(fresh), statistics.median(reused)
    print(f"GET {args.path}, {args.reps} each: fresh connection median {fresh_median:.2f} ms, "
          f"kept-alive median {reused_median:.2f} ms")
    if reused_median > fresh_median + 20:
        print("kept-alive responses stall (is TCP_NODELAY off?)")
        sys.exit(1)


if __name__ == "__main__":
    main()
