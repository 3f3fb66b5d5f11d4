#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan + UBSan) in build-fuzz/,
# writes their seed corpora and runs each target for ECOMM_FUZZ_SECONDS (default 10).
# Fails when any target crashes, trips a sanitizer, leaks or fails a check; the input
# that did it is saved as build-fuzz/artifacts/<target>-crash-<sha1>. New inputs found
# are kept in build-fuzz/found/<target>/, so later runs start from them.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${ECOMM_FUZZ_SECONDS:-10}
jobs=$(nproc)
targets=(record_fuzz wal_segment_fuzz snapshot_fuzz request_fuzz)

CC=clang CXX=clang++ cmake -S tests/fuzz -B build-fuzz >/dev/null
cmake --build build-fuzz -j"$jobs"

# Regenerated every run: the seeds follow the current formats.
rm -rf build-fuzz/seeds
build-fuzz/make_corpus build-fuzz/seeds
mkdir -p build-fuzz/artifacts

# Every target runs even after one failed, so that one report covers all of them.
failed=()
for target in "${targets[@]}"; do
  echo "== $target: ${seconds} s"
  mkdir -p "build-fuzz/found/$target"
  # The first corpus directory receives new inputs; the seeds are only read.
  if ! build-fuzz/"$target" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/artifacts/$target-" \
    "build-fuzz/found/$target" "build-fuzz/seeds/$target"; then
    failed+=("$target")
  fi
done
if ((${#failed[@]} > 0)); then
  echo "fuzz: failed: ${failed[*]} (inputs in build-fuzz/artifacts/)" >&2
  exit 1
fi
