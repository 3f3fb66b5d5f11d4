#!/usr/bin/env bash
# Three replicas of the shop on loopback over one log topic: ecomm-kafka-mock
# (librdkafka's mock cluster, 3 brokers, the topics ecomm.log and ecomm.lease with one
# partition each) and three ecomm-server --replication kafka on :8081, :8082, :8083 with
# data in ./data/replica-{1,2,3}. The first is promoted; the others follow it and answer
# writes 421 naming it. Promote another at any time:
#   curl -s -X POST -H 'Content-Type: application/json' -d '{}' localhost:8082/admin/promote
# Flags given are passed to every server: `./scripts/replicas.sh --failover auto` lets the
# lease decide (kill the primary and another takes over within the failover timeout).
# Against a real Kafka cluster only --brokers (and --kafka-config) change: set
# KAFKA_BROKERS to skip the mock (the topic must exist with exactly one partition).
# Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh

cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DECOMM_BUILD_TESTS=OFF \
  -DECOMM_BUILD_BENCH=OFF >/dev/null
cmake --build build-release -j"$(nproc)" --target ecomm-server ecomm-kafka-mock
bin=build-release

pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM
mkdir -p data/logs

source scripts/kafka_mock.sh
start_kafka_mock "$bin" --topic ecomm.log,ecomm.lease --partitions 1
echo "replicas: Kafka at $brokers, log topic ecomm.log, lease topic ecomm.lease"

for i in 1 2 3; do
  "$bin/server/ecomm-server" --listen "127.0.0.1:808$i" --data-dir "./data/replica-$i" \
    --replication kafka --brokers "$brokers" --advertise-url "http://127.0.0.1:808$i" \
    --fetch-wait-ms 5 "$@" 2>"data/logs/replica-$i.err" &
  pids+=($!)
done
for _ in $(seq 100); do
  curl -sf localhost:8081/healthz >/dev/null && break
  sleep 0.1
done
if [[ " $* " == *" --failover auto "* ]]; then
  echo "replicas: --failover auto: the lease holder promotes itself (GET /admin/replication on each)"
else
  curl -s -X POST -H 'Content-Type: application/json' -d '{}' localhost:8081/admin/promote && echo
  echo "replicas: primary :8081, followers :8082 :8083 (GET /admin/replication on each)"
fi
wait -n
