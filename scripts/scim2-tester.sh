#!/usr/bin/env bash
# scim2-tester (from PyPI, pinned and installed by setup.sh) against the
# release binary's SCIM endpoint: discovery, then create, read, list,
# project, replace, patch (add, replace, remove on every attribute) and
# delete of Users and Groups, as its checks define them. Runs on a fresh
# SQLite database with a token from `roster create-api-token`. Prints one
# line per check and "scim2-tester: N passed, M failed, K skipped"; exit
# code non-zero on any failed check or a server panic.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BINARY="${ROSTER_BINARY:-$ROOT/target/release/roster}"
PYTHON="$ROOT/target/tools/scim2-tester/bin/python"
PORT="${ROSTER_SCIM_TESTER_PORT:-3311}"
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
export ROSTER_PUBLIC_URL="http://127.0.0.1:$PORT"
export LEPTOS_SITE_ROOT="$ROOT/target/site"
export LEPTOS_OUTPUT_NAME="roster"
export ROSTER_PASSWORD="Scim-Tester-Checks-Every-Route-7"
export ROSTER_API_RATE_LIMIT=off
export RUST_LOG="${RUST_LOG:-warn}"

cd "$DATA"
"$BINARY" migrate >/dev/null
"$BINARY" create-admin --username admin --email admin@example.com --name "Ada Admin" >/dev/null
SCIM_TOKEN="$("$BINARY" create-api-token --username admin --name scim2-tester --expires 1d)"
export SCIM_TOKEN
"$BINARY" serve >"$DATA/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done

set +e
SCIM_CHECK_VERBOSE=1 "$PYTHON" "$ROOT/scripts/scim_check.py" "http://127.0.0.1:$PORT/scim/v2"
status=$?
set -e
if grep -q "panicked" "$DATA/server.log"; then
  echo "The server panicked:" >&2
  grep -B2 -A10 "panicked" "$DATA/server.log" >&2
  status=1
fi
exit $status
