#!/usr/bin/env bash
# bench/daemon.sh: what sandboxd costs, next to `sandbox-runtime do`.
#
# Starts a private sandboxd (its own CA and certificates, state, run and
# tenants directories under a temp dir; TLS on a free loopback port and the
# local Unix socket) and measures, with bench/api_client (one kept
# connection per client thread):
#   lifecycle  create+start+wait+delete of /bin/true through the API, over
#              mutual TLS and over the Unix socket, interleaved with
#              `$SANDBOX_RUNTIME do -- /bin/true` and /bin/true itself:
#              median and p90 of DBENCH_RUNS rounds, and the difference
#   idle       DBENCH_IDLE containers of `/bin/busybox sleep 3600`: the time
#              to create and start them all, and the PSS
#              (/proc/PID/smaps_rollup) of each container's processes
#              (monitor, Sentry, Gofer, the sandbox's init, the app)
#   clients    DBENCH_CLIENTS concurrent TLS clients listing containers for
#              DBENCH_SECONDS: requests per second and latency percentiles,
#              once for a tenant with the idle containers and once for a
#              tenant with none
# Prints one table with the targets next to the numbers (daemon adds at most
# 5 ms over `do`; at most 4 MiB per idle container). Measured, never
# asserted: exits 0 whatever the numbers; non-zero only on bad usage.
# Everything it started is deleted and stopped at the end, also on Ctrl-C.
#
# Environment (besides bench/lib.sh's SANDBOX_RUNTIME):
#   SANDBOXD               the daemon (default: command -v sandboxd, then the sbin dirs)
#   SANDBOX_LIBEXEC_DIR    where sandboxd finds sandbox-monitor, -sentry, -gofer
#   API_CLIENT             bench/api_client (default: next to this script, ./bench/)
#   DBENCH_RUNS (30) DBENCH_IDLE (200) DBENCH_START_PARALLEL (4)
#   DBENCH_CLIENTS (50) DBENCH_SECONDS (5)
set -uo pipefail
# bench_tmp: set by lib.sh's bench_init.
# shellcheck disable=SC2154

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case "${1-}" in
-h | --help)
	sed -n '2,30p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
	exit 0
	;;
"") ;;
*)
	echo "daemon.sh: no arguments expected (see --help); settings come from the environment" >&2
	exit 2
	;;
esac

: "${DBENCH_RUNS:=30}"
: "${DBENCH_IDLE:=200}"
: "${DBENCH_START_PARALLEL:=4}"
: "${DBENCH_CLIENTS:=50}"
: "${DBENCH_SECONDS:=5}"
TARGET_ADD_MS=5     # the daemon adds at most this over `do`
TARGET_IDLE_KIB=4096 # PSS per idle container
TENANT=dbench       # owns the lifecycle and idle containers
TENANT2=dbench2     # owns none: the list clients' second run

dbench_dir=""
dbench_pid=""
dbench_port=""
dbench_ids=() # every container id seen, for the cgroup check
declare -A VAL=()
declare -A WHY=()

say() { echo "bench: $*" >&2; }

# --- the daemon ------------------------------------------------------------------

dbench_resolve() {
	local p
	if [ -z "${SANDBOXD:-}" ]; then
		SANDBOXD=$(bench_find_tool sandboxd) || SANDBOXD=""
	fi
	if [ -z "${API_CLIENT:-}" ]; then
		for p in "$BENCH_DIR/api_client" "$PWD/bench/api_client"; do
			[ -x "$p" ] && { API_CLIENT=$p; break; }
		done
	fi
	: "${API_CLIENT:=}"
	if ! bench_is_root; then
		WHY[all]="sandboxd needs root"
	elif [ -z "$SANDBOXD" ] || [ ! -x "$SANDBOXD" ]; then
		WHY[all]="sandboxd not found (set SANDBOXD=path, or make)"
	elif [ -z "$API_CLIENT" ] || [ ! -x "$API_CLIENT" ]; then
		WHY[all]="api_client not built (make bench/api_client, or set API_CLIENT=path)"
	elif ! command -v openssl >/dev/null 2>&1; then
		WHY[all]="openssl not installed (apt-get install openssl)"
	elif ! command -v curl >/dev/null 2>&1; then
		WHY[all]="curl not installed (apt-get install curl)"
	fi
}

# sign NAME SUBJECT [EXTFILE]: NAME.pem and NAME.key signed by the bench CA.
dbench_sign() {
	local d=$dbench_dir name=$1 subj=$2
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/$name.key" \
		-out "$d/$name.csr" -subj "$subj" 2>/dev/null &&
		openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
			-days 2 -out "$d/$name.pem" ${3:+-extfile "$3"} 2>/dev/null
}

# A tenant: policy file and certificate. ids: a block of its own, above
# the ranges the integration tests use and below the default id-pool.
dbench_tenant() {
	local name=$1 first=$2
	cat >"$dbench_dir/tenants/$name.conf" <<EOF
tenant = "$name"
certificate-subject = "CN=$name,O=Bench"
id-range = "$first-$((first + 65535))"
limits { containers = $((DBENCH_IDLE + 50)) }
EOF
	dbench_sign "$name" "/O=Bench/CN=$name"
}

dbench_setup() {
	local d
	d=$bench_tmp/sbd
	dbench_dir=$d
	mkdir -p "$d/tenants" "$d/state" "$d/run" || return 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/ca.key" \
		-out "$d/ca.pem" -days 2 -subj "/O=Bench/CN=Bench CA" 2>/dev/null || return 1
	printf 'subjectAltName = DNS:localhost,IP:127.0.0.1\nextendedKeyUsage = serverAuth\n' >"$d/server.ext"
	printf 'extendedKeyUsage = clientAuth\n' >"$d/client.ext"
	dbench_sign server "/O=Bench/CN=localhost" "$d/server.ext" || return 1
	dbench_sign admin "/O=Bench/CN=admin" "$d/client.ext" || return 1
	dbench_tenant "$TENANT" 600000000 || return 1
	dbench_tenant "$TENANT2" 600065536 || return 1
	: >"$d/defaults.conf"
	dbench_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null) ||
		dbench_port=$((20000 + RANDOM % 20000))
	cat >"$d/sandboxd.conf" <<EOF
listen = {"127.0.0.1:$dbench_port"}
unix-socket = "$d/run/sandboxd.sock"
tls {
    ca = "$d/ca.pem"
    cert = "$d/server.pem"
    key = "$d/server.key"
}
admin-subjects = {"CN=admin,O=Bench"}
state-dir = "$d/state"
run-dir = "$d/run"
tenants-dir = "$d/tenants"
policy-base = "$d/defaults.conf"
audit-log = "$d/audit.log"
limits { connections = $((DBENCH_CLIENTS + 64)) }
EOF
}

# api_client over TLS as WHO (a tenant or admin), then the arguments.
client_tls() {
	local who=$1
	shift
	"$API_CLIENT" --tls "$dbench_port" --ca "$dbench_dir/ca.pem" --cert "$dbench_dir/$who.pem" \
		--key "$dbench_dir/$who.key" "$@"
}

client_unix() {
	"$API_CLIENT" --unix "$dbench_dir/run/sandboxd.sock" --tenant "$TENANT" "$@"
}

dbench_start() {
	local i
	"$SANDBOXD" --config "$dbench_dir/sandboxd.conf" --foreground >>"$dbench_dir/daemon.log" 2>&1 &
	dbench_pid=$!
	for i in $(seq 100); do
		if [ -S "$dbench_dir/run/sandboxd.sock" ] && curl -s -o /dev/null --max-time 2 \
			--unix-socket "$dbench_dir/run/sandboxd.sock" http://localhost/v1/health; then
			if grep -q 'tenant policy' "$dbench_dir/daemon.log"; then
				WHY[all]="a tenant did not load: $(grep -m 1 'tenant policy' "$dbench_dir/daemon.log")"
				return 1
			fi
			return 0
		fi
		kill -0 "$dbench_pid" 2>/dev/null || break
		sleep 0.05
	done
	WHY[all]="sandboxd did not start: $(bench_last_line "$dbench_dir/daemon.log")"
	return 1
}

# The monitors this daemon started (their command line names our state dir).
dbench_monitors() {
	[ -n "$dbench_dir" ] || return 0
	pgrep -f "^sandbox-monitor $dbench_dir/state/containers/" 2>/dev/null || true
}

dbench_record_ids() {
	local f
	for f in "$dbench_dir"/state/containers/*; do
		[ -d "$f" ] && dbench_ids+=("$(basename "$f")")
	done
}

# Everything deleted, the daemon stopped, our monitors gone, their cgroups
# removed. Used at the end and by the EXIT trap (an interrupted run).
dbench_cleanup() {
	local i pids c id
	[ -n "$dbench_dir" ] || return 0
	if [ -n "$dbench_pid" ] && kill -0 "$dbench_pid" 2>/dev/null; then
		dbench_record_ids
		client_unix delete dbench-idle "$DBENCH_IDLE" >/dev/null 2>&1
		# Whatever else is left (an interrupted lifecycle round).
		for id in "$dbench_dir"/state/containers/*; do
			[ -d "$id" ] || continue
			id=$(basename "$id")
			curl -s -o /dev/null --max-time 5 --unix-socket "$dbench_dir/run/sandboxd.sock" \
				-X DELETE "http://localhost/v1/containers/$id?force=1"
		done
		for i in $(seq 100); do
			[ -z "$(ls "$dbench_dir/state/containers" 2>/dev/null)" ] && break
			sleep 0.1
		done
		kill -TERM "$dbench_pid" 2>/dev/null
		wait "$dbench_pid" 2>/dev/null
	fi
	dbench_pid=""
	# Monitors of ours that outlived the daemon (containers outlive it by
	# design): stopped by pid, then killed.
	pids=$(dbench_monitors)
	if [ -n "$pids" ]; then
		# shellcheck disable=SC2086
		kill -TERM $pids 2>/dev/null
		for i in $(seq 30); do
			pids=$(dbench_monitors)
			[ -z "$pids" ] && break
			sleep 0.1
		done
		# shellcheck disable=SC2086
		[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	fi
	for id in "${dbench_ids[@]}"; do
		for c in /sys/fs/cgroup/*/sandbox/"$id" /sys/fs/cgroup/sandbox/"$id"; do
			[ -d "$c" ] || continue
			rmdir "$c/app" "$c/supervisor" 2>/dev/null
			rmdir "$c" 2>/dev/null
		done
	done
}

# Cgroups of our containers still there (should be none).
dbench_cgroups_left() {
	local id c n=0
	for id in "${dbench_ids[@]}"; do
		for c in /sys/fs/cgroup/*/sandbox/"$id" /sys/fs/cgroup/sandbox/"$id"; do
			[ -d "$c" ] && n=$((n + 1))
		done
	done
	echo "$n"
}

# --- the measurements --------------------------------------------------------------

run_lifecycle() {
	local out=$bench_tmp/lifecycle.out err=$bench_tmp/lifecycle.err kind rest rt=-
	[ -n "${bench_why[sandbox]-}" ] || rt=$SANDBOX_RUNTIME
	[ "$rt" = - ] && WHY[do]=${bench_why[sandbox]}
	say "lifecycle: $DBENCH_RUNS rounds of API (TLS, Unix socket), do and native /bin/true"
	"$API_CLIENT" --tls "$dbench_port" --ca "$dbench_dir/ca.pem" --cert "$dbench_dir/$TENANT.pem" \
		--key "$dbench_dir/$TENANT.key" --unix "$dbench_dir/run/sandboxd.sock" --tenant "$TENANT" \
		lifecycle "$DBENCH_RUNS" "$rt" >"$out" 2>"$err"
	while read -r kind rest; do
		# shellcheck disable=SC2086 # split on purpose
		set -- $rest
		case $kind in
		*-steps)
			# "<kind>-steps create A start B wait C delete D"
			VAL[$kind]="create $2, start $4, wait $6, delete $8"
			;;
		*)
			# "<kind> runs N failed F median M p90 P min A max B"
			VAL[$kind,runs]=$2 VAL[$kind,failed]=$4 VAL[$kind,median]=$6 VAL[$kind,p90]=$8
			[ "$2" -gt 0 ] || WHY[$kind]="every run failed: $(bench_last_line "$err")"
			;;
		esac
	done <"$out"
	[ -s "$out" ] || WHY[lifecycle]="api_client failed: $(bench_last_line "$err")"
}

# PSS of every container's processes, by kind: the monitors this daemon
# started and all their descendants (ps for the tree, smaps_rollup for PSS).
# A container is one top-level monitor (its parent is not a monitor). Below
# it: the monitor's own helper child (a monitor too), the Sentry, under the
# Sentry the Gofer and a second Sentry process, the sandbox's init, and
# under that the app.
measure_pss() {
	local mons
	mons=$(dbench_monitors | tr '\n' ' ')
	[ -n "$mons" ] || return 1
	ps -e -o pid=,ppid=,comm= >"$bench_tmp/ps.txt"
	awk -v mons="$mons" '
	{ ppid[$1] = $2; comm[$1] = $3; kids[$2] = kids[$2] " " $1 }
	function pss(pid,   line, f, v, a) {
		f = "/proc/" pid "/smaps_rollup"; v = 0
		while ((getline line < f) > 0)
			if (line ~ /^Pss:/) { split(line, a, /[ \t]+/); v = a[2] }
		close(f)
		return v
	}
	function walk(pid, parent_kind,   k, n, i, kind, c) {
		c = comm[pid]
		if (parent_kind == "init" || parent_kind == "app") kind = "app"
		else if (c == "sandbox-monitor") kind = "monitor"
		else if (c == "sandbox-gofer") kind = "gofer"
		else if (c == "sandbox-sentry") kind = parent_kind == "sentry" ? "init" : "sentry"
		else kind = "other"
		sum[kind] += pss(pid); cnt[kind]++
		n = split(kids[pid], k, " ")
		for (i = 1; i <= n; i++)
			walk(k[i], kind)
	}
	END {
		m = split(mons, ms, " ")
		for (i = 1; i <= m; i++) is_mon[ms[i]] = 1
		for (i = 1; i <= m; i++)
			if (!(ppid[ms[i]] in is_mon)) { walk(ms[i], ""); roots++ }
		printf "containers %d\n", roots
		for (k in sum) printf "%s %d %d\n", k, sum[k], cnt[k]
	}' "$bench_tmp/ps.txt"
}

run_idle() {
	local out=$bench_tmp/idle.out err=$bench_tmp/idle.err line rest n kind kib cnt
	say "idle: creating and starting $DBENCH_IDLE containers of /bin/busybox sleep 3600 ($DBENCH_START_PARALLEL connections)"
	if [ ! -x /bin/busybox ]; then
		WHY[idle]="/bin/busybox missing (apt-get install busybox-static)"
		return
	fi
	client_tls "$TENANT" start dbench-idle "$DBENCH_IDLE" "$DBENCH_START_PARALLEL" \
		/bin/busybox sleep 3600 >"$out" 2>"$err"
	read -r line rest <"$out" || { WHY[idle]="api_client failed: $(bench_last_line "$err")"; return; }
	# "start count N failed F seconds S median M p90 P max X"
	# shellcheck disable=SC2086 # split on purpose
	set -- $rest
	VAL[idle,count]=$2 VAL[idle,failed]=$4 VAL[idle,seconds]=$6 VAL[idle,median]=$8 VAL[idle,p90]=${10}
	sleep 2 # the apps have settled into their sleep
	dbench_record_ids
	measure_pss >"$bench_tmp/pss.out" || { WHY[pss]="no monitor found"; return; }
	while read -r kind kib cnt; do
		if [ "$kind" = containers ]; then
			VAL[pss,containers]=$kib
			continue
		fi
		VAL[pss,$kind]=$kib VAL[pss,$kind,n]=$cnt
	done <"$bench_tmp/pss.out"
}

run_clients() {
	local who=$1 key=$2 out=$bench_tmp/load.$2.out err=$bench_tmp/load.$2.err rest
	say "clients: $DBENCH_CLIENTS TLS clients listing the containers of $who for $DBENCH_SECONDS s"
	client_tls "$who" load "$DBENCH_CLIENTS" "$DBENCH_SECONDS" /v1/containers >"$out" 2>"$err"
	read -r _ rest <"$out" || { WHY[$key]="api_client failed: $(bench_last_line "$err")"; return; }
	# "load clients N unconnected U requests R errors E seconds S rps X p50 A p90 B p99 C max D"
	# shellcheck disable=SC2086 # split on purpose
	set -- $rest
	VAL[$key,unconnected]=$4 VAL[$key,requests]=$6 VAL[$key,errors]=$8 VAL[$key,rps]=${12}
	VAL[$key,p50]=${14} VAL[$key,p90]=${16} VAL[$key,p99]=${18} VAL[$key,max]=${20}
}

# --- the table ------------------------------------------------------------------------

v() { # v KEY: the value or n/a
	printf '%s' "${VAL[$1]:-n/a}"
}

mib() { # mib KIB [DIVISOR]: KiB / DIVISOR in MiB, 2 decimals
	awk -v k="$1" -v n="${2:-1}" 'BEGIN { if (n > 0) printf "%.2f", k / n / 1024; else printf "n/a" }'
}

verdict() { # verdict VALUE LIMIT
	if [ -z "$1" ] || [ -z "$2" ] || [ "$1" = n/a ]; then
		printf 'n/a'
	elif awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; then
		printf 'met'
	else
		printf 'NOT met'
	fi
}

print_table() {
	local fmt='  %-34s %10s %10s %12s\n' k d p own total n
	echo
	echo "sandboxd benchmark (lower is better, except requests/s)"
	echo "host: $(uname -srm), $(nproc) CPUs; sandboxd $SANDBOXD"
	echo

	echo "/bin/true through the API (create+start+wait+delete, one kept connection) vs do: $DBENCH_RUNS interleaved rounds, ms"
	# shellcheck disable=SC2059
	printf "$fmt" "" median p90 "median - do"
	for k in api-tls api-unix "do" native; do
		d="-"
		if [ -n "${VAL[$k,median]-}" ] && [ -n "${VAL[do,median]-}" ] && [ "$k" != "do" ]; then
			d=$(awk -v a="${VAL[$k,median]}" -v b="${VAL[do,median]}" 'BEGIN { printf "%+.2f", a - b }')
		fi
		case $k in
		api-tls) n="API over mutual TLS" ;;
		api-unix) n="API over the Unix socket" ;;
		do) n="sandbox-runtime do" ;;
		native) n="/bin/true on the host" ;;
		esac
		[ "${VAL[$k,failed]:-0}" -gt 0 ] && n="$n (${VAL[$k,failed]} failed)"
		# shellcheck disable=SC2059
		printf "$fmt" "$n" "$(v "$k,median")" "$(v "$k,p90")" "$d"
	done
	for k in api-tls api-unix; do
		[ -n "${VAL[$k-steps]-}" ] && echo "  $k, median of each request (ms): ${VAL[$k-steps]}"
	done
	echo

	echo "$DBENCH_IDLE idle containers (/bin/busybox sleep 3600)"
	if [ -n "${VAL[idle,seconds]-}" ]; then
		printf '  create+start all: %s s over %s connections (per container: median %s ms, p90 %s ms)%s\n' \
			"${VAL[idle,seconds]}" "$DBENCH_START_PARALLEL" "${VAL[idle,median]}" "${VAL[idle,p90]}" \
			"$([ "${VAL[idle,failed]}" -gt 0 ] && printf '; %s failed' "${VAL[idle,failed]}")"
	fi
	n=${VAL[pss,containers]:-0}
	if [ "$n" -gt 0 ]; then
		printf '  PSS per container, MiB (over %s running containers; smaps_rollup):\n' "$n"
		own=0
		for k in monitor sentry gofer init other; do
			[ -n "${VAL[pss,$k]-}" ] || continue
			case $k in
			monitor) d="sandbox-monitor" ;;
			sentry) d="sandbox-sentry" ;;
			gofer) d="sandbox-gofer" ;;
			init) d="the sandbox's init (a Sentry fork)" ;;
			other) d="other" ;;
			esac
			printf '    %-34s %8s  (%s processes)\n' "$d" "$(mib "${VAL[pss,$k]}" "$n")" "${VAL[pss,$k,n]}"
			own=$((own + VAL[pss,$k]))
		done
		total=$((own + ${VAL[pss,app]:-0}))
		printf '    %-34s %8s\n' "own processes (sum of the above)" "$(mib "$own" "$n")"
		[ -n "${VAL[pss,app]-}" ] &&
			printf '    %-34s %8s  (%s processes)\n' "the app (busybox sleep)" "$(mib "${VAL[pss,app]}" "$n")" "${VAL[pss,app,n]}"
		printf '    %-34s %8s\n' "everything" "$(mib "$total" "$n")"
		VAL[pss,own_kib]=$(awk -v k="$own" -v n="$n" 'BEGIN { printf "%.0f", k / n }')
	fi
	echo

	echo "$DBENCH_CLIENTS concurrent mutual-TLS clients, GET /v1/containers for $DBENCH_SECONDS s (kept connections)"
	# shellcheck disable=SC2059
	printf '  %-34s %10s %8s %8s %8s %8s\n' "" "requests/s" "p50 ms" "p90 ms" "p99 ms" "errors"
	for k in list-idle list-empty; do
		case $k in
		list-idle) n="tenant with $DBENCH_IDLE containers" ;;
		list-empty) n="tenant with none" ;;
		esac
		printf '  %-34s %10s %8s %8s %8s %8s\n' "$n" "$(v "$k,rps")" "$(v "$k,p50")" "$(v "$k,p90")" \
			"$(v "$k,p99")" "$(v "$k,errors")"
	done
	echo

	if [ ${#WHY[@]} -gt 0 ]; then
		echo "n/a:"
		for k in "${!WHY[@]}"; do
			echo "  $k: ${WHY[$k]}"
		done
		echo
	fi

	echo "targets (informational; measured, never asserted):"
	for k in api-tls api-unix; do
		d=""
		[ -n "${VAL[$k,median]-}" ] && [ -n "${VAL[do,median]-}" ] &&
			d=$(awk -v a="${VAL[$k,median]}" -v b="${VAL[do,median]}" 'BEGIN { printf "%.2f", a - b }')
		p=""
		[ -n "${VAL[$k,p90]-}" ] && [ -n "${VAL[do,p90]-}" ] &&
			p=$(awk -v a="${VAL[$k,p90]}" -v b="${VAL[do,p90]}" 'BEGIN { printf "%.2f", a - b }')
		echo "  daemon adds <= $TARGET_ADD_MS ms over do ($k): median ${d:-n/a} ms [$(verdict "$d" "$TARGET_ADD_MS")]," \
			"p90 ${p:-n/a} ms [$(verdict "$p" "$TARGET_ADD_MS")]"
	done
	d=${VAL[pss,own_kib]:-}
	echo "  <= $(mib $TARGET_IDLE_KIB) MiB PSS per idle container (monitor + Sentry + Gofer + init):" \
		"${d:+$(mib "$d") MiB} [$(verdict "$d" "$TARGET_IDLE_KIB")]"
	echo "  (timings share the host with whatever else runs: compare the columns of one run)"
}

main() {
	bench_init
	trap 'dbench_cleanup; bench_cleanup' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	bench_resolve
	dbench_resolve
	say "SANDBOXD=${SANDBOXD:-<none>} SANDBOX_RUNTIME=${SANDBOX_RUNTIME:-<none>} API_CLIENT=${API_CLIENT:-<none>}"
	if [ -z "${WHY[all]-}" ]; then
		if ! dbench_setup; then
			WHY[all]="cannot make the CA and certificates with openssl"
		elif dbench_start; then
			run_lifecycle
			run_idle
			run_clients "$TENANT" list-idle
			run_clients "$TENANT2" list-empty
			say "cleaning up: deleting the containers, stopping sandboxd"
			dbench_cleanup
			local left
			left=$(dbench_cgroups_left)
			[ "$left" = 0 ] || WHY[cleanup]="$left cgroups of the benchmark's containers are still there"
			[ -z "$(dbench_monitors)" ] || WHY[cleanup]="monitors of the benchmark are still running"
		fi
	fi
	print_table
}

main
