#!/usr/bin/env bash
# The floor under a replicated write (#22): kafka_round_trip_bench on a fresh mock
# cluster (ecomm-kafka-mock, 3 brokers, topic ecomm.rtt of one partition) for each
# IN_FLIGHT count and FETCH_WAITS value, ROUNDS rounds, SECONDS_PER_RUN s each. No
# server runs: only the mock and the bench share this machine's cores.
#   cmake --build build-release --target ecomm-kafka-mock kafka_round_trip_bench
#   ROUNDS=3 IN_FLIGHT="1 8 64" FETCH_WAITS="5 1" SECONDS_PER_RUN=10 \
#     bench/replication/kafka_round_trip.sh
# Prints one line per run: in flight, fetch wait, round trips/s, the round trip's
# p50/p90/p99 and the acknowledgement's p50/p99, in ms.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/kafka_mock.sh
bin=${BIN:-build-release}
rounds=${ROUNDS:-3}
in_flight=${IN_FLIGHT:-1 8 64}
fetch_waits=${FETCH_WAITS:-5 1}
seconds=${SECONDS_PER_RUN:-10}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null' EXIT
mkdir -p data/logs

for round in $(seq "$rounds"); do
  for wait_ms in $fetch_waits; do
    for n in $in_flight; do
      start_kafka_mock "$bin" --topic ecomm.rtt --partitions 1
      "$bin/bench/replication/kafka_round_trip_bench" --brokers "$brokers" --in-flight "$n" \
        --fetch-wait-ms "$wait_ms" --seconds "$seconds" >"data/logs/kafka_rtt.out"
      awk -v round="$round" -v n="$n" -v w="$wait_ms" '
        /^round trips/ { rate = $3 }
        /^produce -> read back/ { rt = $7 " / " $9 " / " $11 }
        /^produce -> acknowledged/ { ack = $6 " / " $8 }
        END { printf "round %s in-flight %s fetch-wait %s ms: %s/s, round trip p50/p90/p99 %s ms, ack p50/p99 %s ms\n",
              round, n, w, rate, rt, ack }' data/logs/kafka_rtt.out
      kill "${pids[-1]}"
      wait "${pids[-1]}" 2>/dev/null || true
      unset 'pids[-1]'
    done
  done
done
