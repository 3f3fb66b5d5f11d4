#!/usr/bin/env bash
# Is flash_driver.cc a fair client? The same flash workload driven by each system's usual
# load generator, on a fresh server each: wrk (bench/coupons/wrk_issue.lua) against
# ecomm, redis-benchmark (EVALSHA with a random user) against Redis; a short run of the
# driver beside each, REQUESTS requests (default 200000, mostly after the sell-out).
# Prints each tool's figures; nothing is written to RESULTS.md.
# Env: CLIENTS (64), USERS (10000), TOTAL (1000), REQUESTS (200000), ECOMM_SERVER.
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/peers/lib.sh
. bench/shop.sh
USERS=${USERS:-10000} TOTAL=${TOTAL:-1000} REQUESTS=${REQUESTS:-200000}
ECOMM_SERVER=${ECOMM_SERVER:-$PWD/build-release/server/ecomm-server}
need wrk wrk
need redis-benchmark redis-tools
tmp=$(mktemp -d)
pid=
trap 'if [[ -n $pid ]]; then kill -9 "$pid"; wait "$pid"; fi 2>/dev/null; rm -rf "$tmp"' EXIT
g++ -O2 -std=c++17 -pthread bench/coupons/flash_driver.cc -o "$tmp/flash_driver"
driver() {
  "$tmp/flash_driver" --proto "$1" --port "$2" --connections "$CLIENTS" --threads 2 \
    --users "$USERS" --total "$TOTAL" --requests "$REQUESTS" "${@:3}"
}
stop() { kill -9 "$pid"; { wait "$pid" || true; } 2>/dev/null; pid=; }

ecomm() {  # TOOL: wrk or driver
  port=$(free_port 18390)
  rm -rf "$tmp/data"
  "$ECOMM_SERVER" --listen "127.0.0.1:$port" --data-dir "$tmp/data" 2>>"$tmp/ecomm.log" &
  pid=$!
  wait_for_ecomm "$port"
  curl -sf -XPOST "localhost:$port/coupons" -H 'Content-Type: application/json' \
    -d "{\"couponId\":\"flash\",\"name\":\"Flash\",\"discountType\":\"FIXED\",\"discountValue\":1000,\"totalQuantity\":$TOTAL}" >/dev/null
  driver http "$port" --mode create-users >/dev/null
  if [[ $1 == wrk ]]; then
    USERS=$USERS wrk -t2 -c"$CLIENTS" -d3s --latency -s bench/coupons/wrk_issue.lua \
      "http://127.0.0.1:$port/" | grep -E 'Requests/sec|^ +(50|99)%|issued=|Non-2xx'
  else
    driver http "$port"
  fi
  stop
}

redis() {  # TOOL: redis-benchmark or driver
  port=$(free_port 56579)
  rm -rf "$tmp/redis" && mkdir "$tmp/redis"
  redis-server --bind 127.0.0.1 --port "$port" --daemonize no --dir "$tmp/redis" \
    --appendonly yes --appendfsync always --save '' --logfile "$tmp/redis/log" &
  pid=$!
  for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -p "$port" SET coupon:flash:remaining "$TOTAL" >/dev/null
  sha=$(redis-cli -p "$port" SCRIPT LOAD "$(cat bench/coupons/issue.lua)")
  if [[ $1 == redis-benchmark ]]; then
    # -r USERS: __rand_int__ is a number 0..USERS-1 (zero-padded: u000000001234, still
    # one user per number).
    redis-benchmark -p "$port" -c "$CLIENTS" --threads 2 -r "$USERS" -n "$REQUESTS" --csv \
      EVALSHA "$sha" 2 coupon:flash:remaining coupon:flash:users u__rand_int__ | tail -1
    echo "SCARD $(redis-cli -p "$port" SCARD coupon:flash:users) remaining $(redis-cli -p "$port" GET coupon:flash:remaining)"
  else
    driver redis "$port" --sha "$sha"
  fi
  stop
}

for tool in wrk driver; do echo "== ecomm, $tool"; ecomm $tool; done
for tool in redis-benchmark driver; do echo "== redis, $tool"; redis $tool; done
