#!/usr/bin/env bash
# Installs MQTT.js for the WebSocket integration tests, exactly as
# tests/integration/js/package-lock.json pins it, with `npm ci`. Idempotent and
# quiet: does nothing when the installed tree matches the lock file, or when
# node or npm is absent (the tests that need MQTT.js then skip). A failing
# install fails this script.
set -euo pipefail

js_dir="$(cd "$(dirname "$0")/../tests/integration/js" && pwd)"
command -v node >/dev/null && command -v npm >/dev/null || exit 0
installed="$js_dir/node_modules/.package-lock.json"
[[ -f "$installed" && "$installed" -nt "$js_dir/package-lock.json" ]] && exit 0

echo "install-js-deps: npm ci in $js_dir" >&2
(cd "$js_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
