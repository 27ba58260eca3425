#!/usr/bin/env bash
# Sets everything up and runs Roster on an embedded SQLite file
# (data/roster.db) at http://127.0.0.1:3000. Ctrl-C stops it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/scripts/setup.sh"
echo "==> Building and starting Roster (release build) at http://${LEPTOS_SITE_ADDR:-127.0.0.1:3000}" >&2
exec cargo leptos serve --release --precompress
