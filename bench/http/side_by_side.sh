#!/usr/bin/env bash
# Several ecomm-server binaries (and nginx) side by side in one sitting, alternating, so
# that this noisy machine's drift falls on all of them alike.
# Usage: bench/http/side_by_side.sh ROUNDS SECONDS "VARIANT..." "CASE..."
#   VARIANT: nginx, or NAME=BINARY[:THREADS] (e.g. before=/tmp/ab/server-before:2)
#   CASE: nginx64 nginx10k (nginx only); bal64 bal10k top64 order64 charge64 hotorder
#         hotcharge (ecomm only; hot* = HOT=all in order.lua / charge.lua)
# Each ecomm variant starts on an empty data directory with the bench shop (bench/shop.sh).
# Runs that write also show the server's fdatasync rate, mean latency and batch size.
set -uo pipefail
cd "$(dirname "$0")/../.."
source bench/shop.sh
rounds=$1 seconds=$2 variants=$3 cases=$4
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"  # 10,000 connections

work=$(mktemp -d)
chmod 755 "$work"  # nginx workers run as an unprivileged user
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null; rm -rf "$work"' EXIT
write_nginx_conf "$work"

# The log's counters of an ecomm server: "syncs seconds records" (empty for nginx).
wal_counters() {
  [[ $1 == *18091* ]] || return 0
  curl -s http://127.0.0.1:18091/metrics | awk '
    $1 == "ecomm_wal_fsync_seconds_count" { n = $2 } $1 == "ecomm_wal_fsync_seconds_sum" { s = $2 }
    $1 == "ecomm_wal_records_total" { r = $2 } END { print n, s, r }'
}

run() {  # variant, label, connections, url, [lua script]; HOT passes through
  local out before after
  before=$(wal_counters "$4")
  out=$(wrk -t2 -c"$3" -d"${seconds}s" --latency ${5:+-s "bench/http/$5"} "$4")
  after=$(wal_counters "$4")
  printf '%-10s %-12s c=%-6s %9s req/s  p50 %8s  p99 %8s  %s%s\n' "$1" "$2" "$3" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1=="50%" {print $2}' <<<"$out")" \
    "$(awk '$1=="99%" {print $2}' <<<"$out")" \
    "$( (grep -Eo 'Non-2xx or 3xx responses: [0-9]+|Socket errors: .*' <<<"$out" || true) | tr '\n' ' ')" \
    "$(awk -v t="$seconds" 'NF == 6 && $4 > $1 {
         printf "fdatasync %.0f/s mean %.0f us, %.1f records each", ($4 - $1) / t,
           ($5 - $2) / ($4 - $1) * 1e6, ($6 - $3) / ($4 - $1) }' <<<"$before $after")"
}

for _ in $(seq "$rounds"); do
  for variant in $variants; do
    if [[ $variant == nginx ]]; then
      nginx -p "$work/nginx" -c "$work/nginx/nginx.conf"
      sleep 0.5
      for c in $cases; do
        case $c in
          nginx64) run nginx static 64 http://127.0.0.1:18090/balance.json ;;
          nginx10k) run nginx static 10000 http://127.0.0.1:18090/balance.json ;;
        esac
      done
      kill "$(cat "$work/nginx.pid")"
      sleep 0.5
      continue
    fi
    name=${variant%%=*} spec=${variant#*=}
    binary=${spec%%:*} threads=${spec#"$binary"}
    rm -rf "$work/data"
    "$binary" --listen 127.0.0.1:18091 --data-dir "$work/data" ${threads:+--threads ${threads#:}} \
      2>"$work/server.log" &
    echo $! >"$work/server.pid"
    wait_for_ecomm 18091
    seed_bench_shop 18091
    url=http://127.0.0.1:18091/
    for c in $cases; do
      case $c in
        bal64) run "$name" GET/balance 64 $url balance.lua ;;
        bal10k) run "$name" GET/balance 10000 $url balance.lua ;;
        top64) run "$name" GET/top 64 ${url}products/top ;;
        order64) run "$name" POST/order 64 $url order.lua ;;
        charge64) run "$name" POST/charge 64 $url charge.lua ;;
        hotorder) HOT=all run "$name" hot-order 64 $url order.lua ;;
        hotcharge) HOT=all run "$name" hot-charge 64 $url charge.lua ;;
      esac
    done
    kill "$(cat "$work/server.pid")"
    wait 2>/dev/null
    rm -f "$work/server.pid"
  done
done
