#!/bin/bash
# bench/ab.sh: two or more builds of the sandbox's helpers side by side, in
# interleaved rounds, so that the host's load drifts over all of them alike.
#
#   bench/ab.sh ROUNDS NAME=LIBEXECDIR [NAME=LIBEXECDIR]...
#
# Each LIBEXECDIR holds a sandbox-sentry and a sandbox-gofer (copies of two
# builds, e.g. before and after a change); `sandbox-runtime do` is run with
# SANDBOX_LIBEXEC_DIR set to it. Each round runs, under every variant in
# turn: microbench `stat` and `open+close` (µs per call) and, if
# redis-server and redis-benchmark are installed and AB_REDIS is not 0,
# redis-benchmark SET and GET against a redis-server in the same sandbox
# (k requests/s, AB_REDIS_N requests each, default 20000). Prints the median
# and the range of each, per variant. Measures; asserts nothing.
#
# Environment: SANDBOX_RUNTIME (default runtime/sandbox-runtime, then PATH),
# MICROBENCH (default bench/microbench next to this script), AB_REDIS,
# AB_REDIS_N, AB_TIMEOUT (seconds per run, default 120).
set -u

usage() {
	echo "usage: $0 ROUNDS NAME=LIBEXECDIR [NAME=LIBEXECDIR]..." >&2
	exit 2
}
[ $# -ge 2 ] || usage
rounds=$1
shift
[[ $rounds =~ ^[1-9][0-9]*$ ]] || usage
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${MICROBENCH:=$here/microbench}"
if [ -z "${SANDBOX_RUNTIME:-}" ]; then
	if [ -x "$here/../runtime/sandbox-runtime" ]; then SANDBOX_RUNTIME=$here/../runtime/sandbox-runtime
	else SANDBOX_RUNTIME=$(command -v sandbox-runtime) || { echo "$0: no sandbox-runtime" >&2; exit 2; }; fi
fi
: "${AB_REDIS:=1}" "${AB_REDIS_N:=20000}" "${AB_TIMEOUT:=120}"
if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then AB_REDIS=0; fi

names=()
declare -A dir=() vals=()
for v in "$@"; do
	[[ $v == *=* ]] || usage
	n=${v%%=*}
	d=${v#*=}
	[ -x "$d/sandbox-sentry" ] && [ -x "$d/sandbox-gofer" ] || { echo "$0: $d has no sandbox-sentry and sandbox-gofer" >&2; exit 2; }
	names+=("$n")
	dir[$n]=$d
done
keys="stat open+close"
[ "$AB_REDIS" = 0 ] || keys+=" redis-set redis-get"

in_sandbox() { # VARIANT CMD...
	SANDBOX_LIBEXEC_DIR=${dir[$1]} timeout --kill-after=5 "$AB_TIMEOUT" "$SANDBOX_RUNTIME" do -- "${@:2}" </dev/null 2>/dev/null
}

port=$((21000 + $$ % 20000))
redis_script="p=$port; redis-server --port \$p --bind 127.0.0.1 --save '' --appendonly no --dir /tmp >/dev/null 2>&1 & s=\$!;
i=0; until redis-cli -p \$p ping >/dev/null 2>&1; do i=\$((i + 1)); [ \$i -gt 500 ] && { kill \$s; exit 1; }; sleep 0.01; done;
redis-benchmark -p \$p -q -t set,get -n $AB_REDIS_N; redis-cli -p \$p shutdown nosave >/dev/null 2>&1 || kill \$s; wait \$s"

for ((r = 1; r <= rounds; r++)); do
	for n in "${names[@]}"; do
		for op in stat open+close; do
			x=$(in_sandbox "$n" "$MICROBENCH" --only "$op" --decimals 2 | awk -v op="$op" '$1 == op { print $2 }')
			[ -n "$x" ] && vals[$n,$op]+="$x "
		done
		if [ "$AB_REDIS" != 0 ]; then
			out=$(in_sandbox "$n" /bin/sh -c "$redis_script" | tr '\r' '\n')
			s=$(awk '/^SET: [0-9]/ { v = $2 } END { if (v != "") printf "%.2f", v / 1000 }' <<<"$out")
			g=$(awk '/^GET: [0-9]/ { v = $2 } END { if (v != "") printf "%.2f", v / 1000 }' <<<"$out")
			[ -n "$s" ] && vals[$n,redis-set]+="$s "
			[ -n "$g" ] && vals[$n,redis-get]+="$g "
		fi
	done
	echo "round $r of $rounds done" >&2
done

stats() { # VALUES...: "median (min-max)"
	[ $# -gt 0 ] || { echo "n/a"; return; }
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.2f (%.2f-%.2f)", m, v[1], v[NR] }'
}
echo "$rounds rounds, interleaved; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "stat, open+close: us per call, lower is better; redis: k requests/s, higher is better; median (range)"
for n in "${names[@]}"; do
	line="$n:"
	for k in $keys; do
		# shellcheck disable=SC2086
		line+="  $k $(stats ${vals[$n,$k]:-})"
	done
	echo "$line"
done
