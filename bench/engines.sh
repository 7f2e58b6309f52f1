#!/usr/bin/env bash
# bench/engines.sh: two rows through Docker with --runtime sandbox
# (sandbox-runtime, under a sandboxd of its own), runc and runsc (gVisor,
# --platform=ptrace), in one run: `docker run --rm IMG true` on a busybox
# image imported from a local rootfs tarball, and `docker run --rm IMG
# python3 -c "import json, ssl, sqlite3"` on a Debian image with the host's
# python3 (tests/e2e/engines-lib.sh). Prints the median and the mean of
# BENCH_RUNS runs (default 10) per runtime and row, and sandbox/runc.
#
# It starts its own sandboxd, containerd and dockerd, as the end-to-end
# tests do (tests/e2e/engines-lib.sh: sockets and state under a temporary
# directory, stopped by pid at exit). Measured, never asserted: exits 0
# whatever the numbers. Environment as for `make check` (SANDBOX_RUNTIME,
# SANDBOXD, SANDBOX_LIBEXEC_DIR); `make bench-engines` sets it.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${TESTS_SRCDIR:=$(cd "$HERE/.." && pwd)}"
export TESTS_SRCDIR
. "$TESTS_SRCDIR/tests/integration/lib.sh"
. "$TESTS_SRCDIR/tests/integration/daemon-lib.sh"
. "$TESTS_SRCDIR/tests/integration/oci-lib.sh"
. "$TESTS_SRCDIR/tests/e2e/engines-lib.sh"
SB_TEST=bench-engines
RUNS=${BENCH_RUNS:-10}

engines_need
SBD_POLICY_EXTRA='limits { containers = 20 }'
sbd_setup bench
sbd_start
oci_setup bench
engines_runtime_wrapper
# No call log in a measurement.
sed -i '/rt-calls.log/d' "$RT_WRAPPER"
make_images
RUNTIMES=(sandbox runc)
if [[ -x /usr/bin/runsc ]]; then
  DOCKER_EXTRA_RUNTIMES=', "runsc": {"path": "/usr/bin/runsc", "runtimeArgs": ["--platform=ptrace", "--network=none"]}'
  RUNTIMES+=(runsc)
fi
# runsc gives its sandbox process (host user nobody) the container's stdio by
# changing their owner on the host to 65534, and a container without -i gets
# the shim's /dev/null as stdin: every run is -i with an empty file instead,
# and the host's device nodes are compared (and put back, loudly) at the end.
DEVNODES=(/dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /dev/ptmx)
EMPTY=$SB_TMP/stdin
: >"$EMPTY"
DEVNODES_BEFORE=$(stat -c '%n %a %u:%g' "${DEVNODES[@]}" 2>/dev/null)
devnodes_check() {
  local n mode owner now
  while read -r n mode owner; do
    now=$(stat -c '%a %u:%g' "$n" 2>/dev/null) || continue
    if [[ $now != "$mode $owner" ]]; then
      echo "bench: WARNING: the host's $n changed from $mode $owner to $now during the run (a runtime's doing); put back" >&2
      chown "$owner" "$n" && chmod "$mode" "$n"
    fi
  done <<<"$DEVNODES_BEFORE"
}
trap 'devnodes_check; sb_cleanup' EXIT

containerd_start
dockerd_start
dk import "$E2E/busybox.tar" bench-busybox >/dev/null
dk import "$E2E/python.tar" bench-python >/dev/null

# run_times RUNTIME IMAGE CMD...: one line of seconds per run.
run_times() {
  local r=$1 i t0 t1
  shift
  dk run -i --rm --network none --runtime "$r" "$@" <"$EMPTY" >/dev/null 2>&1 || { echo fail; return; }
  for i in $(seq "$RUNS"); do
    t0=$(date +%s.%N)
    dk run -i --rm --network none --runtime "$r" "$@" <"$EMPTY" >/dev/null 2>&1 || { echo fail; return; }
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f\n", b - a}'
  done
}

# row LABEL IMAGE CMD...: one row of the table per runtime.
row() {
  local label=$1 r times med mean
  shift
  printf '%-8s %10s %10s   (docker run --rm --network none %s, %d runs after one warm-up)\n' runtime median mean \
    "$label" "$RUNS"
  declare -A MED=()
  for r in "${RUNTIMES[@]}"; do
    times=$(run_times "$r" "$@")
    if grep -q fail <<<"$times"; then
      printf '%-8s %10s %10s\n' "$r" n/a n/a
      continue
    fi
    read -r med mean < <(sort -n <<<"$times" | awk '{a[NR]=$1; s+=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f %.3f\n", m, s/NR}')
    MED[$r]=$med
    printf '%-8s %9.3fs %9.3fs\n' "$r" "$med" "$mean"
  done
  if [[ -n ${MED[sandbox]:-} && -n ${MED[runc]:-} ]]; then
    awk -v s="${MED[sandbox]}" -v r="${MED[runc]}" 'BEGIN {printf "sandbox/runc (medians): %.2fx\n", s / r}'
  fi
}

row "IMG true" bench-busybox true
echo
row "IMG python3 importing json, ssl, sqlite3" bench-python python3 -c 'import json, ssl, sqlite3'
exit 0
