#!/usr/bin/env bash
# bench/run.sh: one side-by-side table of syscall costs, stat throughput from
# 1, 2 and 4 threads and start-up time, native vs a one-rule seccomp filter vs
# sandbox-runtime vs runc vs runsc (gVisor, ptrace platform).
#
# Builds nothing. `make bench` builds bench/microbench, bench/onefilter and
# bench/notif_roundtrip and runs this with:
#   SANDBOX_RUNTIME  path of sandbox-runtime (default: command -v sandbox-runtime)
#   MICROBENCH       path of the static microbench (default: bench/microbench
#                    next to this script, then ./bench/microbench)
#   NOTIF_ROUNDTRIP  path of notif_roundtrip (default: next to MICROBENCH)
#   ONEFILTER        path of onefilter (default: next to MICROBENCH)
# Other knobs (BENCH_RUNTIMES, BENCH_TIMEOUT, BENCH_RUNS, MICROBENCH_ARGS,
# RUNC, RUNSC, HYPERFINE) are described in bench/lib.sh; BENCH_THREADS (1,2,4)
# and BENCH_THREAD_SECONDS (1) shape the throughput rows.
#
# Columns:
#   native   $MICROBENCH on the host
#   filter   $ONEFILTER -- $MICROBENCH: a seccomp filter with one rule
#   sandbox  $SANDBOX_RUNTIME do -- $MICROBENCH
#   runc     runc run of an OCI bundle (temp dir) holding the same static binary
#   runsc    runsc --platform=ptrace --network=none do $MICROBENCH
# A column that cannot run prints n/a and a footnote says why. The numbers are
# measured, never asserted: this script exits 0 whatever they are, and non-zero
# only on bad usage.
#
# Then bench/programs.sh prints the table of real programs (unless
# BENCH_PROGRAMS=0) and bench/daemon.sh sandboxd's table (the API next to
# `do`, idle containers' memory, concurrent clients; its settings in its
# --help), unless BENCH_DAEMON=0.
set -uo pipefail
# bench_tmp, bench_runc_bundle, BENCH_WHY...: set by lib.sh's functions.
# shellcheck disable=SC2154,SC2153

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${1-}" in
-h | --help)
	sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
	exit 0
	;;
"") ;;
*)
	echo "run.sh: no arguments expected (see --help); settings come from the environment" >&2
	exit 2
	;;
esac

: "${BENCH_THREADS:=1,2,4}"
: "${BENCH_THREAD_SECONDS:=1}"
OPS=(getppid stat stat-missing access open+close read4k write4k)
TOPS=()                 # stat-t1 stat-t2 ...: calls per second, in thousands
for t in ${BENCH_THREADS//,/ }; do TOPS+=("stat-t$t"); done
declare -A LABEL=(
	[getppid]="getppid"
	[stat]="stat"
	[stat-missing]="stat of a missing name"
	[access]="access"
	[open+close]="open+close"
	[read4k]="read 4KiB"
	[write4k]="write 4KiB /dev/null"
	[startup]="/bin/true start-to-exit (ms)"
)
for t in ${BENCH_THREADS//,/ }; do
	LABEL[stat-t$t]="stat, $t thread$([ "$t" = 1 ] || echo s) (k calls/s)"
done
# Calls the sandbox lets through to the host kernel: target (issue 13) within
# 5% of the one-rule filter.
HOST_CLASS=(getppid read4k write4k)
# Calls the sandbox serves itself: target (issue 13) stat and access at most
# 2 and open+close at most 2.5 bare notification round trips.
NOTIF_CLASS=(stat access open+close)
declare -A NOTIF_LIMIT=([stat]=2 [access]=2 [open+close]=2.5)
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

# run_microbench RT [TAG EXTRA-ARGS...]: runs the microbench under RT and
# fills VAL[RT,op]. With a TAG (threads), the extra args replace --decimals and
# MICROBENCH_ARGS, the ops expected are TOPS, and the values (calls per
# second) are stored in thousands.
run_microbench() {
	local rt=$1 tag=${2:-lat} rc op us scale=1 mkey=micro
	local out=$bench_tmp/mb.$rt.$tag.out err=$bench_tmp/mb.$rt.$tag.err
	local -a args=() want=("${OPS[@]}")
	if [ -n "${bench_why[$rt]-}" ]; then
		note "$rt" "${bench_why[$rt]}"
		return
	fi
	if [ -z "$MICROBENCH" ] || [ ! -x "$MICROBENCH" ]; then
		note "$rt,$mkey" "microbench not built (set MICROBENCH=path, or make bench/microbench)"
		return
	fi
	if [ $# -gt 1 ]; then
		shift 2
		args=("$@")
		want=("${TOPS[@]}")
		scale=1000
		mkey=threads
	else
		# shellcheck disable=SC2206 # MICROBENCH_ARGS is word-split on purpose
		args=(--decimals 4 $MICROBENCH_ARGS)
	fi
	if [ "$rt" = runc ]; then
		bench_runc_setup || { note runc "${bench_why[runc]}"; return; }
		if [ ! -x "$bench_runc_bundle/rootfs/microbench" ]; then
			note "runc,$mkey" "MICROBENCH is not statically linked, so it cannot run in the bundle's rootfs"
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
	say "microbench ($tag) under $rt: ${BENCH_CMD[*]}"
	bench_run "$BENCH_TIMEOUT" "$out" "$err" "${BENCH_CMD[@]}"
	rc=$?
	while read -r op us _; do
		[[ $us =~ ^[0-9]+(\.[0-9]+)?$ ]] || continue
		VAL[$rt,$op]=$(awk -v v="$us" -v s="$scale" 'BEGIN { printf "%.4f", v / s }')
	done <"$out"
	for op in "${want[@]}"; do
		[ -n "${VAL[$rt,$op]-}" ] && continue
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			note "$rt,$mkey" "microbench timed out after ${BENCH_TIMEOUT} s (BENCH_TIMEOUT)"
		elif [ "$rc" -eq 0 ] && [ "$tag" != lat ]; then
			note "$rt,$op" "no output for $op"
		elif grep -q "^microbench: $op: " "$err" 2>/dev/null; then
			note "$rt,$op" "$(grep "^microbench: $op: " "$err" | head -n 1)"
		elif [ "$rc" -eq 0 ]; then
			note "$rt,$op" "not run (MICROBENCH_ARGS=$MICROBENCH_ARGS)"
		else
			note "$rt,$mkey" "exit status $rc: $(bench_last_line "$err")"
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
	if [ ${#TOPS[@]} -gt 0 ]; then
		for rt in $BENCH_ALL_RUNTIMES; do
			run_microbench "$rt" threads --threads "$BENCH_THREADS" \
				--seconds "$BENCH_THREAD_SECONDS"
		done
	fi
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
	local fmt='%-34s %9s %9s %9s %9s %9s %9s %9s\n' r2
	echo
	echo "sandbox benchmark: mean per call in microseconds, lower is better;"
	echo "thread rows: calls per second of all threads together, in thousands, higher is better;"
	echo "last row: ms. $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "host: $(uname -srm), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); runsc platform: ptrace"
	bench_host_idle
	echo
	# shellcheck disable=SC2059
	printf "$fmt" "op" native filter sandbox runc runsc "sbx/nat" "sbx/filt"
	printf '%s\n' "$(printf '%.0s-' {1..104})"
	for op in "${OPS[@]}" "${TOPS[@]}" startup; do
		r="-" r2="-"
		if [[ " ${HOST_CLASS[*]} ${TOPS[*]} " == *" $op "* ]]; then
			r=$(ratio "${VAL[sandbox,$op]-}" "${VAL[native,$op]-}") || r="n/a"
			r2=$(ratio "${VAL[sandbox,$op]-}" "${VAL[filter,$op]-}") || r2="n/a"
		fi
		# shellcheck disable=SC2059
		printf "$fmt" "${LABEL[$op]}" "$(cell native "$op")" "$(cell filter "$op")" \
			"$(cell sandbox "$op")" "$(cell runc "$op")" "$(cell runsc "$op")" "$r" "$r2"
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
				*,threads) what=" (thread rows)" ;;
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
	echo "targets of issue 13 (informational; measured, never asserted):"
	s=""
	for op in "${HOST_CLASS[@]}"; do
		r=$(ratio "${VAL[sandbox,$op]-}" "${VAL[filter,$op]-}") || r=""
		n=$(ratio "${VAL[sandbox,$op]-}" "${VAL[filter,$op]-}" %.6f) || n=""
		s+="${s:+, }${LABEL[$op]} ${r:-n/a} [$(verdict "$n" 1.05)]"
	done
	echo "  host-class calls within 5% of the one-rule filter (sandbox/filter <= 1.05x): $s"
	if [ -n "$rt_us" ]; then
		yard=$rt_us
		yard_src="measured"
	else
		yard=$NOTIF_RT_REFERENCE
		yard_src="reference, not measured here"
	fi
	s=""
	for op in "${NOTIF_CLASS[@]}"; do
		limit=$(awk -v y="$yard" -v m="${NOTIF_LIMIT[$op]}" 'BEGIN { printf "%.2f", m * y }')
		s+="${s:+, }${LABEL[$op]} $(cell sandbox "$op")${VAL[sandbox,$op]:+ us}"
		s+=" <= ${NOTIF_LIMIT[$op]}x = $limit [$(verdict "${VAL[sandbox,$op]-}" "$limit")]"
	done
	echo "  stat and access at most 2x, open+close at most 2.5x a bare round trip ($yard us, $yard_src):"
	echo "    $s"
	if [ -n "${VAL[sandbox,stat-t1]-}" ] && [ -n "${VAL[sandbox,stat-t2]-}" ]; then
		r=$(ratio "${VAL[sandbox,stat-t2]}" "${VAL[sandbox,stat-t1]}" %.2f)
		echo "  sandbox stat from 2 threads at least 1.7x 1 thread: ${r}x [$(verdict 1.7 "$r")]" \
			"(native: $(ratio "${VAL[native,stat-t2]-}" "${VAL[native,stat-t1]-}" %.2fx || echo n/a))"
	else
		echo "  sandbox stat from 2 threads at least 1.7x 1 thread: n/a"
	fi
	if [ -n "${VAL[runc,startup]-}" ]; then
		limit=$(awk -v y="${VAL[runc,startup]}" 'BEGIN { printf "%.2f", 1.5 * y }')
		echo "  do /bin/true within 1.5x of runc run (1.5 x ${VAL[runc,startup]} ms = $limit ms):" \
			"$(cell sandbox startup)${VAL[sandbox,startup]:+ ms} [$(verdict "${VAL[sandbox,startup]-}" "$limit")]"
	else
		echo "  do /bin/true within 1.5x of runc run: n/a (no runc number)"
	fi

	# --- the real programs' table -------------------------------------------
	if [ "${BENCH_PROGRAMS:-1}" != 0 ]; then
		echo
		bash "$BENCH_DIR/programs.sh" </dev/null &
		bench_child=$!
		wait "$bench_child"
		bench_child=""
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
