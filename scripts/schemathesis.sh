#!/usr/bin/env bash
# Schemathesis (from PyPI, pinned and installed by setup.sh) against the
# release binary's REST API: it reads /api/v1/openapi.json and sends
# generated requests to every route, with every check it has (no server
# errors, every response as the document says, bad input refused, ...).
# Runs on a fresh SQLite database with an administrator's API token and a
# few users to act on. Exit code non-zero on any failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BINARY="${ROSTER_BINARY:-$ROOT/target/release/roster}"
ST="$ROOT/target/tools/schemathesis/bin/st"
PORT="${ROSTER_SCHEMATHESIS_PORT:-3310}"
DATA="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT

export DATABASE_URL="sqlite://$DATA/roster.db?mode=rwc"
export ROSTER_OUTBOX_DIR="$DATA/outbox"
export LEPTOS_SITE_ADDR="127.0.0.1:$PORT"
export LEPTOS_SITE_ROOT="$ROOT/target/site"
export LEPTOS_OUTPUT_NAME="roster"
export ROSTER_PASSWORD="Schemathesis-Checks-Every-Route-7"
export ROSTER_API_RATE_LIMIT=off
export RUST_LOG="${RUST_LOG:-warn}"

cd "$DATA"
"$BINARY" migrate >/dev/null
"$BINARY" create-admin --username admin --email admin@example.com --name "Ada Admin" >/dev/null
"$BINARY" seed-demo --users 40 >/dev/null
# The user the document's examples name.
"$BINARY" create-user --username dana.scully --email dana.scully@example.com --name "Dana Scully" --role User >/dev/null
TOKEN="$("$BINARY" create-api-token --username admin --name schemathesis --expires 1d)"
"$BINARY" serve >"$DATA/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done

set +e
"$ST" --config-file "$ROOT/scripts/schemathesis.toml" run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
  --header "Authorization: Bearer $TOKEN" \
  --checks all \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-100}" \
  --seed "${SCHEMATHESIS_SEED:-1}" \
  --no-color \
  --suppress-health-check all \
  --generation-database none
status=$?
set -e
if grep -q "panicked" "$DATA/server.log"; then
  echo "The server panicked:" >&2
  grep -B2 -A10 "panicked" "$DATA/server.log" >&2
  status=1
fi
exit $status
