#!/usr/bin/env bash
# bench/startup.sh: mean start-to-exit of /bin/true under each runtime, in ms.
#
#   native   /bin/true
#   sandbox  $SANDBOX_RUNTIME do -- /bin/true
#   runc     runc run of an OCI bundle whose rootfs has a static /bin/true
#   runsc    runsc --platform=ptrace --network=none do /bin/true
#
# Uses hyperfine (-N, 3 warm-up runs) when installed, else a loop timed with
# `date +%s%N`. Prints "<runtime> <ms>" or "<runtime> n/a (<why>)" per line.
# Usage: bench/startup.sh [RUNTIME...]   (default: $BENCH_RUNTIMES, else all four)
# Environment: see bench/lib.sh. Measured, never asserted: exits 0 even when
# a runtime is n/a.
set -uo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${1-}" in
-h | --help)
	sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
	exit 0
	;;
esac
if [ $# -eq 0 ]; then
	# shellcheck disable=SC2086 # a list of words
	set -- $BENCH_RUNTIMES
fi
# shellcheck disable=SC2034 # read by bench_resolve
BENCH_RUNTIMES="$*"
bench_init
bench_resolve
for rt in "$@"; do
	case " $BENCH_ALL_RUNTIMES " in
	*" $rt "*) ;;
	*)
		echo "startup.sh: unknown runtime '$rt' (one of: $BENCH_ALL_RUNTIMES)" >&2
		exit 2
		;;
	esac
	if bench_startup_ms "$rt"; then
		echo "$rt $BENCH_MS"
	else
		echo "$rt n/a ($BENCH_WHY)"
	fi
done
