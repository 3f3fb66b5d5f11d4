#!/bin/bash
# One program's command line through the tools library (issue 21): --help prints the
# usage on stdout and nothing on stderr, exit 0; an unknown flag is refused with "see
# --help" on stderr, exit 2. GOOD and BAD, each --name=value of one flag, show that this
# spelling reaches the flag's check, which runs before --help is answered: with --help
# after it, GOOD still exits 0 and BAD exits 2 naming the flag.
#
# Usage: command_line.sh PROGRAM [GOOD [BAD]]
set -u
program=$1 good=${2:-} bad=${3:-}
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
failed=0

expect() {  # status, stream (out|err), text it holds or "" for empty; then the arguments
  local status=$1 stream=$2 text=$3
  shift 3
  "$program" "$@" >"$out" 2>"$err" </dev/null
  local got=$? file=$out
  [[ $stream == err ]] && file=$err
  if ((got != status)) || { [[ -n $text ]] && ! grep -qF -- "$text" "$file"; } ||
    { [[ -z $text ]] && [[ -s $file ]]; }; then
    echo "FAIL: $(basename "$program") $*: exit $got (want $status), $stream should" \
      "${text:+hold '$text'}${text:-be empty}" >&2
    sed 's/^/  stdout: /' "$out" >&2
    sed 's/^/  stderr: /' "$err" >&2
    failed=1
  fi
}

expect 0 out "Usage:" --help
expect 0 err "" --help
expect 2 err "see --help" --no-such-flag
expect 2 out "" --no-such-flag
[[ -n $good ]] && expect 0 out "Usage:" "$good" --help
[[ -n $bad ]] && expect 2 err "${bad%%=*}" "$bad" --help
exit $failed
