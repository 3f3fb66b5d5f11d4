#!/usr/bin/env bash
# The cost of --auth jwt, side by side in one run (#11): two servers on the same data
# set, one with --auth off and one with --auth jwt (ES256, issuer and audience pinned),
# driven in alternation by wrk -t2 -c64 with bench/http/balance.lua (GET /balance) and
# bench/http/order.lua (durable POST /order); the jwt runs send each of the 200 users'
# own token (TOKENS=file). Then jwt_bench: a cold verification per algorithm and the
# cached path. Prints one line per run and the medians with their ratio.
# Usage: bench/auth/run.sh (ROUNDS=3 WRK_SECONDS=10 in the environment)
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/shop.sh
rounds=${ROUNDS:-3}
seconds=${WRK_SECONDS:-10}
build_bench ecomm-server ecomm-token jwt_bench
bin=build-release

work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
admin=bench-admin-token
$bin/tools/ecomm-token --generate-keys "$work/keys" 2>/dev/null
for i in $(seq 0 199); do
  $bin/tools/ecomm-token --sub "bench$i" --ttl 1d --key "$work/keys/jwt-private.pem" \
    --issuer https://idp.bench --audience ecomm
done >"$work/tokens"

start() {  # name port flags...
  local name=$1 port=$2
  shift 2
  $bin/server/ecomm-server --listen "127.0.0.1:$port" --data-dir "$work/$name" --threads 2 \
    --admin-token "$admin" "$@" 2>"$work/$name.log" &
  echo $! >"$work/$name.pid"
  wait_for_ecomm "$port"
  seed_bench_shop "$port" "$admin"
}
start off 18101 --auth off
start jwt 18102 --auth jwt --jwt-key "$work/keys/jwt-public.pem" --jwt-issuer https://idp.bench \
  --jwt-audience ecomm

run() {  # mode port script -> "rps p50 p99 non2xx"
  local mode=$1 port=$2 script=$3 out
  local tokens=""
  [[ $mode == off ]] || tokens=$work/tokens
  out=$(TOKENS=$tokens wrk -t2 -c64 -d"${seconds}s" --latency -s "bench/http/$script" "http://127.0.0.1:$port/")
  echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")" \
    "$( (grep -Eo 'Non-2xx or 3xx responses: [0-9]+' <<<"$out" || echo x 0) | awk '{print $NF}')"
}

declare -A rps
for round in $(seq "$rounds"); do
  for script in balance.lua order.lua; do
    for mode in off jwt; do
      port=$([[ $mode == off ]] && echo 18101 || echo 18102)
      read -r r p50 p99 bad < <(run "$mode" "$port" "$script")
      echo "round $round $script auth=$mode rps=$r p50=$p50 p99=$p99 non2xx=$bad"
      [[ $bad == 0 ]] || { echo "auth=$mode answered non-2xx: the run is void" >&2; exit 1; }
      rps[$script.$mode]+="$r "
    done
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for script in balance.lua order.lua; do
  off=$(median <<<"${rps[$script.off]}")
  jwt=$(median <<<"${rps[$script.jwt]}")
  echo "median $script off=$off jwt=$jwt ratio=$(awk -v a="$jwt" -v b="$off" 'BEGIN {printf "%.3f", a / b}')"
done
curl -s -H "Authorization: Bearer $admin" localhost:18102/metrics | grep '^ecomm_jwt'
$bin/bench/jwt_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_min_time=0.5
