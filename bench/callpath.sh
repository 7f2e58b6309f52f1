#!/usr/bin/env bash
# bench/callpath.sh: where the time of a mediated call goes (issue 13).
#
# Runs `$SANDBOX_RUNTIME do -- $MICROBENCH --only OP --threads 1` (a loop of
# OP, stat by default, from one app thread) and, while it runs, looks at the
# sandbox's processes from the host, in three windows of WINDOW seconds:
#   1. perf stat --per-thread on the app, both Sentry processes and the Gofer:
#      task-clock, context switches, CPU migrations, system calls, the
#      sched_yield calls, the wake-ups each thread issued; and the Sentry's
#      SECCOMP_IOCTL_NOTIF_RECV ioctls, which count the calls served (one
#      each; an open is answered with NOTIF_ADDFD, not NOTIF_SEND). Printed
#      per served call.
#   2. strace -c -f on the Sentry and the Gofer: their system calls by name
#      (strace slows them down: the counts per call hold, the times do not),
#      and one call's sequence from a short strace -f -tt.
#   3. perf record -g on the Sentry and the Gofer: where their CPU time goes.
# Also prints the app's calls per second with nothing attached (the first and
# the last second of the run are left out of the windows).
#
# Usage: bench/callpath.sh [OP]   (OP: stat (default) or open+close)
# Environment: SANDBOX_RUNTIME, SANDBOX_LIBEXEC_DIR, MICROBENCH (as run.sh),
#   WINDOW (3 seconds). Needs root, perf and strace. Measured, never
#   asserted: exits 0 whatever it finds (1 when it cannot run).
set -uo pipefail

case "${1-}" in
-h | --help)
	sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
	exit 0
	;;
esac
OP=${1:-stat}
: "${WINDOW:=3}"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${SANDBOX_RUNTIME:=$(command -v sandbox-runtime 2>/dev/null)}"
: "${MICROBENCH:=$here/microbench}"
for t in perf strace; do
	command -v $t >/dev/null || { echo "callpath.sh: $t not installed" >&2; exit 1; }
done
[ -x "${SANDBOX_RUNTIME:-}" ] || { echo "callpath.sh: set SANDBOX_RUNTIME" >&2; exit 1; }
[ -x "$MICROBENCH" ] || { echo "callpath.sh: set MICROBENCH" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sandbox-callpath.XXXXXX") || exit 1
run=""
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	# Only the do we started, and only while it is still ours.
	if [ -n "$run" ] && kill -0 "$run" 2>/dev/null; then
		kill -TERM "$run" 2>/dev/null
		wait "$run" 2>/dev/null
	fi
	rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say() { echo "callpath: $*" >&2; }
secs=$((3 * WINDOW + 3 * WINDOW + 6))
say "running $OP in a sandbox for $secs s"
"$SANDBOX_RUNTIME" 'do' -- "$MICROBENCH" --only "$OP" --threads 1 --seconds "$secs" \
	>"$tmp/mb.out" 2>"$tmp/mb.err" </dev/null &
run=$!

# The roles, from the process tree: do -> sentry (supervisor) -> gofer and
# sentry (the sandbox's init) -> the app.
app="" sentry="" init="" gofer=""
for _ in $(seq 50); do
	sleep 0.2
	sentry=$(ps -o pid=,comm= --ppid "$run" | awk '$2 == "sandbox-sentry" { print $1; exit }')
	[ -n "$sentry" ] || continue
	gofer=$(ps -o pid=,comm= --ppid "$sentry" | awk '$2 == "sandbox-gofer" { print $1; exit }')
	init=$(ps -o pid=,comm= --ppid "$sentry" | awk '$2 == "sandbox-sentry" || $2 == "init" { print $1; exit }')
	[ -n "$init" ] && app=$(ps -o pid=,comm= --ppid "$init" | awk '$2 == "microbench" { print $1; exit }')
	[ -n "$app" ] && [ -n "$gofer" ] && break
done
if [ -z "$app" ] || [ -z "$gofer" ]; then
	echo "callpath.sh: the sandbox did not come up: $(tail -n 1 "$tmp/mb.err")" >&2
	exit 1
fi
sleep 1 # the app's worker thread starts after a warm-up
declare -A ROLE=()
for p in $app $sentry $init $gofer; do
	case $p in
	"$app") r=app ;; "$sentry") r=sentry ;; "$init") r="sentry(init)" ;; *) r=gofer ;;
	esac
	for t in /proc/"$p"/task/*; do ROLE[${t##*/}]=$r; done
done
say "app $app, sentry $sentry, init $init, gofer $gofer; threads: ${!ROLE[*]}"

# --- 1. perf stat ---------------------------------------------------------------
NOTIF_RECV=0xc0502100 # SECCOMP_IOCTL_NOTIF_RECV
say "perf stat for $WINDOW s"
pids="$app,$sentry,$init,$gofer"
perf stat --per-thread -x, -o "$tmp/stat.csv" \
	-e task-clock,context-switches,cpu-migrations,raw_syscalls:sys_enter \
	-e syscalls:sys_enter_sched_yield,sched:sched_wakeup \
	-e syscalls:sys_enter_ioctl --filter "cmd == $NOTIF_RECV" \
	-p "$pids" -- sleep "$WINDOW" 2>"$tmp/stat.err"
# Sum each event by role.
declare -A SUM=()
while IFS=, read -r who count _ event _; do
	[[ $count =~ ^[0-9.]+$ ]] || continue
	tid=${who##*-}
	r=${ROLE[$tid]-}
	[ -n "$r" ] || continue
	SUM[$r,$event]=$(awk -v a="${SUM[$r,$event]-0}" -v b="$count" 'BEGIN { printf "%.3f", a + b }')
done <"$tmp/stat.csv"
calls=${SUM[sentry,syscalls:sys_enter_ioctl]-0}
calls=${calls%.*}

echo
echo "where a mediated $OP goes: $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -sr), $(nproc) CPUs"
echo "(perf stat --per-thread -p APP,SENTRY,INIT,GOFER for $WINDOW s; calls = the Sentry's NOTIF_RECV ioctls)"
echo
echo "calls served in the window: $calls ($(awk -v c="$calls" -v w="$WINDOW" 'BEGIN { printf "%.0f", c / w }')/s, $(awk -v c="$calls" -v w="$WINDOW" 'BEGIN { if (c > 0) printf "%.1f", w * 1e6 / c; else print "n/a" }') us each)"
echo
if [ "$calls" -gt 0 ] 2>/dev/null; then
	fmt='%-14s %12s %12s %12s %12s %12s %12s\n'
	# shellcheck disable=SC2059
	printf "$fmt" "per call" "CPU us" "ctx switches" "migrations" "syscalls" "sched_yield" "wake-ups"
	for r in app sentry "sentry(init)" gofer; do
		per() { awk -v v="${SUM[$r,$1]-0}" -v c="$calls" -v m="${2:-1}" 'BEGIN { printf "%.2f", v * m / c }'; }
		# shellcheck disable=SC2059
		printf "$fmt" "$r" "$(per task-clock 1000)" "$(per context-switches)" "$(per cpu-migrations)" \
			"$(per raw_syscalls:sys_enter)" "$(per syscalls:sys_enter_sched_yield)" "$(per sched:sched_wakeup)"
	done
	echo "(task-clock is in ms, so x1000 / calls = us; the app's notified calls are not in its"
	echo " syscall count: the kernel skips the tracepoint of a call seccomp answered)"
else
	echo "perf stat gave no count: $(tail -n 2 "$tmp/stat.err")"
fi

# --- 2. strace -------------------------------------------------------------------
say "strace -c for $WINDOW s"
timeout -s INT "$WINDOW" strace -c -f -p "$sentry" -p "$gofer" -o "$tmp/strace-c.txt" 2>/dev/null
echo
echo "strace -c -f -p SENTRY -p GOFER ($WINDOW s; strace's own cost inflates the times):"
sed -n '1,40p' "$tmp/strace-c.txt"
timeout -s INT 1 strace -f -tt -p "$sentry" -p "$gofer" -o "$tmp/strace.txt" 2>/dev/null
echo
echo "one call, as strace -f -tt -p SENTRY -p GOFER shows it (from one NOTIF_RECV to the next):"
awk '/SECCOMP_IOCTL_NOTIF_RECV/ { n++ } n == 3 { print } n == 4 { exit }' "$tmp/strace.txt" |
	cut -c1-160

# --- 3. perf record ---------------------------------------------------------------
say "perf record for $WINDOW s"
perf record -q -g -F 999 -o "$tmp/perf.data" -p "$sentry,$gofer" -- sleep "$WINDOW" \
	>/dev/null 2>"$tmp/record.err"
echo
echo "perf record -g -p SENTRY,GOFER; perf report --no-children --sort comm,sym (top entries):"
perf report -i "$tmp/perf.data" --stdio --no-children --sort comm,sym -g none \
	--percent-limit 1.5 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 30

# --- the app alone ----------------------------------------------------------------
wait "$run"
run=""
echo
echo "the app's own figure over the whole run (windows included): $(cat "$tmp/mb.out") calls/s"
exit 0
