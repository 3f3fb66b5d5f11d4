#!/usr/bin/env bash
# Hostile clients, side by side in one sitting on one server (loopback, demo data):
# GET /balance?userId=alice with wrk -t2 -c64 --latency
#   (a) alone,
#   (b) while 5,000 slowloris connections are open  (goal: within 10% of (a), p99 < 10 ms),
#   (c) while 1,000 clients send garbage at full speed (goal: >= 50% of (a), no 5xx),
# ROUNDS times in turn; and, first, (d) the server's RSS idle and with 10,000 slow
# connections open (goal: < 100 MB over idle).
# Environment: ROUNDS (3), WRK_SECONDS (10), WRK_CONNS (64), SLOWLORIS (5000),
# GARBAGE (1000), RSS_SLOWLORIS (10000), BUILD_DIR (build-release).
# Usage: bench/hostile/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-3}
seconds=${WRK_SECONDS:-10}
conns=${WRK_CONNS:-64}
slowloris=${SLOWLORIS:-5000}
garbage=${GARBAGE:-1000}
rss_slowloris=${RSS_SLOWLORIS:-10000}
build=${BUILD_DIR:-build-release}

./scripts/deps.sh
if ! command -v wrk >/dev/null; then
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq wrk
fi
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DECOMM_BUILD_TESTS=OFF -DECOMM_BUILD_BENCH=ON \
  >/dev/null
cmake --build "$build" -j"$(nproc)" --target ecomm-server ecomm-attacker >/dev/null
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"  # 10,000 connections need the fds

work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

"$build/server/ecomm-server" --listen 127.0.0.1:0 --data-dir "$work/data" --demo-data \
  --threads 2 2>"$work/server.log" &
server_pid=$!
echo "$server_pid" >"$work/server.pid"
port=
for _ in $(seq 100); do
  port=$(sed -n 's/^ecomm: listening on 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$work/server.log")
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || { cat "$work/server.log" >&2; exit 1; }
url="http://127.0.0.1:$port/balance?userId=alice"
curl -sf "$url" >/dev/null

attack() {  # attacker flags...: starts the attacker in the background
  "$build/bench/hostile/ecomm-attacker" --target "127.0.0.1:$port" "$@" >"$work/attacker.log" &
  echo $! >"$work/attacker.pid"
}

counter() {  # name: its value on the attacker's last line
  tail -n1 "$work/attacker.log" | grep -Eo "(^| )$1=[0-9]+" | cut -d= -f2
}

wait_open() {  # count: until the attacker holds that many connections open
  for _ in $(seq 300); do
    (($(counter open || echo 0) >= $1)) && return
    sleep 0.1
  done
  echo "attacker did not reach $1 open connections: $(tail -n1 "$work/attacker.log")" >&2
  exit 1
}

stop_attack() {  # prints the attacker's summary line; it exits 1 after a 5xx, hence || true
  local pid
  pid=$(cat "$work/attacker.pid")
  kill -TERM "$pid"
  wait "$pid" || true
  rm "$work/attacker.pid"
  tail -n1 "$work/attacker.log"
}

wait_quiet() {  # until the server has closed the attacker's connections (curl's own is 1)
  for _ in $(seq 100); do
    [[ $(curl -s "http://127.0.0.1:$port/metrics" | awk '$1=="ecomm_http_connections" {print $2}') == 1 ]] &&
      return
    sleep 0.1
  done
  echo "the server still holds attacker connections after 10 s" >&2
}

rss_mib() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$server_pid/status"; }

# (d) first, on the fresh server: after the rounds the allocator would keep what 5,000
# slow connections and the garbage left behind, and reuse it, hiding the cost.
rss_idle=$(rss_mib)
attack --slowloris "$rss_slowloris"
wait_open "$rss_slowloris"
sleep 3  # all accepted and read from, well before the 10 s header deadline cuts them
rss_slow=$(rss_mib)
rss_attacker=$(stop_attack)
wait_quiet

to_ms() {  # wrk's latency (812.00us, 1.23ms, 2.00s) in ms
  awk '{ v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /[0-9]s$/) v *= 1000;
         printf "%.2f", v }' <<<"$1"
}

results="$work/results"  # scenario req/s p99-ms ratio, one line per run
rows=()
measure() {  # scenario, round, attacker summary ("" for none)
  local out rps p99 errors ratio
  out=$(wrk -t2 -c"$conns" -d"${seconds}s" --latency "$url")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
  errors=$( (grep -Eo 'Non-2xx or 3xx responses: [0-9]+|Socket errors: .*' <<<"$out" || true) |
    tr '\n' ' ')
  [[ $1 == baseline ]] && baseline=$rps
  ratio=$(awk -v a="$rps" -v b="$baseline" 'BEGIN {printf "%.2f", a / b}')
  echo "$1 $rps $p99 $ratio" >>"$results"
  rows+=("| $2 | $1 | $rps | $p99 | $ratio | ${errors:-none} |")
}

attacker_note() {  # the attacker's summary line, shortened for the table
  grep -Eo '(4xx|5xx|cut|errors)=[0-9]+' <<<"$1" | tr '\n' ' '
}

for round in $(seq "$rounds"); do
  measure baseline "$round"
  rows[-1]+=" - |"

  attack --slowloris "$slowloris"
  wait_open "$slowloris"
  measure slowloris "$round"
  rows[-1]+=" $(attacker_note "$(stop_attack)")|"
  wait_quiet

  attack --garbage "$garbage" --seed "$round"
  sleep 1  # at full speed
  measure garbage "$round"
  rows[-1]+=" $(attacker_note "$(stop_attack)")|"
  wait_quiet
done

echo "| round | scenario | req/s | p99 ms | ratio to baseline | wrk errors | attacker |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
median() { sort -g | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo "| scenario (median of $rounds) | req/s | p99 ms | ratio to baseline |"
echo "|---|---|---|---|"
for scenario in baseline slowloris garbage; do
  cells=()
  for column in 2 3 4; do
    cells+=("$(awk -v s="$scenario" -v c="$column" '$1 == s {print $c}' "$results" | median)")
  done
  echo "| $scenario | ${cells[0]} | ${cells[1]} | ${cells[2]} |"
done
echo
echo "| server RSS idle MiB | with $rss_slowloris slow connections MiB | delta MiB |"
echo "|---|---|---|"
awk -v a="$rss_idle" -v b="$rss_slow" 'BEGIN {printf "| %.1f | %.1f | %.1f |\n", a, b, b - a}'
echo "attacker during the RSS measurement: $rss_attacker"
echo
echo "server counters:"
curl -s "http://127.0.0.1:$port/metrics" |
  grep -E '^ecomm_http_(connections|connections_refused_total|timeouts_total)|^ecomm_http_requests_total.*status="(5..|other)"' ||
  true
