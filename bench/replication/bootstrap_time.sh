#!/usr/bin/env bash
# Bootstrap of an empty follower from a peer's snapshot of about a million orders (#22).
# The shop is made once by ecomm-load's embedded engine (no HTTP; FILL_SECONDS of
# one-line orders, about 65k a second here). Each round then copies it to a fresh
# directory, starts it as a replica (--replication kafka on ecomm-kafka-mock) and
# promotes it: its epoch continues its own log. Then an empty replica starts with
# --bootstrap-from the first, and the clock runs from that start until the newcomer
# has applied the primary's LSN. Writes are paused meanwhile. The first ask finds no
# snapshot with a topic place yet: the primary answers 503, takes one, and the
# newcomer asks again after Retry-After. All of it shares this machine's cores.
#   ROUNDS=3 FILL_SECONDS=16 bench/replication/bootstrap_time.sh
# Prints the orders made, then one line per round: the seconds until caught up, the
# snapshot's size, and the newcomer's own account of the bootstrap (its log).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/kafka_mock.sh
bin=${BIN:-build-release}
rounds=${ROUNDS:-3}
fill=${FILL_SECONDS:-16}
token=bootstrap-bench-token
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p data/logs

mkdir -p "$work/shop"
"$bin/tools/ecomm-load" --embedded --data-dir "$work/shop" --mix order=1 --order-lines 1 \
  --max-quantity 1 --stock 1000000000 --duration "$fill" --no-progress --no-audit \
  >"$work/fill.out" 2>&1
echo "# $(awk '$1 == "order" { print $2 }' "$work/fill.out") orders in the shop"

# The LSN replica $1 has applied, or nothing while it does not answer.
applied() {
  curl -sf -H "Authorization: Bearer $token" "localhost:$1/admin/replication" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["appliedLsn"])' 2>/dev/null || true
}

replica() {
  local port=$1 dir=$2
  shift 2
  "$bin/server/ecomm-server" --listen "127.0.0.1:$port" --data-dir "$dir" \
    --replication kafka --brokers "$brokers" --advertise-url "http://127.0.0.1:$port" \
    --fetch-wait-ms 5 --admin-token "$token" "$@" 2>"$dir.err" &
  pids+=("$!")
}

for round in $(seq "$rounds"); do
  cp -r "$work/shop" "$work/primary-$round"
  start_kafka_mock "$bin" --topic ecomm.log --partitions 1
  replica 18121 "$work/primary-$round"
  for _ in $(seq 1200); do [[ -n $(applied 18121) ]] && break; sleep 0.1; done
  curl -sf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{}' localhost:18121/admin/promote >/dev/null
  target=$(applied 18121)
  [[ -n $target ]] || { echo "the primary does not answer: $work/primary-$round.err" >&2; exit 1; }
  started=$(date +%s%N)
  replica 18122 "$work/newcomer-$round" --bootstrap-from http://127.0.0.1:18121
  for _ in $(seq 6000); do  # 5 minutes at most
    [[ $(applied 18122) == "$target" ]] && break
    sleep 0.05
  done
  [[ $(applied 18122) == "$target" ]] || { cat "$work/newcomer-$round.err" >&2; exit 1; }
  ended=$(date +%s%N)
  bytes=$(du -cb "$work/newcomer-$round"/snapshots/*.snap | tail -1 | cut -f1)
  echo "round $round: caught up with LSN $target in $(((ended - started) / 1000000)) ms;" \
    "snapshot $((bytes / 1048576)) MiB; newcomer's log:"
  grep -E "bootstrap|recovered" "$work/newcomer-$round.err" | sed 's/^/    /'
  kill "${pids[@]}"
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
  rm -rf "$work/primary-$round" "$work/newcomer-$round"
done
