#!/usr/bin/env bash
# Runs every test: the whole suite under AddressSanitizer + UndefinedBehaviorSanitizer,
# the base, log, engine and scenario suites again in a Debug + ASan build (every
# `assert` runs there; the other builds define NDEBUG and keep only ECOMM_INVARIANT),
# the concurrency suite under ThreadSanitizer, then each libFuzzer target for a bounded time. Build trees:
# build-asan/, build-debug/, build-tsan/, build-fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh test

jobs=$(nproc)

echo "== ASan + UBSan: all tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DECOMM_SANITIZE=address >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ctest -j"$jobs" --output-on-failure)

echo "== Debug + ASan: base, log, engine and scenario tests with assert() on"
cmake -S . -B build-debug -DCMAKE_BUILD_TYPE=Debug -DECOMM_SANITIZE=address \
  -DECOMM_BUILD_BENCH=OFF >/dev/null
cmake --build build-debug -j"$jobs" --target base_tests wal_tests engine_tests scenario_tests
(cd build-debug && ctest -j"$jobs" -R '^(base_tests|wal_tests|engine_tests|scenario_tests)/' \
  --output-on-failure)

echo "== TSan: concurrency tests, and replication's threads (primary journal, follower)"
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DECOMM_SANITIZE=thread \
  -DECOMM_BUILD_BENCH=OFF >/dev/null
cmake --build build-tsan -j"$jobs" --target concurrency_tests auth_concurrency_tests replication_tests
(cd build-tsan && ctest -j"$jobs" -L concurrency --output-on-failure)
(cd build-tsan && ctest -j"$jobs" -R '^replication_tests/' --output-on-failure)

echo "== libFuzzer: record, WAL segment, snapshot and request decoding (bounded)"
ECOMM_FUZZ_SECONDS=${ECOMM_FUZZ_SECONDS:-8} ./scripts/fuzz.sh
