#!/usr/bin/env bash
# Installs the Debian 12 packages the build and tests need, and only the missing
# ones; apt-get runs only when something is missing. Then the npm packages of
# tools/api-docs (pinned by its package-lock.json) when they are missing or stale.
# Safe to run repeatedly. `deps.sh test` also installs what only the tests use (a
# headless browser for the /docs page).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  g++ cmake make pkg-config clang libclang-rt-14-dev clang-format
  libboost-dev libboost-system-dev libcpp-httplib-dev rapidjson-dev libxxhash-dev
  doctest-dev libbenchmark-dev librdkafka-dev kafkacat libjwt-dev libssl-dev libcli11-dev
)
[[ ${1:-} != test ]] || packages+=(chromium)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# node and npm: from Debian when there is none (a newer node already installed is kept).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "deps: installing nodejs npm"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends nodejs npm
fi
lock=tools/api-docs/package-lock.json
installed=tools/api-docs/node_modules/.package-lock.json
if [[ ! -f $installed || $lock -nt $installed ]]; then
  echo "deps: npm ci in tools/api-docs"
  (cd tools/api-docs && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
