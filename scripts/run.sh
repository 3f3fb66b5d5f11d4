#!/usr/bin/env bash
# Builds a Release tree (build-release/) and starts ecomm-server on ./data with the
# demo data (loaded only into an empty data directory). Extra arguments go to the server.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh

cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DECOMM_BUILD_TESTS=OFF \
  -DECOMM_BUILD_BENCH=OFF >/dev/null
cmake --build build-release -j"$(nproc)"

exec build-release/server/ecomm-server --data-dir ./data --demo-data "$@"
