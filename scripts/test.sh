#!/usr/bin/env bash
# Sets everything up and runs every check and test: formatting, clippy (server
# and browser builds), the Rust tests on SQLite and PostgreSQL, and the
# Playwright suite in Chromium. Ends with one line: "N passed, M failed".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/scripts/setup.sh"

LOGS="$(mktemp -d)"
trap 'rm -rf "$LOGS"' EXIT

# PostgreSQL: the tests create and drop their own databases in it.
PG_URL="${ROSTER_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export ROSTER_TEST_POSTGRES_URL="$PG_URL"
if ! pg_isready -q -d "$PG_URL" 2>/dev/null; then
  say "Starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_isready -q -d "$PG_URL" && break; sleep 1; done
  pg_isready -d "$PG_URL" || { echo "error: PostgreSQL is not reachable at $PG_URL" >&2; exit 1; }
fi

say "cargo fmt --check"
cargo fmt --all -- --check

say "clippy (server build: ssr)"
cargo clippy --workspace --exclude frontend --all-targets --locked -- -D warnings

say "clippy (browser build: hydrate, wasm32)"
cargo clippy -p frontend -p app --features app/hydrate --target wasm32-unknown-unknown --all-targets --locked -- -D warnings

say "cargo test (SQLite and PostgreSQL)"
cargo test --workspace --exclude frontend --locked 2>&1 | tee "$LOGS/cargo-test.log"

say "cargo leptos build (WASM + server) for the end-to-end tests"
cargo leptos build

say "Playwright (Chromium)"
(cd end2end && CI="${CI:-}" npx playwright test) 2>&1 | tee "$LOGS/playwright.log"

passed=$(awk '/^test result:/ { for (i = 1; i <= NF; i++) if ($(i+1) ~ /^passed/) s += $i } END { print s + 0 }' "$LOGS/cargo-test.log")
failed=$(awk '/^test result:/ { for (i = 1; i <= NF; i++) if ($(i+1) ~ /^failed/) s += $i } END { print s + 0 }' "$LOGS/cargo-test.log")
e2e_passed=$(grep -Eo '^ +[0-9]+ passed' "$LOGS/playwright.log" | tail -n1 | grep -Eo '[0-9]+' || echo 0)
e2e_failed=$(grep -Eo '^ +[0-9]+ failed' "$LOGS/playwright.log" | tail -n1 | grep -Eo '[0-9]+' || echo 0)
echo "Rust tests: $passed passed, $failed failed; Playwright: $e2e_passed passed, $e2e_failed failed"
echo "$((passed + e2e_passed)) passed, $((failed + e2e_failed)) failed"
