#!/usr/bin/env bash
# Fan-out 1 publisher -> 1,000 subscribers with and without a per-subscriber
# deliver rule (bench/policies/per_subscriber.policy), same broker binary,
# runs interleaved; prints one JSON line per run (mqload's) with a label.
#
#   bench/fanout-rule.sh MQWARDEN_BINARY [REPS] [RATE]
#
# RATE is the publisher's messages per second (default 200: 200,000
# deliveries per second). Broker pinned to CPU 0, generator to CPU 1, as
# ../shared/bench/run-vs.sh does. docs/performance.md ("Enforcement") has the figures.
set -euo pipefail
binary="$(realpath "$1")"
reps="${2:-3}"
rate="${3:-200}"
here="$(cd "$(dirname "$0")" && pwd)"
mqload="$here/../../shared/bench/mqload"
[ -x "$mqload" ] || g++ -O2 -std=c++17 -pthread -o "$mqload" "$here/../../shared/bench/mqload.cpp"
port=18886
cd "$here/../../shared/bench"  # the configurations' policy paths are relative to it
for rep in $(seq "$reps"); do
  for variant in none per-subscriber; do
    config="$here/configs/mqwarden-bench.toml"
    [ "$variant" = per-subscriber ] && config="$here/configs/mqwarden-per-subscriber-bench.toml"
    taskset -c 0 "$binary" -c "$config" -p "$port" >/tmp/fanout-broker.log 2>&1 &
    pid=$!
    for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.05; done
    taskset -c 1 "$mqload" --port "$port" --pubs 1 --subs 1000 --rate "$rate" --qos 0 --size 128 --json-payload \
      --duration 10 --threads 1 --label "fanout1000/$variant/$rep" --broker-pid "$pid"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
