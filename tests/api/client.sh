#!/usr/bin/env bash
# A client generated from the document works: openapi-typescript generates the types
# from a real server's /openapi.json, tsc compiles tests/api/client/walkthrough.ts
# against them (strict), and node runs it against that server (the README's walk-
# through: charge, order, cart, top sellers, cancel).
# Usage: client.sh ECOMM_SERVER_BINARY
set -euo pipefail
source "$(dirname "$0")/server.sh"
server=$1
here=$(cd "$(dirname "$0")" && pwd)
tools=$(cd "$here/../../tools/api-docs" && pwd)

work=$(mktemp -d)
trap 'kill "${ecomm_pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
start_ecomm "$server" "$work"  # tests/api/server.sh
port=$ecomm_port
url=http://127.0.0.1:$port

mkdir "$work/client"
cp "$here/client/walkthrough.ts" "$here/client/tsconfig.json" "$work/client/"
ln -s "$tools/node_modules" "$work/client/node_modules"
echo '{"type": "module"}' >"$work/client/package.json"
"$tools/node_modules/.bin/openapi-typescript" "$url/openapi.json" -o "$work/client/schema.d.ts"
(cd "$work/client" && "$tools/node_modules/.bin/tsc" -p tsconfig.json)
node "$work/client/walkthrough.js" "$url"
