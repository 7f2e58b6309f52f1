#!/usr/bin/env bash
# test-probes.sh - run every security probe inside the sandbox.
#
# Each probe (tests/probes/probe_*.c) tries one kind of escape and exits 0
# only when every attempt was refused.  This script runs them all through
# "sandbox-runtime do" and checks from the host what a probe cannot see
# itself (the signal victim is alive, the host directory next to the
# sandbox root is untouched).
#
# Environment:
#   SANDBOX_RUNTIME      the sandbox-runtime binary to test (required)
#   PROBE_DIR            directory of the built static probes
#                        (default: this script's directory/../probes)
#   PROBE_TIMEOUT        seconds allowed per probe (default 120)
#   PROBE_FS_TIMEOUT     seconds allowed for probe_fs (default 300)
#   PROBE_FS_ITERATIONS  iterations of probe_fs's race (default 20000)
#
# Prints each probe's output and a final "N passed, M failed"; exits 1 if
# any probe failed.  It never skips: without a runtime it fails.
set -euo pipefail

me=test-probes.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() {
  printf '%s: error: %s\n' "$me" "$*" >&2
  exit 1
}

if [[ -z ${SANDBOX_RUNTIME:-} ]]; then
  die "SANDBOX_RUNTIME is not set: it must name the sandbox-runtime binary to test (the probes never skip)"
fi
if [[ ! -f $SANDBOX_RUNTIME || ! -x $SANDBOX_RUNTIME ]]; then
  die "SANDBOX_RUNTIME=$SANDBOX_RUNTIME is not an executable file"
fi
PROBE_DIR=${PROBE_DIR:-$here/../probes}
if [[ ! -d $PROBE_DIR ]]; then
  die "PROBE_DIR=$PROBE_DIR is not a directory (build the probes first: make check)"
fi
PROBE_DIR=$(cd "$PROBE_DIR" && pwd)
PROBE_TIMEOUT=${PROBE_TIMEOUT:-120}
PROBE_FS_TIMEOUT=${PROBE_FS_TIMEOUT:-300}
PROBE_FS_ITERATIONS=${PROBE_FS_ITERATIONS:-20000}
command -v timeout >/dev/null 2>&1 || die "timeout (coreutils) is required"

# Probes run as "sandbox-runtime do -- PROBE" in host-root mode (the host
# root is visible read-only, so they run from their build path).
plain_probes=(
  probe_ptrace probe_mount probe_ns probe_handle probe_kernel
  probe_procmem probe_hostwrite probe_mknod probe_rawnet probe_abi probe_surface
)
victim_marker=sandbox-probe-victim
# Names probe_fs tries to create outside its root.
fs_names=(sbprobe-moved sbprobe-moved2 sbprobe-linked sbprobe-created
  sbprobe-dir sbprobe-symlink)

workdir=
victim=
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  if [[ -n $victim ]]; then
    # Our own child: its pid cannot be reused before we reap it.
    kill "$victim" 2>/dev/null || true
    wait "$victim" 2>/dev/null || true
  fi
  if [[ -n $workdir && -d $workdir ]]; then
    # --one-file-system: never follow a mount a broken sandbox left behind.
    rm -rf --one-file-system -- "$workdir"
  fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

workdir=$(mktemp -d "${TMPDIR:-/tmp}/sbprobe.XXXXXX")
# Readable by any uid, so that a permission bit can never hide an escape.
chmod 0755 "$workdir"

passed=0
failed=0
failed_names=()

pass() {
  passed=$((passed + 1))
  printf 'PASS: %s\n' "$1"
}

fail() {
  failed=$((failed + 1))
  failed_names+=("$1")
  printf 'FAIL: %s: %s\n' "$1" "$2"
}

# describe_rc RC SECONDS: what a probe's exit status means.
describe_rc() {
  case $1 in
    0) echo "every attempt refused" ;;
    1) echo "exit 1: an attempt ESCAPED" ;;
    2) echo "exit 2: setup error in the probe" ;;
    124 | 137) echo "timed out after $2 s" ;;
    126 | 127) echo "exit $1: the sandbox could not run the probe" ;;
    *) echo "exit $1" ;;
  esac
}

# have_probe NAME: the probe binary exists (a missing one is a failure).
have_probe() {
  if [[ -f $PROBE_DIR/$1 && -x $PROBE_DIR/$1 ]]; then
    return 0
  fi
  printf '=== %s\n' "$1"
  fail "$1" "$PROBE_DIR/$1 is missing or not executable"
  return 1
}

# run_probe NAME SECONDS CMD...: run CMD with a time limit, print its
# output indented, leave its exit status in probe_rc.  Redirections given
# to run_probe (such as 7<file) reach CMD.
probe_rc=0
run_probe() {
  local name=$1 secs=$2 out
  shift 2
  printf '=== %s\n' "$name"
  probe_rc=0
  out=$(timeout -k 10 "$secs" "$@" </dev/null 2>&1) || probe_rc=$?
  if [[ -n $out ]]; then
    printf '%s\n' "$out" | sed 's/^/    /'
  fi
}

# ---- the probes that need nothing but the sandbox ------------------------
for name in "${plain_probes[@]}"; do
  have_probe "$name" || continue
  run_probe "$name" "$PROBE_TIMEOUT" \
    "$SANDBOX_RUNTIME" "do" --audit-log "$workdir/audit.log" -- "$PROBE_DIR/$name"
  if ((probe_rc == 0)); then
    pass "$name"
  else
    fail "$name" "$(describe_rc "$probe_rc" "$PROBE_TIMEOUT")"
  fi
done

# ---- probe_signal: a host process must be out of reach -------------------
# victim_state: the victim's process state letter, or "gone".
victim_state() {
  local line
  if ! read -r line 2>/dev/null <"/proc/$victim/stat"; then
    echo gone
    return
  fi
  line=${line##*) }
  echo "${line%% *}"
}

if have_probe probe_signal; then
  (exec -a "$victim_marker" sleep 60) &
  victim=$!
  # Wait until the subshell has become the victim (argv[0] = marker).
  for _ in $(seq 50); do
    arg0=
    IFS= read -r -d '' arg0 <"/proc/$victim/cmdline" 2>/dev/null || true
    if [[ $arg0 == "$victim_marker" ]]; then
      break
    fi
    sleep 0.1
  done
  run_probe probe_signal 30 \
    "$SANDBOX_RUNTIME" "do" --audit-log "$workdir/audit.log" -- "$PROBE_DIR/probe_signal" "$victim" "$victim_marker"
  state=$(victim_state)
  if [[ $state == gone || $state == Z || $state == X ]]; then
    fail probe_signal "the host process $victim ($victim_marker) was killed from inside the sandbox"
  elif ((probe_rc != 0)); then
    fail probe_signal "$(describe_rc "$probe_rc" 30)"
  else
    printf '    host check: pid %d (%s) still alive, state %s\n' \
      "$victim" "$victim_marker" "$state"
    pass probe_signal
  fi
  kill "$victim" 2>/dev/null || true
  wait "$victim" 2>/dev/null || true
  victim=
fi

# ---- probe_fds: no host fd may leak in -----------------------------------
if have_probe probe_fds; then
  fdfile=$workdir/host-fd-file
  echo "host file open on fds 7 and 100 of sandbox-runtime" >"$fdfile"
  run_probe probe_fds "$PROBE_TIMEOUT" \
    "$SANDBOX_RUNTIME" "do" --audit-log "$workdir/audit.log" -- "$PROBE_DIR/probe_fds" 7<"$fdfile" 100<"$fdfile"
  if ((probe_rc == 0)); then
    pass probe_fds
  else
    fail probe_fds "$(describe_rc "$probe_rc" "$PROBE_TIMEOUT")"
  fi
fi

# ---- probe_fs: nothing outside --rootfs may be reached -------------------
# Layout: HOSTDIR/secret ("HOST-SECRET") next to HOSTDIR/rootfs, the
# sandbox root, which holds the static probe as /probe_fs.
if have_probe probe_fs; then
  hostdir=$workdir/fs
  mkdir -m 0755 "$hostdir" "$hostdir/rootfs"
  mkdir -m 0755 "$hostdir/rootfs/dev" "$hostdir/rootfs/proc" "$hostdir/rootfs/sys"
  mkdir -m 1777 "$hostdir/rootfs/tmp"
  printf 'HOST-SECRET' >"$hostdir/secret"
  chmod 0644 "$hostdir/secret"
  cp "$PROBE_DIR/probe_fs" "$hostdir/rootfs/probe_fs"
  chmod 0755 "$hostdir/rootfs/probe_fs"

  # Where names made by "/../NAME"-style escapes would land on the host.
  outside_dirs=("$workdir" "$(dirname "$workdir")" /)
  fs_problem=
  if command -v readelf >/dev/null 2>&1 &&
    readelf -l "$hostdir/rootfs/probe_fs" 2>/dev/null | grep -q 'program interpreter'; then
    fs_problem="$PROBE_DIR/probe_fs is not linked -static; it cannot run alone in the rootfs"
  fi
  for d in "${outside_dirs[@]}"; do
    for n in "${fs_names[@]}"; do
      if [[ -e $d/$n || -L $d/$n ]]; then
        fs_problem="leftover ${d%/}/$n from an earlier run: remove it, it hides what probe_fs checks"
      fi
    done
  done

  if [[ -n $fs_problem ]]; then
    printf '=== %s\n' probe_fs
    fail probe_fs "$fs_problem"
  else
    run_probe probe_fs "$PROBE_FS_TIMEOUT" \
      "$SANDBOX_RUNTIME" "do" --audit-log "$workdir/audit.log" --rootfs "$hostdir/rootfs" -- \
      /probe_fs "$hostdir/secret" "$PROBE_FS_ITERATIONS"

    # Host-side checks: the secret is intact and nothing appeared outside
    # the root.
    host_problems=()
    if [[ ! -f $hostdir/secret || $(cat "$hostdir/secret") != HOST-SECRET ]]; then
      host_problems+=("$hostdir/secret was changed, moved or removed")
    fi
    # shellcheck disable=SC2012 # the names are the probe's own, plain ASCII
    entries=$(cd "$hostdir" && ls -A | LC_ALL=C sort | tr '\n' ' ')
    if [[ $entries != "rootfs secret " ]]; then
      host_problems+=("$hostdir now holds: $entries(expected: rootfs secret)")
    fi
    for d in "${outside_dirs[@]}"; do
      for n in "${fs_names[@]}"; do
        if [[ -e $d/$n || -L $d/$n ]]; then
          host_problems+=("${d%/}/$n appeared on the host")
        fi
      done
    done
    for p in ${host_problems[@]+"${host_problems[@]}"}; do
      printf '    host check: ESCAPE: %s\n' "$p"
    done

    if ((${#host_problems[@]} > 0)); then
      fail probe_fs "the host directory around the rootfs changed"
    elif ((probe_rc != 0)); then
      fail probe_fs "$(describe_rc "$probe_rc" "$PROBE_FS_TIMEOUT")"
    else
      printf '    host check: %s unchanged\n' "$hostdir"
      pass probe_fs
    fi
  fi
fi

# ---- probe_iouring: io_uring is refused under every profile --------------
# One policy file per profile (an empty base: the host's defaults.conf must
# not change the test), one audit log per profile.
: >"$workdir/base.conf"
for profile in default strict compat; do
  have_probe probe_iouring || break
  printf 'tenant = "t-probe-%s"\nsyscalls { profile = %s  audit = denied }\n' "$profile" "$profile" \
    >"$workdir/$profile.conf"
  run_probe "probe_iouring ($profile)" "$PROBE_TIMEOUT" \
    "$SANDBOX_RUNTIME" "do" --audit-log "$workdir/audit-$profile.log" --policy "$workdir/$profile.conf" \
    --policy-base "$workdir/base.conf" -- "$PROBE_DIR/probe_iouring"
  if ((probe_rc != 0)); then
    fail "probe_iouring ($profile)" "$(describe_rc "$probe_rc" "$PROBE_TIMEOUT")"
  elif ! grep -q '"syscall":"io_uring_setup".*"action":"deny"' "$workdir/audit-$profile.log" 2>/dev/null; then
    fail "probe_iouring ($profile)" "io_uring_setup was refused but not audited"
  else
    pass "probe_iouring ($profile)"
  fi
done

# Every refusal of a denied call is in the audit log, as a JSON line.
audit_ok=1
for call in ptrace bpf mount perf_event_open userfaultfd io_uring_setup keyctl kexec_load \
            init_module open_by_handle_at unshare; do
  if ! grep -q "\"syscall\":\"$call\"" "$workdir/audit.log" 2>/dev/null; then
    audit_ok=0
    printf '    audit: no line for %s\n' "$call"
  fi
done
# probe_surface's refusals, each with the action that names why.
for pair in splice:deny tee:deny vmsplice:deny mq_notify:deny mq_open:deny msgget:deny \
            ioctl:deny-ioctl mmap:deny-arguments mprotect:deny-arguments madvise:deny-arguments \
            sendmsg:deny-pass-unix-socket socket:deny-socket-protocol socket:deny-socket-type \
            socket:deny-netlink futex:deny-arguments pipe2:deny-arguments waitid:deny-arguments \
            io_setup:deny; do
  if ! grep -q "\"syscall\":\"${pair%%:*}\".*\"action\":\"${pair#*:}\"" "$workdir/audit.log" 2>/dev/null; then
    audit_ok=0
    printf '    audit: no line for %s refused as %s\n' "${pair%%:*}" "${pair#*:}"
  fi
done
if ((audit_ok)); then
  printf '    audit: every denied probe call is in the audit log (%d lines)\n' "$(wc -l < "$workdir/audit.log")"
  pass audit-log
else
  fail audit-log "denied calls missing from the audit log"
fi

if ((failed > 0)); then
  printf 'failed probes: %s\n' "${failed_names[*]}"
fi
printf '%d passed, %d failed\n' "$passed" "$failed"
if ((failed > 0)); then
  exit 1
fi
exit 0
