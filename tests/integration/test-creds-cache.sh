#!/usr/bin/env bash
# The Sentry keeps each calling thread's ids, groups and capabilities
# between calls (sentry/caller.c). Tried as an attacker would: every way a
# thread's credentials change must take effect on its very next call, and
# a thread must never be served with the credentials of another that had
# its number before (progs/credcache.c does the attacks, as root inside).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_prog credcache
CC=$SB_PROGS/credcache
: >"$SB_TMP/base.conf"
sb_snapshot "$SB_TMP/left-before"

# run_case CASE [POLICY]: the case in a fresh sandbox (the default policy,
# root inside), with as many serving threads as the host gives (the cache
# is shared by them).
run_case() {
  if [[ -n ${2:-} ]]; then
    sb_run --timeout 180 --policy "$2" --policy-base "$SB_TMP/base.conf" -- "$CC" "$1"
  else
    sb_run --timeout 180 -- "$CC" "$1"
  fi
  [[ $SB_RC == 0 ]] || soft_fail "credcache $1: exit $SB_RC: $(head -c 600 <<<"$SB_ERR")"
}

run_case drop
expect_line "root opens its own 0600 file" "drop main-open=ok"
expect_line "a second thread, root, opens it (its ids are kept)" "drop thread-root-open=ok"
expect_line "that thread drops to uid 1000 (raw setresuid): its next open is refused" \
  "drop thread-after-drop-open=EACCES"
expect_line "the main thread, still root, still opens it (only the caller's entry went)" \
  "drop main-still-root-open=ok"
expect_line "the main thread drops too: refused at once" "drop main-after-drop-open=EACCES"

run_case capset
expect_line "root opens a file of uid 2000 (0600) with CAP_DAC_OVERRIDE" "capset before=ok"
expect_line "after capset drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH: refused at once" \
  "capset after=EACCES"

run_case setgroups
expect_line "a file readable by group 3000 only is read through that group" "setgroups with-group=ok"
expect_line "setgroups drops the group: refused at once" "setgroups without-group=EACCES"

run_case umask
expect_line "a sibling thread's umask 077 is honoured by the next create of another thread" "umask mode=600"
expect_line "... and by its mkdir" "umask dir-mode=700"

run_case execswap
expect_line "the leader, root, opens the root-only file" "execswap leader-open=ok"
expect_line "the program another thread (uid 1000) execs has the leader's number" \
  "execswap new-program-pid-is-leader=yes"
expect_line "... and uid 1000" "execswap new-program-uid=1000"
expect_line "... and is refused the leader's root-only file" "execswap new-program-open=EACCES"

# Threads of five kinds of credentials stat, open and access the same files
# at once. /tmp is on the root's own mount, where the Sentry answers these
# calls itself with the file credentials it takes for the caller and keeps
# between calls (sentry/directfs.c): a serving thread that answered one
# caller with another's would show here as a wrong answer. Through the
# Gofer too (SANDBOX_SENTRY_DIRECTFS=0), and once with --strace to prove
# the fast path answered the non-root callers.
mix_expect() {
  local who
  for who in root root-without-dac uid-1000 uid-1001-group-3000 real-1000-effective-0; do
    expect_line "$1: every answer to $who is its own" "mix $who checks=4800 wrong=0"
  done
}
run_case mix
mix_expect "fast path"
SANDBOX_SENTRY_DIRECTFS=0 run_case mix
mix_expect "through the Gofer"
sb_run --timeout 180 --strace -- "$CC" mix
[[ $SB_RC == 0 ]] || soft_fail "credcache mix --strace: exit $SB_RC: $(grep -v '^\[' <<<"$SB_ERR" | head -c 600)"
mix_expect "with --strace"
direct=$(grep -c '"/tmp/credmix/[^"]*".* = -1 EACCES \[direct\]$' <<<"$SB_ERR" || true)
if ((direct >= 1000)); then
  pass "the Sentry refused $direct calls of non-root callers itself, with their credentials"
else
  soft_fail "only $direct EACCES answers of the fast path (want at least 1000): $(grep -F credmix <<<"$SB_ERR" | head -n 3)"
fi

pol=$(sb_tenant_policy credcompat 730000 'syscalls { profile = compat  audit = denied }')
run_case setfsuid "$pol"
expect_line "compat: root opens the root-only file" "setfsuid before=ok"
expect_line "compat: setfsuid(1000) runs" "setfsuid fsuid=1000"
expect_line "compat: the next open, with fsuid 1000, is refused" "setfsuid after=EACCES"

# Thread numbers come round only after a full turn of the pid namespace's
# pid_max (4194304 here: minutes of thread creation). The attacker has the
# time; the test shortens the turn: once the root thread has come and gone,
# pid_max of the sandbox's pid namespaces is set to 1000 from the host (a
# process of the host root joins each namespace to write it).
mkfifo "$SB_TMP/go"
timeout --kill-after=5 180 "$SANDBOX_RUNTIME" do --audit-log "$SB_TMP/audit.log" -- "$CC" tidreuse \
  <"$SB_TMP/go" >"$SB_TMP/reuse.out" 2>"$SB_TMP/reuse.err" &
reuse_pid=$!
SB_BG_PIDS+=("$reuse_pid")
exec 7>"$SB_TMP/go"
for _ in $(seq 300); do
  grep -q '^tidreuse ready' "$SB_TMP/reuse.out" && break
  sleep 0.1
done
app=
for p in $(pgrep -f "^$CC tidreuse\$" || true); do
  [[ $(readlink "/proc/$p/ns/pid") != "$(readlink /proc/self/ns/pid)" ]] && app=$p
done
# The Sentry knows the app's threads by their numbers in its own pid
# namespace, the parent of the app's: both turn at 1000, so the two numbers
# of a thread keep their distance and the app's number coming round means
# the Sentry's does too.
outer=
if [[ -n $app ]]; then
  p=$app
  while p=$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null) && [[ -n $p && $p != 0 ]]; do
    ns=$(readlink "/proc/$p/ns/pid")
    [[ $ns == "$(readlink /proc/self/ns/pid)" ]] && break
    [[ $ns != "$(readlink "/proc/$app/ns/pid")" ]] && { outer=$p; break; }
  done
fi
# One shell each, builtins only: exactly one number taken in each
# namespace (in the app's, also in the Sentry's, its parent). The one taken
# in the Sentry's namespace alone shifts its numbers by one against the
# app's: the program is told (go 1).
lowered=0
for target in $outer $app; do
  nsenter -t "$target" -p -- /bin/sh -c 'echo 1000 >/proc/sys/kernel/pid_max' && lowered=$((lowered + 1))
done
if [[ -n $app && -n $outer && $lowered == 2 ]]; then
  pass "the app's and the Sentry's pid namespaces turn at 1000 numbers for this test"
else
  soft_fail "could not lower the sandbox's pid_max (app pid '$app', the Sentry's namespace via '$outer')"
fi
echo 'go 1' >&7
exec 7>&-
rc=0
wait "$reuse_pid" || rc=$?
out=$(cat "$SB_TMP/reuse.out")
[[ $rc == 0 ]] || soft_fail "credcache tidreuse: exit $rc: $(head -c 600 "$SB_TMP/reuse.err")"
grep -qx 'tidreuse root-open=ok' <<<"$out" && pass "a root thread opens the root-only file, then exits ($(grep root-tid <<<"$out"))" ||
  soft_fail "the root thread: $out"
if grep -q '^tidreuse reused-open=EACCES ' <<<"$out"; then
  pass "a uid-1000 thread given the root thread's old number is refused ($(grep '^tidreuse reused' <<<"$out"))"
else
  soft_fail "tid reuse: $(grep '^tidreuse' <<<"$out" | tr '\n' ' ')"
fi

check_nothing_left "$SB_TMP/left-before" "after the credential attacks"
finish
