#!/usr/bin/env bash
# ctest learns each doctest case by name and runs it with --test-case=NAME; CMake cuts
# a name at every ';' (its list separator), and the pieces match no case, so the case
# would silently not run. Names must hold no ';'.
set -euo pipefail
cd "$(dirname "$0")"
bad=$(grep -rPzo 'TEST_CASE\(\s*("(?:[^"\\]|\\.)*"\s*)+\)' --include='*.cc' . | tr '\0' '\n' |
  grep ';' || true)
if [[ -n "$bad" ]]; then
  echo "test case names with ';' (ctest would not run them):" >&2
  echo "$bad" >&2
  exit 1
fi
