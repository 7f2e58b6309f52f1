#!/usr/bin/env bash
# bench/density.sh N: N idle sandboxes at once (issue 13, memory and density).
#
# Starts N `$SANDBOX_RUNTIME do -- sleep 1000` in the background, one after
# the other without waiting, and measures:
#   - the time from the first start until all N apps (the sleeps) run, and
#     the start rate;
#   - errors: sandboxes whose `do` exited before its app ran (first line of
#     its stderr), or that were not up within DENSITY_TIMEOUT;
#   - after DENSITY_SETTLE seconds, the PSS per sandbox: the Pss: line of
#     /proc/PID/smaps_rollup of every process below each `do` (its own
#     included), summed by program (sandbox-runtime, sandbox-sentry,
#     sandbox-gofer) and divided by N; the app (sleep) apart.
# Then it stops them all by pid (SIGTERM to each `do`, which forwards it to the
# sandbox; after DENSITY_STOP_WAIT s a second SIGTERM, then SIGKILL to every
# process of the tree still there) and checks that nothing is left: none of
# the processes (pid and start time), no process whose command line names
# one of the sandboxes (a Sentry's --id do-PID-...), no cgroup named after
# one of the `do`s under /sys/fs/cgroup/*/sandbox (or $SANDBOX_CGROUP_ROOT/
# sandbox), no mount added to the host's mount table.
#
# Usage: bench/density.sh [N]   (default 50)
# Environment: SANDBOX_RUNTIME, SANDBOX_LIBEXEC_DIR (as bench/run.sh),
#   SANDBOX_CGROUP_ROOT (as the runtime), DENSITY_SETTLE (2),
#   DENSITY_TIMEOUT (600), DENSITY_STOP_WAIT (10).
# Needs root. The figures are measured, never asserted; the exit status is
# 3 when a process or a cgroup of its sandboxes was left after the stop, or
# a process had to be killed (new host mounts are listed only: other work
# on the host makes some),
# 2 on bad usage, 1 when it cannot run at all, 0 otherwise.
set -uo pipefail

case "${1-}" in
-h | --help)
	sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
	exit 0
	;;
esac
N=${1:-50}
if ! [[ $N =~ ^[1-9][0-9]*$ ]] || [ $# -gt 1 ]; then
	echo "density.sh: usage: density.sh [N] (N a positive count)" >&2
	exit 2
fi
: "${DENSITY_SETTLE:=2}"
: "${DENSITY_TIMEOUT:=600}"
: "${DENSITY_STOP_WAIT:=10}"
if [ -z "${SANDBOX_RUNTIME:-}" ]; then
	SANDBOX_RUNTIME=$(command -v sandbox-runtime 2>/dev/null) || SANDBOX_RUNTIME=""
fi
if [ -z "$SANDBOX_RUNTIME" ] || [ ! -x "$SANDBOX_RUNTIME" ]; then
	echo "density.sh: sandbox-runtime not found (set SANDBOX_RUNTIME=path)" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "density.sh: sandbox-runtime do needs root" >&2
	exit 1
fi

say() { echo "density: $*" >&2; }
now() { printf '%s' "${EPOCHREALTIME/,/.}"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sandbox-density.XXXXXX") || exit 1
declare -a DOS=()           # the do pids, index 0..N-1
declare -A START=()        # pid -> start time (field 22 of /proc/PID/stat)
declare -A KIDS=()         # pid -> its children, from one ps snapshot
declare -A COMM=()
stopped=0

snapshot() { # fills KIDS and COMM from one ps run
	local pid ppid stat comm
	KIDS=() COMM=()
	while read -r pid ppid stat comm; do
		[[ $stat == Z* ]] && continue # exited, not yet waited for
		KIDS[$ppid]+=" $pid"
		COMM[$pid]=$comm
	done < <(ps -e -o pid=,ppid=,stat=,comm=)
}

tree() { # tree PID: PID and all its descendants, from the snapshot
	local p=$1 k
	printf '%s\n' "$p"
	for k in ${KIDS[$p]-}; do tree "$k"; done
}

remember_tree() { # records the start time of every process of every sandbox
	local d p
	snapshot
	for d in "${DOS[@]}"; do
		for p in $(tree "$d"); do
			[ -n "${START[$p]-}" ] || { starttime_var "$p" && START[$p]=$ST; }
		done
	done
}

starttime_var() { # starttime_var PID: ST = field 22 of /proc/PID/stat (its start time), STATE field 3
	local s
	ST="" STATE=""
	{ read -r s <"/proc/$1/stat"; } 2>/dev/null || return 1
	s=${s##*) }
	# shellcheck disable=SC2086 # split into fields on purpose
	set -- $s
	ST=${20}
	STATE=$1
}

pss_kb() { # pss_kb PID: the Pss: line of its smaps_rollup, in KiB
	local k v _
	while read -r k v _; do
		[ "$k" = Pss: ] && { printf '%s' "$v"; return 0; }
	done 2>/dev/null <"/proc/$1/smaps_rollup"
	return 1
}

alive() { # alive PID: the same process (pid and start time) still runs (a zombie does not)
	starttime_var "$1" || return 1
	[ "$STATE" != Z ] && [ "$ST" = "${START[$1]-}" ]
}

stop_all() {
	local d p t0 left second=0 killed=0
	[ "$stopped" = 1 ] && return
	stopped=1
	[ ${#DOS[@]} -eq 0 ] && return
	remember_tree
	say "stopping ${#DOS[@]} sandboxes (SIGTERM to each do)"
	t0=$(now)
	for d in "${DOS[@]}"; do kill -TERM "$d" 2>/dev/null; done
	wait_gone "$DO_WAIT_LIMIT"
	left=$(count_alive_do)
	if [ "$left" -gt 0 ]; then
		say "$left still running after ${DENSITY_STOP_WAIT} s: a second SIGTERM"
		second=$left
		for d in "${DOS[@]}"; do alive "$d" && kill -TERM "$d" 2>/dev/null; done
		wait_gone 5
	fi
	left=0
	for p in "${!START[@]}"; do
		if alive "$p"; then
			kill -KILL "$p" 2>/dev/null
			left=$((left + 1))
		fi
	done
	killed=$left
	for d in "${DOS[@]}"; do wait "$d" 2>/dev/null; done
	STOP_S=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
	STOP_SECOND=$second
	STOP_KILLED=$killed
}

count_alive_do() {
	local d n=0
	for d in "${DOS[@]}"; do alive "$d" && n=$((n + 1)); done
	printf '%s' "$n"
}

wait_gone() { # wait_gone SECONDS: until no do runs, or the time is up
	local end
	end=$(awk -v a="$(now)" -v s="$1" 'BEGIN { printf "%.3f", a + s }')
	while [ "$(count_alive_do)" -gt 0 ]; do
		awk -v a="$(now)" -v e="$end" 'BEGIN { exit !(a >= e) }' && return
		sleep 0.2
	done
}

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	stop_all
	rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

DO_WAIT_LIMIT=$DENSITY_STOP_WAIT
STOP_S="" STOP_SECOND=0 STOP_KILLED=0
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
mounts_before=$(awk '{ print $5, $9 }' /proc/self/mountinfo | sort)

# --- start ---------------------------------------------------------------
say "starting $N idle sandboxes: $SANDBOX_RUNTIME do -- sleep 1000"
t_start=$(now)
for ((i = 0; i < N; i++)); do
	"$SANDBOX_RUNTIME" 'do' -- sleep 1000 </dev/null >/dev/null 2>"$tmp/err.$i" &
	DOS[i]=$!
done
t_launched=$(now)

# Up: the do has a descendant "sleep". Down before: an error. One ps run and
# one awk per round, over the sandboxes not yet decided: the check must not
# take the CPU the starts need (a subshell per sandbox and round did: it
# slowed the starts it measured).
poll_up() { # prints "INDEX up" or "INDEX dead" for each decided entry of $tmp/pending
	ps -e -o pid=,ppid=,stat=,comm= | awk -v list="$tmp/pending" '
		FILENAME == list { want[$2] = $1; next }
		$3 ~ /^Z/ { next } # exited, not yet waited for
		{ parent[$1] = $2; comm[$1] = $4 }
		END {
			for (p in comm) {
				if (comm[p] != "sleep") continue
				q = parent[p]
				for (i = 0; i < 8 && q > 1; i++) {
					if (q in want) { up[q] = 1; break }
					q = parent[q]
				}
			}
			for (d in want) {
				if (d in up) print want[d], "up"
				else if (!(d in comm)) print want[d], "dead"
			}
		}' "$tmp/pending" -
}
declare -A UP=() DEAD=()
t_end=""
while :; do
	: >"$tmp/pending"
	for ((i = 0; i < N; i++)); do
		[ -n "${UP[$i]-}" ] || [ -n "${DEAD[$i]-}" ] || echo "$i ${DOS[i]}" >>"$tmp/pending"
	done
	while read -r i what; do
		case $what in
		up) UP[$i]=1 ;;
		dead) DEAD[$i]=1 ;;
		esac
	done < <(poll_up)
	if [ $((${#UP[@]} + ${#DEAD[@]})) -ge "$N" ]; then
		t_end=$(now)
		break
	fi
	if awk -v a="$(now)" -v b="$t_start" -v l="$DENSITY_TIMEOUT" 'BEGIN { exit !(a - b > l) }'; then
		t_end=$(now)
		break
	fi
	sleep 0.2
done
n_up=${#UP[@]}
n_dead=${#DEAD[@]}
n_slow=$((N - n_up - n_dead))
start_s=$(awk -v a="$t_start" -v b="$t_end" 'BEGIN { printf "%.2f", b - a }')
launch_s=$(awk -v a="$t_start" -v b="$t_launched" 'BEGIN { printf "%.2f", b - a }')
say "$n_up up, $n_dead failed, $n_slow not up, after $start_s s"

# --- memory ----------------------------------------------------------------
sleep "$DENSITY_SETTLE"
snapshot
declare -A PSS=() NPROC=()
pss_missing=0
for ((i = 0; i < N; i++)); do
	[ -n "${UP[$i]-}" ] || continue
	for p in $(tree "${DOS[i]}"); do
		c=${COMM[$p]-?}
		[ "$c" = sleep ] && c=app
		kb=$(pss_kb "$p")
		if [ -z "$kb" ]; then
			pss_missing=$((pss_missing + 1))
			continue
		fi
		PSS[$c]=$((${PSS[$c]-0} + kb))
		NPROC[$c]=$((${NPROC[$c]-0} + 1))
	done
done

# --- stop and check -----------------------------------------------------------
stop_all
sleep 1
left_procs=0
for p in "${!START[@]}"; do alive "$p" && left_procs=$((left_procs + 1)); done
# A process that left the trees (reparented) but still names a sandbox.
ids_re=$(printf '%s|' "${DOS[@]}")
left_named=$(grep -lzE -- "^do-(${ids_re%|})-" /proc/[0-9]*/cmdline 2>/dev/null | grep -c . || true)
left_procs=$((left_procs + left_named))
left_cg=0
left_cg_list=""
for d in "${DOS[@]}"; do
	for cg in /sys/fs/cgroup/*/sandbox/do-"$d"-* /sys/fs/cgroup/sandbox/do-"$d"-* \
		${SANDBOX_CGROUP_ROOT:+"$SANDBOX_CGROUP_ROOT"/sandbox/do-"$d"-*}; do
		[ -d "$cg" ] || continue
		left_cg=$((left_cg + 1))
		[ ${#left_cg_list} -lt 300 ] && left_cg_list+=" $cg"
	done
done
mounts_after=$(awk '{ print $5, $9 }' /proc/self/mountinfo | sort)
new_mounts=$(comm -13 <(printf '%s\n' "$mounts_before") <(printf '%s\n' "$mounts_after"))
n_new_mounts=$(printf '%s' "$new_mounts" | grep -c . || true)

# --- report ------------------------------------------------------------------
echo
echo "density: $N idle sandboxes (sandbox-runtime do -- sleep 1000), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "host: $(uname -sr), $(nproc) CPUs, $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), load average before the start $load_before"
echo
printf '%-34s %s\n' "started (app running)" "$n_up of $N"
printf '%-34s %s s (launching took %s s)\n' "time to start all" "$start_s" "$launch_s"
if [ "$n_up" -gt 0 ]; then
	printf '%-34s %s sandboxes/s\n' "start rate" "$(awk -v n="$n_up" -v s="$start_s" 'BEGIN { printf "%.1f", n / s }')"
fi
printf '%-34s %s\n' "errors (do exited before its app)" "$n_dead"
printf '%-34s %s\n' "not up within ${DENSITY_TIMEOUT} s" "$n_slow"
if [ "$n_dead" -gt 0 ]; then
	for ((i = 0; i < N; i++)); do
		[ -n "${DEAD[$i]-}" ] || continue
		echo "  first error: $(grep -v '^[[:space:]]*$' "$tmp/err.$i" | head -n 1)"
		break
	done
fi
echo
if [ "$n_up" -gt 0 ]; then
	echo "PSS per sandbox (KiB), by program (processes per sandbox):"
	total=0
	for c in sandbox-runtime sandbox-sentry sandbox-gofer; do
		kb=${PSS[$c]-0}
		total=$((total + kb))
		printf '  %-20s %8.0f  (%s)\n' "$c" "$(awk -v k="$kb" -v n="$n_up" 'BEGIN { print k / n }')" \
			"$(awk -v k="${NPROC[$c]-0}" -v n="$n_up" 'BEGIN { printf "%.1f", k / n }')"
	done
	for c in "${!PSS[@]}"; do
		case $c in sandbox-runtime | sandbox-sentry | sandbox-gofer | app) continue ;; esac
		total=$((total + ${PSS[$c]}))
		printf '  %-20s %8.0f  (%s)\n' "$c" "$(awk -v k="${PSS[$c]}" -v n="$n_up" 'BEGIN { print k / n }')" \
			"$(awk -v k="${NPROC[$c]}" -v n="$n_up" 'BEGIN { printf "%.1f", k / n }')"
	done
	printf '  %-20s %8.0f  = %s MiB (target of issue 13: at most 2 MiB)\n' "helpers, total" \
		"$(awk -v k="$total" -v n="$n_up" 'BEGIN { print k / n }')" \
		"$(awk -v k="$total" -v n="$n_up" 'BEGIN { printf "%.2f", k / n / 1024 }')"
	printf '  %-20s %8.0f\n' "the app (sleep)" "$(awk -v k="${PSS[app]-0}" -v n="$n_up" 'BEGIN { print k / n }')"
	[ "$pss_missing" -gt 0 ] && echo "  ($pss_missing processes had no readable smaps_rollup: gone, or not ours to read)"
	echo
fi
echo "stop: ${STOP_S:-?} s; a second SIGTERM needed by $STOP_SECOND do(s); SIGKILL to $STOP_KILLED process(es)"
echo "left after the stop: $left_procs process(es), $left_cg cgroup dir(s)${left_cg_list:+:$left_cg_list}, $n_new_mounts new host mount(s)"
[ "$n_new_mounts" -gt 0 ] && printf '%s\n' "$new_mounts" | head -n 5 | sed 's/^/  mount: /'
if [ "$n_up" -gt 0 ]; then
	echo "targets of issue 13 (informational): 500 sandboxes started in under 60 s without error;"
	echo "  at most 2 MiB PSS per idle sandbox (helpers; the app not counted)"
fi
if [ "$left_procs" -gt 0 ] || [ "$left_cg" -gt 0 ] || [ "$STOP_KILLED" -gt 0 ]; then
	echo "FAILED: the sandboxes left processes or cgroups behind, or did not stop on SIGTERM" >&2
	exit 3
fi
exit 0
