#!/usr/bin/env bash
# Installs what is missing, builds, and runs mqwarden's whole test suite:
#   1. the unit and integration tests (debug build, warnings as errors),
#   2. all of them again under AddressSanitizer + UndefinedBehaviorSanitizer,
#   3. the broker's unit and integration tests under ThreadSanitizer,
#   4. the libFuzzer targets for a bounded time (MQWARDEN_FUZZ_SECONDS, default 60 per target).
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

jobs=$(nproc)
fuzz_seconds=${MQWARDEN_FUZZ_SECONDS:-60}

step() { printf '\n==> %s\n' "$*"; }

build_and_test() {
  local preset=$1
  step "build ($preset)"
  cmake --preset "$preset" -DMQWARDEN_WERROR=ON >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  step "unit tests ($preset)"
  ctest --preset "$preset" -j "$jobs" --timeout 300
}

build_and_test debug
build_and_test asan

step "build (tsan): the broker, the store and their tests"
cmake --preset tsan -DMQWARDEN_WERROR=ON >/dev/null
cmake --build --preset tsan -j "$jobs" --target mqwarden broker_unit_tests store_unit_tests
step "broker and store tests (tsan)"
ctest --preset tsan -j "$jobs" --timeout 600 -L "broker|store|integration"

step "build (fuzz)"
cmake --preset fuzz -DMQWARDEN_WERROR=ON >/dev/null
cmake --build --preset fuzz -j "$jobs"

fuzz_dir=build/fuzz/runs
rm -rf "$fuzz_dir"
mkdir -p "$fuzz_dir"
run_fuzzer() {
  local target=$1 seeds=$2
  step "fuzz $target for ${fuzz_seconds}s"
  mkdir -p "$fuzz_dir/$target/corpus"
  # libFuzzer exits non-zero on a crash, a leak, a sanitizer report or a timeout.
  "build/fuzz/tests/fuzz/$target" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$fuzz_dir/$target/" \
    "$fuzz_dir/$target/corpus" "$seeds" 2>"$fuzz_dir/$target/log" ||
    { tail -n 60 "$fuzz_dir/$target/log"; echo "fuzzing $target failed; reproducer in $fuzz_dir/$target/" >&2; exit 1; }
  grep -E '^stat::number_of_executed_units|^Done' "$fuzz_dir/$target/log" || true
}

build/fuzz/tests/fuzz/mqtt_decoder_seed_corpus "$fuzz_dir/mqtt_decoder_seeds" >/dev/null
run_fuzzer mqtt_decoder_fuzz "$fuzz_dir/mqtt_decoder_seeds"
run_fuzzer policy_parser_fuzz examples/policies

step "all tests passed"
