#!/usr/bin/env bash
# The OpenAPI document passes Redocly's recommended ruleset (tools/api-docs/redocly.yaml:
# the one exception, commented there) with no error and no warning; redocly exits
# non-zero on errors only, so warnings are read from its report.
set -euo pipefail
tools=$(cd "$(dirname "$0")/../../tools/api-docs" && pwd)
report=$("$tools/node_modules/.bin/redocly" lint --config "$tools/redocly.yaml" \
  "$tools/../../server/openapi.json" 2>&1) || { echo "$report"; exit 1; }
echo "$report"
if grep -qiE '[0-9]+ warnings?|warning' <<<"$report"; then
  echo "FAIL: redocly reported warnings" >&2
  exit 1
fi
grep -q "Your API description is valid" <<<"$report"
