#!/usr/bin/env bash
# Follower lag at a steady order rate (#22): the time from an order's 200 on the primary
# to the moment a follower has applied its record (follower_lag_bench). Each round starts
# a fresh mock cluster (ecomm-kafka-mock, topic ecomm.log, one partition) and three
# replicas (--fetch-wait-ms FETCH_WAIT_MS), promotes the first, creates bench/shop.sh's
# users bench0..199 (10^9 each) and products bench-p0..9 (stock 10^12) on it, then sends
# RATE orders/s for SECONDS_PER_RUN s, after 2 s of warm-up, from THREADS client threads
# to the primary and reads each order back from the second replica with Ecomm-Min-Lsn set
# to its Ecomm-Lsn. The lag includes one loopback round trip to the follower; "rtt" is
# that round trip for a read whose LSN has already counted, the part not spent waiting.
# Everything shares this machine's cores: the mock, three servers and the client.
#   cmake --build build-release --target ecomm-server ecomm-kafka-mock follower_lag_bench
#   ROUNDS=3 RATE=5000 SECONDS_PER_RUN=20 FETCH_WAIT_MS=5 THREADS=64 \
#     bench/replication/follower_lag.sh
# (SECONDS_PER_RUN, not SECONDS: bash's SECONDS counts the shell's own seconds.)
# Prints one line per round: the order rate achieved, the lag's p50/p90/p99/max, the
# follower round trip, the acknowledgement's p99, how late sends went (p99), and every
# failed request by status and problem code. Each round's whole report stays in
# data/logs/follower_lag.ROUND.out. Exits 1 when a round had failures.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/shop.sh
source scripts/kafka_mock.sh
bin=${BIN:-build-release}
rounds=${ROUNDS:-3}
rate=${RATE:-5000}
seconds=${SECONDS_PER_RUN:-20}
threads=${THREADS:-64}
fetch_wait=${FETCH_WAIT_MS:-5}
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p data/logs

# The word after word $3 on the line of report $1 that starts with $2.
pick() {
  awk -v label="$2" -v key="$3" 'index($0, label) == 1 {
    for (i = 1; i < NF; i++) if ($i == key) { print $(i + 1); exit } }' "$1"
}

# The failed requests the report $1 lists for the side $2 (primary or follower).
failures() { sed -n "s/^$2 failures[^:]*: //p" "$1"; }

run_round() {
  local dir=$work/round-$1 out=data/logs/follower_lag.$1.out status=0 i
  mkdir -p "$dir"
  start_kafka_mock "$bin" --topic ecomm.log --partitions 1
  for i in 1 2 3; do
    "$bin/server/ecomm-server" --listen "127.0.0.1:1811$i" --data-dir "$dir/replica-$i" \
      --replication kafka --brokers "$brokers" --advertise-url "http://127.0.0.1:1811$i" \
      --fetch-wait-ms "$fetch_wait" 2>"$dir/replica-$i.err" &
    pids+=("$!")
  done
  for i in 1 2 3; do wait_for_ecomm "1811$i"; done
  curl -sf -X POST -H 'Content-Type: application/json' -d '{}' localhost:18111/admin/promote \
    >/dev/null
  seed_bench_shop 18111
  "$bin/bench/replication/follower_lag_bench" --primary 127.0.0.1:18111 \
    --follower 127.0.0.1:18112 --rate "$rate" --seconds "$seconds" --threads "$threads" \
    >"$out" || status=$?
  printf 'round %s: %s of %s/s, lag ms p50 %s p90 %s p99 %s max %s, follower rtt ms p50 %s,' \
    "$1" "$(pick "$out" orders =)" "$rate" "$(pick "$out" lag p50)" "$(pick "$out" lag p90)" \
    "$(pick "$out" lag p99)" "$(pick "$out" lag max)" "$(pick "$out" 'follower round' p50)"
  printf ' ack p99 %s, late p99 %s; failures: primary %s, follower %s (exit %s)\n' \
    "$(pick "$out" ack p99)" "$(pick "$out" 'send late' p99)" "$(failures "$out" primary)" \
    "$(failures "$out" follower)" "$status"
  kill "${pids[@]}"
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
  ((status == 0)) || failed=1
}

echo "# $rate orders/s for ${seconds} s, $threads threads, --fetch-wait-ms $fetch_wait"
failed=0
for round in $(seq "$rounds"); do run_round "$round"; done
exit "$failed"
