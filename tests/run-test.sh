#!/bin/sh
# run-test.sh TEST [ARGS...] - the harness's LOG_COMPILER: runs one test
# with a time limit (SB_TEST_TIMEOUT seconds, 600 by default), so that a
# test that hangs fails alone, naming itself, instead of stalling the
# whole run, and says how long it took (the logs then show where a run's
# time goes). On the limit the test gets SIGTERM (its traps clean up),
# and SIGKILL a minute later if it is still there.
limit=${SB_TEST_TIMEOUT:-600}
start=$(date +%s)
timeout --kill-after=60 "$limit" "$@"
rc=$?
took=$(($(date +%s) - start))
if [ "$rc" = 124 ]; then
    echo "$1: FAIL: timed out after $limit s" >&2
    rc=1
fi
echo "$1: took $took s (exit $rc)" >&2
exit "$rc"
