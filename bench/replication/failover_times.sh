#!/usr/bin/env bash
# Failover times (#22), three replicas on librdkafka's mock cluster (--fetch-wait-ms 5),
# Release build, everything on this machine's cores. ROUNDS rounds of each:
#  manual:  kill -9 of the primary, then at once POST /admin/promote on another: how long
#           the promote call takes, and kill -9 to the first 2xx write on the new primary;
#  auto:    --failover auto (--failover-timeout, default 6s): kill -9 of the primary to
#           the first 2xx write on either other replica (the writer tries both every 50 ms);
#  zombie:  --failover auto: the primary SIGSTOPped while a write to it is pending;
#           another takes over; SIGCONT: how long until the pending write is answered,
#           and with what (never 2xx: it did not count).
#   ROUNDS=3 FAILOVER_TIMEOUT=6s bench/replication/failover_times.sh
# Prints one line per round and mode.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${BIN:-build-release}
rounds=${ROUNDS:-3}
timeout=${FAILOVER_TIMEOUT:-6s}
work=$(mktemp -d)
pids=()
trap 'kill -CONT "${pids[@]}" 2>/dev/null; kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
source scripts/kafka_mock.sh
mkdir -p data/logs

now_ms() { echo $(($(date +%s%N) / 1000000)); }
post() { curl -s -o /dev/null -w '%{http_code}' -m "${3:-5}" -X POST \
  -H 'Content-Type: application/json' -d "$2" "localhost:$1$4"; }
charge() { post "$1" "{\"userId\":\"bench-user\",\"amount\":1}" "${2:-2}" /balance/charge; }
role() { curl -s -m 1 "localhost:$1/admin/replication" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["role"])' 2>/dev/null || echo down; }

# Three replicas 1808{1,2,3} on a fresh mock cluster; extra server flags in "$@".
start_replicas() {
  local dir=$work/run-$RANDOM
  mkdir -p "$dir"
  start_kafka_mock "$bin" --topic ecomm.log,ecomm.lease --partitions 1
  mock_pid=${pids[-1]}
  replicas=()
  for i in 1 2 3; do
    "$bin/server/ecomm-server" --listen "127.0.0.1:1808$i" --data-dir "$dir/replica-$i" \
      --replication kafka --brokers "$brokers" --advertise-url "http://127.0.0.1:1808$i" \
      --fetch-wait-ms 5 "$@" 2>"$dir/replica-$i.err" &
    replicas+=($!)
    pids+=($!)
  done
  for i in 1 2 3; do
    for _ in $(seq 200); do curl -sf "localhost:1808$i/healthz" >/dev/null && break; sleep 0.05; done
  done
}

stop_replicas() {
  kill -CONT "${replicas[@]}" 2>/dev/null || true
  kill "${replicas[@]}" "$mock_pid" 2>/dev/null || true
  wait "${replicas[@]}" "$mock_pid" 2>/dev/null || true
}

# The index (1..3) of the primary, waiting for one.
primary() {
  for _ in $(seq 600); do
    for i in 1 2 3; do
      [[ "$(role "1808$i")" == primary ]] && { echo "$i"; return; }
    done
    sleep 0.05
  done
  echo 0
}

seed_user() {
  post "1808$1" '{"userId":"bench-user","name":"Bench","email":"b@bench.invalid"}' 5 /users \
    >/dev/null
  [[ "$(charge "1808$1")" == 200 ]]
}

# kill -9 to the first 2xx write on any replica but $1.
first_write_after() {
  local killed=$1 start=$2
  while true; do
    for i in 1 2 3; do
      [[ $i == "$killed" ]] && continue
      [[ "$(charge "1808$i" 1)" == 200 ]] && { echo $(($(now_ms) - start)); return; }
    done
    sleep 0.05
    (($(now_ms) - start > 60000)) && { echo timeout; return; }
  done
}

for round in $(seq "$rounds"); do
  start_replicas
  post 18081 '{}' 10 /admin/promote >/dev/null
  seed_user 1
  kill -9 "${replicas[0]}"
  killed=$(now_ms)
  code=$(post 18082 '{}' 10 /admin/promote)
  promoted=$(now_ms)
  echo "manual round $round: promote answered $code in $((promoted - killed)) ms;" \
    "kill -9 to first 2xx write $(first_write_after 1 "$killed") ms"
  stop_replicas

  start_replicas --failover auto --failover-timeout "$timeout"
  p=$(primary)
  seed_user "$p"
  kill -9 "${replicas[$((p - 1))]}"
  killed=$(now_ms)
  echo "auto round $round (--failover-timeout $timeout): kill -9 to first 2xx write" \
    "$(first_write_after "$p" "$killed") ms"
  stop_replicas

  start_replicas --failover auto --failover-timeout "$timeout"
  p=$(primary)
  seed_user "$p"
  kill -STOP "${replicas[$((p - 1))]}"
  (code=$(charge "1808$p" 120); echo "$code $(now_ms)" >"$work/pending") &
  pending=$!
  after=$(first_write_after "$p" "$(now_ms)")
  kill -CONT "${replicas[$((p - 1))]}"
  resumed=$(now_ms)
  wait "$pending"
  read -r code answered <"$work/pending"
  echo "zombie round $round: another primary took a write after $after ms;" \
    "the pending write answered $code $((answered - resumed)) ms after SIGCONT"
  stop_replicas
done
