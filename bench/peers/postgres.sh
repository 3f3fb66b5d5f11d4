#!/usr/bin/env bash
# PostgreSQL 15 peer: the order transaction driven by pgbench, on a throwaway cluster
# with the durable defaults (fsync, synchronous_commit, full_page_writes all on).
# Env: CLIENTS (64), SECONDS_PER_RUN (10), HOT (0|1), VARIANT (plpgsql|plain).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
VARIANT=${VARIANT:-plpgsql}
case $VARIANT in plpgsql | plain) ;; *) die "VARIANT must be plpgsql or plain" ;; esac

# Absolute paths: /usr/local/bin/pg_ctl on some machines is a wrapper, not PostgreSQL's.
bin=/usr/lib/postgresql/15/bin
need "$bin/pgbench" postgresql
need "$bin/psql" postgresql
as_pg() { runuser -u postgres -- "$@"; }  # postgres refuses to run as root

tmp=$(mktemp -d)
chown postgres: "$tmp"
cleanup() {
  if [[ -f $tmp/data/postmaster.pid ]]; then
    as_pg "$bin/pg_ctl" -D "$tmp/data" -m fast -w stop >/dev/null 2>&1 ||
      as_pg "$bin/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp"  # runuser keeps the cwd; postgres must be able to enter it

port=$(free_port 55432)
log "initdb in $tmp, port $port, variant $VARIANT, hot=$HOT, $CLIENTS clients, ${SECONDS_PER_RUN}s"
initdb_durable "$bin" "$tmp/data" "$port" "$tmp" "$CLIENTS"
as_pg "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w start >/dev/null

psql() { "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -X -q -v ON_ERROR_STOP=1 "$@" postgres; }
psql -f "$here/postgres/schema.sql"

log "running pgbench"
# -n: no vacuum of pgbench's own tables (there are none). --log: one line per
# transaction, latency in microseconds in column 3, one file per thread.
status=0
"$bin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -M prepared \
  -c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" -D hot="$HOT" \
  -f "$here/postgres/$VARIANT.pgbench" --log --log-prefix="$tmp/txlog" postgres \
  >"$tmp/pgbench.out" 2>"$tmp/pgbench.err" || status=$?
sed 's/^/  /' "$tmp/pgbench.out" >&2
[[ $status -eq 0 ]] || { cat "$tmp/pgbench.err" >&2; die "pgbench exited $status"; }
failed=$(awk '/number of failed transactions/ {print $5}' "$tmp/pgbench.out")
[[ ${failed:-0} == 0 ]] || die "$failed failed transactions"

rps=$(awk '/^tps = .*without initial connection time/ {printf "%.1f", $3}' "$tmp/pgbench.out")
[[ -n $rps ]] || die "no tps line in pgbench output"
read -r p50 p99 < <(cat "$tmp"/txlog.* | awk '{print $3}' | percentiles_ms 1000) ||
  die "no per-transaction log"

# The work really happened: money is conserved and every order sold one unit.
IFS='|' read -r balances payments orders items sold sold_p0 < <(psql -At -f "$here/postgres/verify.sql") ||
  die "verify query failed"
log "verify: balances=$balances payments=$payments (sum $((balances + payments)), initial $((200 * 1000000000)))"
log "verify: orders=$orders items=$items units sold=$sold (p0: $((sold ? 100 * sold_p0 / sold : 0)) %)"
((balances + payments == 200 * 1000000000)) || die "balances + payments != initial total"
((orders > 0 && orders == sold && items == orders)) || die "orders, items and units sold disagree"
# Each counted transaction placed one order (none took the ROLLBACK branch); a client
# cut off by -T may have committed one more that pgbench did not count.
processed=$(awk -F': ' '/number of transactions actually processed/ {print $2}' "$tmp/pgbench.out")
log "verify: pgbench counted $processed transactions"
((orders >= processed && orders <= processed + CLIENTS)) || die "orders ($orders) != transactions ($processed)"

result "postgres-$VARIANT" "$rps" "$p50" "$p99"
