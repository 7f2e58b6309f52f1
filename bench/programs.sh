#!/usr/bin/env bash
# bench/programs.sh: real programs, start to exit, native vs sandbox-runtime vs
# runc vs runsc (gVisor, ptrace platform): the second table of issue 13.
#
#   python   python3 -c 'import json, ssl, sqlite3, asyncio, email.mime.text'
#   gitst    git status in a generated repository of $BENCH_PROG_FILES files
#   gitlog   git log in the same repository (20 commits)
#   tar      tar xf (--no-same-owner --no-same-permissions: see README.md) of a
#            $BENCH_PROG_FILES-file archive, then rm -rf of the tree
#   make     make -j2 of a generated C project ($BENCH_PROG_CFILES files)
#   redis    redis-server and redis-benchmark -t set,get in one sandbox (TCP on
#            127.0.0.1): requests per second, not a time
#   node     node -e requiring fs, http, crypto, zlib, child_process, url
#            (when node is installed)
#   apache   apache2 (event MPM, AllowOverride All) serving a static page to
#            ab -c4 in the same sandbox: requests per second (when apache2
#            and ab are installed; mod_php is not here)
# Each runs under `sh -c` in each runtime, 1 warm-up run then
# $BENCH_PROG_RUNS timed ones (start of the runtime to its exit, bash's
# EPOCHREALTIME); the table holds the median in ms (redis: the median rps in
# thousands) and sandbox/native. The targets of issue 13 are printed as met /
# NOT met, for information only.
#
# Usage: bench/programs.sh [WORKLOAD...]   (default: all of the above)
# Environment: SANDBOX_RUNTIME, SANDBOX_LIBEXEC_DIR, RUNC, RUNSC, BENCH_RUNTIMES
# (as in bench/lib.sh; the filter column is not run here), and
#   BENCH_PROG_RUNS     timed runs per program and runtime (5; redis, apache: 3)
#   BENCH_PROG_TIMEOUT  seconds one run may take (300)
#   BENCH_PROG_FILES    files of the git repository and the archive (2000)
#   BENCH_PROG_CFILES   C files of the make project (40)
#   BENCH_REDIS_N       requests per redis-benchmark test (50000; under runsc
#                       BENCH_REDIS_N_RUNSC, 2000: ptrace serves ~1k/s)
#   BENCH_AB_N          requests of ab (5000; under runsc 500)
#   BENCH_PYTHON        the python3 (default /usr/bin/python3, else PATH's)
# Needs root for the sandbox, runc and runsc columns. Measured, never
# asserted: exits 0 whatever it measures (2 on bad usage).
# shellcheck disable=SC2154,SC2016 # bench_tmp, bench_why: lib.sh's; make's $(...)
set -uo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ALL_WORKLOADS="python gitst gitlog tar make redis node apache"
case "${1-}" in
-h | --help)
	sed -n '2,32p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
	exit 0
	;;
esac
for w in "$@"; do
	case " $ALL_WORKLOADS " in
	*" $w "*) ;;
	*)
		echo "programs.sh: unknown workload '$w' (one of: $ALL_WORKLOADS)" >&2
		exit 2
		;;
	esac
done
WORKLOADS=${*:-$ALL_WORKLOADS}
PROG_RUNTIMES="native sandbox runc runsc"
: "${BENCH_PROG_RUNS:=5}"
: "${BENCH_PROG_TIMEOUT:=300}"
: "${BENCH_PROG_FILES:=2000}"
: "${BENCH_PROG_CFILES:=40}"
: "${BENCH_REDIS_N:=50000}"
: "${BENCH_REDIS_N_RUNSC:=2000}"
: "${BENCH_AB_N:=5000}"
if [ -z "${BENCH_PYTHON:-}" ]; then
	if [ -x /usr/bin/python3 ]; then
		BENCH_PYTHON=/usr/bin/python3
	else
		BENCH_PYTHON=$(command -v python3 2>/dev/null) || BENCH_PYTHON=""
	fi
fi

say() { echo "programs: $*" >&2; }

declare -A VAL=() NOTE=() CMD=() LABEL=() TARGET=() MISSING=()
NOTE_KEYS=()
note() { # note KEY TEXT: first reason wins
	[ -n "${NOTE[$1]-}" ] && return 0
	NOTE[$1]=$2
	NOTE_KEYS+=("$1")
}

median() { # median VALUES...: prints the median (mean of the two middle ones)
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit 1
		if (NR % 2) printf "%.2f", v[(NR + 1) / 2]
		else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# --- the inputs --------------------------------------------------------------
W=""                  # work dir: the repository, the archive, the C project

gen_tree() { # gen_tree DIR N: N small text files in N/50 directories
	local dir=$1 n=$2 i d
	for ((i = 0; i < n; i++)); do
		d=$dir/d$((i / 50))
		[ $((i % 50)) -eq 0 ] && mkdir -p "$d"
		printf 'file %d\nline two of file %d\n%s\n' "$i" "$i" "$RANDOM$RANDOM" >"$d/f$i.txt"
	done
}

gen_cproj() { # gen_cproj DIR N: N C files and a Makefile building them into $(O)
	local dir=$1 n=$2 i
	mkdir -p "$dir"
	{
		echo '#include <stdio.h>'
		for ((i = 0; i < n; i++)); do echo "long f$i(long);"; done
		echo 'int main(void) { long s = 0;'
		for ((i = 0; i < n; i++)); do echo "  s += f$i($i);"; done
		printf '%s\n' '  printf("%ld\n", s); return 0; }'
	} >"$dir/main.c"
	for ((i = 0; i < n; i++)); do
		cat >"$dir/f$i.c" <<-EOF
			#include <stdio.h>
			#include <stdlib.h>
			#include <string.h>
			struct s$i { long a[16]; char name[32]; };
			static long g$i(struct s$i *p, long x)
			{
				for (int k = 0; k < 16; k++)
					p->a[k] = x * k + $i;
				snprintf(p->name, sizeof(p->name), "s%ld", x);
				return p->a[15] + (long)strlen(p->name);
			}
			long f$i(long x)
			{
				struct s$i v;
				memset(&v, 0, sizeof(v));
				return g$i(&v, x) + (x > 1 ? labs(x - 1) : 0);
			}
		EOF
	done
	# O is the output dir (the tree itself stays read-only).
	printf '%s\n' 'O ?= .' 'SRCS := $(wildcard *.c)' 'OBJS := $(SRCS:%.c=$(O)/%.o)' \
		'$(O)/prog: $(OBJS)' '	$(CC) -o $@ $(OBJS)' \
		'$(O)/%.o: %.c' '	$(CC) -O2 -c -o $@ $<' >"$dir/Makefile"
}

gen_apache() { # gen_apache DOCROOT CONF: a static page and a config of our own
	local root=$1 conf=$2 m=/usr/lib/apache2/modules
	mkdir -p "$root/sub/dir"
	head -c 8192 /dev/zero | tr '\0' 'x' | fold -w 80 |
		sed '1i <html><body><pre>' >"$root/sub/dir/index.html"
	echo '</pre></body></html>' >>"$root/sub/dir/index.html"
	echo '# looked up on every request (AllowOverride All)' >"$root/sub/.htaccess"
	# PORT and RUNDIR are replaced per run by the command (sed).
	cat >"$conf" <<-EOF
		ServerName localhost
		Listen 127.0.0.1:PORT
		LoadModule mpm_event_module $m/mod_mpm_event.so
		LoadModule authz_core_module $m/mod_authz_core.so
		LoadModule dir_module $m/mod_dir.so
		LoadModule mime_module $m/mod_mime.so
		User www-data
		Group www-data
		DefaultRuntimeDir RUNDIR
		PidFile RUNDIR/pid
		ErrorLog RUNDIR/error.log
		TypesConfig /etc/mime.types
		DocumentRoot $root
		<Directory $root>
		  AllowOverride All
		  Require all granted
		</Directory>
	EOF
}

prepare_inputs() {
	local g=(git -c user.name=bench -c user.email=bench@invalid -c init.defaultBranch=main)
	local i dirs
	W=$bench_tmp/work
	mkdir -p "$W"
	chmod 755 "$bench_tmp" "$W"
	if [[ " $WORKLOADS " == *" gitst "* || " $WORKLOADS " == *" gitlog "* ]]; then
		say "generating a git repository of $BENCH_PROG_FILES files"
		gen_tree "$W/repo" "$BENCH_PROG_FILES"
		(
			cd "$W/repo" || exit 1
			"${g[@]}" init -q . || exit 1
			# 20 commits, each adding a slice of the directories.
			dirs=(d*)
			# shellcheck disable=SC2046 # one directory name a word
			for ((i = 0; i < 20; i++)); do
				"${g[@]}" add -- $(printf '%s\n' "${dirs[@]}" | awk -v i=$i 'NR % 20 == i') \
					>/dev/null 2>&1
				"${g[@]}" commit -q --allow-empty -m "commit $i" || exit 1
			done
			"${g[@]}" add -A && "${g[@]}" commit -q --allow-empty -m "the rest"
		) >"$bench_tmp/git-init.log" 2>&1 || MISSING[git]="cannot make the repository: $(bench_last_line "$bench_tmp/git-init.log")"
	fi
	if [[ " $WORKLOADS " == *" tar "* ]]; then
		say "generating a $BENCH_PROG_FILES-file archive"
		gen_tree "$W/tree" "$BENCH_PROG_FILES"
		tar cf "$W/files.tar" -C "$W/tree" . && rm -rf "$W/tree"
	fi
	if [[ " $WORKLOADS " == *" apache "* ]]; then
		gen_apache "$W/www" "$W/apache.conf"
	fi
	if [[ " $WORKLOADS " == *" make "* ]]; then
		say "generating a C project of $BENCH_PROG_CFILES files"
		gen_cproj "$W/cproj" "$BENCH_PROG_CFILES"
	fi
	chmod -R a+rX "$W"
}

# --- the workloads ----------------------------------------------------------
define_workloads() {
	local q port
	q="git -c safe.directory=* -c core.pager=cat"
	LABEL[python]="python3 import json,ssl,sqlite3,asyncio,email"
	CMD[python]="$BENCH_PYTHON -c 'import json, ssl, sqlite3, asyncio, email.mime.text'"
	TARGET[python]="<=1.5"
	[ -n "$BENCH_PYTHON" ] || MISSING[python]="python3 not installed"

	LABEL[gitst]="git status, $BENCH_PROG_FILES files"
	CMD[gitst]="cd '$W/repo' && $q status >/dev/null"
	TARGET[gitst]="<=2"
	LABEL[gitlog]="git log, 21 commits"
	CMD[gitlog]="cd '$W/repo' && $q log --stat >/dev/null"
	TARGET[gitlog]="<=2"
	command -v git >/dev/null || { MISSING[gitst]="git not installed"; MISSING[gitlog]=${MISSING[gitst]}; }
	[ -n "${MISSING[git]-}" ] && { MISSING[gitst]=${MISSING[git]}; MISSING[gitlog]=${MISSING[git]}; }

	LABEL[tar]="tar xf + rm -rf, $BENCH_PROG_FILES files"
	CMD[tar]="d=\$(mktemp -d /tmp/bench-tar.XXXXXX) || exit 1; tar xf '$W/files.tar' --no-same-owner --no-same-permissions -C \"\$d\"; x=\$?; rm -rf \"\$d\"; exit \$x"
	TARGET[tar]="<=2"

	LABEL[make]="make -j2, $BENCH_PROG_CFILES C files"
	CMD[make]="d=\$(mktemp -d /tmp/bench-make.XXXXXX) || exit 1; make -s -j2 -C '$W/cproj' O=\"\$d\"; x=\$?; rm -rf \"\$d\"; exit \$x"
	TARGET[make]="<=2"
	{ command -v make >/dev/null && command -v cc >/dev/null; } || MISSING[make]="make or cc not installed"

	# redis: a port of its own per run; the script prints the two rates.
	port=$((20000 + $$ % 20000))
	LABEL[redis-set]="redis SET, k requests/s"
	LABEL[redis-get]="redis GET, k requests/s"
	# redis: a dir of its own per run for its log, removed after.
	CMD[redis]="p=$port; d=\$(mktemp -d /tmp/redis-bench.XXXXXX) || exit 1;
redis-server --port \$p --bind 127.0.0.1 --save '' --appendonly no --dir \$d >\$d/log 2>&1 & s=\$!;
i=0; until redis-cli -p \$p ping >/dev/null 2>&1; do i=\$((i + 1)); [ \$i -gt 500 ] && { cat \$d/log >&2; kill \$s; rm -rf \$d; exit 1; }; sleep 0.01; done;
redis-benchmark -p \$p -q -t set,get -n $BENCH_REDIS_N; r=\$?; redis-cli -p \$p shutdown nosave >/dev/null 2>&1 || kill \$s; wait \$s; rm -rf \$d; exit \$r"
	TARGET[redis-set]=">=0.9"
	TARGET[redis-get]=">=0.9"
	{ command -v redis-server && command -v redis-benchmark && command -v redis-cli; } >/dev/null ||
		MISSING[redis]="redis-server, redis-cli or redis-benchmark not installed"

	# apache: a port and a run dir of its own per run; ab prints the rate.
	port=$((port + 1))
	LABEL[apache]="apache static page, ab -c4, k requests/s"
	CMD[apache]="p=$port; r=\$(mktemp -d /tmp/apache-bench.XXXXXX) && chmod 755 \$r && sed -e \"s|PORT|\$p|; s|RUNDIR|\$r|g\" '$W/apache.conf' >\$r/conf || exit 1;
apache2 -f \$r/conf -DFOREGROUND & a=\$!; i=0; until ab -q -n 1 http://127.0.0.1:\$p/sub/dir/index.html >/dev/null 2>&1; do i=\$((i + 1)); [ \$i -gt 500 ] && { cat \$r/error.log >&2; kill \$a; exit 1; }; sleep 0.01; done;
ab -q -c 4 -n $BENCH_AB_N http://127.0.0.1:\$p/sub/dir/index.html; x=\$?; kill \$a; wait \$a; rm -rf \$r; exit \$x"
	TARGET[apache]=">=0.8"
	{ [ -x /usr/sbin/apache2 ] || command -v apache2 >/dev/null; } && command -v ab >/dev/null ||
		MISSING[apache]="apache2 or ab not installed"

	LABEL[node]="node -e require(fs,http,crypto,zlib,...)"
	CMD[node]="node -e 'for (const m of [\"fs\", \"http\", \"crypto\", \"zlib\", \"child_process\", \"url\"]) require(m)'"
	TARGET[node]="<=1.5"
	command -v node >/dev/null || MISSING[node]="node not installed"
}

# --- runc: a bundle whose root is the host's, read-only -----------------------
# The rootfs is an empty dir; /usr, /etc, /var/lib and the work dir are bind
# mounts of the host's (read-only but the work dir), /tmp a tmpfs, and
# /bin, /lib... the same symlinks as the host's. No network namespace, so
# that 127.0.0.1 works as it does on the host.
PROG_BUNDLE=""
runc_prog_prepare() {
	[ -n "$PROG_BUNDLE" ] && return 0
	local b=$bench_tmp/runc-prog r=$bench_tmp/runc-prog/rootfs d mounts=""
	mkdir -p "$r/tmp" "$r/proc" "$r/dev" "$r/sys" || return 1
	# /tmp first: the work dir lies under it.
	mounts='{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1777"]}'
	for d in /bin /sbin /lib /lib32 /lib64 /libx32; do
		if [ -L "$d" ]; then
			ln -s "$(readlink "$d")" "$r$d"
		elif [ -d "$d" ]; then
			mounts+="${mounts:+,}{\"destination\": \"$d\", \"type\": \"bind\", \"source\": \"$d\", \"options\": [\"rbind\", \"ro\"]}"
		fi
	done
	for d in /usr /etc /var/lib /opt; do
		[ -d "$d" ] || continue
		mounts+="${mounts:+,}{\"destination\": \"$d\", \"type\": \"bind\", \"source\": \"$d\", \"options\": [\"rbind\", \"ro\"]}"
	done
	mounts+=",{\"destination\": \"$W\", \"type\": \"bind\", \"source\": \"$W\", \"options\": [\"rbind\", \"rw\"]}"
	command -v jq >/dev/null 2>&1 || { echo "jq not installed" >"$bench_tmp/runc-prog.err"; return 1; }
	(cd "$b" && "$RUNC" spec) >"$bench_tmp/runc-prog.err" 2>&1 || return 1
	jq --argjson m "[$mounts]" '.process.terminal = false | .root.readonly = false
		| .process.env += ["HOME=/tmp"]
		| .linux.namespaces |= map(select(.type != "network"))
		| .mounts += $m' <"$b/config.json" >"$b/config.base.json" || return 1
	bench_runc_id="sandbox-bench-prog-$$-$RANDOM"
	PROG_BUNDLE=$b
}

# cmd_for RT SHELL-COMMAND: sets RUN to the words that run it under RT.
cmd_for() {
	local rt=$1 c=$2
	case $rt in
	native) RUN=(sh -c "$c") ;;
	sandbox) RUN=("$SANDBOX_RUNTIME" 'do' -- sh -c "$c") ;;
	runc)
		jq --arg c "$c" '.process.args = ["sh", "-c", $c]' \
			<"$PROG_BUNDLE/config.base.json" >"$PROG_BUNDLE/config.json" || return 1
		bench_runc_reset
		RUN=("$RUNC" --root "$bench_tmp/runc-root" run --bundle "$PROG_BUNDLE" "$bench_runc_id")
		;;
	runsc) RUN=("$RUNSC" --platform=ptrace --network=none 'do' sh -c "$c") ;;
	esac
}

# measure WORKLOAD RT: fills VAL[w,rt] (ms) or, for redis, VAL[redis-set,rt]
# and VAL[redis-get,rt] (k requests/s).
measure() {
	local w=$1 rt=$2 runs=$BENCH_PROG_RUNS i rc t0 t1 out=$bench_tmp/p.out err=$bench_tmp/p.err
	local -a ms=() set=() get=()
	local keys=$w
	[ "$w" = redis ] && { keys="redis-set redis-get"; runs=$((runs > 3 ? 3 : runs)); }
	[ "$w" = apache ] && runs=$((runs > 3 ? 3 : runs))
	if [ -n "${bench_why[$rt]-}" ]; then
		note "$rt" "${bench_why[$rt]}"
		return
	fi
	if [ "$rt" = runc ] && ! runc_prog_prepare; then
		bench_why[runc]="cannot prepare the OCI bundle: $(bench_last_line "$bench_tmp/runc-prog.err")"
		note runc "${bench_why[runc]}"
		return
	fi
	local c=${CMD[$w]}
	[ "$w" = redis ] && [ "$rt" = runsc ] && c=${c//-n $BENCH_REDIS_N/-n $BENCH_REDIS_N_RUNSC}
	[ "$w" = apache ] && [ "$rt" = runsc ] && c=${c//-n $BENCH_AB_N/-n $((BENCH_AB_N / 10))}
	cmd_for "$rt" "$c" || { note "$rt,$w" "cannot write the bundle's config"; return; }
	say "$w under $rt ($runs runs + 1 warm-up)"
	for ((i = 0; i <= runs; i++)); do
		[ "$rt" = runc ] && bench_runc_reset
		t0=$EPOCHREALTIME
		bench_run "$BENCH_PROG_TIMEOUT" "$out" "$err" "${RUN[@]}"
		rc=$?
		t1=$EPOCHREALTIME
		if [ $rc -ne 0 ]; then
			local k why
			why="exit $rc: $(bench_last_line "$err")"
			{ [ $rc -eq 124 ] || [ $rc -eq 137 ]; } && why="timed out after $BENCH_PROG_TIMEOUT s (BENCH_PROG_TIMEOUT)"
			for k in $keys; do note "$rt,$k" "$why"; done
			return
		fi
		[ $i -eq 0 ] && continue # the warm-up
		if [ "$w" = apache ]; then
			ms+=("$(awk '/^Requests per second:/ { print $4 / 1000 }' "$out")")
		elif [ "$w" = redis ]; then
			# -q prints progress lines ended by \r before each rate.
			set+=("$(tr '\r' '\n' <"$out" | awk '/^SET: [0-9]/ { v = $2 / 1000 } END { print v }')")
			get+=("$(tr '\r' '\n' <"$out" | awk '/^GET: [0-9]/ { v = $2 / 1000 } END { print v }')")
		else
			ms+=("$(awk -v a="${t0/,/.}" -v b="${t1/,/.}" 'BEGIN { printf "%.3f", (b - a) * 1000 }')")
		fi
	done
	if [ "$w" = redis ]; then
		if [ -n "${set[*]// /}" ]; then VAL[redis-set,$rt]=$(median "${set[@]}"); else note "$rt,redis-set" "no SET line in redis-benchmark's output"; fi
		if [ -n "${get[*]// /}" ]; then VAL[redis-get,$rt]=$(median "${get[@]}"); else note "$rt,redis-get" "no GET line in redis-benchmark's output"; fi
	else
		if [ -n "${ms[*]// /}" ]; then VAL[$w,$rt]=$(median "${ms[@]}"); else note "$rt,$w" "no rate in the output"; fi
	fi
}

cell() { [ -n "${VAL[$1,$2]-}" ] && printf '%s' "${VAL[$1,$2]}" || printf 'n/a'; }

main() {
	local w rt k r rows=() limit
	bench_init
	bench_resolve
	prepare_inputs
	define_workloads
	for w in $WORKLOADS; do
		if [ -n "${MISSING[$w]-}" ]; then
			if [ "$w" = redis ]; then
				note "all,redis-set" "${MISSING[$w]}"
				note "all,redis-get" "${MISSING[$w]}"
			else
				note "all,$w" "${MISSING[$w]}"
			fi
		else
			for rt in $PROG_RUNTIMES; do measure "$w" "$rt"; done
		fi
		if [ "$w" = redis ]; then rows+=(redis-set redis-get); else rows+=("$w"); fi
	done
	bench_runc_reset

	local fmt='%-44s %9s %9s %9s %9s %8s %7s %8s\n'
	echo
	echo "real programs: start to exit, median of $BENCH_PROG_RUNS runs (after 1 warm-up) in ms,"
	echo "lower is better; redis and apache rows: median requests per second of 3 runs, in thousands,"
	echo "higher is better. $(date -u '+%Y-%m-%d %H:%M UTC'); host: $(uname -sr), $(nproc) CPUs,"
	echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
	bench_host_idle
	echo
	# shellcheck disable=SC2059
	printf "$fmt" program native sandbox runc runsc sbx/nat target verdict
	printf '%s\n' "$(printf '%.0s-' {1..110})"
	for k in "${rows[@]}"; do
		r=n/a
		if [ -n "${VAL[$k,sandbox]-}" ] && [ -n "${VAL[$k,native]-}" ]; then
			r=$(awk -v a="${VAL[$k,sandbox]}" -v b="${VAL[$k,native]}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
		fi
		local v=n/a
		if [ "$r" != n/a ]; then
			limit=${TARGET[$k]#??}
			case ${TARGET[$k]} in
			"<="*) awk -v r="$r" -v l="$limit" 'BEGIN { exit !(r <= l) }' && v=met || v="NOT met" ;;
			">="*) awk -v r="$r" -v l="$limit" 'BEGIN { exit !(r >= l) }' && v=met || v="NOT met" ;;
			esac
			r+=x
		fi
		# shellcheck disable=SC2059
		printf "$fmt" "${LABEL[$k]}" "$(cell "$k" native)" "$(cell "$k" sandbox)" \
			"$(cell "$k" runc)" "$(cell "$k" runsc)" "$r" "${TARGET[$k]}x" "$v"
	done
	if [ ${#NOTE_KEYS[@]} -gt 0 ]; then
		echo
		echo "n/a:"
		for k in "${NOTE_KEYS[@]}"; do
			case $k in
			*,*) echo "  ${k%%,*} (${LABEL[${k#*,}]:-${k#*,}}): ${NOTE[$k]}" ;;
			*) echo "  $k: ${NOTE[$k]}" ;;
			esac
		done
	fi
	echo
	echo "sbx/nat: sandbox/native (for redis and apache, rate over rate); targets of issue 13,"
	echo "informational: python3 and node at most 1.5x, git, tar, make at most 2x, redis at least 0.9x,"
	echo "apache at least 0.8x."
}

main
