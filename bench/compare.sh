#!/usr/bin/env bash
# ecomm beside what a team would otherwise build the shop on, on this machine, the
# same order transaction at the same concurrency and durability (bench/peers/):
#   ecomm-server driven by ecomm-load (audited) and by wrk (bench/http/order.lua),
#   PostgreSQL 15 (plpgsql function; plain transaction), Redis 7 (one Lua script,
#   appendfsync always), and nginx serving a static file (the HTTP ceiling);
# each with the uniform data set and its hot-spot variant (90 % of orders on one
# product), ROUNDS rounds alternating; and once a round the flash coupon issuance of
# issue #23 (bench/coupons/flash_issue.sh: ecomm, Redis 7 Lua, PostgreSQL 15; 1,000
# coupons, 10,000 users, 20,000 requests; data set "flash issuance" in the table, its
# ratio against ecomm's own issue runs; a run that fails its verification shows as such). Writes the table of medians and ratios into
# bench/RESULTS.md (between the compare markers) and plots into bench/plots/.
# Environment: ROUNDS (3), CLIENTS (64), SECONDS_PER_RUN (10).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/shop.sh
rounds=${ROUNDS:-3}
export CLIENTS=${CLIENTS:-64} SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
./scripts/deps.sh
for tool in wrk gnuplot curl python3; do
  command -v "$tool" >/dev/null ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk gnuplot-nox curl python3 >/dev/null
done
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DECOMM_BUILD_TESTS=OFF \
  -DECOMM_BUILD_BENCH=OFF >/dev/null
cmake --build build-release -j"$(nproc)" --target ecomm-server ecomm-load >/dev/null

work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
results=$work/results.txt
port=18190
url=http://127.0.0.1:$port

start_ecomm() {  # a fresh data directory for every run, as the peers get
  rm -rf "$work/data"
  build-release/server/ecomm-server --listen 127.0.0.1:$port --data-dir "$work/data" \
    2>"$work/server.log" &
  echo $! >"$work/server.pid"
  wait_for_ecomm $port
}
stop_ecomm() {
  kill -TERM "$(cat "$work/server.pid")"
  wait "$(cat "$work/server.pid")" || true
  rm "$work/server.pid"
}

ecomm_load() {  # round hot: ecomm-load's one-unit orders, then its audit
  local json=$work/load-$1-$2.json share=0
  [[ $2 == 1 ]] && share=0.9
  start_ecomm
  build-release/tools/ecomm-load --url "$url" --connections "$CLIENTS" --threads 2 \
    --duration "$SECONDS_PER_RUN" --mix order=1 --order-lines 1 --max-quantity 1 \
    --users 200 --products 10 --balance 1000000000 --stock 1000000000000 --hot $share \
    --no-progress --json "$json" >"$work/load.out"
  stop_ecomm
  python3 bench/compare_report.py load-result "$json" "$2" "$CLIENTS" >>"$results"
}

ecomm_wrk() {  # round hot: wrk with bench/http/order.lua against the seeded shop
  start_ecomm
  seed_bench_shop $port
  HOT=$2 wrk -t2 -c"$CLIENTS" -d"${SECONDS_PER_RUN}s" --latency -s bench/http/order.lua \
    "$url/" >"$work/wrk.out"
  stop_ecomm
  python3 bench/compare_report.py wrk-result "$work/wrk.out" ecomm-wrk "$2" "$CLIENTS" >>"$results"
}

for round in $(seq "$rounds"); do
  for hot in 0 1; do
    echo "== round $round, hot=$hot" >&2
    ecomm_load "$round" $hot
    ecomm_wrk "$round" $hot
    VARIANT=plpgsql HOT=$hot bench/peers/postgres.sh >>"$results"
    VARIANT=plain HOT=$hot bench/peers/postgres.sh >>"$results"
    HOT=$hot bench/peers/redis.sh >>"$results"
    [[ $hot == 0 ]] && bench/peers/nginx.sh >>"$results"
    tail -n 6 "$results" >&2
  done
  ROUNDS=1 TABLE=0 ECOMM_SERVER=$PWD/build-release/server/ecomm-server \
    bench/coupons/flash_issue.sh >>"$results"
  tail -n 3 "$results" >&2
done

mkdir -p bench/plots
python3 bench/compare_report.py summarize "$results" "$work" bench/RESULTS.md bench/plots \
  "ROUNDS=$rounds CLIENTS=$CLIENTS SECONDS_PER_RUN=$SECONDS_PER_RUN bench/compare.sh"
