#!/usr/bin/env bash
# nginx peer: the HTTP ceiling of this machine. One static JSON file of about the
# size of the engine's order answer, over keep-alive connections, driven by wrk.
# No transaction here, so HOT changes nothing (it is only echoed in the result).
# Env: CLIENTS (64), SECONDS_PER_RUN (10), HOT (0|1).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
need nginx nginx
need wrk wrk
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

tmp=$(mktemp -d)
chmod 755 "$tmp"  # workers drop root and must still read the file
stop_server_at_exit

port=$(free_port 58080)
log "nginx in $tmp, port $port, $CLIENTS clients, ${SECONDS_PER_RUN}s"
mkdir -p "$tmp/www" "$tmp/temp"
printf '%s' '{"orderId":"0b6f2c1e-6a47-4d2b-9b1f-3f5e8d9a7c21","userId":"u1","items":[{"productId":"p1","quantity":1,"price":137}],"totalPrice":137,"orderStatus":"SUCCESS","createdAt":"2024-01-01T00:00:00.000Z"}' \
  >"$tmp/www/order.json"
chmod 644 "$tmp/www/order.json"
cat >"$tmp/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/error.log warn;
events { worker_connections $((CLIENTS * 2 + 1024)); }
http {
  access_log off;
  sendfile off;                      # a 200-byte body: one writev beats writev + sendfile
  open_file_cache max=16;            # no open/close per request: nginx's usual setup
  open_file_cache_valid 60s;
  keepalive_requests 1000000000;     # never close a client's connection for its count
  keepalive_timeout 65;
  client_body_temp_path $tmp/temp; proxy_temp_path $tmp/temp; fastcgi_temp_path $tmp/temp;
  uwsgi_temp_path $tmp/temp; scgi_temp_path $tmp/temp;
  default_type application/json;
  server {
    listen 127.0.0.1:$port;
    root $tmp/www;
  }
}
CONF
nginx -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/error.log" &
pid=$!
url=http://127.0.0.1:$port/order.json
up() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }
for _ in $(seq 100); do up && break; sleep 0.1; done
up || die "nginx did not start"

out=$(wrk -t2 -c"$CLIENTS" -d"${SECONDS_PER_RUN}s" --latency "$url")
sed 's/^/  /' <<<"$out" >&2
# wrk prints latencies with their own unit (us, ms, s): convert to ms.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
  printf "%.3f\n", u == "us" ? n / 1000 : u == "s" ? n * 1000 : n }'; }
rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
[[ $rps =~ ^[0-9.]+$ ]] || die "no Requests/sec in wrk output"
if grep -q 'Non-2xx\|Socket errors' <<<"$out"; then die "wrk saw errors"; fi
log "verify: no errors, $(wc -c <"$tmp/www/order.json")-byte body"

result nginx-static "$rps" "$p50" "$p99"
