#!/usr/bin/env bash
# Durable POST /order side by side (#22): a single server (--replication off) and the
# primary of three replicas on librdkafka's mock cluster (--fetch-wait-ms 5), each run
# a fresh data directory, ROUNDS rounds alternating, ecomm-load closed loop with
# CLIENTS connections and the order-only mix, audited. Everything shares this
# machine's cores: the mock, three servers and the load generator.
#   ROUNDS=3 CLIENTS=64 SECONDS_PER_RUN=10 FETCH_WAIT_MS=5 REPLICAS=3 \
#     bench/replication/order_replicated_vs_off.sh
# REPLICAS=1 runs the primary alone on the mock (no follower shares the cores).
# Prints one line per run: mode, round, order req/s, p50 ms, p99 ms, audit, then the
# CPU each process used during the load, in % of one core (the load's own included):
# where the two cores went. A replicated run also prints the primary's stage latencies
# from its /metrics (p50 and p99, to the histogram's bucket): append to counted, and
# within it produce to acknowledged.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${BIN:-build-release}
rounds=${ROUNDS:-3}
clients=${CLIENTS:-64}
seconds=${SECONDS_PER_RUN:-10}
fetch_wait=${FETCH_WAIT_MS:-5}
replica_count=${REPLICAS:-3}
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p data/logs

wait_healthy() {
  for _ in $(seq 200); do
    curl -sf "localhost:$1/healthz" >/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# CPU time (user + system) of process $1 so far, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# One ecomm-load run against $1 while processes "$2" (name=pid ...) run beside it;
# prints "rps p50 p99 audit" of its order operation, then "name=CPU%" for each of them
# and for the load itself.
load() {
  local hz before=() share="" name entry i=0 started ended children
  hz=$(getconf CLK_TCK)
  for entry in $2; do before+=("$(cpu_ticks "${entry#*=}")"); done
  started=$(date +%s.%N)
  # `times` in a subshell of its own: its children's user and system time, i.e. the
  # load's (not in a pipeline, which would run it in yet another subshell).
  (
    "$bin/tools/ecomm-load" --url "$1" --mix order=1 --connections "$clients" \
      --duration "$seconds" --no-progress --json "$work/run.json" >/dev/null 2>&1 || true
    times >"$work/times"
  )
  children=$(tail -1 "$work/times")
  ended=$(date +%s.%N)
  for entry in $2; do
    name=${entry%%=*}
    share+=" $name=$(awk -v a="${before[$i]}" -v b="$(cpu_ticks "${entry#*=}")" -v hz="$hz" \
      -v t0="$started" -v t1="$ended" 'BEGIN { printf "%.0f%%", 100 * (b - a) / hz / (t1 - t0) }')"
    i=$((i + 1))
  done
  # "1m2.345s 0m0.678s": minutes and seconds of user, then of system time.
  share+=" load=$(echo "$children" | awk -v t0="$started" -v t1="$ended" '{
    split($1, u, /[ms]/); split($2, k, /[ms]/)
    printf "%.0f%%", 100 * (u[1] * 60 + u[2] + k[1] * 60 + k[2]) / (t1 - t0) }')"
  python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
o = r["operations"]["order"]
print("%.0f %.2f %.2f %s" % (o["rps"], o["p50_ms"], o["p99_ms"], r["audit"]["ok"]), end="")' \
    "$work/run.json"
  echo " cpu:$share"
}

# p50 and p99 (ms) of the histogram $2 in GET /metrics of port $1.
stage() {
  curl -sf "localhost:$1/metrics" | python3 -c '
import sys
name = sys.argv[1]
buckets = []
for line in sys.stdin:
    if line.startswith(name + "_bucket{le=\"") and "+Inf" not in line:
        le, n = line.split("le=\"")[1].split("\"} ")
        buckets.append((float(le), int(n)))
total = buckets[-1][1] if buckets else 0
def pct(q):
    return next((le * 1000 for le, n in buckets if n >= q * total), float("nan"))
print("%s p50 %.2f p99 %.2f ms (%d)" % (name.split("_")[2], pct(0.5), pct(0.99), total))' "$2"
}

run_off() {
  local dir=$work/off-$1
  "$bin/server/ecomm-server" --listen 127.0.0.1:18090 --data-dir "$dir" 2>"$dir.err" &
  local pid=$!
  wait_healthy 18090
  echo "off $1 $(load http://127.0.0.1:18090 "server=$pid")"
  kill "$pid"
  wait "$pid" || true
}

run_replicated() {
  local dir=$work/repl-$1 replicas=()
  mkdir -p "$dir"
  source scripts/kafka_mock.sh
  start_kafka_mock "$bin" --topic ecomm.log --partitions 1
  local i watched
  for i in $(seq "$replica_count"); do
    "$bin/server/ecomm-server" --listen "127.0.0.1:1808$i" --data-dir "$dir/replica-$i" \
      --replication kafka --brokers "$brokers" --advertise-url "http://127.0.0.1:1808$i" \
      --fetch-wait-ms "$fetch_wait" 2>"$work/repl-$1-$i.err" &
    replicas+=($!)
  done
  for i in $(seq "$replica_count"); do wait_healthy "1808$i"; done
  curl -sf -X POST -H 'Content-Type: application/json' -d '{}' localhost:18081/admin/promote \
    >/dev/null
  watched="mock=${pids[-1]} primary=${replicas[0]}"
  for i in $(seq 2 "$replica_count"); do watched+=" follower$i=${replicas[i - 1]}"; done
  echo "replicated $1 $(load http://127.0.0.1:18081 "$watched")"
  echo "  $(stage 18081 ecomm_replication_counted_seconds);" \
    "$(stage 18081 ecomm_replication_produce_seconds)"
  kill "${replicas[@]}" "${pids[-1]}"
  wait "${replicas[@]}" "${pids[-1]}" 2>/dev/null || true
  unset 'pids[-1]'
}

for round in $(seq "$rounds"); do
  run_off "$round"
  run_replicated "$round"
done
