#!/bin/bash
# Random system calls, with random and edge arguments, inside a sandbox for
# a bounded time (SB_FUZZ_SECONDS, default 120; SB_FUZZ_SEED to replay a
# run). Afterwards: the Sentry still answered inside the same sandbox, a
# new sandbox starts, nothing the sandbox could see on the host changed
# (files and device nodes: mode, owner, size, times, inode), and no
# process, mount or cgroup was left behind.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_prog syscall_fuzz
secs=${SB_FUZZ_SECONDS:-120}
seed=${SB_FUZZ_SEED:-$(date +%s)}

# What the sandbox can see of the host (the host root is its image): files
# of /etc and /usr/bin, and the host's device nodes.
host_state() {
  find /etc /usr/bin /usr/sbin /root /dev -maxdepth 1 \( -type f -o -type c -o -type b -o -type l \) \
    ! -path '/dev/pts*' ! -name 'ptmx' ! -path '/dev/tty*' ! -path '/dev/console' \
    -printf '%p %m %U:%G %s %T@ %C@ %i\n' 2>/dev/null | LC_ALL=C sort
  stat -c '%n %a %u:%g %Y %Z %i' /etc /usr/bin /root /dev
}

pol=$(sb_tenant_policy fuzz 710000 'limits { memory = 256M  pids = 64  disk = 64M  open-files = 256 }
filesystem {
  hidden = {"/etc/shadow", "/root", "/etc/os-release"}
  read-only = {"/etc", "/usr/bin"}
}')
: >"$SB_TMP/base.conf"
before=$(host_state)
sb_snapshot "$SB_TMP/left-before"
say "fuzzing for $secs s (seed $seed)"
sb_run --timeout $((secs + 120)) --policy "$pol" --policy-base "$SB_TMP/base.conf" -- \
  "$SB_PROGS/syscall_fuzz" "$secs" "$seed"
say "$(grep -E '^calls' <<<"$SB_OUT" || echo 'no summary')"
expect_rc "the fuzzer ran to its end (seed $seed)" 0
expect_line "the Sentry still answered in the same sandbox after $secs s of random calls" "sentry answers"
grep -q "lost the Gofer\|sandbox-sentry:" <<<"$SB_ERR" && soft_fail "the helpers complained: $SB_ERR" ||
  pass "neither the Sentry nor the Gofer failed"
sb_run -- /bin/busybox echo fresh
expect_out "a new sandbox starts and runs" "fresh"
after=$(host_state)
[[ $before == "$after" ]] && pass "the host's files and device nodes the sandbox could see are unchanged" ||
  soft_fail "the host changed:
$(diff <(echo "$before") <(echo "$after") | head -n 20 | sed 's/^/    /')"
# Nothing left: no process, mount or cgroup of the sandbox's (the same
# snapshot as check_nothing_left). Files are left out here: the app's
# writes land in its in-memory layer, and the host's /tmp and /run are
# shared with whatever else runs on this host during the two minutes.
for ((i = 0; i < 50; i++)); do
  sb_snapshot "$SB_TMP/left-after"
  left=$(LC_ALL=C comm -13 "$SB_TMP/left-before" "$SB_TMP/left-after" | grep -v '^file: ' || true)
  [[ -z $left ]] && break
  sleep 0.2
done
[[ -z $left ]] && pass "after the fuzzer: no process, mount or cgroup left behind" ||
  soft_fail "after the fuzzer, left behind:
$(head -n 20 <<<"$left" | sed 's/^/    /')"
finish
