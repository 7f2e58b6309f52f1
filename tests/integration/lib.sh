# shellcheck shell=bash disable=SC1010 # "do" is sandbox-runtime's command, not a keyword
# lib.sh - shared helpers of the integration tests (tests/integration/test-*.sh).
#
# A test script starts with
#
#   set -euo pipefail
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# and then runs real programs in real sandboxes.  Environment (set by
# `make check`, defaulted here for a run by hand from the top directory):
#
#   SANDBOX_RUNTIME      the sandbox-runtime to test
#                        (default $TESTS_BUILDDIR/runtime/sandbox-runtime)
#   SANDBOX_LIBEXEC_DIR  where it finds sandbox-sentry and sandbox-gofer
#                        (default $TESTS_BUILDDIR/libexec-build)
#   TESTS_SRCDIR         the source tree (default: two levels above this file)
#   TESTS_BUILDDIR       the build tree, with the built programs under
#                        tests/integration/progs (default $TESTS_SRCDIR)
#   SB_TIMEOUT           seconds one sandbox may run in sb_run (default 60)
#
# What this gives a test:
#   sb_do OPTS -- CMD...   sandbox-runtime do, with a private audit log
#   sb_run [--timeout N] [--stdin FILE] OPTS -- CMD...
#                          sb_do with stdout, stderr and the status captured
#                          in SB_OUT, SB_ERR and SB_RC (never fails itself)
#   expect_rc / expect_out / expect_grep WHAT ...
#                          one check of the last sb_run (pass or soft_fail;
#                          they always return 0)
#   pass MSG               one check passed
#   soft_fail MSG          one check failed; the script goes on and exits 1
#   fail MSG               one check failed; the script stops now (exit 1)
#   finish                 prints "N passed, M failed", exits 0 or 1
#   need_program PATH PKG  fails (never skips) when PATH is missing
#   sb_snapshot FILE / check_nothing_left FILE LABEL
#                          what a sandbox could leave behind on the host
#   SB_TMP                 a private temporary directory, removed at exit
#   SB_PROGS               the built test programs
#
# Tests never exit 77 (skip): a missing program is a failure that names the
# Debian package to install.

SB_TEST=$(basename "$0" .sh)
SB_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

: "${TESTS_SRCDIR:=$(cd "$SB_LIB_DIR/../.." && pwd)}"
: "${TESTS_BUILDDIR:=$TESTS_SRCDIR}"
: "${SANDBOX_RUNTIME:=$TESTS_BUILDDIR/runtime/sandbox-runtime}"
: "${SANDBOX_LIBEXEC_DIR:=$TESTS_BUILDDIR/libexec-build}"
: "${SB_TIMEOUT:=60}"
export TESTS_SRCDIR TESTS_BUILDDIR SANDBOX_RUNTIME SANDBOX_LIBEXEC_DIR
SB_PROGS=$TESTS_BUILDDIR/tests/integration/progs

SB_PASSED=0
SB_FAILED=0
SB_BG_PIDS=()
SB_CLEANUP_HOOKS=()
SB_TMP=
SB_OUT=
SB_ERR=
SB_RC=0

say() {
  printf '%s: %s\n' "$SB_TEST" "$*"
}

# Shows the last sb_run's output and the audit log, to explain a failure.
sb_show_last_run() {
  local f
  if [[ -n ${SB_LAST_CMD:-} ]]; then
    printf '  last sandbox: %s\n  exit status: %s\n' "$SB_LAST_CMD" "$SB_RC" >&2
    for f in SB_OUT SB_ERR; do
      if [[ -n ${!f} ]]; then
        printf '  --- %s ---\n' "${f#SB_}" >&2
        printf '%s\n' "${!f}" | head -n 40 | sed 's/^/  | /' >&2
      fi
    done
  fi
  if [[ -n $SB_TMP && -s $SB_TMP/audit.log ]]; then
    printf '  --- audit log (denied calls) ---\n' >&2
    tail -n 20 "$SB_TMP/audit.log" | sed 's/^/  | /' >&2
  fi
  SB_LAST_CMD=
}

pass() {
  SB_PASSED=$((SB_PASSED + 1))
  printf '%s: ok: %s\n' "$SB_TEST" "$*"
}

soft_fail() {
  SB_FAILED=$((SB_FAILED + 1))
  printf '%s: FAIL: %s\n' "$SB_TEST" "$*" >&2
  sb_show_last_run
}

fail() {
  soft_fail "$@"
  printf '%s: stopping at the first fatal failure\n' "$SB_TEST" >&2
  finish
}

finish() {
  printf '%s: %d passed, %d failed\n' "$SB_TEST" "$SB_PASSED" "$SB_FAILED"
  if ((SB_FAILED > 0)); then
    exit 1
  fi
  exit 0
}

# need_program PATH DEBIAN_PACKAGE: a test needs PATH; without it the test
# fails (it never skips) and says what to install.
need_program() {
  if [[ ! -x $1 ]]; then
    fail "$1 is missing: install the Debian package '$2' (apt-get install $2)"
  fi
}

# need_prog NAME: a test program built by `make check`.
need_prog() {
  if [[ ! -x $SB_PROGS/$1 ]]; then
    fail "$SB_PROGS/$1 is missing: build the test programs first (make check, or make $(
      printf 'tests/integration/progs/%s' "$1"))"
  fi
}

sb_cleanup() {
  local pid hook
  for hook in "${SB_CLEANUP_HOOKS[@]}"; do
    "$hook" || true
  done
  for pid in "${SB_BG_PIDS[@]}"; do
    # Our own children: their pids cannot be reused before we reap them.
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n $SB_TMP && -d $SB_TMP ]]; then
    # --one-file-system: never follow a mount a broken sandbox left behind.
    # A killed sandbox's processes end a moment after it: one still writing
    # into a volume under SB_TMP can refill a directory rm has emptied.
    local try
    for try in 1 2 3 4 5 6 7 8 9 10; do
      rm -rf --one-file-system -- "$SB_TMP" 2>/dev/null || true
      [[ -d $SB_TMP ]] || break
      sleep 0.3
    done
  fi
}
trap sb_cleanup EXIT
trap 'printf "%s: interrupted\n" "$SB_TEST" >&2; exit 1' INT TERM HUP

sb_do() {
  # In a subshell (`sb_do ... &`, `$(sb_do ...)`), the runtime takes its
  # place: $! is then the runtime's pid, and killing it stops the sandbox
  # instead of orphaning it (so nothing after it in that subshell runs).
  if [[ $BASHPID != "$$" ]]; then
    exec "$SANDBOX_RUNTIME" do --audit-log "$SB_TMP/audit.log" "$@"
  fi
  "$SANDBOX_RUNTIME" do --audit-log "$SB_TMP/audit.log" "$@"
}

# sb_run [--timeout SECONDS] [--stdin FILE] RUNTIME_OPTIONS -- CMD [ARG...]
# Runs one sandbox; SB_RC is its exit status (124 when it overran the
# timeout), SB_OUT and SB_ERR its output.  Never fails itself.
sb_run() {
  local t=$SB_TIMEOUT in=/dev/null rc=0
  while (($# > 0)); do
    case $1 in
      --timeout) t=$2; shift 2 ;;
      --stdin) in=$2; shift 2 ;;
      *) break ;;
    esac
  done
  SB_LAST_CMD="sandbox-runtime do $*"
  timeout --kill-after=5 "$t" "$SANDBOX_RUNTIME" do --audit-log "$SB_TMP/audit.log" "$@" \
    <"$in" >"$SB_TMP/run.out" 2>"$SB_TMP/run.err" || rc=$?
  SB_RC=$rc
  SB_OUT=$(tr -d '\0' <"$SB_TMP/run.out")
  SB_ERR=$(tr -d '\0' <"$SB_TMP/run.err")
  return 0
}

# sb_sh SCRIPT: busybox sh -c SCRIPT in a default sandbox, via sb_run.
sb_sh() {
  sb_run -- /bin/busybox sh -c "$1"
}

# expect_rc WHAT N: the last sb_run exited N.
expect_rc() {
  if [[ $SB_RC == "$2" ]]; then
    pass "$1 (exit $2)"
    return 0
  fi
  local why=
  [[ $SB_RC == 124 ]] && why=" (it hung: killed by the test's timeout)"
  soft_fail "$1: exit status $SB_RC, expected $2$why"
  return 0
}

# expect_out WHAT EXPECTED: the last sb_run exited 0 and printed exactly EXPECTED.
expect_out() {
  if [[ $SB_RC == 0 && $SB_OUT == "$2" ]]; then
    pass "$1"
    return 0
  fi
  soft_fail "$1: expected exit 0 and output [$2], got exit $SB_RC and output [$SB_OUT]"
  return 0
}

# expect_grep WHAT REGEX: the last sb_run exited 0 and its stdout matches REGEX.
# expect_line WHAT LINE: the last sb_run printed LINE, whole (a fixed string).
# expect_line_re WHAT REGEX: the same, LINE as a whole-line regular expression.
expect_line() {
  _expect_line "$1" "$2" -qxF
}
expect_line_re() {
  _expect_line "$1" "$2" -qx
}
_expect_line() {
  if grep "$3" -- "$2" <<<"$SB_OUT"; then
    pass "$1"
  else
    soft_fail "$1: no line '$2' in the sandbox's output:
$(sed 's/^/    /' <<<"$SB_OUT" | head -n 30)"
  fi
  return 0
}
expect_grep() {
  if [[ $SB_RC == 0 ]] && grep -Eq -- "$2" <<<"$SB_OUT"; then
    pass "$1"
    return 0
  fi
  soft_fail "$1: expected exit 0 and output matching /$2/, got exit $SB_RC"
  return 0
}

# sb_tenant_policy NAME FIRST_ID [EXTRA_LINES]: writes $SB_TMP/NAME.conf, a
# tenant policy whose containers run as host ids FIRST_ID..FIRST_ID+65535
# (container root = FIRST_ID), and prints its path.
sb_tenant_policy() {
  local f=$SB_TMP/$1.conf
  printf 'tenant = "%s"\nid-range = "%s-%s"\n%s\n' "$1" "$2" $(($2 + 65535)) "${3:-}" >"$f"
  printf '%s\n' "$f"
}

# A free TCP port on the loopback (the sandbox's loopback is its own, but a
# port free here is free there too).
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000))
}

# ---------------------------------------------------------------------------
# What a sandbox may leave on the host, and how to see it.
#
# sb_snapshot FILE records: the processes whose command line mentions
# sandbox-sentry or sandbox-gofer (or has an argument matching all of
# $SB_LEFT_PATTERN, an extended regex for a test's own marker processes,
# e.g. 'sleep 100.1234'); the mounts of /proc/self/mountinfo; the
# cgroup directories under /sys/fs/cgroup/*/sandbox and
# /sys/fs/cgroup/sandbox, and the other top-level ones of each hierarchy
# (but systemd's); the files in /tmp (top level), /dev/shm and /run.
#
# Sandboxes that belong to a sandbox-runtime still running (another test
# run in parallel) are left out, unless that runtime's command line names
# this test's SB_TMP (its own, still running): a Sentry whose parent is a live
# sandbox-runtime, a Gofer whose Sentry is such, and cgroups named after a
# live sandbox-runtime's pid.  So are the test scripts' own temporary
# directories (sbit-*, sbprobe.*, and mktemp's default tmp.XXXXXXXXXX).  A sandbox whose runtime is gone is always counted.

sb_cmdline() {
  tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" || true
}

sb_ppid() {
  awk '/^PPid:/ {print $2}' "/proc/$1/status" 2>/dev/null || true
}

sb_is_live_runtime() {
  [[ -n $1 && $1 != 0 && -r /proc/$1/cmdline ]] && sb_cmdline "$1" | grep -q 'sandbox-runtime'
}

# Is pid $1 a runtime of this test's own (its command line names SB_TMP)?
sb_is_own_runtime() {
  [[ -n $SB_TMP ]] && sb_cmdline "$1" | grep -qF -- "$SB_TMP/"
}

# Is pid $1 a sandbox process owned by a live sandbox-runtime?
sb_is_foreign() {
  local pid=$1 i parent
  for i in 1 2 3 4 5 6; do
    parent=$(sb_ppid "$pid")
    [[ -z $parent || $parent == 0 || $parent == 1 ]] && return 1
    if sb_is_live_runtime "$parent"; then
      # This test's own sandboxes still running at its end are left over.
      sb_is_own_runtime "$parent" && return 1
      return 0
    fi
    pid=$parent
  done
  return 1
}

sb_snapshot() {
  local out=$1 f pid cmd d name base foreign_runtimes=0
  local -a procs=()
  # One grep over every command line (NUL-separated arguments, -z): fast.
  mapfile -t procs < <(
    {
      grep -lzE -- 'sandbox-(sentry|gofer)' /proc/[0-9]*/cmdline 2>/dev/null || true
      if [[ -n ${SB_LEFT_PATTERN:-} ]]; then
        grep -lzxE -- "$SB_LEFT_PATTERN" /proc/[0-9]*/cmdline 2>/dev/null || true
      fi
    } | sort -u
  )
  {
    for f in "${procs[@]}"; do
      pid=${f#/proc/}
      pid=${pid%/cmdline}
      [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
      cmd=$(sb_cmdline "$pid")
      [[ -z $cmd ]] && continue
      if sb_is_foreign "$pid"; then
        foreign_runtimes=1
        continue
      fi
      printf 'process: %s %s\n' "$pid" "$cmd"
    done
    sed 's/^/mount: /' /proc/self/mountinfo
    for base in /sys/fs/cgroup/*/sandbox /sys/fs/cgroup/sandbox; do
      [[ -d $base ]] || continue
      for d in "$base"/*/; do
        [[ -d $d ]] || continue
        name=$(basename "$d")
        if [[ $name =~ ^do-([0-9]+)- ]] && sb_is_live_runtime "${BASH_REMATCH[1]}" &&
          ! sb_is_own_runtime "${BASH_REMATCH[1]}"; then
          foreign_runtimes=1
          continue
        fi
        printf 'cgroup: %s\n' "${d%/}"
      done
    done
    # Other cgroups at the top of each hierarchy (an engine's parent, as
    # podman's libpod_parent): new ones are leftovers too.
    for base in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
      [[ -L ${base%/} || $base == */systemd/ || $base == */unified/ || ! -e ${base}cgroup.procs ]] && continue
      for d in "$base"*/; do
        [[ -d $d && ! -L ${d%/} && $(basename "$d") != sandbox ]] || continue
        printf 'cgroup: %s\n' "${d%/}"
      done
    done
    # The shared parent directories come and go with other sandboxes.
    if ((foreign_runtimes == 0)); then
      for base in /sys/fs/cgroup/*/sandbox /sys/fs/cgroup/sandbox; do
        [[ -d $base ]] && printf 'cgroup: %s\n' "$base"
      done
    fi
    find /tmp -mindepth 1 -maxdepth 1 ! -name 'sbit-*' ! -name 'sbprobe.*' ! -name 'tmp.??????????' -printf 'file: %p\n' 2>/dev/null || true
    # /run/mount is util-linux's (libmount's lock and utab): made by the
    # first `mount` anyone runs on a fresh host, engines included.
    find /dev/shm /run -mindepth 1 -path /run/mount -prune -o -printf 'file: %p\n' 2>/dev/null || true
    # The host's own device nodes: a changed mode or owner is a host inode
    # reached from inside (every test that compares snapshots checks it).
    stat -c 'host node: %n %a %u:%g' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty \
      /dev/ptmx 2>/dev/null || true
  } | LC_ALL=C sort >"$out"
}

# check_nothing_left BEFORE LABEL: compared with the snapshot BEFORE, nothing
# is new.  Teardown may lag behind the runtime's exit a little: new items
# must be gone within SB_LEFT_WAIT seconds (default 10).  A failure lists
# what was left; either way the script goes on.
check_nothing_left() {
  local before=$1 label=$2 now=$SB_TMP/snapshot.now waited=0 limit=${SB_LEFT_WAIT:-10}
  local new
  while :; do
    sb_snapshot "$now"
    new=$(LC_ALL=C comm -13 "$before" "$now")
    [[ -z $new ]] && break
    if ((waited >= limit * 5)); then
      SB_LAST_CMD=
      soft_fail "$label: the sandbox left this behind on the host (still there after ${limit}s):
$(printf '%s\n' "$new" | head -n 30 | sed 's/^/    /')"
      return 0
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  pass "$label: nothing left behind (no processes, mounts, cgroups or temporary files)"
}

# sb_running PID: true while PID runs: it exists and has not ended (a
# process that is not our child stays a zombie until the host's init or a
# subreaper reaps it, which takes up to a second or more on some hosts).
sb_running() {
  local st
  st=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
  [[ -n $st && $st != Z && $st != X ]]
}

# wait_gone PID SECONDS: true once PID (not our child) has disappeared.
wait_gone() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    [[ -d /proc/$1 ]] || return 0
    sleep 0.1
  done
  return 1
}

# wait_for_file_text FILE REGEX SECONDS: true once FILE has a line matching REGEX.
wait_for_file_text() {
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    grep -Eq -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# --- setup common to every test ----------------------------------------------
if [[ $(id -u) != 0 ]]; then
  fail "the integration tests must run as root (sandbox-runtime creates namespaces and cgroups)"
fi
if [[ ! -x $SANDBOX_RUNTIME ]]; then
  fail "SANDBOX_RUNTIME=$SANDBOX_RUNTIME is not an executable file (build first: make)"
fi
if [[ ! -x $SANDBOX_LIBEXEC_DIR/sandbox-sentry || ! -x $SANDBOX_LIBEXEC_DIR/sandbox-gofer ]]; then
  fail "SANDBOX_LIBEXEC_DIR=$SANDBOX_LIBEXEC_DIR has no sandbox-sentry and sandbox-gofer (build first: make)"
fi
if ! command -v timeout >/dev/null 2>&1; then
  fail "timeout is missing: install the Debian package 'coreutils'"
fi
SB_TMP=$(mktemp -d "/tmp/sbit-$SB_TEST.XXXXXX")
chmod 0755 "$SB_TMP"
: >"$SB_TMP/audit.log"
