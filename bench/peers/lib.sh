# shellcheck shell=bash
# Helpers shared by the peer benchmarks in this folder; sourced, not run.
# Contract with compare.sh: progress on stderr, exactly one "result ..." line on stdout.

CLIENTS=${CLIENTS:-64}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
HOT=${HOT:-0}
case $HOT in 0 | 1) ;; *) echo "HOT must be 0 or 1, got '$HOT'" >&2; exit 2 ;; esac
[[ $CLIENTS =~ ^[1-9][0-9]*$ && $SECONDS_PER_RUN =~ ^[1-9][0-9]*$ ]] ||
  { echo "CLIENTS and SECONDS_PER_RUN must be positive integers" >&2; exit 2; }

log() { echo "[$(basename "$0" .sh)] $*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# need COMMAND PACKAGE...: install the Debian packages when COMMAND is missing. A fresh
# machine may have empty package lists, so update once if the first try fails.
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  log "installing ${*:2}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${@:2}" >&2 ||
    { apt-get update -qq >&2 && apt-get install -y -qq "${@:2}" >&2; }
  command -v "$1" >/dev/null 2>&1 || die "$1 still missing after installing ${*:2}"
}

# free_port BASE: the first port from BASE on that refuses a connection on 127.0.0.1.
free_port() {
  local p
  for ((p = $1; p < $1 + 500; p++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  die "no free port from $1"
}

# percentiles_ms SCALE < numbers: "p50 p99" (nearest rank) in ms, input divided by SCALE.
percentiles_ms() {
  sort -n | awk -v s="$1" '{ v[NR] = $1 }
    function at(q,  i) { i = int(q * NR); if (i < q * NR) i++; if (i < 1) i = 1; return v[i] / s }
    END { if (NR == 0) exit 1; printf "%.3f %.3f\n", at(0.50), at(0.99) }'
}

# stop_server_at_exit: at exit, kill the server whose pid the caller puts in $pid (if
# any) and remove $tmp. set -e still holds in the trap: a server that already died
# must not skip the rm.
stop_server_at_exit() {
  pid=
  trap 'if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; rm -rf "$tmp"' EXIT
}

result() {  # system rps p50 p99
  printf 'result system=%s hot=%s clients=%s rps=%s p50_ms=%s p99_ms=%s\n' \
    "$1" "$HOT" "$CLIENTS" "$2" "$3" "$4"
}

# initdb_durable BIN DATADIR PORT SOCKETDIR CLIENTS: a throwaway PostgreSQL cluster
# with the durable defaults spelled out, so nobody wonders (the caller defines as_pg,
# which runs a command as the postgres user).
initdb_durable() {
  local bin=$1 data=$2 port=$3 sockets=$4 clients=$5
  as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
  cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sockets'
max_connections = $((clients + 20))
shared_buffers = 256MB
fsync = on
synchronous_commit = on
full_page_writes = on
# Room for a whole run's WAL, so no size-triggered checkpoint lands mid-run.
max_wal_size = 4GB
CONF
}
