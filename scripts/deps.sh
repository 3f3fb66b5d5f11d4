#!/usr/bin/env bash
# Installs the Debian 12 packages the build and tests need, and only the missing
# ones; apt-get runs only when something is missing. Safe to run repeatedly.
set -euo pipefail

packages=(
  g++ cmake make pkg-config clang libclang-rt-14-dev clang-format
  libboost-dev libboost-system-dev libcpp-httplib-dev rapidjson-dev libxxhash-dev
  doctest-dev libbenchmark-dev librdkafka-dev kafkacat libjwt-dev libssl-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
