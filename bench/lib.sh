# shellcheck shell=bash
# bench/lib.sh: helpers shared by bench/run.sh and bench/startup.sh (sourced,
# never run). Bash only. Nothing here builds anything: it runs binaries that
# the build made (MICROBENCH, NOTIF_ROUNDTRIP) under each runtime.
#
# Environment (all optional):
#   SANDBOX_RUNTIME  sandbox-runtime binary (default: command -v sandbox-runtime)
#   MICROBENCH       static microbench (default: bench/microbench next to the
#                    scripts, then ./bench/microbench, then ./microbench)
#   NOTIF_ROUNDTRIP  notif_roundtrip (default: next to MICROBENCH)
#   ONEFILTER        static one-rule seccomp wrapper (default: next to MICROBENCH)
#   RUNC, RUNSC, HYPERFINE  paths of those tools (default: looked up in PATH;
#                    HYPERFINE=none times start-up with a `date +%s%N` loop)
#   BENCH_RUNTIMES   columns to run (default: "native filter sandbox runc runsc")
#   BENCH_TIMEOUT    seconds one runtime may take for one microbench run (600)
#   BENCH_RUNS       start-to-exit runs per runtime (default: hyperfine's
#                    choice, at least 10 runs and 3 s; 20 without hyperfine)
#   MICROBENCH_ARGS  extra arguments for microbench, e.g. "--iterations 10000"

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_ALL_RUNTIMES="native filter sandbox runc runsc"
: "${BENCH_RUNTIMES:=$BENCH_ALL_RUNTIMES}"
: "${BENCH_TIMEOUT:=600}"
: "${BENCH_RUNS:=}"
: "${MICROBENCH_ARGS:=}"

bench_tmp=""
bench_child=""           # pid of the timeout(1) running a measured command
bench_runc_id=""
bench_runc_bundle=""
bench_runc_true=()       # args of the bundle's static true
declare -A bench_why=()  # runtime -> why it cannot run at all

# runsc gives its sandbox process (host user nobody) the command's stdio by
# changing their owner on the host to 65534: a command whose stdin or stdout
# is /dev/null takes the host's /dev/null with it. So no measured command
# gets /dev/null: stdin is an empty file of bench_tmp ($bench_stdin), output
# goes to files of bench_tmp, and the
# host's device nodes are compared (and put back, loudly) at the end.
BENCH_DEVNODES="/dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /dev/ptmx"
bench_stdin=/dev/null

bench_devnodes_check() {
	local f=$bench_tmp/devnodes n mode owner now
	[ -f "$f" ] || return 0
	while read -r n mode owner; do
		now=$(stat -c '%a %u:%g' "$n" 2>/dev/null) || continue
		if [ "$now" != "$mode $owner" ]; then
			echo "bench: WARNING: the host's $n changed from $mode $owner to $now during the run (a runtime's doing); put back" >&2
			chown "$owner" "$n" && chmod "$mode" "$n"
		fi
	done <"$f"
}

bench_cleanup() {
	bench_kill_child
	bench_devnodes_check
	bench_runc_reset
	if [ -n "$bench_tmp" ] && [ -d "$bench_tmp" ]; then
		rm -rf -- "$bench_tmp"
	fi
}

bench_kill_child() {
	if [ -n "$bench_child" ]; then
		kill -TERM "$bench_child" 2>/dev/null # timeout(1) passes it on
		wait "$bench_child" 2>/dev/null
		bench_child=""
	fi
}

# bench_run SECONDS OUT ERR CMD...: runs CMD with a time limit, stdin from
# an empty file (never /dev/null: see bench_stdin), stdout appended to OUT
# and stderr to ERR (both truncated first; O_APPEND because runsc writes a regular-file stdout at offsets of its own).
# Runs it in the background and waits, so that a signal to this script
# interrupts the wait and the trap stops the command and cleans up.
# Returns CMD's exit status (124 or 137 on timeout).
bench_run() {
	local secs=$1 out=$2 err=$3 rc
	shift 3
	: >"$out"
	: >"$err"
	timeout -k 10 "$secs" "$@" <"$bench_stdin" >>"$out" 2>>"$err" &
	bench_child=$!
	wait "$bench_child"
	rc=$?
	bench_child=""
	return $rc
}

bench_init() {
	bench_tmp=$(mktemp -d "${TMPDIR:-/tmp}/sandbox-bench.XXXXXX") || {
		echo "bench: cannot create a temp dir" >&2
		exit 1
	}
	# shellcheck disable=SC2086 # a list of paths
	stat -c '%n %a %u:%g' $BENCH_DEVNODES >"$bench_tmp/devnodes" 2>/dev/null || true
	bench_stdin=$bench_tmp/stdin
	: >"$bench_stdin"
	trap bench_cleanup EXIT
	trap 'bench_kill_child; exit 130' INT
	trap 'bench_kill_child; exit 143' TERM
	trap 'bench_kill_child; exit 129' HUP
}

# Last meaningful line of a log file, for a footnote.
bench_last_line() {
	local f=$1 line
	line=$(grep -v '^[[:space:]]*$' "$f" 2>/dev/null | tail -n 1)
	line=${line//$'\t'/ }
	[ ${#line} -gt 220 ] && line="${line:0:217}..."
	printf '%s' "${line:-no error output}"
}

bench_is_root() { [ "$(id -u)" -eq 0 ]; }

# bench_host_idle: how this host's idle CPUs wait, which decides what a
# wake-up onto another CPU costs (bench/README.md, "Idle vCPUs"): the
# cpuidle driver and, in a guest with haltpoll, how long an idle vCPU polls
# before it halts. Prints nothing where the kernel shows none of it.
bench_host_idle() {
	local d=/sys/devices/system/cpu/cpuidle p=/sys/module/haltpoll/parameters/guest_halt_poll_ns
	[ -r "$d/current_driver" ] || return 0
	printf 'idle: %s' "$(cat "$d/current_driver")"
	[ -r "$p" ] && printf ', guest halt polling up to %s ns' "$(cat "$p")"
	echo
}

# Finds a tool: explicit path, PATH, then the sbin dirs a non-root PATH lacks.
bench_find_tool() {
	local name=$1 p
	p=$(command -v "$name" 2>/dev/null) && { printf '%s' "$p"; return 0; }
	for p in /usr/local/sbin/$name /usr/sbin/$name /sbin/$name; do
		[ -x "$p" ] && { printf '%s' "$p"; return 0; }
	done
	return 1
}

bench_is_static() {
	# Without file(1), assume static and let the run tell.
	command -v file >/dev/null 2>&1 || return 0
	file -L "$1" 2>/dev/null | grep -q 'statically linked'
}

# Fills SANDBOX_RUNTIME, MICROBENCH, NOTIF_ROUNDTRIP, ONEFILTER, RUNC, RUNSC, HYPERFINE
# and bench_why[] for the runtimes that cannot run.
bench_resolve() {
	local rt p
	if [ -z "${SANDBOX_RUNTIME:-}" ]; then
		SANDBOX_RUNTIME=$(command -v sandbox-runtime 2>/dev/null) || SANDBOX_RUNTIME=""
	fi
	if [ -z "${MICROBENCH:-}" ]; then
		for p in "$BENCH_DIR/microbench" "$PWD/bench/microbench" "$PWD/microbench"; do
			[ -x "$p" ] && { MICROBENCH=$p; break; }
		done
	fi
	: "${MICROBENCH:=}"
	if [ -n "$MICROBENCH" ] && [ -x "$MICROBENCH" ]; then
		MICROBENCH=$(cd "$(dirname "$MICROBENCH")" && pwd)/$(basename "$MICROBENCH")
	fi
	if [ -z "${NOTIF_ROUNDTRIP:-}" ]; then
		for p in ${MICROBENCH:+"$(dirname "$MICROBENCH")/notif_roundtrip"} \
			"$BENCH_DIR/notif_roundtrip" "$PWD/bench/notif_roundtrip"; do
			[ -x "$p" ] && { NOTIF_ROUNDTRIP=$p; break; }
		done
	fi
	: "${NOTIF_ROUNDTRIP:=}"
	if [ -z "${ONEFILTER:-}" ]; then
		for p in ${MICROBENCH:+"$(dirname "$MICROBENCH")/onefilter"} \
			"$BENCH_DIR/onefilter" "$PWD/bench/onefilter"; do
			[ -x "$p" ] && { ONEFILTER=$p; break; }
		done
	fi
	: "${ONEFILTER:=}"
	: "${RUNC:=$(bench_find_tool runc)}"
	: "${RUNSC:=$(bench_find_tool runsc)}"
	: "${HYPERFINE:=$(command -v hyperfine 2>/dev/null)}"
	[ -x "$HYPERFINE" ] || HYPERFINE=""

	for rt in $BENCH_ALL_RUNTIMES; do
		case " $BENCH_RUNTIMES " in
		*" $rt "*) ;;
		*) bench_why[$rt]="skipped (not in BENCH_RUNTIMES)" ;;
		esac
	done
	if [ -z "${bench_why[sandbox]-}" ]; then
		if [ -z "$SANDBOX_RUNTIME" ]; then
			bench_why[sandbox]="sandbox-runtime not found (set SANDBOX_RUNTIME=path)"
		elif [ ! -x "$SANDBOX_RUNTIME" ]; then
			bench_why[sandbox]="SANDBOX_RUNTIME=$SANDBOX_RUNTIME is not an executable (not built yet?)"
		fi
	fi
	if [ -z "${bench_why[filter]-}" ] && { [ -z "$ONEFILTER" ] || [ ! -x "$ONEFILTER" ]; }; then
		bench_why[filter]="onefilter not built (make bench/onefilter, or set ONEFILTER=path)"
	fi
	if [ -z "${bench_why[runc]-}" ]; then
		if [ -z "$RUNC" ] || [ ! -x "$RUNC" ]; then
			bench_why[runc]="runc not installed (apt-get install runc)"
		elif ! bench_is_root; then
			bench_why[runc]="runc run needs root here"
		fi
	fi
	if [ -z "${bench_why[runsc]-}" ]; then
		if [ -z "$RUNSC" ] || [ ! -x "$RUNSC" ]; then
			bench_why[runsc]="runsc (gVisor) not installed"
		elif ! bench_is_root; then
			bench_why[runsc]="runsc do needs root here"
		fi
	fi
}

# The OCI bundle for runc: a rootfs with the static microbench as /microbench
# and as /bin/true (it exits 0 when invoked as "true"), or a static busybox as
# /bin/true when there is no microbench. Config from `runc spec`: no terminal,
# writable root, the default namespaces (network included) kept.
bench_runc_prepare() {
	[ -n "$bench_runc_bundle" ] && return 0
	local b=$bench_tmp/runc-bundle r bb
	r=$b/rootfs
	mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/dev" "$r/proc" "$r/sys" || return 1
	chmod 1777 "$r/tmp"
	echo sandbox-bench >"$r/etc/hostname"
	if [ -n "$MICROBENCH" ] && [ -x "$MICROBENCH" ] && bench_is_static "$MICROBENCH"; then
		cp "$MICROBENCH" "$r/microbench" && cp "$MICROBENCH" "$r/bin/true" || return 1
	else
		bb=$(command -v busybox 2>/dev/null)
		if [ -n "$bb" ] && bench_is_static "$bb"; then
			cp "$bb" "$r/bin/true" || return 1
		else
			echo "no static true for the rootfs (static microbench or busybox-static)" \
				>"$bench_tmp/runc-prepare.err"
			return 1
		fi
	fi
	bench_runc_true=(/bin/true)
	if ! (cd "$b" && "$RUNC" spec) >"$bench_tmp/runc-prepare.err" 2>&1; then
		return 1
	fi
	mv "$b/config.json" "$b/config.base.json" || return 1
	bench_runc_id="sandbox-bench-$$-$RANDOM"
	bench_runc_bundle=$b
}

# Prints "$@" as a JSON array of strings.
bench_json_array() {
	local a arr=""
	for a in "$@"; do
		a=${a//\\/\\\\}
		a=${a//\"/\\\"}
		arr+="${arr:+, }\"$a\""
	done
	printf '[%s]' "$arr"
}

# Writes the bundle's config.json with process.args = "$@", no terminal and
# a writable root; everything else as `runc spec` made it.
bench_runc_args() {
	local b=$bench_runc_bundle arr
	arr=$(bench_json_array "$@")
	if command -v jq >/dev/null 2>&1; then
		jq --argjson args "$arr" \
			'.process.terminal = false | .root.readonly = false | .process.args = $args' \
			<"$b/config.base.json" >"$b/config.json"
	else
		# sed's c\ text drops one level of backslashes.
		arr=${arr//\\/\\\\}
		sed -e 's/"terminal": true/"terminal": false/' \
			-e 's/"readonly": true/"readonly": false/' \
			-e "/\"args\": \\[/,/\\]/c\\		\"args\": $arr," \
			"$b/config.base.json" >"$b/config.json"
	fi
}

# Command (as words) that runs "$@" under runtime $1. For runc, "$@" is a
# path inside the bundle rootfs, written into config.json now.
bench_cmd_for() {
	local rt=$1
	shift
	case $rt in
	native) BENCH_CMD=("$@") ;;
	filter) BENCH_CMD=("$ONEFILTER" -- "$@") ;;
	sandbox) BENCH_CMD=("$SANDBOX_RUNTIME" 'do' -- "$@") ;;
	runc)
		bench_runc_args "$@" || return 1
		BENCH_CMD=("$RUNC" --root "$bench_tmp/runc-root" run --bundle "$bench_runc_bundle" "$bench_runc_id")
		;;
	runsc) BENCH_CMD=("$RUNSC" --platform=ptrace --network=none 'do' "$@") ;;
	*) return 1 ;;
	esac
}

# Removes a leftover container of ours (a run killed by timeout, say).
bench_runc_reset() {
	[ -n "$bench_runc_id" ] && [ -n "${RUNC:-}" ] &&
		"$RUNC" --root "$bench_tmp/runc-root" delete -f "$bench_runc_id" >/dev/null 2>&1
	return 0
}

# Prepares the runc bundle in this shell (not a subshell, so the EXIT trap
# knows the container id), or sets bench_why[runc].
bench_runc_setup() {
	[ -n "${bench_why[runc]-}" ] && return 1
	bench_runc_prepare && return 0
	bench_why[runc]="cannot prepare the OCI bundle: $(bench_last_line "$bench_tmp/runc-prepare.err")"
	return 1
}

# Mean start-to-exit of /bin/true under runtime $1: sets BENCH_MS (ms, 2
# decimals) and returns 0, or sets BENCH_WHY and returns 1.
# shellcheck disable=SC2034 # BENCH_MS and BENCH_WHY are read by the callers
bench_startup_ms() {
	local rt=$1 log=$bench_tmp/startup.$1.log csv=$bench_tmp/startup.$1.csv rc
	BENCH_MS="" BENCH_WHY=""
	: >"$log"
	if [ -n "${bench_why[$rt]-}" ]; then
		BENCH_WHY=${bench_why[$rt]}
		return 1
	fi
	if [ "$rt" = runc ]; then
		bench_runc_setup || { BENCH_WHY=${bench_why[runc]}; return 1; }
		bench_runc_reset
		bench_cmd_for runc "${bench_runc_true[@]}" || {
			BENCH_WHY="cannot write the bundle's config.json"
			return 1
		}
	else
		bench_cmd_for "$rt" /bin/true || return 1
	fi
	# A failing run shows its own error better than hyperfine's summary does.
	bench_run 120 "$log" "$log" "${BENCH_CMD[@]}"
	rc=$?
	if [ $rc -ne 0 ]; then
		BENCH_WHY="/bin/true failed (exit $rc): $(bench_last_line "$log")"
		{ [ $rc -eq 124 ] || [ $rc -eq 137 ]; } && BENCH_WHY="/bin/true timed out after 120 s"
		return 1
	fi
	if [ -n "$HYPERFINE" ]; then
		local shell_opt=(-N) cmdline
		"$HYPERFINE" -N --runs 1 --style none true >/dev/null 2>&1 || shell_opt=()
		# hyperfine's own default stdio is /dev/null (see bench_stdin).
		"$HYPERFINE" --help 2>/dev/null | grep -q -- '--input' && shell_opt+=(--input "$bench_stdin")
		"$HYPERFINE" --help 2>/dev/null | grep -q -- '--output' && shell_opt+=(--output pipe)
		cmdline=$(printf '%q ' "${BENCH_CMD[@]}")
		bench_run "$BENCH_TIMEOUT" "$log" "$log" "$HYPERFINE" "${shell_opt[@]}" --warmup 3 \
			${BENCH_RUNS:+--runs "$BENCH_RUNS"} --style none --export-csv "$csv" \
			"${cmdline% }"
		rc=$?
		if [ $rc -ne 0 ]; then
			BENCH_WHY="hyperfine failed (exit $rc): $(bench_last_line "$log")"
			{ [ $rc -eq 124 ] || [ $rc -eq 137 ]; } &&
				BENCH_WHY="hyperfine timed out after $BENCH_TIMEOUT s (BENCH_TIMEOUT)"
			return 1
		fi
		# command,mean,stddev,median,user,system,min,max (mean in seconds)
		BENCH_MS=$(awk -F, 'NR == 2 { printf "%.2f", $(NF - 6) * 1000 }' "$csv")
	else
		local runs=${BENCH_RUNS:-20} i t0 t1
		for ((i = 0; i < 3 + runs; i++)); do
			[ $i -eq 3 ] && t0=$(date +%s%N)
			if ! "${BENCH_CMD[@]}" <"$bench_stdin" >"$bench_tmp/stdout" 2>>"$log"; then
				BENCH_WHY="/bin/true failed: $(bench_last_line "$log")"
				return 1
			fi
		done
		t1=$(date +%s%N)
		BENCH_MS=$(awk -v a="$t0" -v b="$t1" -v n="$runs" \
			'BEGIN { printf "%.2f", (b - a) / n / 1e6 }')
	fi
	[ -n "$BENCH_MS" ] || { BENCH_WHY="no mean in the timing output"; return 1; }
}
