#!/usr/bin/env bash
# HTTP benchmarks, side by side in one run: nginx serving a static JSON file (the
# reference on this machine), then ecomm-server: GET /balance, GET /products/top,
# durable POST /order and POST /balance/charge (wrk -t2 -c64 -d10s), both again on one
# product and one user (the hot spots), GET /balance at
# 1,000 and 10,000 connections, and before them the memory of 10,000 idle connections.
# Usage: bench/http/run.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/shop.sh
seconds=${1:-10}
./scripts/deps.sh
for tool in wrk nginx curl python3; do
  command -v "$tool" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light curl python3
done
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DECOMM_BUILD_TESTS=OFF -DECOMM_BUILD_BENCH=OFF >/dev/null
cmake --build build-release -j"$(nproc)" --target ecomm-server >/dev/null
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"  # 10,000 connections need the fds

work=$(mktemp -d)
chmod 755 "$work"  # nginx workers run as an unprivileged user
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

write_nginx_conf "$work"  # bench/shop.sh
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf"

build-release/server/ecomm-server --listen 127.0.0.1:18091 --data-dir "$work/data" \
  --threads 2 2>"$work/server.log" &
echo $! >"$work/server.pid"
wait_for_ecomm 18091
seed_bench_shop 18091
curl -sf -XPOST localhost:18091/order -H "Content-Type: application/json" \
  -d '{"userId":"bench0","items":[{"productId":"bench-p0","quantity":1}]}' >/dev/null

# Idle connections first, while the state is small, so that their cost stands alone.
python3 bench/http/idle_connections.py 127.0.0.1 18091 "$(cat "$work/server.pid")" 10000

run() {  # name, connections, url, [script]
  local name=$1 conns=$2 url=$3 script=${4:-}
  local out
  out=$(wrk -t2 -c"$conns" -d"${seconds}s" --latency ${script:+-s "bench/http/$script"} "$url")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$( (grep -Eo 'Non-2xx or 3xx responses: [0-9]+|Socket errors: .*' <<<"$out" || true) | tr '\n' ' ')
  printf '| %-34s | %6s | %10s | %8s | %8s | %s\n' "$name" "$conns" "$rps" "$p50" "$p99" "${errors:-}|"
}

echo "| run | conns | req/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|---|"
run "nginx static JSON" 64 http://127.0.0.1:18090/balance.json
run "GET /balance" 64 http://127.0.0.1:18091/ balance.lua
run "GET /products/top" 64 http://127.0.0.1:18091/products/top
run "POST /order (fsync always)" 64 http://127.0.0.1:18091/ order.lua
run "POST /balance/charge (fsync always)" 64 http://127.0.0.1:18091/ charge.lua
HOT=all run "POST /order, one product (hot spot)" 64 http://127.0.0.1:18091/ order.lua
HOT=all run "POST /balance/charge, one user (hot)" 64 http://127.0.0.1:18091/ charge.lua
run "nginx static JSON" 1000 http://127.0.0.1:18090/balance.json
run "GET /balance" 1000 http://127.0.0.1:18091/ balance.lua
run "nginx static JSON" 10000 http://127.0.0.1:18090/balance.json
run "GET /balance" 10000 http://127.0.0.1:18091/ balance.lua
curl -s localhost:18091/metrics | grep -E '^ecomm_wal_(syncs|batches|records)_total|^ecomm_wal_(fsync_seconds|batch_records)_(sum|count)'
