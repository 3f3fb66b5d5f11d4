#!/usr/bin/env bash
# The /docs page renders in a real browser: headless Chromium loads it from a real
# server (no network beyond loopback), runs Swagger UI, and the rendered DOM must show
# every operation of the OpenAPI document (method and path). A screenshot is kept.
# Usage: docs_browser.sh ECOMM_SERVER_BINARY [SCREENSHOT.png]
set -euo pipefail
source "$(dirname "$0")/server.sh"
server=$1
screenshot=${2:-$PWD/docs.png}
root=$(cd "$(dirname "$0")/../.." && pwd)
browser=$(command -v chromium || command -v chromium-browser || true)
[[ -n $browser ]] || { echo "FAIL: chromium is not installed (scripts/deps.sh test installs it)"; exit 1; }

work=$(mktemp -d)
trap 'kill "${ecomm_pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
start_ecomm "$server" "$work"  # tests/api/server.sh
port=$ecomm_port
for _ in $(seq 50); do  # the line after "listening on", written a moment later
  grep -q "API reference at http://127.0.0.1:$port/docs" "$work/server.log" && break
  sleep 0.1
done
grep -q "API reference at http://127.0.0.1:$port/docs" "$work/server.log" ||
  { echo "FAIL: the start-up lines do not link /docs"; exit 1; }

chrome=("$browser" --headless=new --no-sandbox --disable-gpu --no-first-run
        --user-data-dir="$work/profile" --virtual-time-budget=20000)
"${chrome[@]}" --dump-dom "http://127.0.0.1:$port/docs" >"$work/dom.html" 2>"$work/chromium.log"
"${chrome[@]}" --window-size=1280,2600 --screenshot="$screenshot" \
  "http://127.0.0.1:$port/docs" 2>>"$work/chromium.log" >/dev/null
[[ -s $screenshot ]] || { echo "FAIL: no screenshot"; exit 1; }

# Each operation is one Swagger UI block carrying its method and path.
python3 - "$root/server/openapi.json" "$work/dom.html" <<'PY'
import html, json, re, sys
document = json.load(open(sys.argv[1]))
dom = html.unescape(open(sys.argv[2], encoding="utf-8").read())
rendered = set(re.findall(r'id="operations-[^"]*".*?opblock-summary-method">(\w+)<.*?data-path="([^"]+)"', dom, re.S))
missing = [(m.upper(), p) for p, item in document["paths"].items() for m in item
           if (m.upper(), p) not in rendered]
print(f"rendered {len(rendered)} operations; the document has "
      f"{sum(len(item) for item in document['paths'].values())}")
if missing:
    sys.exit("FAIL: not shown on /docs: " + ", ".join(f"{m} {p}" for m, p in missing))
PY
echo "screenshot: $screenshot"
