"""Prints Locust's figures for scripts/bench-load.sh and judges them.

Targets (issue 20, item 6): no errors at all, a p99 of at most 50 ms for
every kind of Users page request, every live connection still open when the
run ends, and no panic in the server's log. Exits 1 when one is missed.
"""

import argparse
import csv
import re
import sys

USERS_PAGE_P99_MS = 50

parser = argparse.ArgumentParser()
parser.add_argument("stats")
parser.add_argument("--tabs", type=int, required=True)
parser.add_argument("--tabs-line", default="")
parser.add_argument("--rss-kb", type=int, default=0)
parser.add_argument("--panics", type=int, default=0)
args = parser.parse_args()

with open(args.stats, newline="") as f:
    rows = list(csv.DictReader(f))

print(f"{'request':<36} {'count':>7} {'errors':>6} {'rps':>6} {'p50':>6} {'p95':>6} {'p99':>6}  ms")
total = None
for row in rows:
    # Connecting and the administrators' first sign-ins are over before
    # the measured phase (their figures are on the "connecting" line).
    if row["Request Count"] == "0":
        continue
    line = (
        f"{row['Name'][:36]:<36} {row['Request Count']:>7} {row['Failure Count']:>6} "
        f"{float(row['Requests/s']):>6.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}"
    )
    if row["Name"] == "Aggregated":
        total = row
        print("-" * 80)
    print(line)

verdicts = []
errors = int(total["Failure Count"]) if total else -1
verdicts.append((errors == 0, f"errors: {errors} (target 0)"))
for row in rows:
    if row["Name"].startswith("/users"):
        p99 = float(row["99%"])
        verdicts.append(
            (p99 <= USERS_PAGE_P99_MS, f"{row['Name']} p99: {p99:.0f} ms (target <= {USERS_PAGE_P99_MS})")
        )
match = re.search(r"(\d+) still open", args.tabs_line)
still_open = int(match.group(1)) if match else 0
verdicts.append(
    (still_open == args.tabs, f"live connections open at the end: {still_open} of {args.tabs}")
)
verdicts.append((args.panics == 0, f"panics in the server's log: {args.panics}"))
if args.rss_kb:
    print(f"server memory at its peak: {args.rss_kb / 1024:.0f} MiB")
print()
for ok, text in verdicts:
    print(("PASS  " if ok else "FAIL  ") + text)
sys.exit(0 if all(ok for ok, _ in verdicts) else 1)
