#!/usr/bin/env bash
# Installs every package mqwarden needs to build and test, from Debian's archive,
# and MQTT.js from npm for the WebSocket tests (when node and npm are there).
# Idempotent: prints nothing and touches nothing when all packages are present;
# runs `apt-get update` only when something is missing.
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ ccache pkg-config
  # libraries
  libcli11-dev libboost-dev libssl-dev libtomlplusplus-dev libspdlog-dev libsqlite3-dev nlohmann-json3-dev libre2-dev
  # tests, fuzzing, benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev python3-pytest python3-paho-mqtt mosquitto-clients mosquitto
  openssl
  # calendars in policies read the IANA time zones
  tzdata
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
# A slimmed system may list tzdata as installed with its zone files removed.
reinstall=()
if [[ ! " ${missing[*]} " =~ " tzdata " && ! -f /usr/share/zoneinfo/Europe/Rome ]]; then
  reinstall+=(tzdata)
fi
if [[ ${#missing[@]} -gt 0 || ${#reinstall[@]} -gt 0 ]]; then
  echo "install-deps: installing ${missing[*]} ${reinstall[*]}" >&2
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  if [[ ${#missing[@]} -gt 0 ]]; then
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if [[ ${#reinstall[@]} -gt 0 ]]; then
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends --reinstall "${reinstall[@]}" >/dev/null
  fi
fi
if [[ ! -f /usr/share/zoneinfo/Europe/Rome ]]; then
  echo "install-deps: /usr/share/zoneinfo has no IANA zones after installing tzdata" \
       "(is /usr/share/zoneinfo excluded in /etc/dpkg/dpkg.cfg.d?)" >&2
  exit 1
fi

# MQTT.js, pinned by tests/integration/js/package-lock.json.
"$(dirname "$0")/install-js-deps.sh"
