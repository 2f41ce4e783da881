#!/usr/bin/env bash
# Installs what is missing, builds the release binary and starts mqwarden with
# its default configuration. Extra arguments are passed to mqwarden.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target mqwarden
exec build/release/mqwarden "$@"
