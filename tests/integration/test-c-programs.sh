#!/usr/bin/env bash
# test-c-programs.sh - small C programs (tests/integration/progs/hello.c,
# built static and dynamic) in the sandbox, on the host root and in a
# minimal --rootfs: output, file I/O, getpid (a pid of the sandbox's own
# namespace), uname (the sandbox's hostname and release).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_prog hello_static
need_prog hello_dynamic
if ! command -v ldd >/dev/null 2>&1; then
  fail "ldd is missing: install the Debian package 'libc-bin'"
fi
STATIC=$SB_PROGS/hello_static
DYNAMIC=$SB_PROGS/hello_dynamic

# check_hello WHAT HOSTNAME: the last sb_run was a successful hello.
check_hello() {
  local what=$1 host=$2 pid
  if [[ $SB_RC != 0 ]]; then
    soft_fail "$what: exit status $SB_RC, expected 0"
    return 0
  fi
  if [[ $(head -n 1 <<<"$SB_OUT") != "hello, world" ]]; then
    soft_fail "$what: the first line is not 'hello, world'"
    return 0
  fi
  pid=$(sed -n 's/^pid=//p' <<<"$SB_OUT")
  if ! [[ $pid =~ ^[0-9]+$ ]] || ((pid > 50)); then
    soft_fail "$what: getpid() = '$pid', not a small pid of the sandbox's own pid namespace"
    return 0
  fi
  if ! grep -qx "uname=Linux $host 6.1.0 x86_64" <<<"$SB_OUT"; then
    soft_fail "$what: uname says '$(sed -n 's/^uname=//p' <<<"$SB_OUT")', expected 'Linux $host 6.1.0 x86_64'"
    return 0
  fi
  if ! grep -qx "fileio=ok" <<<"$SB_OUT"; then
    soft_fail "$what: the file I/O did not complete"
    return 0
  fi
  pass "$what (pid $pid, uname and file I/O as expected)"
}

# --- on the host root (read-only image, in-memory writable layer) ------------
sb_run -- "$STATIC"
check_hello "static hello on the host root" sandbox

sb_run -- "$DYNAMIC" /tmp
check_hello "dynamic hello on the host root" sandbox

sb_run --hostname cprogs -- "$DYNAMIC" /tmp
check_hello "dynamic hello with --hostname cprogs" cprogs

sb_run -- "$STATIC" "$SB_TMP"
check_hello "static hello doing file I/O in a host directory (through the layer)" sandbox

# --- in a minimal rootfs: the static binary alone --------------------------
rootfs=$SB_TMP/rootfs-static
mkdir -p "$rootfs"
cp "$STATIC" "$rootfs/hello"
sb_run --rootfs "$rootfs" -- /hello /
check_hello "static hello alone in a --rootfs" sandbox

sb_run --rootfs "$rootfs" --hostname tiny -- /hello /tmp
check_hello "static hello in a --rootfs, file I/O in its /tmp, --hostname tiny" tiny

sb_run --rootfs "$rootfs" -- /bin/sh -c true
expect_rc "a --rootfs without /bin/sh: the host's shell is not there (127)" 127

# A rootfs owned by host root is an image: the program writes to an
# in-memory layer over it, and the host directory stays as it was.
sb_run --rootfs "$rootfs" -- /hello / kept.txt
if [[ $SB_RC != 0 ]] || ! grep -Eqx "kept=/+kept.txt" <<<"$SB_OUT"; then
  soft_fail "hello could not write /kept.txt over an image --rootfs (exit $SB_RC)"
elif [[ -e $rootfs/kept.txt || -n $(find "$rootfs" -maxdepth 1 -name 'hello-*') ]]; then
  soft_fail "a write into an image --rootfs reached the host: $(ls "$rootfs")"
else
  pass "an image --rootfs (owned by host root) is never written: the writes stay in memory"
fi

# A rootfs owned by the tenant's ids is the tenant's: written in place, what
# the program leaves there stays on the host as the tenant's ids, what it
# removed is gone.
owned=$SB_TMP/rootfs-owned
mkdir -p "$owned"
cp "$STATIC" "$owned/hello"
chown -R 300000:300000 "$owned"
pol=$(sb_tenant_policy owner 300000)
sb_run --policy "$pol" --rootfs "$owned" -- /hello / kept.txt
if [[ $SB_RC != 0 || $(cat "$owned/kept.txt" 2>/dev/null) != kept ]]; then
  soft_fail "a file written at the root of the tenant's --rootfs is not in $owned/kept.txt on the host (exit $SB_RC)"
elif [[ $(stat -c %u:%g "$owned/kept.txt") != 300000:300000 ]]; then
  soft_fail "the file the sandbox wrote belongs to $(stat -c %u:%g "$owned/kept.txt") on the host, not the tenant's 300000:300000"
elif [[ -n $(find "$owned" -maxdepth 1 -name 'hello-*') ]]; then
  soft_fail "hello removed its files in the --rootfs, yet some are still there: $(ls "$owned")"
else
  pass "a tenant's --rootfs is written in place, as the tenant's host ids (a kept file is on the host, removed ones are gone)"
fi

# Without --rootfs the same write lands in the in-memory layer only.
sb_run -- "$STATIC" "$SB_TMP" kept-layer.txt
if [[ $SB_RC != 0 ]] || ! grep -qx "kept=$SB_TMP/kept-layer.txt" <<<"$SB_OUT"; then
  soft_fail "hello could not write $SB_TMP/kept-layer.txt in the writable layer (exit $SB_RC)"
elif [[ -e $SB_TMP/kept-layer.txt ]]; then
  soft_fail "a file written inside the sandbox without --rootfs appeared on the host: $SB_TMP/kept-layer.txt"
else
  pass "without --rootfs a written file stays in the layer (not on the host)"
fi

# --- in a minimal rootfs: the dynamic binary, its libraries and the loader ----
drootfs=$SB_TMP/rootfs-dynamic
mkdir -p "$drootfs"
cp "$DYNAMIC" "$drootfs/hello"
libs=$(ldd "$DYNAMIC" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
if [[ -z $libs ]]; then
  fail "ldd $DYNAMIC found no libraries: is it really dynamic?"
fi
for lib in $libs; do
  mkdir -p "$drootfs$(dirname "$lib")"
  cp -L "$lib" "$drootfs$lib"
done
# ld.so may be asked for under its canonical path too.
interp=$(readelf -l "$DYNAMIC" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p' || true)
if [[ -n $interp && ! -e $drootfs$interp ]]; then
  mkdir -p "$drootfs$(dirname "$interp")"
  cp -L "$interp" "$drootfs$interp"
fi
sb_run --rootfs "$drootfs" -- /hello /tmp
check_hello "dynamic hello in a --rootfs with only its libraries and loader" sandbox

# Without the loader the program cannot start: the status says so (127 as
# for a missing command, or 126).
nolib=$SB_TMP/rootfs-noloader
mkdir -p "$nolib"
cp "$DYNAMIC" "$nolib/hello"
sb_run --rootfs "$nolib" -- /hello
if [[ $SB_RC == 127 || $SB_RC == 126 ]]; then
  pass "a dynamic program in a rootfs without its loader fails to start (exit $SB_RC)"
else
  soft_fail "a dynamic program in a rootfs without its loader: exit status $SB_RC, expected 127 (or 126)"
fi

finish
