# Sourced by the tests/api scripts: start_ecomm SERVER_BINARY WORK_DIR starts the server
# on a free loopback port with the demo data in WORK_DIR/data, its stderr in
# WORK_DIR/server.log; sets ecomm_pid and ecomm_port, or fails the test.
start_ecomm() {
  local server=$1 work=$2
  "$server" --listen 127.0.0.1:0 --data-dir "$work/data" --demo-data 2>"$work/server.log" &
  ecomm_pid=$!
  ecomm_port=
  for _ in $(seq 100); do
    ecomm_port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/server.log")
    [[ -n $ecomm_port ]] && return 0
    sleep 0.1
  done
  cat "$work/server.log"
  echo "FAIL: the server did not start"
  exit 1
}
