#!/usr/bin/env bash
# The Kafka pipeline's cost and speed, side by side in one sitting on loopback:
#   (a) durable POST /order (wrk -t2 -c64, bench/http/order.lua) without the shipper,
#   (b) the same with ecomm-shipper shipping to ecomm-kafka-mock meanwhile,
# alternating ROUNDS times (goal: (b) >= 90 % of (a)); then the shipper stopped while
# BACKLOG_SECONDS of orders pile up, restarted, and timed until its cursor reaches the
# end of the log: events/s catching up a backlog; then, with the shipper caught up,
# LAG_RATE orders/s for LAG_SECONDS, timing each from its acknowledgement to its event
# being readable by a consumer (lag_bench).
# Environment: ROUNDS (3), WRK_SECONDS (10), BACKLOG_SECONDS (20), LAG_RATE (5000),
# LAG_SECONDS (20); SKIP_ROUNDS=1 skips the wrk rounds.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/shop.sh
rounds=${ROUNDS:-3}
seconds=${WRK_SECONDS:-10}
backlog_seconds=${BACKLOG_SECONDS:-20}
build_bench ecomm-server ecomm-kafka-mock ecomm-shipper lag_bench
bin=build-release

work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
port=18095
metrics=18096

"$bin/server/ecomm-server" --listen 127.0.0.1:$port --data-dir "$work/data" 2>"$work/server.log" &
echo $! >"$work/server.pid"
wait_for_ecomm $port
seed_bench_shop $port

"$bin/tools/ecomm-kafka-mock" >"$work/kafka.out" 2>"$work/kafka.err" &
echo $! >"$work/kafka.pid"
for _ in $(seq 100); do grep -q '^bootstrap: ' "$work/kafka.out" && break; sleep 0.1; done
brokers=$(sed -n 's/^bootstrap: //p' "$work/kafka.out")

start_shipper() {
  "$bin/tools/ecomm-shipper" --data-dir "$work/data" --brokers "$brokers" \
    --metrics-listen 127.0.0.1:$metrics 2>>"$work/shipper.log" &
  echo $! >"$work/shipper.pid"
  for _ in $(seq 100); do curl -sf localhost:$metrics/metrics >/dev/null && break; sleep 0.1; done
}
stop_shipper() {
  kill -TERM "$(cat "$work/shipper.pid")"
  wait "$(cat "$work/shipper.pid")" || true
  rm "$work/shipper.pid"
}
metric() { curl -s localhost:$metrics/metrics | awk -v m="$1" '$1 == m {print $2}'; }
durable() { curl -s localhost:$port/healthz | sed 's/.*"lsn":\([0-9]*\).*/\1/'; }
caught_up() {  # until the shipper's cursor covers the server's durable LSN
  local target
  target=$(durable)
  until (($(metric ecomm_shipper_cursor_lsn) >= target)); do sleep 0.05; done
}
cpu() {  # pid: user + system CPU seconds so far
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / hz }' "/proc/$1/stat"
}
cpu_share() {  # what the server, the shipper and the mock broker used during the last run
  local s k p
  s=$(cpu "$(cat "$work/server.pid")"); k=$(cpu "$(cat "$work/kafka.pid")")
  p=$(cpu "$(cat "$work/shipper.pid")")
  awk -v s0="$cpu_server" -v s1="$s" -v k0="$cpu_kafka" -v k1="$k" -v p0="$cpu_shipper" -v p1="$p" \
    -v t="$seconds" 'BEGIN { printf "|  | CPU (cores) during it: server %.2f, shipper %.2f, mock Kafka %.2f |  |\n",
      (s1 - s0) / t, (p1 - p0) / t, (k1 - k0) / t }'
}
orders() {  # name: one wrk run of durable one-line orders
  local out
  out=$(wrk -t2 -c64 -d"${seconds}s" --latency -s bench/http/order.lua "http://127.0.0.1:$port/")
  printf '| %s | %s | %s |\n' "$1" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1=="99%" {print $2}' <<<"$out")"
}

echo "| run | POST /order req/s | p99 |"
echo "|---|---|---|"
[[ ${SKIP_ROUNDS:-0} == 1 ]] && rounds=0
for _ in $(seq "$rounds"); do
  orders "without shipper"
  start_shipper
  caught_up
  cpu_server=$(cpu "$(cat "$work/server.pid")"); cpu_kafka=$(cpu "$(cat "$work/kafka.pid")")
  cpu_shipper=$(cpu "$(cat "$work/shipper.pid")")
  orders "with shipper shipping"
  cpu_share
  caught_up
  stop_shipper
done

seconds=$backlog_seconds
orders "backlog while the shipper is stopped"
backlog=$(($(durable)))
start_shipper
begin=$(date +%s.%N)
caught_up
end=$(date +%s.%N)
events=$(metric ecomm_shipper_events_total)
awk -v e="$events" -v b="$begin" -v f="$end" -v l="$backlog" 'BEGIN {
  printf "\ncatch-up: %d events (log at LSN %d) shipped in %.1f s = %.0f events/s\n", e, l, f - b, e / (f - b) }'
stop_shipper

start_shipper
caught_up
echo
"$bin/bench/pipeline/lag_bench" --port $port --brokers "$brokers" --rate "${LAG_RATE:-5000}" \
  --seconds "${LAG_SECONDS:-20}"
stop_shipper
