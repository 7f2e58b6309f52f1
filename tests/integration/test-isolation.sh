#!/bin/bash
# The sandbox's own processes are confined as the design says:
# - the Sentry's root holds nothing but its procfs (no view of the host's files);
# - the Gofer's root is the container root and it has no network (an empty
#   network namespace: loopback only, down);
# - the Sentry, the Gofer and the app each run under a seccomp filter with
#   no_new_privs, and the app has Docker's capability set and no more.
set -euo pipefail
RT=${SANDBOX_RUNTIME:-$(dirname "$0")/../../runtime/sandbox-runtime}
export SANDBOX_LIBEXEC_DIR=${SANDBOX_LIBEXEC_DIR:-$(dirname "$0")/../../libexec-build}
[ -x "$RT" ] || { echo "FAIL: sandbox-runtime not found at $RT"; exit 1; }
command -v nsenter >/dev/null || { echo "FAIL: nsenter missing (Debian package util-linux)"; exit 1; }
command -v ip >/dev/null || { echo "FAIL: ip missing (Debian package iproute2)"; exit 1; }
command -v busybox >/dev/null || { echo "FAIL: busybox missing (Debian package busybox-static)"; exit 1; }

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

tmp=$(mktemp -d)
rt_pid=
cleanup() {
    [ -n "$rt_pid" ] && kill "$rt_pid" 2>/dev/null && wait "$rt_pid" 2>/dev/null
    rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT

# A minimal root: busybox only.
mkdir -p "$tmp/rootfs/bin"
cp "$(command -v busybox)" "$tmp/rootfs/bin/busybox"
"$RT" do --rootfs "$tmp/rootfs" --audit-log "$tmp/audit" -- /bin/busybox sleep 30 &
rt_pid=$!

child_of() { # parent, pattern in cmdline -> pid
    local c
    for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
        if tr '\0' ' ' < /proc/"$c"/cmdline 2>/dev/null | grep -q -- "$2"; then echo "$c"; return; fi
    done
}
for _ in $(seq 100); do
    sentry=$(child_of "$rt_pid" sandbox-sentry)
    if [ -n "$sentry" ]; then
        gofer=$(child_of "$sentry" sandbox-gofer)
        # The init, a fork of the Sentry, shows as "init" (docs/COMPAT.md).
        init=$(child_of "$sentry" "^init")
        app=
        [ -n "$init" ] && app=$(child_of "$init" "busybox sleep")
        [ -n "$gofer" ] && [ -n "$app" ] && break
    fi
    sleep 0.1
done
[ -n "${app:-}" ] || { echo "FAIL: the sandbox did not start"; exit 1; }

field() { awk -v k="$2:" '$1 == k { print $2 }' /proc/"$1"/status; }

# The Sentry: nothing of the host.
listing=$(ls -A /proc/"$sentry"/root/)
[ "$listing" = "proc" ] && pass "the Sentry's root holds only its procfs" \
    || fail "the Sentry's root holds: $listing"
mounts=$(wc -l < /proc/"$sentry"/mountinfo)
[ "$mounts" -le 2 ] && pass "the Sentry sees $mounts mounts" || fail "the Sentry sees $mounts mounts"
[ -z "$(ls /proc/"$sentry"/root/proc/ | grep -x "$rt_pid")" ] \
    && pass "the Sentry's procfs does not show the host's processes" \
    || fail "the Sentry's procfs shows the runtime (pid $rt_pid)"

# The Gofer: the container root, no network.
glist=$(ls -A /proc/"$gofer"/root/ | sort | tr '\n' ' ')
[ "$glist" = "bin dev proc sys tmp " ] && pass "the Gofer's root is the container root" \
    || fail "the Gofer's root holds: $glist"
[ "$(readlink /proc/"$gofer"/ns/net)" != "$(readlink /proc/self/ns/net)" ] \
    && [ "$(readlink /proc/"$gofer"/ns/net)" != "$(readlink /proc/"$sentry"/ns/net)" ] \
    && pass "the Gofer has a network namespace of its own" \
    || fail "the Gofer shares a network namespace"
links=$(nsenter -t "$gofer" -n ip -o link | awk -F': ' '{print $2}' | tr '\n' ' ')
[ "$links" = "lo " ] && pass "the Gofer's network has only lo" || fail "the Gofer's network has: $links"
nsenter -t "$gofer" -n ip -o link show lo | grep -q "state DOWN" \
    && pass "the Gofer's loopback is down" || fail "the Gofer's loopback is up"

# Filters, no_new_privs, capabilities.
for who in sentry gofer app; do
    pid=${!who}
    [ "$(field "$pid" Seccomp)" = 2 ] && pass "$who runs under a seccomp filter" \
        || fail "$who: Seccomp=$(field "$pid" Seccomp)"
    [ "$(field "$pid" NoNewPrivs)" = 1 ] && pass "$who has no_new_privs" \
        || fail "$who: NoNewPrivs=$(field "$pid" NoNewPrivs)"
    capbnd=$(field "$pid" CapBnd)
    # Docker's set is 0xa80425fb; the helpers may add CAP_SYS_PTRACE (bit 19).
    case $who in
        app) [ "$capbnd" = 00000000a80425fb ] && pass "app: Docker's capability set" \
                 || fail "app: CapBnd=$capbnd" ;;
        *) [ $((16#$capbnd & ~(16#a80425fb | 1 << 19))) = 0 ] && pass "$who: no capability beyond Docker's + SYS_PTRACE" \
                 || fail "$who: CapBnd=$capbnd" ;;
    esac
done
[ "$(readlink /proc/"$app"/ns/pid)" != "$(readlink /proc/"$sentry"/ns/pid)" ] \
    && pass "the app has a pid namespace of its own" || fail "the app shares the Sentry's pid namespace"

kill "$rt_pid"
wait "$rt_pid" 2>/dev/null || true
rt_pid=
[ -d /proc/"$sentry" ] && fail "the Sentry outlived the runtime" || pass "the Sentry is gone after the runtime"
[ -d /proc/"$gofer" ] && fail "the Gofer outlived the runtime" || pass "the Gofer is gone after the runtime"

echo "$((failures == 0 ? 1 : 0)) passed, $((failures == 0 ? 0 : 1)) failed"
[ "$failures" = 0 ]
