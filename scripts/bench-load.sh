#!/usr/bin/env bash
# Load bench (issue 20, item 6): the release build under 200 requests/s for
# 60 s mixing Users pages, searches, sorted pages, the list server function
# and real sign-ins, while 1,000 live WebSocket connections stay open.
# Locust (pinned from PyPI) drives it over loopback and stops by itself;
# this prints p50/p95/p99 per kind of request, the errors, and the verdict
# against the targets: 0 errors, every Users page p99 <= 50 ms, all 1,000
# tabs still open at the end. The SECONDS measured start once every tab is
# open and every administrator signed in; how long the tabs took to
# connect is printed on its own line before the table.
#   ./scripts/bench-load.sh [sqlite|postgres] [USERS] [SECONDS]
# ROSTER_LOAD_RATE (requests/s, default 200) and ROSTER_LOAD_TABS (default
# 1000) change the load, e.g. to find the rate this machine sustains.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BACKEND="${1:-sqlite}"
N="${2:-100000}"
DURATION="${3:-60}"
PORT="${ROSTER_BENCH_PORT:-3321}"
TABS="${ROSTER_LOAD_TABS:-1000}"
RATE="${ROSTER_LOAD_RATE:-200}"
CONSOLE_USERS=50
SIGN_IN_USERS=4
LOCUST_VERSION=2.47.0
WEBSOCKET_CLIENT_VERSION=1.9.2
cd "$ROOT"

VENV="$ROOT/target/tools/locust"
if [ "$("$VENV/bin/pip" show locust 2>/dev/null | awk '/^Version:/ {print $2}')" != "$LOCUST_VERSION" ]; then
  echo "Installing Locust $LOCUST_VERSION (PyPI)" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "locust==$LOCUST_VERSION" "websocket-client==$WEBSOCKET_CLIENT_VERSION"
fi

# The release build users run (./scripts/run.sh), not a plain cargo build.
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"
cargo leptos build --release --precompress >&2
BIN="$ROOT/target/release/roster"
WORK="$(mktemp -d)"
PG_ADMIN="${ROSTER_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_DB="roster_load_$$"
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  rm -rf "$WORK"
  if [ "$BACKEND" = postgres ]; then
    psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
case "$BACKEND" in
  sqlite) export DATABASE_URL="sqlite://$WORK/load.db?mode=rwc" ;;
  postgres)
    psql -q "$PG_ADMIN" -c "CREATE DATABASE $PG_DB" >/dev/null
    export DATABASE_URL="${PG_ADMIN%/*}/$PG_DB"
    ;;
  *) echo "usage: $0 [sqlite|postgres] [USERS] [SECONDS]" >&2; exit 2 ;;
esac

# A thousand tabs are a thousand sockets on each side.
ulimit -n "$(ulimit -Hn)"
PASSWORD="Load-Bench-Password-Long-Enough-1"
# Every sign-in of the bench comes from one address (loopback): the
# per-address sign-in limit would refuse most of them.
export LEPTOS_SITE_ADDR="127.0.0.1:$PORT" LEPTOS_SITE_ROOT="$ROOT/target/site" \
  ROSTER_OUTBOX_DIR="$WORK/outbox" RUST_LOG=warn ROSTER_PASSWORD="$PASSWORD" \
  ROSTER_SIGNIN_RATE_LIMIT=1000000
cd "$WORK"
"$BIN" migrate >/dev/null
"$BIN" create-admin --username admin --email admin@example.com --name "Ada Admin" >/dev/null
SIGNERS=""
for n in $(seq -w 1 10); do
  "$BIN" create-user --username "load$n" --email "load$n@example.com" >/dev/null
  SIGNERS="$SIGNERS${SIGNERS:+,}load$n"
done
echo "Seeding $N users ($BACKEND)..." >&2
"$BIN" seed-demo --users "$N" >/dev/null
"$BIN" serve >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.5; done

echo "Load: ${DURATION}s at $RATE requests/s, $TABS live connections, $BACKEND, $N users" >&2
set +e
ROSTER_LOAD_PASSWORD="$PASSWORD" ROSTER_LOAD_SIGNERS="$SIGNERS" ROSTER_LOAD_TABS="$TABS" \
  ROSTER_LOAD_CONSOLE_USERS="$CONSOLE_USERS" ROSTER_LOAD_RATE="$RATE" ROSTER_LOAD_SECONDS="$DURATION" \
  "$VENV/bin/locust" -f "$ROOT/scripts/load/locustfile.py" --headless \
  --host "http://127.0.0.1:$PORT" --users $((TABS + CONSOLE_USERS + SIGN_IN_USERS)) \
  --spawn-rate 250 --run-time "$((DURATION + 150))s" --stop-timeout 10 \
  --csv "$WORK/load" --only-summary --loglevel WARNING 2>"$WORK/locust.log" | grep -E '^(connecting|live connections)' | tee "$WORK/tabs.txt"
set -e
RSS_KB="$(awk '/^VmHWM/ {print $2}' "/proc/$SERVER/status" 2>/dev/null || echo 0)"
PANICS="$(grep -c panicked "$WORK/serve.log" || true)"
"$VENV/bin/python" "$ROOT/scripts/load/summary.py" "$WORK/load_stats.csv" \
  --tabs "$TABS" --tabs-line "$(cat "$WORK/tabs.txt")" --rss-kb "$RSS_KB" --panics "$PANICS"
