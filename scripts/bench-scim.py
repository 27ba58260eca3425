#!/usr/bin/env python3
"""Bench: SCIM over loopback on a seeded Roster, kept-alive connection.

Prints p50/p99 of: GET /scim/v2/Users?filter=userName eq "…" (a different
existing user each time), a list page of 100 at random offsets, and PATCH
adding one member to the group of 50,000 (a different user each time).

usage: bench-scim.py --base http://127.0.0.1:PORT --token roster_... --group ID --usernames FILE --outsiders FILE
Standard library only.
"""
import argparse
import http.client
import json
import random
import statistics
import sys
import time
import urllib.parse


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def report(name, times, target):
    print(f"{name:<48} p50 {statistics.median(times):7.2f} ms   p99 {percentile(times, 99):7.2f} ms   (target p50 <= {target} ms, n={len(times)})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--usernames", required=True)
    parser.add_argument("--outsiders", required=True)
    parser.add_argument("--reps", type=int, default=300)
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    headers = {"Authorization": f"Bearer {args.token}", "Content-Type": "application/scim+json"}

    def call(method, path, body=None, expect=200):
        start = time.perf_counter()
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = conn.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status != expect:
            sys.exit(f"{method} {path}: HTTP {response.status}, expected {expect}: {data[:300]!r}")
        return elapsed, data

    usernames = open(args.usernames).read().split()
    outsiders = open(args.outsiders).read().split()
    random.seed(1)

    times = []
    for i in range(args.reps + 20):
        name = random.choice(usernames)
        query = urllib.parse.urlencode({"filter": f'userName eq "{name}"'})
        elapsed, data = call("GET", f"/scim/v2/Users?{query}")
        if json.loads(data)["totalResults"] != 1:
            sys.exit(f"userName eq {name}: not exactly one")
        if i >= 20:
            times.append(elapsed)
    report('GET /Users?filter=userName eq "…"', times, 2)

    _, data = call("GET", "/scim/v2/Users?count=0")
    total = json.loads(data)["totalResults"]
    times = []
    for i in range(args.reps + 20):
        start = random.randint(1, max(1, total - 100))
        elapsed, data = call("GET", f"/scim/v2/Users?startIndex={start}&count=100")
        if len(json.loads(data)["Resources"]) != 100:
            sys.exit("a list page did not hold 100 users")
        if i >= 20:
            times.append(elapsed)
    report(f"GET /Users, a page of 100 of {total}", times, 10)

    times = []
    reps = min(args.reps, len(outsiders))
    for user_id in outsiders[:reps]:
        body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "add", "path": "members", "value": [{"value": user_id}]}]}
        elapsed, _ = call("PATCH", f"/scim/v2/Groups/{args.group}", body, expect=204)
        times.append(elapsed)
    report("PATCH /Groups/{50,000 members}: add one", times, 10)


if __name__ == "__main__":
    main()
