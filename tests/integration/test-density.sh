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
# its filter. The app (sleep) is not counted. Then nothing is left.
# shellcheck disable=SC1010 # "do" is sandbox-runtime's command, not a keyword
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HELPER_ANON_MAX_KB=512
nap=100.$$
SB_LEFT_PATTERN="100\\.$$"

# anon_kb PID: the Anonymous: line of its smaps_rollup, in KiB.
anon_kb() {
  awk '/^Anonymous:/ { print $2; found = 1 } END { if (!found) exit 1 }' "/proc/$1/smaps_rollup" 2>/dev/null
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
  local label=$1 rt i app="" pid comm kb n=0 over="" list=""
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
  done < <(descendants "$rt")
  say "$label: anonymous memory per helper:$list"
  if ((n < 5)); then
    soft_fail "$label: expected at least 5 helper processes (runtime, watcher, Sentry, init, Gofer), found $n:$list"
  elif [[ -n $over ]]; then
    soft_fail "$label: helpers over ${HELPER_ANON_MAX_KB} KiB of anonymous memory:$over"
  else
    pass "$label: each of the $n helpers maps at most ${HELPER_ANON_MAX_KB} KiB of anonymous memory"
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
finish
