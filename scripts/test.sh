#!/usr/bin/env bash
# Sets everything up and runs every check and test: formatting, clippy (server
# and browser builds), the Rust tests on SQLite and PostgreSQL, the release
# build, the Playwright suite in Chromium against that release binary, and
# Schemathesis against its REST API, and scim2-tester against SCIM. Every stage runs even if an earlier one fails;
# the last line is "N passed, M failed" and the exit code is non-zero if any
# stage failed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/scripts/setup.sh"

LOGS="$(mktemp -d)"
trap 'rm -rf "$LOGS"' EXIT
FAILED_STAGES=()

# Runs one stage, logging its output, recording a failure instead of exiting.
stage() {
  local name="$1"
  shift
  say "$name"
  set +e
  "$@" 2>&1 | tee "$LOGS/$name.log"
  local status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -ne 0 ]; then
    FAILED_STAGES+=("$name")
  fi
}

# PostgreSQL: the tests create and drop their own databases in it.
PG_URL="${ROSTER_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export ROSTER_TEST_POSTGRES_URL="$PG_URL"
pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if ! pg_up && command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  say "Starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
pg_up || echo "warning: nothing listens on 127.0.0.1:5432; the PostgreSQL tests will fail" >&2

stage fmt cargo fmt --all -- --check
stage clippy-ssr cargo clippy --workspace --exclude frontend --all-targets --locked -- -D warnings
stage clippy-hydrate cargo clippy -p frontend -p app --features app/hydrate \
  --target wasm32-unknown-unknown --all-targets --locked -- -D warnings
stage cargo-test cargo test --workspace --exclude frontend --locked
# The tests of the real binary under faults run alone (they are #[ignore]d
# in the shared run): the crash-in-the-middle tests (100,000 users, SIGKILL
# mid bulk action), whose PostgreSQL write load stalls requests beside them,
# and the database-outage and two-instance tests, whose time bounds (503
# within 2 s, back within 5 s) need a machine not busy with 300 others.
stage crash-test cargo test -p server --test api --locked -- --ignored --test-threads 1
# The release build: the one ./scripts/run.sh serves, and the one the
# end-to-end suite drives (a green debug build proves nothing about it).
stage leptos-build cargo leptos build --release --precompress
if [[ " ${FAILED_STAGES[*]} " != *" leptos-build "* ]]; then
  stage playwright bash -c 'cd end2end && npx playwright test'
  # The REST API against its own OpenAPI document, by an outside checker.
  stage schemathesis "$ROOT/scripts/schemathesis.sh"
  # SCIM against RFC 7643/7644, by an outside checker.
  stage scim2-tester "$ROOT/scripts/scim2-tester.sh"
fi

sum() { awk -v w="$2" '/^test result:/ { for (i = 1; i < NF; i++) if ($(i+1) ~ "^" w) s += $i } END { print s + 0 }' "$1"; }
last_count() { { grep -Eo "^ +[0-9]+ $2" "$1" 2>/dev/null || true; } | tail -n1 | grep -Eo '[0-9]+' || echo 0; }
passed=$(( $(sum "$LOGS/cargo-test.log" passed) + $(sum "$LOGS/crash-test.log" passed) ))
failed=$(( $(sum "$LOGS/cargo-test.log" failed) + $(sum "$LOGS/crash-test.log" failed) ))
e2e_passed=$(last_count "$LOGS/playwright.log" passed)
e2e_failed=$(last_count "$LOGS/playwright.log" failed)
echo "Rust tests: $passed passed, $failed failed; Playwright: $e2e_passed passed, $e2e_failed failed"
if [ -f "$LOGS/schemathesis.log" ]; then
  echo "Schemathesis: $(awk '/^Test cases:/ { getline; sub(/^ +/, ""); cases = $0 } /^=+ .* in [0-9.]+s =+$/ { gsub(/=+/, ""); sub(/^ +/, ""); sub(/ +$/, ""); last = $0 } END { print cases "; " last }' "$LOGS/schemathesis.log")"
fi
if [ -f "$LOGS/scim2-tester.log" ]; then
  grep -E '^scim2-tester: [0-9]+ passed' "$LOGS/scim2-tester.log" || true
fi
if [ ${#FAILED_STAGES[@]} -gt 0 ]; then
  # Why each Rust test failed, repeated here at the end: a failing test's
  # own output can run to thousands of lines before its panic message.
  for log in "$LOGS/cargo-test.log" "$LOGS/crash-test.log"; do
    [ -f "$log" ] && grep -A4 "panicked at" "$log" | cut -c1-400 | head -n 60 || true
  done
  echo "Failed stages: ${FAILED_STAGES[*]}"
fi
echo "$((passed + e2e_passed)) passed, $((failed + e2e_failed)) failed"
[ ${#FAILED_STAGES[@]} -eq 0 ]
