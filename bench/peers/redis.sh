#!/usr/bin/env bash
# Redis 7 peer: the order transaction as one Lua script (EVALSHA), driven by
# redis-benchmark, with every write fsynced to the AOF before the reply
# (appendonly yes, appendfsync always; Redis flushes once per event-loop turn,
# so concurrent clients share an fsync: its group commit).
# Env: CLIENTS (64), SECONDS_PER_RUN (10), HOT (0|1).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need redis-server redis-server
need redis-benchmark redis-tools
need redis-cli redis-tools

tmp=$(mktemp -d)
stop_server_at_exit

# Default io-threads (1): with the client on the same 2 cores, io-threads 2 measured
# about 20 % slower here.
port=$(free_port 56379)
log "redis-server in $tmp, port $port, hot=$HOT, $CLIENTS clients, ${SECONDS_PER_RUN}s"
redis-server --bind 127.0.0.1 --port "$port" --daemonize no --dir "$tmp" \
  --appendonly yes --appendfsync always --save '' --maxclients $((CLIENTS + 100)) \
  --logfile "$tmp/redis.log" &
pid=$!
cli() { redis-cli -h 127.0.0.1 -p "$port" "$@"; }
for _ in $(seq 100); do [[ $(cli ping 2>/dev/null) == PONG ]] && break; sleep 0.1; done
[[ $(cli ping) == PONG ]] || die "redis did not start: $(tail -5 "$tmp/redis.log")"

cli EVAL "$(cat "$here/redis/load.lua")" 0 >/dev/null
sha=$(cli SCRIPT LOAD "$(cat "$here/redis/order.lua")")

# -r 2000: each __rand_int__ gets its own number 0..1999; order.lua takes the user
# from the first (mod 200) and the product (and the hot-spot draw) from the second.
bench() {  # requests -> CSV line "test","rps","avg","min","p50","p95","p99","max"
  redis-benchmark -h 127.0.0.1 -p "$port" -c "$CLIENTS" --threads 2 -r 2000 -n "$1" --csv \
    EVALSHA "$sha" 0 __rand_int__ __rand_int__ "$HOT" 1 | tail -1
}
# redis-benchmark has no duration option: a short probe sizes -n for SECONDS_PER_RUN.
probe_n=$((CLIENTS * 100))
probe_rps=$(bench "$probe_n" | awk -F'","' '{print $2}')
n=$(awk -v r="$probe_rps" -v s="$SECONDS_PER_RUN" -v c="$CLIENTS" \
  'BEGIN { n = int(r * s); if (n < c * 10) n = c * 10; print n }')
log "probe: $probe_rps/s, running $n requests"
csv=$(bench "$n")
log "redis-benchmark: $csv"
IFS=, read -r _ rps _ _ p50 _ p99 _ <<<"${csv//\"/}"
[[ $rps =~ ^[0-9.]+$ && $p50 =~ ^[0-9.]+$ && $p99 =~ ^[0-9.]+$ ]] || die "bad benchmark output: $csv"

# The work really happened: money is conserved, every order sold one unit, and every
# request (probe included) placed an order, i.e. none was answered with an error.
read -r balances payments orders items sold sold_p0 < <(cli EVAL "$(cat "$here/redis/verify.lua")" 0 | xargs) ||
  die "verify script failed"
log "verify: balances=$balances payments=$payments (sum $((balances + payments)), initial $((200 * 1000000000)))"
log "verify: orders=$orders items=$items units sold=$sold (p0: $((sold ? 100 * sold_p0 / sold : 0)) %) requests=$((probe_n + n))"
((balances + payments == 200 * 1000000000)) || die "balances + payments != initial total"
((orders > 0 && orders == sold && items == orders)) || die "orders, items and units sold disagree"
((orders == probe_n + n)) || die "$((probe_n + n - orders)) requests placed no order"
[[ $(cli CONFIG GET appendfsync | tail -1) == always ]] || die "appendfsync is not always"

result redis-lua "$rps" "$p50" "$p99"
