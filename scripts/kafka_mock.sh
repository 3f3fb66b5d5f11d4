# Sourced by the demo scripts: start_kafka_mock BIN_DIR [ecomm-kafka-mock flags...]
# starts librdkafka's mock cluster in the background (logs in data/logs/kafka.*),
# appends its pid to `pids` and sets `brokers` to its bootstrap list; with
# KAFKA_BROKERS set it starts nothing and uses that cluster instead.
start_kafka_mock() {
  local bin=$1
  shift
  brokers=${KAFKA_BROKERS:-}
  [[ -n $brokers ]] && return 0
  # Emptied first: the child truncates it only once it runs, and a previous run's
  # bootstrap line must not be read meanwhile.
  : >data/logs/kafka.out
  "$bin/tools/ecomm-kafka-mock" "$@" >data/logs/kafka.out 2>data/logs/kafka.err &
  pids+=($!)
  for _ in $(seq 100); do
    brokers=$(sed -n 's/^bootstrap: //p' data/logs/kafka.out)
    [[ -n $brokers ]] && return 0
    sleep 0.1
  done
  cat data/logs/kafka.err >&2
  return 1
}
