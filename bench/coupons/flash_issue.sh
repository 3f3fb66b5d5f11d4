#!/usr/bin/env bash
# Flash coupon issuance (issue #23): one campaign of TOTAL coupons, USERS users, CLIENTS
# connections, every request a uniformly random user (so repeats happen), REQUESTS
# requests in all, durable at commit everywhere:
#   ecomm     ecomm-server (default --fsync always: group-commit fdatasync), POST
#             /coupons/flash/issue; the USERS users created first, outside the timing
#   redis     Redis 7, one Lua script (issue.lua: SISMEMBER + DECR + SADD), appendonly
#             yes, appendfsync always
#   postgres  PostgreSQL 15, issue_coupon() (schema.sql: the campaign row locked by a
#             conditional UPDATE, unique (coupon_id, user_id)), fsync=on,
#             synchronous_commit=on, full_page_writes=on
# The same client for all three: flash_driver.cc (C connections, one request outstanding
# each, 2 threads, speaking HTTP, RESP and the PostgreSQL protocol itself). Every run
# gets a fresh server and data directory; ROUNDS rounds, the systems alternating.
# After each run, verified: the driver saw exactly TOTAL "issued", no error and no user
# issued twice; then the system is crashed (SIGKILL; PostgreSQL pg_ctl -m immediate) and
# restarted from its data directory, and must hold TOTAL coupons for TOTAL distinct users
# with 0 left (ecomm: GET /coupons/flash and GET /users/uK/coupons for every user; Redis:
# SCARD and the counter; PostgreSQL: count(*), count(DISTINCT user_id), remaining and the
# unique constraint). A run that fails verification prints a "failed" line, no number.
#
# Usage: bench/coupons/flash_issue.sh [ecomm] [redis] [postgres]   (default all three)
# Env: ROUNDS (3), CLIENTS (64), USERS (10000), TOTAL (1000), REQUESTS (20000),
#      ECOMM_SERVER (build-release/server/ecomm-server, built here unless set),
#      TABLE (1: print the markdown table of medians at the end).
# Stdout: one "result system=coupon-S hot=flash clients=C rps=... p50_ms=... p99_ms=...
# sellout_s=... ..." line per run (bench/compare.sh collects them), then the table.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
here=$root/bench/coupons
. bench/peers/lib.sh
. bench/shop.sh
ROUNDS=${ROUNDS:-3} USERS=${USERS:-10000} TOTAL=${TOTAL:-1000} REQUESTS=${REQUESTS:-20000}
systems=("$@")
[[ ${#systems[@]} -gt 0 ]] || systems=(ecomm redis postgres)

need redis-server redis-server
need redis-cli redis-tools
need curl curl
need g++ g++
pgbin=/usr/lib/postgresql/15/bin
need "$pgbin/psql" postgresql
if [[ -z ${ECOMM_SERVER:-} && " ${systems[*]} " == *" ecomm "* ]]; then
  ./scripts/deps.sh >&2
  cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DECOMM_BUILD_TESTS=OFF >/dev/null
  # The lock: other builds in this checkout share the machine's two cores.
  flock /tmp/ecomm-build.lock cmake --build build-release -j"$(nproc)" --target ecomm-server >/dev/null
fi
ECOMM_SERVER=${ECOMM_SERVER:-$root/build-release/server/ecomm-server}

tmp=$(mktemp -d)
chown postgres: "$tmp" 2>/dev/null || true  # initdb, the log and the socket go in it
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if [[ -f $tmp/pg/postmaster.pid ]]; then
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$tmp/pg" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
g++ -O2 -std=c++17 -pthread "$here/flash_driver.cc" -o "$tmp/flash_driver"
results=$tmp/results.txt
: >"$results"

driver() {  # PROTO PORT [options...] -> its key=value line on stdout
  "$tmp/flash_driver" --proto "$1" --port "$2" --connections "$CLIENTS" --threads 2 \
    --users "$USERS" --total "$TOTAL" --requests "$REQUESTS" "${@:3}"
}
field() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'; }

# report SYSTEM DRIVER_LINE PROBLEMS: the result line, or a failed line when the driver's
# own view or the system's state (PROBLEMS, empty when fine) says the run is wrong.
report() {
  local system=$1 line=$2 problems=$3
  local issued dup errors
  issued=$(field "$line" issued) dup=$(field "$line" duplicates) errors=$(field "$line" errors)
  [[ $issued == "$TOTAL" ]] || problems+=" driver saw $issued issued, not $TOTAL;"
  [[ $dup == 0 ]] || problems+=" driver saw $dup users issued twice;"
  [[ $errors == 0 ]] || problems+=" $errors error answers;"
  if [[ -n $problems ]]; then
    log "$system FAILED verification:$problems"
    echo "failed system=coupon-$system hot=flash clients=$CLIENTS reason=${problems// /_}" | tee -a "$results"
    return
  fi
  log "$system verified: $TOTAL issued to $TOTAL distinct users, 0 left (after a restart)"
  printf 'result system=coupon-%s hot=flash clients=%s rps=%s p50_ms=%s p99_ms=%s sellout_s=%s issued_per_s=%s rps_until_sellout=%s p99_until_sellout_ms=%s p99_issued_ms=%s answered=%s verified=ok\n' \
    "$system" "$CLIENTS" "$(field "$line" rps)" "$(field "$line" p50_ms)" "$(field "$line" p99_ms)" \
    "$(field "$line" sellout_s)" "$(field "$line" issued_per_s_until_sellout)" \
    "$(field "$line" rps_until_sellout)" "$(field "$line" p99_until_sellout_ms)" \
    "$(field "$line" p99_issued_ms)" "$(field "$line" answered)" | tee -a "$results"
}

run_ecomm() {
  local port data=$tmp/ecomm line check problems=
  port=$(free_port 18290)
  rm -rf "$data"
  start() {
    "$ECOMM_SERVER" --listen "127.0.0.1:$port" --data-dir "$data" 2>>"$tmp/ecomm.log" &
    pids+=($!)
    wait_for_ecomm "$port" || die "ecomm-server did not start: $(tail -5 "$tmp/ecomm.log")"
  }
  stop() { kill "-${1:-TERM}" "${pids[-1]}"; { wait "${pids[-1]}" || true; } 2>/dev/null; unset 'pids[-1]'; }
  start
  curl -sf -XPOST "localhost:$port/coupons" -H 'Content-Type: application/json' \
    -d "{\"couponId\":\"flash\",\"name\":\"Flash\",\"discountType\":\"FIXED\",\"discountValue\":1000,\"totalQuantity\":$TOTAL}" \
    >/dev/null || die "POST /coupons failed"
  check=$(driver http "$port" --mode create-users) || die "creating users: $check"
  [[ $(field "$check" ok) == "$USERS" ]] || die "creating users: $check"
  log "ecomm: $USERS users created, issuing"
  line=$(driver http "$port") || true
  log "ecomm: $line"
  stop KILL  # a crash: the restart recovers from the log alone
  start
  local remaining
  remaining=$(curl -sf "localhost:$port/coupons/flash" | python3 -c 'import json,sys; print(json.load(sys.stdin)["remainingQuantity"])') ||
    remaining=unreadable
  [[ $remaining == 0 ]] || problems+=" remainingQuantity $remaining after restart;"
  check=$(driver http "$port" --mode user-coupons) || true
  [[ $(field "$check" coupon_entries) == "$TOTAL" ]] || problems+=" users hold $(field "$check" coupon_entries) coupons;"
  [[ $(field "$check" max_per_user) -le 1 ]] || problems+=" a user holds $(field "$check" max_per_user);"
  [[ $(field "$check" errors) == 0 ]] || problems+=" GET /users/{id}/coupons errors;"
  stop
  report ecomm "$line" "$problems"
}

run_redis() {
  local port dir=$tmp/redis line sha problems=
  port=$(free_port 56479)
  rm -rf "$dir" && mkdir -p "$dir"
  start() {
    # Default io-threads (1), as bench/peers/redis.sh (io-threads 2 was slower here).
    redis-server --bind 127.0.0.1 --port "$port" --daemonize no --dir "$dir" \
      --appendonly yes --appendfsync always --save '' --maxclients $((CLIENTS + 100)) \
      --logfile "$dir/redis.log" &
    pids+=($!)
    for _ in $(seq 100); do [[ $(cli ping 2>/dev/null) == PONG ]] && break; sleep 0.1; done
    [[ $(cli ping) == PONG ]] || die "redis did not start: $(tail -5 "$dir/redis.log")"
  }
  stop() { kill "-${1:-TERM}" "${pids[-1]}"; { wait "${pids[-1]}" || true; } 2>/dev/null; unset 'pids[-1]'; }
  cli() { redis-cli -h 127.0.0.1 -p "$port" "$@"; }
  start
  [[ $(cli CONFIG GET appendfsync | tail -1) == always ]] || die "appendfsync is not always"
  cli SET coupon:flash:remaining "$TOTAL" >/dev/null
  sha=$(cli SCRIPT LOAD "$(cat "$here/issue.lua")")
  line=$(driver redis "$port" --sha "$sha") || true
  log "redis: $line"
  stop KILL  # a crash: the restart reloads the AOF
  start
  local card left
  card=$(cli SCARD coupon:flash:users) left=$(cli GET coupon:flash:remaining)
  [[ $card == "$TOTAL" ]] || problems+=" SCARD $card after restart;"
  [[ $left == 0 ]] || problems+=" remaining $left after restart;"
  stop
  report redis "$line" "$problems"
}

run_postgres() {
  local port line problems=
  port=$(free_port 55532)
  as_pg() { (cd "$tmp" && runuser -u postgres -- "$@"); }
  psql() { "$pgbin/psql" -h 127.0.0.1 -p "$port" -U postgres -X -q -v ON_ERROR_STOP=1 "$@" postgres; }
  rm -rf "$tmp/pg"
  initdb_durable "$pgbin" "$tmp/pg" "$port" "$tmp" "$CLIENTS"
  as_pg "$pgbin/pg_ctl" -D "$tmp/pg" -l "$tmp/pg.log" -w start >/dev/null
  psql -v total="$TOTAL" -f "$here/schema.sql"
  [[ $(psql -At -c 'SHOW synchronous_commit') == on && $(psql -At -c 'SHOW fsync') == on ]] ||
    die "postgres is not durable"
  line=$(driver postgres "$port") || true
  log "postgres: $line"
  # -m immediate: a crash, recovery from the WAL on the next start.
  as_pg "$pgbin/pg_ctl" -D "$tmp/pg" -m immediate -w stop >/dev/null
  as_pg "$pgbin/pg_ctl" -D "$tmp/pg" -l "$tmp/pg.log" -w start >/dev/null
  local rows users left total unique
  IFS='|' read -r rows users left total unique < <(psql -At -f "$here/verify.sql")
  [[ $rows == "$TOTAL" && $users == "$TOTAL" ]] || problems+=" $rows rows for $users users after restart;"
  [[ $left == 0 ]] || problems+=" remaining $left after restart;"
  [[ $unique == t ]] || problems+=" no unique constraint;"
  as_pg "$pgbin/pg_ctl" -D "$tmp/pg" -m fast -w stop >/dev/null
  report postgres "$line" "$problems"
}

for round in $(seq "$ROUNDS"); do
  for system in "${systems[@]}"; do
    log "round $round: $system ($CLIENTS clients, $USERS users, $TOTAL coupons, $REQUESTS requests)"
    REQUESTS=$REQUESTS "run_$system"
  done
done
if [[ ${TABLE:-1} == 1 ]]; then
  python3 bench/compare_report.py flash-table "$results"
fi
