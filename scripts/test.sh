#!/usr/bin/env bash
# Runs every test: the whole suite under AddressSanitizer + UndefinedBehaviorSanitizer,
# the concurrency suite again under ThreadSanitizer, then each libFuzzer target for a
# bounded time. Build trees: build-asan/, build-tsan/, build-fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh

jobs=$(nproc)

echo "== ASan + UBSan: all tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DECOMM_SANITIZE=address >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ctest -j"$jobs" --output-on-failure)

echo "== TSan: concurrency tests"
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DECOMM_SANITIZE=thread \
  -DECOMM_BUILD_BENCH=OFF >/dev/null
cmake --build build-tsan -j"$jobs" --target concurrency_tests auth_concurrency_tests
(cd build-tsan && ctest -j"$jobs" -L concurrency --output-on-failure)

echo "== libFuzzer: record, WAL segment, snapshot and request decoding (bounded)"
ECOMM_FUZZ_SECONDS=${ECOMM_FUZZ_SECONDS:-8} ./scripts/fuzz.sh
