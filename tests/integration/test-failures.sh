#!/bin/bash
# Failures a user can cause end with a clear error naming the cause, and
# leave nothing behind: a killed Sentry, a killed Gofer, a missing rootfs,
# a bad option, a command that does not exist.
set -euo pipefail
RT=${SANDBOX_RUNTIME:-$(dirname "$0")/../../runtime/sandbox-runtime}
export SANDBOX_LIBEXEC_DIR=${SANDBOX_LIBEXEC_DIR:-$(dirname "$0")/../../libexec-build}
[ -x "$RT" ] || { echo "FAIL: sandbox-runtime not found at $RT"; exit 1; }

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
tmp=$(mktemp -d)
trap 'rm -rf --one-file-system "$tmp"' EXIT

cgroup_dirs() { find /sys/fs/cgroup -maxdepth 3 -path '*/sandbox/*' -type d 2>/dev/null | sort; }
before_cg=$(cgroup_dirs)

child_of() { # parent, pattern in cmdline -> pid
    local c
    for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
        if tr '\0' ' ' < /proc/"$c"/cmdline 2>/dev/null | grep -q -- "$2"; then echo "$c"; return; fi
    done
}

# Kill one of the sandbox's helpers while a command runs; expect exit 125,
# a message naming what died, and no process of the sandbox left.
kill_helper() { # which (sentry|gofer), expected message
    local which=$1 msg=$2 rt s g init app victim rc=0 c
    "$RT" do --audit-log "$tmp/audit" -- sleep 60 2>"$tmp/err.$which" &
    rt=$!
    for _ in $(seq 100); do
        s=$(child_of "$rt" sandbox-sentry)
        g= app=
        [ -n "$s" ] && g=$(child_of "$s" sandbox-gofer)
        # The app's init is a fork of the Sentry, titled "init"; the command is its child.
        [ -n "$s" ] && init=$(child_of "$s" "^init") && [ -n "$init" ] \
            && app=$(child_of "$init" "^sleep 60")
        [ -n "$g" ] && [ -n "$app" ] && break
        sleep 0.1
    done
    [ -n "$g" ] || { fail "$which: the sandbox did not start"; kill "$rt"; wait "$rt" || true; return; }
    victim=$s; [ "$which" = gofer ] && victim=$g
    kill -9 "$victim"
    wait "$rt" || rc=$?
    [ "$rc" = 125 ] && pass "killed $which: exit 125" || fail "killed $which: exit $rc, want 125"
    grep -q "$msg" "$tmp/err.$which" && pass "killed $which: says '$msg'" \
        || fail "killed $which: stderr was: $(cat "$tmp/err.$which")"
    # Everything of the sandbox goes with its pid 1 (the Sentry); give the
    # kernel a moment to finish.
    for _ in $(seq 50); do
        [ -d /proc/"$s" ] || [ -d /proc/"$g" ] || [ -d /proc/"$app" ] || break
        sleep 0.1
    done
    for c in "$s" "$g"; do
        [ -d /proc/"$c" ] && fail "killed $which: pid $c still exists"
    done
    [ -d /proc/"$app" ] && fail "killed $which: the command (pid $app) still runs" || pass "killed $which: the command is gone"
}
kill_helper sentry "Sentry died"
kill_helper gofer "lost the Gofer"

rc=0; "$RT" do --rootfs "$tmp/nonexistent" -- /bin/true 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q "rootfs.*nonexistent" "$tmp/err" && pass "missing rootfs: exit 2, names it" \
    || fail "missing rootfs: exit $rc, stderr: $(cat "$tmp/err")"
rc=0; "$RT" do --bogus -- /bin/true 2>"$tmp/err" || rc=$?
[ "$rc" = 2 ] && grep -q -- "--bogus" "$tmp/err" && pass "unknown option: exit 2, names it" \
    || fail "unknown option: exit $rc, stderr: $(cat "$tmp/err")"
rc=0; "$RT" do --audit-log "$tmp/audit" -- /no/such/program 2>"$tmp/err" || rc=$?
[ "$rc" = 127 ] && grep -q "/no/such/program" "$tmp/err" && pass "missing command: exit 127, names it" \
    || fail "missing command: exit $rc, stderr: $(cat "$tmp/err")"
rc=0; "$RT" do --audit-log /nonexistent-dir/audit.log -- /bin/true 2>"$tmp/err" || rc=$?
[ "$rc" = 125 ] && grep -q "audit log" "$tmp/err" && pass "unwritable audit log: exit 125, names it" \
    || fail "unwritable audit log: exit $rc, stderr: $(cat "$tmp/err")"

[ "$(cgroup_dirs)" = "$before_cg" ] && pass "no cgroup left" || fail "cgroups left: $(cgroup_dirs)"
echo "$((failures == 0 ? 1 : 0)) passed, $((failures == 0 ? 0 : 1)) failed"
[ "$failures" = 0 ]
