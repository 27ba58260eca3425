#!/usr/bin/env bash
# Benchmark: the REST API on 100,000 users (SQLite, release build), over
# loopback. Targets: GET /api/v1/users first page and a search p50 <= 3 ms;
# 200 authenticated requests/s for 60 s with 0 errors; checking a token
# adds <= 0.2 ms. The per-token rate limit is off here (by default a token
# may send 3000 requests a minute).
#   ./scripts/bench-api.sh [USERS] [SECONDS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-100000}"
SECONDS_STEADY="${2:-60}"
PORT="${ROSTER_BENCH_PORT:-3320}"
cd "$ROOT"
# The release build users run (./scripts/run.sh), not a plain cargo build.
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"
cargo leptos build --release --precompress >&2
BIN="$ROOT/target/release/roster"
WORK="$(mktemp -d)"
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
export DATABASE_URL="sqlite://$WORK/bench.db?mode=rwc" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" \
  LEPTOS_SITE_ROOT="$ROOT/target/site" ROSTER_OUTBOX_DIR="$WORK/outbox" RUST_LOG=warn \
  ROSTER_API_RATE_LIMIT=off ROSTER_PASSWORD="Bench-Password-Long-Enough-1"
cd "$WORK"
"$BIN" migrate >/dev/null
"$BIN" create-admin --username admin --email admin@example.com --name "Ada Admin" >/dev/null
echo "Seeding $N users..." >&2
"$BIN" seed-demo --users "$N" >/dev/null
TOKEN="$("$BIN" create-api-token --username admin --name bench --permission users.view)"
"$BIN" serve &
SERVER=$!
for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
python3 "$ROOT/scripts/bench-api.py" --base "http://127.0.0.1:$PORT" --token "$TOKEN" --seconds "$SECONDS_STEADY"
