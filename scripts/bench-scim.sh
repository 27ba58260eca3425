#!/usr/bin/env bash
# Benchmark: SCIM on 100,000 users and a group of 50,000 (SQLite, release
# build), over loopback. Targets: filter=userName eq "…" p50 <= 2 ms; a
# list page of 100 p50 <= 10 ms; PATCH adding one member to the group of
# 50,000 p50 <= 10 ms. The per-token rate limit is off here.
#   ./scripts/bench-scim.sh [USERS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-100000}"
PORT="${ROSTER_BENCH_PORT:-3321}"
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
TOKEN="$("$BIN" create-api-token --username admin --name bench)"
# The group of 50,000: a team, and half the live users put in it directly.
python3 - "$WORK/bench.db" "$WORK" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO teams (name, description, created_at, updated_at, version) VALUES ('Everyone Half', '', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)")
team = db.execute("SELECT id FROM teams WHERE name = 'Everyone Half'").fetchone()[0]
live = [r[0] for r in db.execute("SELECT id FROM users WHERE deleted_at IS NULL ORDER BY id")]
inside, outside = live[:50000], live[50000:]
db.executemany("INSERT INTO user_teams (user_id, team_id) VALUES (?, ?)", [(u, team) for u in inside])
db.commit()
db.execute("ANALYZE")
open(f"{sys.argv[2]}/group", "w").write(str(team))
open(f"{sys.argv[2]}/outsiders", "w").write("\n".join(map(str, outside[:1000])))
names = [r[0] for r in db.execute("SELECT username FROM users WHERE deleted_at IS NULL ORDER BY random() LIMIT 2000")]
open(f"{sys.argv[2]}/usernames", "w").write("\n".join(names))
print(f"group {team}: {len(inside)} members", file=sys.stderr)
PY
"$BIN" serve &
SERVER=$!
for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
python3 "$ROOT/scripts/bench-scim.py" --base "http://127.0.0.1:$PORT" --token "$TOKEN" \
  --group "$(cat "$WORK/group")" --usernames "$WORK/usernames" --outsiders "$WORK/outsiders"
