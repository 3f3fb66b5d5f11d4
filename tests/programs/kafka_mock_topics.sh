#!/usr/bin/env bash
# ecomm-kafka-mock creates every topic --topic names (a list, or the flag repeated),
# each with --partitions partitions: the replicas' demo needs the log and the lease.
set -euo pipefail
mock=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo quit | "$mock" --topic ecomm.log,ecomm.lease --topic extra --partitions 1 \
  >"$dir/out" 2>"$dir/err" &
pid=$!
wait "$pid"
grep -q '^bootstrap: ' "$dir/out" || { cat "$dir/err" >&2; exit 1; }
for topic in ecomm.log ecomm.lease extra; do
  grep -q "topic $topic with 1 partition(s)" "$dir/err" || {
    echo "FAIL: topic $topic not created" >&2
    cat "$dir/err" >&2
    exit 1
  }
done
echo "ok: three topics of one partition"
