#!/usr/bin/env bash
# test-density.sh - what an idle sandbox keeps resident (issue 13, memory and
# density; bench/density.sh measures it for many).
#
# One idle sandbox (sleep), with the defaults and with a tenant policy (the
# policy is then loaded by the runtime and the Sentry). For each helper
# process below the `do` (the runtime and its watcher, the Sentry, the
# sandbox's init, the Gofer), the anonymous memory it maps (`Anonymous:` of
# /proc/PID/smaps_rollup: heap, stacks, data written, copy-on-write pages
# shared with a parent included) must stay under HELPER_ANON_MAX_KB. What
# it catches: the 1 MiB policy struct written whole (every helper held
# 1.3-1.7 MiB of anonymous memory) and the heap the init kept after building
# its filter. The app (sleep) is not counted. And the main heap ([heap],
# resident) of the Sentry, the init and the Gofer is at most HEAP_MAX_KB once
# they run (96 KiB for the Sentry and the init, which parsed the policy;
# 56 KiB for the Gofer): each built a seccomp filter with libseccomp and
# gives the free heap back (before: 104, 412 and 80 KiB; after, with a
# tenant policy, about 56, 68 and 32). Then nothing is left.
#
# bench/density.sh itself: its check that nothing is left must be able to
# fail. With a stand-in runtime (a script that starts a sleep and makes its
# cgroup directory under a SANDBOX_CGROUP_ROOT of our own, a plain
# directory) that removes the directory when stopped, density.sh 3 exits 0;
# with one that leaves it, or leaves a process naming its sandbox id, it
# exits 3 and says what was left.
# shellcheck disable=SC1010 # "do" is sandbox-runtime's command, not a keyword
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HELPER_ANON_MAX_KB=512
HEAP_MAX_KB=96
GOFER_HEAP_MAX_KB=56
nap=100.$$
# shellcheck disable=SC2034 # read by sb_snapshot (lib.sh): our marker sleeps
SB_LEFT_PATTERN="100\\.$$"

# anon_kb PID: the Anonymous: line of its smaps_rollup, in KiB.
anon_kb() {
  awk '/^Anonymous:/ { print $2; found = 1 } END { if (!found) exit 1 }' "/proc/$1/smaps_rollup" 2>/dev/null
}

# heap_kb PID: the resident KiB of its [heap] mapping (0 if it has none).
heap_kb() {
  awk '/^[0-9a-f]+-[0-9a-f]+ / { h = ($6 == "[heap]") } h && /^Rss:/ { s += $2 } END { print s + 0 }' \
    "/proc/$1/smaps" 2>/dev/null
}

# descendants PID: PID and every process below it, "pid comm" per line.
descendants() {
  ps -e -o pid=,ppid=,comm= | awk -v root="$1" '
    { parent[$1] = $2; comm[$1] = $3 }
    END {
      for (p in parent) {
        q = p
        for (i = 0; i < 10 && q != "" && q != 0; i++) {
          if (q == root) { print p, comm[p]; break }
          q = parent[q]
        }
      }
    }'
}

# check_helpers LABEL RUNTIME_OPTIONS...: starts one idle sandbox, checks
# its helpers' anonymous memory, stops it.
check_helpers() {
  local label=$1 rt i app="" pid comm kb n=0 over="" list="" heaps="" fat="" limit
  shift
  # Not through sb_do: $! must be the runtime itself, not a subshell.
  "$SANDBOX_RUNTIME" do --audit-log "$SB_TMP/audit.log" "$@" -- /bin/sleep "$nap" \
    </dev/null >/dev/null 2>"$SB_TMP/err" &
  rt=$!
  SB_BG_PIDS+=("$rt")
  for ((i = 0; i < 100; i++)); do
    app=$(descendants "$rt" | awk '$2 == "sleep" { print $1 }')
    [[ -n $app ]] && break
    sleep 0.1
  done
  if [[ -z $app ]]; then
    soft_fail "$label: the sandbox did not start: $(head -n 3 "$SB_TMP/err")"
    kill -TERM "$rt" 2>/dev/null || true
    wait "$rt" 2>/dev/null || true
    return 0
  fi
  # Let the helpers finish their start-up (the Sentry confines itself after
  # the command started).
  sleep 1
  while read -r pid comm; do
    [[ $comm == sleep ]] && continue
    kb=$(anon_kb "$pid") || continue
    n=$((n + 1))
    list+=" $comm=${kb}K"
    ((kb > HELPER_ANON_MAX_KB)) && over+=" $comm($pid)=${kb}K"
    case $comm in
      sandbox-sentry | init | sandbox-gofer)
        kb=$(heap_kb "$pid")
        heaps+=" $comm=${kb}K"
        limit=$HEAP_MAX_KB
        [[ $comm == sandbox-gofer ]] && limit=$GOFER_HEAP_MAX_KB
        ((kb > limit)) && fat+=" $comm($pid)=${kb}K>${limit}K"
        ;;
    esac
  done < <(descendants "$rt")
  say "$label: anonymous memory per helper:$list"
  if ((n < 5)); then
    soft_fail "$label: expected at least 5 helper processes (runtime, watcher, Sentry, init, Gofer), found $n:$list"
  elif [[ -n $over ]]; then
    soft_fail "$label: helpers over ${HELPER_ANON_MAX_KB} KiB of anonymous memory:$over"
  else
    pass "$label: each of the $n helpers maps at most ${HELPER_ANON_MAX_KB} KiB of anonymous memory"
  fi
  say "$label: resident heap:$heaps"
  if [[ $heaps != *sentry* || $heaps != *init* || $heaps != *gofer* ]]; then
    soft_fail "$label: the Sentry, the init or the Gofer is missing:$heaps"
  elif [[ -n $fat ]]; then
    soft_fail "$label: heaps over their limit resident after start-up (free heap not given back?):$fat"
  else
    pass "$label: the Sentry's and the init's heaps are at most ${HEAP_MAX_KB} KiB, the Gofer's ${GOFER_HEAP_MAX_KB}"
  fi
  kill -TERM "$rt" 2>/dev/null || true
  wait "$rt" 2>/dev/null || true
}

before=$SB_TMP/snapshot.before
sb_snapshot "$before"
check_helpers "defaults"
pol=$(sb_tenant_policy dense 310000 'filesystem {
    hidden = {"/etc/shadow"}
    read-only = {"/etc"}
}')
: >"$SB_TMP/base.conf"
check_helpers "tenant policy" --policy "$pol" --policy-base "$SB_TMP/base.conf"
check_nothing_left "$before" "after both sandboxes"

# --- bench/density.sh fails when something is left ------------------------------
fake=$SB_TMP/fake
mkdir -p "$fake/bin" "$fake/cg"
cat >"$fake/bin/sandbox-runtime" <<'EOF'
#!/bin/bash
# A stand-in for `sandbox-runtime do -- CMD...`: runs CMD, makes a cgroup
# directory named as the runtime names its own, and on SIGTERM stops CMD and
# removes the directory only if FAKE_TIDY is set. FAKE_ORPHAN=1: leaves a
# process behind that names the sandbox's id, as a Sentry does.
[ "$1" = do ] && [ "$2" = -- ] || exit 2
shift 2
cg="$SANDBOX_CGROUP_ROOT/sandbox/do-$$-fake"
mkdir -p "$cg"
"$@" &
child=$!
if [ -n "${FAKE_ORPHAN-}" ]; then
  # Its parent gone at once: not in the do's tree when it stops.
  (setsid bash -c 'exec -a "do-$1-fake" sleep 30' _ "$$" </dev/null >/dev/null 2>&1 &)
fi
trap 'kill "$child"; wait "$child"; [ -n "${FAKE_TIDY-}" ] && rmdir "$cg"; exit 0' TERM
wait
EOF
chmod +x "$fake/bin/sandbox-runtime"
density() { # density LABEL ENV...: runs density.sh 3 with the stand-in; DRC its status
  local label=$1
  shift
  DRC=0
  env "$@" SANDBOX_RUNTIME="$fake/bin/sandbox-runtime" SANDBOX_CGROUP_ROOT="$fake/cg" \
    DENSITY_SETTLE=0 DENSITY_STOP_WAIT=3 DENSITY_TIMEOUT=30 \
    bash "$TESTS_SRCDIR/bench/density.sh" 3 >"$SB_TMP/density.$label" 2>&1 || DRC=$?
}
density tidy FAKE_TIDY=1
if [[ $DRC == 0 ]] && grep -q '^left after the stop: 0 process(es), 0 cgroup dir(s)' "$SB_TMP/density.tidy" &&
  grep -q 'SIGKILL to 0 process(es)' "$SB_TMP/density.tidy" &&
  grep -q '^started (app running) *3 of 3' "$SB_TMP/density.tidy"; then
  pass "density.sh: 3 stand-in sandboxes that clean up: exit 0, nothing left"
else
  soft_fail "density.sh with a tidy stand-in: exit $DRC: $(tail -n 12 "$SB_TMP/density.tidy")"
fi
density messy
if [[ $DRC == 3 ]] && grep -q '^left after the stop: 0 process(es), 3 cgroup dir(s)' "$SB_TMP/density.messy"; then
  pass "density.sh: stand-ins that leave their cgroup directory: exit 3, 3 cgroup dirs named"
else
  soft_fail "density.sh with a stand-in that leaves its cgroup: exit $DRC: $(tail -n 12 "$SB_TMP/density.messy")"
fi
rm -rf "${fake:?}/cg/sandbox"
density orphan FAKE_TIDY=1 FAKE_ORPHAN=1
if [[ $DRC == 3 ]] && grep -q '^left after the stop: 3 process(es), 0 cgroup dir(s)' "$SB_TMP/density.orphan"; then
  pass "density.sh: stand-ins that leave a process naming their sandbox: exit 3, 3 processes"
else
  soft_fail "density.sh with a stand-in that leaves a process: exit $DRC: $(tail -n 12 "$SB_TMP/density.orphan")"
fi
# Our orphans (their command line names the stand-ins' ids).
while read -r f; do
  pid=${f#/proc/}
  kill -KILL "${pid%/cmdline}" 2>/dev/null || true
done < <(grep -lzE -- '^do-[0-9]+-fake$' /proc/[0-9]*/cmdline 2>/dev/null || true)
finish
