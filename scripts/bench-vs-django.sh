#!/usr/bin/env bash
# Bench: Roster against the Django admin user changelist, side by side.
# Seeds both with N users (default 100,000), runs the peers' six cases
# against each back to back on this machine, and prints each case with both
# medians and the ratio. Only a ratio measured in one run means anything:
# absolute times here vary by several times from day to day.
#
#   ./scripts/bench-vs-django.sh [N]
#
# Uses the release build `./scripts/run.sh` serves (built when missing; set
# REBUILD=1 to rebuild). The peers live in ../shared/peers (PEERS to change);
# the Django copy and all data go under target/bench-vs-django/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-100000}"
PEERS="${PEERS:-$ROOT/../shared/peers}"
WORK="$ROOT/target/bench-vs-django"
PORT="${ROSTER_BENCH_PORT:-3410}"
PASSWORD="Bench-admin-quartz-9137"
cd "$ROOT"
# shellcheck source=setup.sh
source "$ROOT/scripts/setup.sh"

BIN="$ROOT/target/release/roster"
if [ ! -x "$BIN" ] || [ ! -d "$ROOT/target/site/pkg" ] || [ -n "${REBUILD:-}" ]; then
  cargo leptos build --release --precompress
fi

mkdir -p "$WORK"
if [ ! -d "$WORK/django" ]; then
  cp -r "$PEERS/django" "$WORK/django"
fi

# ---------------------------------------------------------------- Roster
DATA="$WORK/roster-$N"
if [ ! -f "$DATA/seeded" ] || [ ! -f "$DATA/seeded.db" ]; then
  rm -rf "$DATA" && mkdir -p "$DATA"
  (
    cd "$DATA"
    export DATABASE_URL="sqlite://$DATA/roster.db?mode=rwc" RUST_LOG=warn ROSTER_PASSWORD="$PASSWORD"
    "$BIN" migrate >/dev/null
    "$BIN" create-admin --username admin --email admin@example.com --name "Bench Admin" >/dev/null
    "$BIN" seed-demo --users "$N" >/dev/null
  )
  # Every run starts from this copy: a run's bulk actions leave tens of
  # thousands of audit entries behind (412,000 after seven runs), and
  # locking 50 users cost three times as much against them.
  python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA wal_checkpoint(TRUNCATE)")' "$DATA/roster.db"
  cp "$DATA/roster.db" "$DATA/seeded.db"
  touch "$DATA/seeded"
fi
rm -f "$DATA/roster.db-wal" "$DATA/roster.db-shm"
cp "$DATA/seeded.db" "$DATA/roster.db"
(
  cd "$DATA"
  DATABASE_URL="sqlite://$DATA/roster.db?mode=rwc" RUST_LOG=warn \
    LEPTOS_SITE_ADDR="127.0.0.1:$PORT" LEPTOS_SITE_ROOT="$ROOT/target/site" \
    LEPTOS_OUTPUT_NAME=roster ROSTER_OUTBOX_DIR="$DATA/outbox" \
    exec timeout 3000 "$BIN" serve
) &
RPID=$!
trap 'kill $RPID 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  kill -0 "$RPID" 2>/dev/null || { echo "roster did not start" >&2; exit 1; }
  sleep 0.2
done

(cd "$WORK/django" && ./setup.sh >/dev/null)
PY="$WORK/django/.venv/bin/python"
echo "==> Roster (release, SQLite, $N users)" >&2
python3 "$ROOT/scripts/bench-keepalive.py" --base "http://127.0.0.1:$PORT" --path /login
node "$ROOT/end2end/bench/hydration.mjs" --base "http://127.0.0.1:$PORT" --password "$PASSWORD" --path /users
"$PY" "$PEERS/roster/bench.py" --base "http://127.0.0.1:$PORT" --db "$DATA/roster.db" \
  --password "$PASSWORD" | tee "$WORK/roster-$N.txt"
kill "$RPID" 2>/dev/null || true
wait "$RPID" 2>/dev/null || true

echo "==> Django admin (gunicorn, SQLite, $N users)" >&2
(cd "$WORK/django" && ./bench.sh "$N" >/dev/null)
cat "$WORK/django/results-$N.txt"

echo
"$PY" - "$WORK/roster-$N.txt" "$WORK/django/data/results-$N.json" <<'EOF'
import json, statistics, sys
roster_lines = open(sys.argv[1]).read().splitlines()
roster = json.loads(next(l for l in roster_lines if l.startswith("JSON "))[5:])
django = {}
for row in json.load(open(sys.argv[2]))["rows"]:
    case = row["test"][:1]
    # e and f: Django's POST alone (the redirect's page is extra), so the
    # ratio is the one least in Roster's favour.
    if case in "ef" and "POST+GET" in row["test"]:
        continue
    django[case] = statistics.median(row["ms"])
names = {
    "a": "page 1",
    "b": "sort by last sign-in",
    "c": "search ~1 %",
    "d": "page 1000",
    "e": "lock 50 selected",
    "f": "lock all ~10,000 matching",
}
print(f"{'case':<30}{'Django ms':>12}{'Roster ms':>12}{'ratio':>9}")
for case, name in names.items():
    d, r = django[case], roster[case]
    print(f"{case + '  ' + name:<30}{d:>12.1f}{r:>12.1f}{d / r:>8.1f}x")
EOF
