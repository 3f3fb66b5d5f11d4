# Sourced by the bench scripts: the data set every HTTP benchmark of ecomm uses, the
# same as bench/peers/ loads into PostgreSQL and Redis.
#   wait_for_ecomm PORT       until GET /healthz answers (10 s at most)
#   seed_bench_shop PORT [ADMIN_TOKEN]
#                             200 users bench0..bench199 with 10^9 each, 10 products
#                             bench-p0..bench-p9 (price 100 + 37i mod 900, stock 10^12);
#                             with ADMIN_TOKEN, every call carries it (--auth jwt)
#   build_bench TARGET...     the dependencies (scripts/deps.sh) and wrk installed, and
#                             TARGETs built in build-release (Release, benchmarks on,
#                             tests off); run from the repository's root
#   write_nginx_conf DIR      DIR/nginx/nginx.conf: the reference server of the HTTP
#                             benchmarks, a static 60-byte JSON answer on 127.0.0.1:18090,
#                             2 workers (start: nginx -p DIR/nginx -c DIR/nginx/nginx.conf;
#                             its pid lands in DIR/nginx.pid)

wait_for_ecomm() {
  for _ in $(seq 100); do
    curl -sf "localhost:$1/healthz" >/dev/null && return 0
    sleep 0.1
  done
  echo "ecomm-server on port $1 did not come up" >&2
  return 1
}

seed_bench_shop() {
  local port=$1 i
  local json=(-H "Content-Type: application/json")
  [[ -z ${2:-} ]] || json+=(-H "Authorization: Bearer $2")
  for i in $(seq 0 199); do
    curl -sf -XPOST "localhost:$port/users" "${json[@]}" \
      -d "{\"userId\":\"bench$i\",\"name\":\"B\",\"email\":\"b@x\"}" >/dev/null
    curl -sf -XPOST "localhost:$port/balance/charge" "${json[@]}" \
      -d "{\"userId\":\"bench$i\",\"amount\":1000000000}" >/dev/null
  done
  for i in $(seq 0 9); do
    curl -sf -XPOST "localhost:$port/products" "${json[@]}" \
      -d "{\"productId\":\"bench-p$i\",\"name\":\"P\",\"price\":$((100 + (i * 37) % 900)),\"stock\":1000000000000}" \
      >/dev/null
  done
}

build_bench() {
  ./scripts/deps.sh
  command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
  cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DECOMM_BUILD_TESTS=OFF \
    -DECOMM_BUILD_BENCH=ON >/dev/null
  cmake --build build-release -j"$(nproc)" --target "$@" >/dev/null
}

write_nginx_conf() {
  local work=$1
  mkdir -p "$work/nginx/logs" "$work/nginx/www"
  echo '{"userId":"bench1","currentBalance":1000000000,"ok":true}' >"$work/nginx/www/balance.json"
  cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 20000; }
http {
  access_log off;
  client_body_temp_path $work/nginx/tmp; proxy_temp_path $work/nginx/tmp;
  fastcgi_temp_path $work/nginx/tmp; uwsgi_temp_path $work/nginx/tmp; scgi_temp_path $work/nginx/tmp;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:18090; root $work/nginx/www; default_type application/json; }
}
CONF
}
