#!/usr/bin/env bash
# Benchmark: `roster seed-demo --users N` on a fresh SQLite file and a fresh
# PostgreSQL database; prints the time of each. Target: 100,000 users on
# SQLite in well under a minute.
#   ./scripts/bench-seed.sh [N]    (default 100000; release build)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-100000}"
cd "$ROOT"
cargo build --release -p server --bin roster --locked >&2
BIN="$ROOT/target/release/roster"
WORK="$(mktemp -d)"
PG_ADMIN="${ROSTER_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_DB="roster_bench_$$"
cleanup() {
  rm -rf "$WORK"
  psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

run() {
  local label="$1" url="$2"
  (cd "$WORK" && DATABASE_URL="$url" RUST_LOG=warn "$BIN" migrate >/dev/null)
  local start end
  start=$(date +%s.%N)
  (cd "$WORK" && DATABASE_URL="$url" RUST_LOG=warn "$BIN" seed-demo --users "$N" --password demo-password-1 2>/dev/null)
  end=$(date +%s.%N)
  awk -v l="$label" -v n="$N" -v s="$start" -v e="$end" \
    'BEGIN { printf "%-10s %8d users  %6.2f s  (%.0f users/s)\n", l, n, e - s, n / (e - s) }'
}

run sqlite "sqlite://$WORK/bench.db?mode=rwc"
if psql -q "$PG_ADMIN" -c "CREATE DATABASE $PG_DB" >/dev/null 2>&1; then
  run postgres "${PG_ADMIN%/*}/$PG_DB"
else
  echo "postgres   skipped: cannot create a database at $PG_ADMIN"
fi
