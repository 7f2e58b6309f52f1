#!/usr/bin/env bash
# test-bench-tools.sh - the measuring programs of bench/ run to the end.
#
# bench/appfilter loads the app filter of each profile and execs a command
# under it, with a supervisor that lets every mediated call continue. Under
# `strict` even read and write are mediated, so the hand-over of the
# listener to the supervisor must not use them: a program that did waited
# forever for a supervisor that could not get the listener before it was
# told (the first version hung so). Each profile runs a shell that reads a
# file and writes to its stdout, within a time limit. The numbers the tools
# print are measurements: never judged here.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

appfilter=$TESTS_BUILDDIR/bench/appfilter
microbench=$TESTS_BUILDDIR/bench/microbench
for p in "$appfilter" "$microbench"; do
  [[ -x $p ]] || fail "$p is missing: build it first (make, or make ${p#"$TESTS_BUILDDIR"/})"
done
need_program /bin/sh dash

for profile in default strict compat; do
  rc=0
  out=$(timeout 20 "$appfilter" --profile "$profile" -- /bin/sh -c 'read -r l </etc/hostname; echo "got:$l"' \
    2>"$SB_TMP/err") || rc=$?
  if [[ $rc == 0 && $out == "got:$(head -n 1 /etc/hostname)" ]]; then
    pass "appfilter --profile $profile: the command ran under the filter and its reads and writes continued"
  else
    soft_fail "appfilter --profile $profile: status $rc (124: it hung), output '$out': $(tail -n 3 "$SB_TMP/err")"
  fi
done

# microbench under the strict filter: every descriptor call a round trip.
rc=0
out=$(timeout 60 "$appfilter" --profile strict -- "$microbench" --iterations 200 --only stat 2>"$SB_TMP/err") || rc=$?
if [[ $rc == 0 && $out =~ ^stat\ [0-9.]+$ ]]; then
  pass "appfilter --profile strict -- microbench --only stat: '$out'"
else
  soft_fail "appfilter --profile strict -- microbench: status $rc, output '$out': $(tail -n 3 "$SB_TMP/err")"
fi
finish
