#!/usr/bin/env bash
# bench/run.sh: one side-by-side table of syscall costs and start-up time,
# native vs sandbox-runtime vs runc vs runsc (gVisor, ptrace platform).
#
# Builds nothing. `make bench` builds bench/microbench and
# bench/notif_roundtrip and runs this with:
#   SANDBOX_RUNTIME  path of sandbox-runtime (default: command -v sandbox-runtime)
#   MICROBENCH       path of the static microbench (default: bench/microbench
#                    next to this script, then ./bench/microbench)
#   NOTIF_ROUNDTRIP  path of notif_roundtrip (default: next to MICROBENCH)
# Other knobs (BENCH_RUNTIMES, BENCH_TIMEOUT, BENCH_RUNS, MICROBENCH_ARGS,
# RUNC, RUNSC, HYPERFINE) are described in bench/lib.sh.
#
# Columns:
#   native   $MICROBENCH on the host
#   sandbox  $SANDBOX_RUNTIME do -- $MICROBENCH
#   runc     runc run of an OCI bundle (temp dir) holding the same static binary
#   runsc    runsc --platform=ptrace --network=none do $MICROBENCH
# A column that cannot run prints n/a and a footnote says why. The numbers are
# measured, never asserted: this script exits 0 whatever they are, and non-zero
# only on bad usage.
#
# Then bench/daemon.sh prints sandboxd's table (the API next to `do`, idle
# containers' memory, concurrent clients; its settings in its --help), unless
# BENCH_DAEMON=0.
set -uo pipefail
# bench_tmp, bench_runc_bundle, BENCH_WHY...: set by lib.sh's functions.
# shellcheck disable=SC2154,SC2153

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${1-}" in
-h | --help)
	sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
	exit 0
	;;
"") ;;
*)
	echo "run.sh: no arguments expected (see --help); settings come from the environment" >&2
	exit 2
	;;
esac

OPS=(getppid stat open+close read4k write4k)
declare -A LABEL=(
	[getppid]="getppid"
	[stat]="stat"
	[open+close]="open+close"
	[read4k]="read 4KiB"
	[write4k]="write 4KiB /dev/null"
	[startup]="/bin/true start-to-exit (ms)"
)
# Calls the sandbox lets through to the host kernel: target within 10% of native.
HOST_CLASS=(getppid read4k write4k)
# Calls the sandbox serves itself: target at most 3 bare notification round trips.
NOTIF_CLASS=(stat open+close)
NOTIF_RT_REFERENCE=6.4 # us: the project's reference figure, used if none is measured

declare -A VAL=()    # "rt,op" -> value
declare -A NOTE=()   # "rt" or "rt,op" -> why n/a
NOTE_KEYS=()

note() { # note KEY TEXT: first reason wins
	[ -n "${NOTE[$1]-}" ] && return 0
	NOTE[$1]=$2
	NOTE_KEYS+=("$1")
}

say() { echo "bench: $*" >&2; }

run_microbench() {
	local rt=$1 out=$bench_tmp/mb.$1.out err=$bench_tmp/mb.$1.err rc op us
	local -a args=()
	if [ -n "${bench_why[$rt]-}" ]; then
		note "$rt" "${bench_why[$rt]}"
		return
	fi
	if [ -z "$MICROBENCH" ] || [ ! -x "$MICROBENCH" ]; then
		note "$rt,micro" "microbench not built (set MICROBENCH=path, or make bench/microbench)"
		return
	fi
	# shellcheck disable=SC2206 # MICROBENCH_ARGS is word-split on purpose
	args=(--decimals 4 $MICROBENCH_ARGS)
	if [ "$rt" = runc ]; then
		bench_runc_setup || { note runc "${bench_why[runc]}"; return; }
		if [ ! -x "$bench_runc_bundle/rootfs/microbench" ]; then
			note "runc,micro" "MICROBENCH is not statically linked, so it cannot run in the bundle's rootfs"
			return
		fi
		bench_runc_reset
		bench_cmd_for runc /microbench "${args[@]}" || {
			note runc "cannot write the bundle's config.json"
			return
		}
	else
		bench_cmd_for "$rt" "$MICROBENCH" "${args[@]}"
	fi
	say "microbench under $rt: ${BENCH_CMD[*]}"
	bench_run "$BENCH_TIMEOUT" "$out" "$err" "${BENCH_CMD[@]}"
	rc=$?
	while read -r op us _; do
		[[ $us =~ ^[0-9]+(\.[0-9]+)?$ ]] || continue
		VAL[$rt,$op]=$us
	done <"$out"
	for op in "${OPS[@]}"; do
		[ -n "${VAL[$rt,$op]-}" ] && continue
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			note "$rt,micro" "microbench timed out after ${BENCH_TIMEOUT} s (BENCH_TIMEOUT)"
		elif grep -q "^microbench: $op: " "$err" 2>/dev/null; then
			note "$rt,$op" "$(grep "^microbench: $op: " "$err" | head -n 1)"
		elif [ "$rc" -eq 0 ]; then
			note "$rt,$op" "not run (MICROBENCH_ARGS=$MICROBENCH_ARGS)"
		else
			note "$rt,micro" "exit status $rc: $(bench_last_line "$err")"
		fi
	done
}

run_startup() {
	local rt=$1
	say "/bin/true start-to-exit under $rt"
	if bench_startup_ms "$rt"; then
		VAL[$rt,startup]=$BENCH_MS
	elif [ -n "${bench_why[$rt]-}" ]; then
		note "$rt" "${bench_why[$rt]}"
	else
		note "$rt,startup" "$BENCH_WHY"
	fi
}

# Sets RT_US to the bare round trip in us (empty on failure) and RT_WHY to
# why it failed or what it is not.
notif_roundtrip() {
	local log=$bench_tmp/notif.err out=$bench_tmp/notif.out
	RT_US="" RT_WHY=""
	if [ -z "$NOTIF_ROUNDTRIP" ] || [ ! -x "$NOTIF_ROUNDTRIP" ]; then
		RT_WHY="notif_roundtrip not built (set NOTIF_ROUNDTRIP=path)"
		return 1
	fi
	bench_run 60 "$out" "$log" "$NOTIF_ROUNDTRIP" "$@"
	out=$(awk '$1 == "notif_roundtrip" && $2 ~ /^[0-9.]+$/ { print $2 }' "$out")
	if [ -z "$out" ]; then
		RT_WHY="notif_roundtrip failed: $(bench_last_line "$log")"
		return 1
	fi
	if grep -q 'SYNC_WAKE_UP' "$log"; then
		RT_WHY="kernel without SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP: plain wake-ups"
	fi
	RT_US=$out
}

cell() { # cell RT OP: the value with 2 decimals, or n/a
	local v=${VAL[$1,$2]-}
	if [ -n "$v" ]; then
		awk -v v="$v" 'BEGIN { printf "%.2f", v }'
	else
		printf 'n/a'
	fi
}

ratio() { # ratio A B [FMT]: A/B, or fails when either is missing
	[ -n "$1" ] && [ -n "$2" ] || return 1
	awk -v a="$1" -v b="$2" -v f="${3:-%.2fx}" 'BEGIN { if (b > 0) printf f, a / b; else exit 1 }'
}

le() { # le A B: A <= B
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'
}

verdict() { # verdict VALUE LIMIT
	if [ -z "$1" ] || [ -z "$2" ]; then
		printf 'n/a'
	elif le "$1" "$2"; then
		printf 'met'
	else
		printf 'NOT met'
	fi
}

main() {
	local rt op r
	bench_init
	bench_resolve
	say "SANDBOX_RUNTIME=${SANDBOX_RUNTIME:-<none>} MICROBENCH=${MICROBENCH:-<none>}"

	for rt in $BENCH_ALL_RUNTIMES; do
		run_microbench "$rt"
	done
	for rt in $BENCH_ALL_RUNTIMES; do
		run_startup "$rt"
	done
	say "bare user-notification round trip"
	local rt_us rt_plain rt_why
	notif_roundtrip
	rt_us=$RT_US rt_why=$RT_WHY
	rt_plain=""
	if [ -n "$rt_us" ] && [ -z "$rt_why" ]; then
		notif_roundtrip --no-sync-wakeup
		rt_plain=$RT_US
	fi

	# --- the table ---------------------------------------------------------
	local fmt='%-30s %10s %10s %10s %10s %16s\n'
	echo
	echo "sandbox benchmark: mean per call in microseconds (last row: ms); lower is better"
	echo "host: $(uname -srm), $(nproc) CPUs; runsc platform: ptrace"
	echo
	# shellcheck disable=SC2059
	printf "$fmt" "op" native sandbox runc runsc "sandbox/native"
	printf '%s\n' "$(printf '%.0s-' {1..92})"
	for op in "${OPS[@]}" startup; do
		r="-"
		if [[ " ${HOST_CLASS[*]} " == *" $op "* ]]; then
			r=$(ratio "${VAL[sandbox,$op]-}" "${VAL[native,$op]-}") || r="n/a"
		fi
		# shellcheck disable=SC2059
		printf "$fmt" "${LABEL[$op]}" "$(cell native "$op")" "$(cell sandbox "$op")" \
			"$(cell runc "$op")" "$(cell runsc "$op")" "$r"
	done
	echo

	# --- footnotes ---------------------------------------------------------
	local k col what
	if [ ${#NOTE_KEYS[@]} -gt 0 ]; then
		echo "n/a:"
		for rt in $BENCH_ALL_RUNTIMES; do
			for k in "${NOTE_KEYS[@]}"; do
				col=${k%%,*}
				[ "$col" = "$rt" ] || continue
				what=""
				case $k in
				*,micro) what=" (microbench rows)" ;;
				*,*) what=" (${LABEL[${k#*,}]})" ;;
				esac
				echo "  $col$what: ${NOTE[$k]}"
			done
		done
		echo
	fi
	if [ -n "$rt_us" ]; then
		printf 'bare user-notification round trip: %s us' "$rt_us"
		if [ -n "$rt_why" ]; then
			printf ' (%s)' "$rt_why"
		else
			printf ' (SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP'
			[ -n "$rt_plain" ] && printf '; %s us with plain cross-CPU wake-ups' "$rt_plain"
			printf ')'
		fi
		echo
	else
		echo "bare user-notification round trip: n/a ($rt_why)"
	fi
	echo

	# --- targets (informational) --------------------------------------------
	local limit yard yard_src s n
	echo "targets (informational; measured, never asserted):"
	s=""
	for op in "${HOST_CLASS[@]}"; do
		r=$(ratio "${VAL[sandbox,$op]-}" "${VAL[native,$op]-}") || r=""
		n=$(ratio "${VAL[sandbox,$op]-}" "${VAL[native,$op]-}" %.6f) || n=""
		s+="${s:+, }${LABEL[$op]} ${r:-n/a} [$(verdict "$n" 1.10)]"
	done
	echo "  host-class calls within 10% of native (sandbox/native <= 1.10x): $s"
	if [ -n "$rt_us" ]; then
		yard=$rt_us
		yard_src="measured"
	else
		yard=$NOTIF_RT_REFERENCE
		yard_src="reference, not measured here"
	fi
	limit=$(awk -v y="$yard" 'BEGIN { printf "%.2f", 3 * y }')
	s=""
	for op in "${NOTIF_CLASS[@]}"; do
		s+="${s:+, }${LABEL[$op]} $(cell sandbox "$op")${VAL[sandbox,$op]:+ us} [$(verdict "${VAL[sandbox,$op]-}" "$limit")]"
	done
	echo "  stat and open+close at most 3x a bare user-notification round trip"
	echo "    (3 x $yard us $yard_src = $limit us; project reference: 3 x $NOTIF_RT_REFERENCE = $(awk -v y=$NOTIF_RT_REFERENCE 'BEGIN { printf "%.1f", 3 * y }') us): $s"
	if [ -n "${VAL[runc,startup]-}" ]; then
		limit=$(awk -v y="${VAL[runc,startup]}" 'BEGIN { printf "%.2f", 1.5 * y }')
		echo "  do /bin/true within 1.5x of runc run (1.5 x ${VAL[runc,startup]} ms = $limit ms):" \
			"$(cell sandbox startup)${VAL[sandbox,startup]:+ ms} [$(verdict "${VAL[sandbox,startup]-}" "$limit")]"
	else
		echo "  do /bin/true within 1.5x of runc run: n/a (no runc number)"
	fi

	# --- the daemon's table -------------------------------------------------
	if [ "${BENCH_DAEMON:-1}" != 0 ]; then
		# In the background, so that a signal to us stops it (and it cleans up).
		bash "$BENCH_DIR/daemon.sh" </dev/null &
		bench_child=$!
		wait "$bench_child"
		bench_child=""
	fi
}

main
