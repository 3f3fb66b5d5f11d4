#!/usr/bin/env bash
# The server with its data pipeline, on loopback: ecomm-kafka-mock (librdkafka's mock
# Kafka cluster), ecomm-server on ./data with the demo data, ecomm-shipper shipping
# every order to the topic `orders`, and ecomm-stats answering GET /top from the topic.
# Against a real Kafka cluster only --brokers changes (set KAFKA_BROKERS to skip the mock).
# Ctrl-C stops them all. Extra arguments go to the server.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh

cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DECOMM_BUILD_TESTS=OFF \
  -DECOMM_BUILD_BENCH=OFF >/dev/null
cmake --build build-release -j"$(nproc)" \
  --target ecomm-server ecomm-kafka-mock ecomm-shipper ecomm-stats
bin=build-release

pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM
mkdir -p data/logs

source scripts/kafka_mock.sh
start_kafka_mock "$bin"
echo "pipeline: Kafka at $brokers (read it: kcat -C -b $brokers -t orders -f '%k %s\\n')"

"$bin/server/ecomm-server" --data-dir ./data --demo-data "$@" &
pids+=($!)
"$bin/tools/ecomm-shipper" --data-dir ./data --brokers "$brokers" \
  --metrics-listen 127.0.0.1:9464 &
pids+=($!)
"$bin/tools/ecomm-stats" --brokers "$brokers" --listen 127.0.0.1:8090 &
pids+=($!)
echo "pipeline: server :8080, shipper metrics :9464/metrics, stats :8090/top"
wait -n
