#!/usr/bin/env bash
# Installs what building, running and testing Roster needs, skipping what is
# already there. Safe to run again. Sourced by run.sh and test.sh; can also be
# run alone: ./scripts/setup.sh
#
# Nothing here downloads from GitHub (unreachable on our machines): cargo-leptos
# is built with `no_downloads`, and the tools it would fetch come from crates.io
# (wasm-bindgen-cli), npm (sass, wasm-opt via binaryen) and Debian (Chromium).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION="0.3.7"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"

if ! command -v cargo >/dev/null; then
  echo "error: Rust (cargo) is required: https://rustup.rs" >&2
  exit 1
fi
if ! command -v npm >/dev/null; then
  say "Installing Node.js and npm (Debian packages)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "Adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  say "Installing cargo-leptos $CARGO_LEPTOS_VERSION (about 12 minutes on 2 cores)"
  cargo install "cargo-leptos@$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

# wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate in
# Cargo.lock. Not --locked: its own lock file pins a yanked crate.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' "$ROOT/Cargo.lock")"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if [ ! -x /usr/bin/chromium ]; then
  say "Installing Chromium (Debian package)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi

# Playwright, sass and wasm-opt, pinned by end2end/package-lock.json. Never
# `npx playwright install`: the browser comes from Debian above.
if [ ! -x "$ROOT/end2end/node_modules/.bin/playwright" ] \
  || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
  say "Installing end2end npm packages (Playwright, sass, binaryen)"
  (cd "$ROOT/end2end" && npm ci --no-audit --no-fund --loglevel=error)
fi

# The API reference page (/api/docs) is Swagger UI from the npm registry
# (swagger-ui-dist, pinned above); the app serves these copies itself.
mkdir -p "$ROOT/public/api-docs"
for file in swagger-ui-bundle.js swagger-ui.css LICENSE; do
  if ! cmp -s "$ROOT/end2end/node_modules/swagger-ui-dist/$file" "$ROOT/public/api-docs/$file"; then
    cp "$ROOT/end2end/node_modules/swagger-ui-dist/$file" "$ROOT/public/api-docs/$file"
  fi
done

# Schemathesis checks the REST API against its OpenAPI document
# (scripts/schemathesis.sh, run by test.sh), pinned, from PyPI, in its own
# virtual environment under target/.
SCHEMATHESIS_VERSION="4.32.5"
SCHEMATHESIS="$ROOT/target/tools/schemathesis"
if [ "$("$SCHEMATHESIS/bin/pip" show schemathesis 2>/dev/null | awk '/^Version:/ {print $2}')" != "$SCHEMATHESIS_VERSION" ]; then
  say "Installing Schemathesis $SCHEMATHESIS_VERSION (PyPI)"
  python3 -m venv "$SCHEMATHESIS"
  "$SCHEMATHESIS/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

# scim2-tester (python-scim, from PyPI, pinned with what it runs on) checks
# /scim/v2 for RFC 7643/7644 compliance (scripts/scim2-tester.sh, run by
# test.sh), in its own virtual environment under target/.
SCIM2_TESTER_VERSION="0.5.2"
SCIM2_TESTER="$ROOT/target/tools/scim2-tester"
if [ "$("$SCIM2_TESTER/bin/pip" show scim2-tester 2>/dev/null | awk '/^Version:/ {print $2}')" != "$SCIM2_TESTER_VERSION" ]; then
  say "Installing scim2-tester $SCIM2_TESTER_VERSION (PyPI)"
  python3 -m venv "$SCIM2_TESTER"
  "$SCIM2_TESTER/bin/pip" install --quiet --disable-pip-version-check \
    "scim2-tester[httpx2]==$SCIM2_TESTER_VERSION" "scim2-client==0.13.2" "scim2-models==0.12.3" "httpx2==2.17.0"
fi
