#!/bin/bash
# Tenant rules under attack (docs/ARCHITECTURE.md, "Rules that hold under
# attack"): hidden and read-only paths by what a name leads to, masks that
# cover everything below them, listings that agree with lookups, directory
# descriptors judged by what they are, every openat2 resolve flag, chdir
# under a racing thread; no host facts; and a Sentry no app can stall.
# Each check names the attack it makes; the probes are in
# tests/integration/progs/rules_probe.c.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_prog rules_probe
P=$SB_PROGS/rules_probe
BB=/bin/busybox
need_program "$BB" busybox-static
need_program /usr/bin/python3 python3
SANDBOXCTL=$TESTS_BUILDDIR/client/sandboxctl
need_program "$SANDBOXCTL" "(the build tree's sandboxctl: run make)"
: >"$SB_TMP/base.conf"

policy() { # NAME BODY: a tenant policy file
  printf 'tenant = "r-%s"\n%s\n' "$1" "$2" >"$SB_TMP/$1.conf"
  echo "$SB_TMP/$1.conf"
}
run_with() { # POLICY [--timeout N] [sandbox-runtime do options] -- CMD...
  local p=$1 t=()
  shift
  if [[ ${1:-} == --timeout ]]; then t=(--timeout "$2"); shift 2; fi
  sb_run "${t[@]}" --policy "$p" --policy-base "$SB_TMP/base.conf" "$@"
}
# want WHAT LINE...: each LINE is in the last run's output.
want() {
  local what=$1 line
  shift
  for line in "$@"; do
    expect_line "$what: $line" "$line"
  done
}
# A shell line that runs the probe once per argument group, in one sandbox.
probe_script() {
  local out= args
  for args in "$@"; do
    out+="$P $args; "
  done
  printf '%s' "$out"
}

# ===========================================================================
# Paths
# ===========================================================================

# --- hidden and read-only paths that are symlinks, on the host root --------
# /etc/os-release -> ../usr/lib/os-release and /lib64 -> usr/lib64 on Debian;
# /etc/mtab -> /proc/mounts (it cannot even be resolved while the root is
# built) and /etc/localtime -> /usr/share/zoneinfo/Etc/UTC.
for l in /etc/os-release /lib64 /etc/mtab; do
  [[ -L $l ]] || fail "the host's $l is not a symlink: this test needs Debian 12's layout"
done
# /etc/localtime (package tzdata) is a symlink to a file under /usr.
have_localtime=false
[[ -L /etc/localtime && -f /etc/localtime ]] && have_localtime=true
pol=$(policy links 'filesystem {
  hidden = {"/etc/os-release", "/lib64", "/etc/shadow"}
  read-only = {"/etc/mtab", "/etc/localtime"}
}')
run_with "$pol" -- "$BB" sh -c "$(probe_script \
  "try read /etc/os-release" "try read /usr/lib/os-release" "try read /usr/../usr/lib/os-release" \
  "try lstat /etc/os-release" "try readlink /lib64" "try stat /usr/lib64" \
  "try read /usr/lib64/ld-linux-x86-64.so.2" "try symlink /tmp/osr /usr/lib/os-release" \
  "try read /tmp/osr" "try unlink /etc/mtab" "try rename /etc/mtab /tmp/mtab" \
  "try symlink /etc/mtab /tmp/x" "try lchown /etc/mtab")"
expect_rc "a policy with read-only symlinks starts (it failed at /etc/mtab before)" 0
want "hidden symlinks: the link and where it leads" \
  "read /etc/os-release ENOENT" "read /usr/lib/os-release ENOENT" "read /usr/../usr/lib/os-release ENOENT" \
  "lstat /etc/os-release ENOENT" "readlink /lib64 ENOENT" "stat /usr/lib64 ENOENT" \
  "read /usr/lib64/ld-linux-x86-64.so.2 ENOENT" "read /tmp/osr ENOENT"
want "read-only symlinks: the link cannot be removed, replaced or changed" \
  "unlink /etc/mtab EROFS" "rename /etc/mtab EROFS" "symlink /etc/mtab EROFS" "lchown /etc/mtab EROFS"
if $have_localtime; then
  lt=$(readlink -f /etc/localtime)
  run_with "$pol" -- "$BB" sh -c "$(probe_script "try write /etc/localtime" "try write $lt" \
    "try unlink /etc/localtime")"
  want "a read-only symlink's target cannot be written, by either name" \
    "write /etc/localtime EROFS" "write $lt EROFS" "unlink /etc/localtime EROFS"
else
  say "no /etc/localtime symlink here (tzdata): its checks are left out"
fi

# `policy check` warns about each symlink in either list.
"$SANDBOXCTL" policy check --base "$SB_TMP/base.conf" "$pol" >"$SB_TMP/check.out" 2>&1 && rc=0 || rc=$?
for l in /etc/os-release /lib64 /etc/mtab; do
  if [[ $rc == 0 ]] && grep -q "warning: .*\"$l\" is a symbolic link" "$SB_TMP/check.out"; then
    pass "policy check warns that $l is a symbolic link"
  else
    soft_fail "policy check (exit $rc) did not warn about $l: $(cat "$SB_TMP/check.out")"
  fi
done

# --- a tenant-owned --rootfs: renames of ancestors persist ------------------
# Run 1 tries to carry the protected files out from under their rules; run
# 2, with the same policy, must find them protected (or not at all).
R=$SB_TMP/rootfs
mkdir -p "$R"/{tmp,proc,sys,dev,etc/sub,data/keep,secret-dir}
chmod 1777 "$R/tmp"
cp "$P" "$R/probe"
cp "$P" "$R/secret-dir/x"
ln -s secret-dir "$R/secret-link"
echo SHADOW >"$R/etc/shadow"
echo KEY >"$R/data/keep/key"
echo CONF >"$R/etc/sub/conf"
chown -R 700000:700000 "$R"
tpol=$(policy tenantfs 'id-range = "700000-765535"
filesystem {
  hidden = {"/etc/shadow", "/secret-link"}
  read-only = {"/etc/sub/conf", "/data/keep"}
}')
run_with "$tpol" --rootfs "$R" -- /probe try rename /etc /etc2
want "run 1: an ancestor of a hidden path cannot be renamed" "rename /etc EBUSY"
run_with "$tpol" --rootfs "$R" -- /probe try rename /data /data2
want "run 1: an ancestor of a read-only path cannot be renamed" "rename /data EBUSY"
run_with "$tpol" --rootfs "$R" -- /probe try rmdir /etc/sub
want "run 1: an ancestor of a read-only path cannot be removed" "rmdir /etc/sub EBUSY"
run_with "$tpol" --rootfs "$R" -- /probe try rename /tmp /etc
want "run 1: nothing can be renamed onto an ancestor" "rename /tmp EBUSY"
[[ -f $R/etc/shadow && ! -e $R/etc2 && -d $R/data/keep && ! -e $R/data2 ]] &&
  pass "the tenant's rootfs on the host still has /etc/shadow and /data/keep where the rules name them" ||
  soft_fail "the rootfs changed on the host: $(ls "$R" | tr '\n' ' ')"
run_with "$tpol" --rootfs "$R" -- /probe try read /etc2/shadow
want "run 2: no renamed copy of the hidden file" "read /etc2/shadow ENOENT"
run_with "$tpol" --rootfs "$R" -- /probe try read /etc/shadow
want "run 2: the hidden file is still hidden" "read /etc/shadow ENOENT"
run_with "$tpol" --rootfs "$R" -- /probe try write /data/keep/key
want "run 2: the read-only file is still read-only" "write /data/keep/key EROFS"

# --- an open the rules refuse has no effect before the refusal ---------------
# The Gofer judges an open on one look and reopens that inode by its
# descriptor; a creation is judged by its name (the parent resolved once,
# the last component opened without following) before anything is made.
# Each attack leaves the tenant's rootfs (and a volume) on the host as it
# was: no file created under a hidden or read-only name, directly, through
# a dangling read-only symlink, through the app's own symlink, or through
# a symlink a thread swaps while the opens run; no read-only file
# truncated, even one that appeared after the sandbox started (no mount
# covers it then: the Gofer's rule alone holds it).
C=$SB_TMP/createfs
mkdir -p "$C"/{tmp,proc,sys,dev,data,etc,vol} "$SB_TMP/cvol/data"
chmod 1777 "$C/tmp"
cp "$P" "$C/probe"
cp "$BB" "$C/busybox"
echo KEEP >"$C/data/ro-file"
echo SHADOW >"$C/etc/shadow"
ln -s ro-target "$C/data/ro-link"
chown -R 700000:700000 "$C" "$SB_TMP/cvol"
cpol=$(policy createfs "id-range = \"700000-765535\"
filesystem {
  hidden = {\"/data/hid-new\", \"/etc/shadow\", \"/vol/hid-new\"}
  read-only = {\"/data/ro-new\", \"/data/ro-link\", \"/data/ro-file\", \"/data/ro-late\", \"/vol/ro-late\"}
  volume-roots = {\"$SB_TMP/cvol\"}
  volume data { source = \"$SB_TMP/cvol/data\"  target = \"/vol\" }
}")
run_with "$cpol" --rootfs "$C" -- /busybox sh -c '
  /busybox ln -s /data/hid-new /tmp/to-hid; /busybox ln -s /data/ro-new /tmp/to-ro
  for op in create creat; do
    for p in /data/hid-new /tmp/to-hid /vol/hid-new /data/ro-new /tmp/to-ro /data/ro-link; do /probe try $op $p; done
  done
  /probe try trunc /data/ro-file; /probe try trunc /etc/shadow; /probe try creat /etc/shadow
  /probe try creat /vol/made; /probe try create /tmp/made'
want "creations the rules refuse" \
  "create /data/hid-new ENOENT" "creat /data/hid-new ENOENT" "create /tmp/to-hid EEXIST" "creat /tmp/to-hid ENOENT" \
  "create /vol/hid-new ENOENT" "creat /vol/hid-new ENOENT" \
  "create /data/ro-new EROFS" "creat /data/ro-new EROFS" "create /tmp/to-ro EEXIST" "creat /tmp/to-ro EROFS" \
  "create /data/ro-link EEXIST" "creat /data/ro-link EROFS" \
  "trunc /data/ro-file EROFS" "trunc /etc/shadow ENOENT" "creat /etc/shadow ENOENT"
want "creations the rules allow, in a volume and in the root" "creat /vol/made ok" "create /tmp/made ok"
left=$(cd "$C" && ls -d data/hid-new data/ro-new data/ro-target 2>/dev/null || true)
left+=$(cd "$SB_TMP/cvol/data" && ls -d hid-new 2>/dev/null || true)
[[ -z $left ]] && pass "no file was created on the host under a hidden or read-only name (nor a read-only link's target)" ||
  soft_fail "created on the host despite the rules: $left"
[[ $(cat "$C/data/ro-file") == KEEP && $(cat "$C/etc/shadow") == SHADOW ]] &&
  pass "the read-only and the hidden file are unchanged on the host" ||
  soft_fail "changed on the host: ro-file '$(cat "$C/data/ro-file")', shadow '$(cat "$C/etc/shadow")'"
[[ $(cat "$SB_TMP/cvol/data/made" 2>/dev/null) == WRITTEN ]] && pass "the allowed creation reached the volume" ||
  soft_fail "the volume has no file 'made'"

run_with "$cpol" --timeout 120 --rootfs "$C" -- /busybox sh -c '
  echo safe >/tmp/safe
  /probe open-race /tmp/sw1 /tmp/safe /data/ro-link 1500
  /probe open-race /tmp/sw2 /tmp/safe /data/hid-new 1500
  /probe open-race /tmp/sw3 /tmp/safe /data/ro-file 1500
  /probe open-race /tmp/sw4 /tmp/safe /etc/shadow 1500
  /probe open-race /tmp/sw5 /tmp/safe /vol/hid-new 1500'
n=$(grep -c '^open-race 1500 opened [1-9]' <<<"$SB_OUT" || true)
[[ $n == 5 ]] && pass "open(O_CREAT|O_TRUNC) races ran (the safe target opened in each)" ||
  soft_fail "open races: $(grep open-race <<<"$SB_OUT" | tr '\n' ' ') $SB_ERR"
left=$(cd "$C" && ls -d data/hid-new data/ro-target 2>/dev/null || true)
left+=$(cd "$SB_TMP/cvol/data" && ls -d hid-new 2>/dev/null || true)
[[ -z $left && $(cat "$C/data/ro-file") == KEEP && $(cat "$C/etc/shadow") == SHADOW ]] &&
  pass "a symlink swapped under open(O_CREAT|O_TRUNC) reached no hidden or read-only name" ||
  soft_fail "after the races: created '$left', ro-file '$(cat "$C/data/ro-file")', shadow '$(cat "$C/etc/shadow")'"

# A read-only file that appears after the start has no read-only mount:
# the rule alone must keep an O_TRUNC from emptying it, and its mode,
# owner, extended attributes and times from changing through a descriptor:
# a read-only one (fchmod and the rest run on the host: the Gofer gives it
# from its read-only copy of the root) or an O_PATH one by its
# /proc/self/fd name (the kernel opens those on the writable mount; the
# Sentry judges the name).
rm -f "$C/data/ro-late" "$SB_TMP/cvol/data/ro-late"
(run_with "$cpol" --timeout 60 --rootfs "$C" -- /busybox sh -c '
  i=0; while [ ! -s /data/ro-late ] && [ $i -lt 400 ]; do /busybox usleep 50000; i=$((i+1)); done
  i=0; while [ ! -s /vol/ro-late ] && [ $i -lt 400 ]; do /busybox usleep 50000; i=$((i+1)); done
  /probe try fdattr-chmod /vol/ro-late; /probe try pathattr-utime /vol/ro-late
  /probe try trunc /data/ro-late; /probe try creat /data/ro-late
  /probe try fdtrunc /data/ro-late; /probe try fdpathtrunc /data/ro-late
  /probe try fdlink /data/ro-late /data/ro-late-link
  for a in chmod chown xattr utime; do /probe try fdattr-$a /data/ro-late; done
  for a in chmod chown xattr utime emptychown; do /probe try pathattr-$a /data/ro-late; done
  /busybox cat /data/ro-late') &
late=$!
sleep 2
for f in "$C/data/ro-late" "$SB_TMP/cvol/data/ro-late"; do
  echo LATE >"$f.tmp" && chown 700000:700000 "$f.tmp" && chmod 644 "$f.tmp" && mv "$f.tmp" "$f"
done
late_stat=$(stat -c '%a %u %g %Y' "$C/data/ro-late")
vol_stat=$(stat -c '%a %u %g %Y' "$SB_TMP/cvol/data/ro-late")
wait "$late" || true
SB_OUT=$(cat "$SB_TMP/run.out")
want "a read-only file made after the start" "trunc /data/ro-late EROFS" "creat /data/ro-late EROFS" \
  "fdtrunc /data/ro-late EACCES" "fdpathtrunc /data/ro-late EACCES" "fdlink /data/ro-late ENOENT" \
  "fdattr-chmod /data/ro-late EROFS" "fdattr-chown /data/ro-late EROFS" "fdattr-xattr /data/ro-late EROFS" \
  "fdattr-utime /data/ro-late EROFS" "pathattr-chmod /data/ro-late EROFS" "pathattr-chown /data/ro-late EROFS" \
  "pathattr-xattr /data/ro-late EROFS" "pathattr-utime /data/ro-late EROFS" \
  "pathattr-emptychown /data/ro-late EROFS" "LATE" \
  "fdattr-chmod /vol/ro-late EROFS" "pathattr-utime /vol/ro-late EROFS"
xattrs() { /usr/bin/python3 -c 'import os, sys; print(" ".join(os.listxattr(sys.argv[1])))' "$1"; }
[[ $(stat -c '%a %u %g %Y' "$C/data/ro-late") == "$late_stat" && -z $(xattrs "$C/data/ro-late") &&
  $(stat -c '%a %u %g %Y' "$SB_TMP/cvol/data/ro-late") == "$vol_stat" ]] &&
  pass "the late read-only file's mode, owner, times and attributes are unchanged on the host" ||
  soft_fail "the late read-only file changed: $late_stat -> $(stat -c '%a %u %g %Y' "$C/data/ro-late") $(xattrs "$C/data/ro-late")"
[[ $(cat "$C/data/ro-late") == LATE ]] && pass "the late read-only file was not truncated on the host" ||
  soft_fail "the late read-only file is now '$(cat "$C/data/ro-late")'"
[[ ! -e $C/data/ro-late-link ]] && pass "the late read-only file got no second name on the host" ||
  soft_fail "a second name of the late read-only file was made: $C/data/ro-late-link"

# The reopen by descriptor keeps the kernel's own permission checks: an
# unprivileged user of the sandbox cannot read, truncate or write through
# it what the file's mode refuses (with no rules and with rules, which take
# the other path of a creation).
perm_script='
import os, errno
def t(name, path, flags):
    try:
        os.close(os.open(path, flags, 0o644)); r = "ok"
    except OSError as e: r = errno.errorcode[e.errno]
    print(name, r)
os.makedirs("/tmp/p", exist_ok=True)
open("/tmp/p/ro", "w").write("keep")
os.chmod("/tmp/p/ro", 0o400)
pid = os.fork()
if pid == 0:
    os.setgroups([]); os.setgid(1000); os.setuid(1000)
    t("perm-read", "/tmp/p/ro", os.O_RDONLY)
    t("perm-trunc", "/tmp/p/ro", os.O_WRONLY | os.O_TRUNC)
    t("perm-create", "/tmp/p/new", os.O_WRONLY | os.O_CREAT)
    t("perm-dir-write", "/tmp/p", os.O_RDWR)
    os._exit(0)
os.waitpid(pid, 0)
print("content", open("/tmp/p/ro").read(), os.path.exists("/tmp/p/new"))'
ppol=$(policy perms 'filesystem {
  hidden = {"/nonexistent-hidden"}
}')
perm_lines=("perm-read EACCES" "perm-trunc EACCES" "perm-create EACCES" "perm-dir-write EISDIR" "content keep False")
sb_run -- /usr/bin/python3 -c "$perm_script"
want "open by an unprivileged user, no rules" "${perm_lines[@]}"
run_with "$ppol" -- /usr/bin/python3 -c "$perm_script"
want "open by an unprivileged user, with rules" "${perm_lines[@]}"

# --- chdir under a racing thread --------------------------------------------
# chdir is continued on the host, so a second thread can swap its path
# after the check: the working directory may land in a hidden directory
# (here the target of a hidden symlink). What the kernel resolves there
# alone (execve of ./x, a "#!./x" interpreter) and what the Sentry resolves
# (open of "x") must find nothing: x is a program that exits 42.
run_with "$tpol" --timeout 120 --rootfs "$R" -- /probe chdir-race /secret-link 4000
want "chdir to a hidden symlinked directory" "chdir-direct ENOENT"
want "nothing in the hidden directory is reached from the cwd (execve ./x, #!./x, open x)" "leaks 0"
landed=$(awk '/^landed-count/ {print $2}' <<<"$SB_OUT")
say "the race landed the cwd in the hidden directory ${landed:-?} times out of 4000"

# --- open(O_PATH) under a racing thread -------------------------------------
# The kernel makes O_PATH opens (it will not install one through the
# Sentry) after the Gofer checked the path, so a second thread can swap it
# to a hidden file. The descriptor it may get must show nothing of that
# file: not its size, not its content through /proc/self/fd/N.
run_with "$tpol" --timeout 120 --rootfs "$R" -- /probe opath-race /etc/shadow 4000
want "open(O_PATH) of a hidden file" "opath-direct ENOENT"
want "nothing of the hidden file is reached through a raced O_PATH descriptor" "leaks 0"
landed=$(awk '/^landed-count/ {print $2}' <<<"$SB_OUT")
say "the O_PATH race landed on the hidden file's mask ${landed:-?} times out of 4000"

# --- hidden names that appear after the start --------------------------------
# A hidden name with nothing there at the start has no mask of its own: the
# host creates it later in the host root (the sandbox's lower layer), here
# a file, a file under a directory that did not exist, and the target of a
# dangling symlink. The raced O_PATH open must still find nothing of them
# (protect.c, cover_missing). The overlay keeps a name it looked up and did
# not find as missing until the kernel drops that entry, which a busy host
# does any time: the host drops its unused ones (drop_caches 2) before the
# race, so that without the placeholders the race reaches the files.
L=$SB_TMP/late
mkdir -p "$L/sig"
chown 700000:700000 "$L/sig"
ln -s tgt "$L/link"
lpol=$(policy late "id-range = \"700000-765535\"
filesystem {
  hidden = {\"$L/secret\", \"$L/nodir/secret\", \"$L/link\", \"/sig/hid-new/x\", \"/sig/vsecret\"}
  volume-roots = {\"$L/sig\"}
  volume sig { source = \"$L/sig\"  target = \"/sig\"  read-only = false }
}")
(
  for _ in $(seq 600); do [[ -e $L/sig/ready ]] && break; sleep 0.05; done
  printf 'SHADOW-late-file\n' >"$L/secret"
  mkdir "$L/nodir"
  printf 'SHADOW-late-under-a-new-dir\n' >"$L/nodir/secret"
  printf 'SHADOW-late-link-target\n' >"$L/tgt"
  printf 'SHADOW-in-a-volume\n' >"$L/sig/vsecret"
  chown 700000:700000 "$L/sig/vsecret" && chmod 644 "$L/sig/vsecret" && touch -d @1000000000 "$L/sig/vsecret"
  sync
  echo 2 >/proc/sys/vm/drop_caches
  touch "$L/sig/go"
) &
late_pid=$!
run_with "$lpol" --timeout 120 -- /bin/sh -c "ls -a '$L' | tr '\n' ' ' | sed 's/^/listing-before /'; echo
  : >/sig/ready; i=0; while [ ! -e /sig/go ] && [ \$i -lt 600 ]; do sleep 0.05; i=\$((i+1)); done
  ls -a '$L' | tr '\n' ' ' | sed 's/^/listing-after /'; echo
  for f in '$L/secret' '$L/nodir/secret' '$L/link' '$L/tgt'; do cat \"\$f\" >/dev/null 2>&1 && echo \"read-ok \$f\" || echo \"read-refused \$f\"; done
  $P opath-race '$L/secret' 3000 | sed 's/^/file: /'
  $P opath-race '$L/nodir/secret' 3000 | sed 's/^/new-dir: /'
  $P opath-race '$L/link' 3000 | sed 's/^/link: /'
  $P opath-race-change /sig/vsecret 3000 | sed 's/^/vol: /'"
wait "$late_pid" || true
want "hidden names that appear later are read by no name" "read-refused $L/secret" \
  "read-refused $L/nodir/secret" "read-refused $L/link" "read-refused $L/tgt"
want "a hidden name that appears later in the host root" "file: opath-direct ENOENT" "file: leaks 0"
want "a hidden name below a directory that appears later" "new-dir: opath-direct ENOENT" "new-dir: leaks 0"
want "the later target of a hidden dangling symlink" "link: opath-direct ENOENT" "link: leaks 0"
expect_line "the listing shows none of them, before or after" "listing-before . .. nodir sig "
expect_line "the listing shows none of them after they appear" "listing-after . .. nodir sig "
for w in file new-dir link; do
  landed=$(awk -v w="$w:" '$1 == w && $2 == "landed-count" {print $3}' <<<"$SB_OUT")
  say "$w: the O_PATH race landed on the placeholder's mask ${landed:-?} times out of 3000"
done
[[ $(cat "$L/secret" "$L/nodir/secret" "$L/tgt") == $'SHADOW-late-file\nSHADOW-late-under-a-new-dir\nSHADOW-late-link-target' &&
  $(cd "$L" && ls -A | tr '\n' ' ') == "link nodir secret sig tgt " && $(ls -A "$L/nodir") == secret ]] &&
  pass "the host's late files are as the host wrote them, and nothing was added beside them" ||
  soft_fail "host side of the late names: $(cd "$L" && ls -AlR)"
# In a volume a late hidden name has no placeholder (it would be written
# into the tenant's directory): a raced O_PATH open may land on the file
# itself, but nothing may change it through that descriptor (sb_fd_check).
want "a hidden name that appears later in a volume" "vol: opath-direct ENOENT" "vol: changed 0"
landed=$(awk '$1 == "vol:" && $2 == "landed-count" {print $3}' <<<"$SB_OUT")
say "vol: the O_PATH race landed on the volume's late hidden file ${landed:-?} times out of 3000"
[[ $(stat -c '%a %Y' "$L/sig/vsecret") == "644 1000000000" ]] &&
  pass "the volume's late hidden file keeps its mode and times on the host" ||
  soft_fail "the volume's late hidden file changed: $(stat -c '%a %Y' "$L/sig/vsecret")"
[[ $(ls -A "$L/sig" | tr '\n' ' ') == "go ready vsecret " ]] &&
  pass "no placeholder is written into a volume (a hidden name there that did not exist)" ||
  soft_fail "the volume holds: $(ls -AlR "$L/sig")"

# --- Unix bind under a racing rename ----------------------------------------
# A Unix path the Gofer checked is bound under the app's own name, which the
# kernel resolves again in the app's root (so that getsockname and the
# others show it): a thread exchanges the directory with a symlink to a
# read-only one meanwhile. Nothing may be bound in the read-only directory,
# which the app's mount namespace holds read-only (protect.c).
mkdir -p "$SB_TMP/bind-ro"
bpol=$(policy bindrace "filesystem {
  read-only = {\"$SB_TMP/bind-ro\"}
}")
run_with "$bpol" --timeout 120 -- "$P" bind-race "$SB_TMP/bind-rw" "$SB_TMP/bind-ro" 2000
want "bind of a Unix path in a read-only directory" "bind-direct EROFS"
want "nothing is bound in a read-only directory through a raced rename" "bind-race landed 0"
bound=$(awk '/^bind-race bound/ {print $3}' <<<"$SB_OUT")
say "the rename race let ${bound:-?} of 2000 binds through (in the writable directory)"

# --- Unix connect under a racing thread -------------------------------------
# In network mode none the kernel makes a Unix socket's connect for the app
# (so the peer's SO_PEERCRED names the app's pid) after the Gofer found the
# path: a thread swaps the path meanwhile to a socket the tenant's policy
# hides, in a volume (a bind mount: the host's socket is reachable through
# it), whose listener is outside the sandbox and answers "H". No connect may
# reach it: in the app's mount namespace the hidden directory is an empty
# read-only mount. Without the rule the same probe reaches it.
mkdir -p "$SB_TMP/kvol/s/hid"
chmod 755 "$SB_TMP/kvol" "$SB_TMP/kvol/s" "$SB_TMP/kvol/s/hid"
/usr/bin/python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o777); s.listen(64)
print("ready", flush=True)
while True:
    a, _ = s.accept()
    try: a.send(b"H")
    except OSError: pass
    a.close()' "$SB_TMP/kvol/s/hid/h.sock" >"$SB_TMP/hsock.out" 2>&1 &
hsock_pid=$!
for _ in $(seq 100); do grep -q ready "$SB_TMP/hsock.out" 2>/dev/null && break; sleep 0.05; done
kvol="volume-roots = {\"$SB_TMP/kvol\"}
  volume s { source = \"$SB_TMP/kvol/s\"  target = \"/vs\" }"
kpol_open=$(policy connopen "filesystem {
  $kvol
}")
kpol=$(policy connrace "filesystem {
  hidden = {\"/vs/hid\"}
  $kvol
}")
run_with "$kpol_open" --timeout 120 -- "$P" connect-race /vs/hid/h.sock 3000
want "without the rule, the volume's socket is reached (the probe can tell)" "connect-direct ok"
grep -q '^leaks [1-9]' <<<"$SB_OUT" && pass "without the rule, the race reaches the volume's socket" ||
  soft_fail "without the rule, the connect race never reached the volume's socket: $SB_OUT"
run_with "$kpol" --timeout 120 -- "$P" connect-race /vs/hid/h.sock 3000
kill "$hsock_pid" 2>/dev/null || true
wait "$hsock_pid" 2>/dev/null || true
want "connect to a hidden Unix socket" "connect-direct ENOENT"
want "no raced connect reaches a hidden Unix socket" "leaks 0"
own=$(awk '/^connect-race own/ {print $3}' <<<"$SB_OUT")
[[ ${own:-0} -gt 0 ]] && pass "the connect race ran (the probe's own socket answered ${own} of 3000 times)" ||
  soft_fail "connect race: the own socket never answered: $SB_OUT $SB_ERR"

# --- TCP connect under a racing thread, network mode none -------------------
# The app's own connect (CONTINUE) reads the address again; a thread swaps it
# between the probe's own listener and the host's loopback, where a listener
# of the test answers "H". The sandbox's network namespace has only its own
# loopback: no connect may reach the host's.
/usr/bin/python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
print(s.getsockname()[1], flush=True)
while True:
    a, _ = s.accept()
    try: a.send(b"H")
    except OSError: pass
    a.close()' >"$SB_TMP/hin.out" 2>&1 &
hin_pid=$!
for _ in $(seq 100); do [[ -s $SB_TMP/hin.out ]] && break; sleep 0.05; done
hport=$(head -1 "$SB_TMP/hin.out")
run_with "$(policy inrace 'network { mode = none }')" --timeout 120 -- "$P" connect-race-inet 127.0.0.1 "$hport" 3000
want "a connect to the host's loopback from mode none" "connect-direct ECONNREFUSED"
want "no raced TCP connect reaches the host's loopback" "leaks 0"
own=$(awk '/^connect-race own/ {print $3}' <<<"$SB_OUT")
[[ ${own:-0} -gt 0 ]] && pass "the TCP connect race ran (the probe's own listener answered ${own} of 3000 times)" ||
  soft_fail "TCP connect race: the own listener never answered: $SB_OUT $SB_ERR"
timeout 5 /usr/bin/python3 -c '
import socket, sys
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5); print(c.recv(1).decode())' "$hport" |
  grep -qx H && pass "the host's listener answers on the host (the probe could tell)" ||
  soft_fail "the host's loopback listener did not answer"
kill "$hin_pid" 2>/dev/null || true
wait "$hin_pid" 2>/dev/null || true

# --- masks cover everything below them, by any name -------------------------
paths=()
for p in /sys/firmware/acpi/tables/DSDT /proc/bus/pci/devices /proc/fs/ext4/*/options \
  /sys/module/*/parameters/* /proc/irq/*/smp_affinity /sys/firmware /proc/irq /proc/bus; do
  [[ -e $p ]] && paths+=("$p")
  ((${#paths[@]} < 24)) || break
done
((${#paths[@]} > 3)) || fail "the host has too few of the masked entries to test"
script=
for p in "${paths[@]}"; do
  script+="$P try read $p; $P try stat ${p/\/proc\//\/proc\/.\/}; ln -s $p /tmp/l; $P try read /tmp/l; rm -f /tmp/l; "
done
sb_run -- "$BB" sh -c "$script"
bad=$(grep -v ' ENOENT$' <<<"$SB_OUT" || true)
[[ $SB_RC == 0 && -z $bad && $(grep -c ' ENOENT$' <<<"$SB_OUT") == $((3 * ${#paths[@]})) ]] &&
  pass "${#paths[@]} masked /proc and /sys paths and their children are ENOENT by name, through '.', through a symlink" ||
  soft_fail "masked paths reachable (exit $SB_RC): $bad"

# --- listings agree with lookups --------------------------------------------
run_with "$pol" -- "$BB" sh -c "$(probe_script "list /etc" "list-old /etc" "list /" "list /usr/lib")"
for n in shadow os-release lib64; do
  if grep -qx "name $n" <<<"$SB_OUT"; then soft_fail "listings: hidden name '$n' is listed"
  else pass "listings: hidden name '$n' is not listed (getdents and getdents64)"; fi
done
grep -qx 'name passwd' <<<"$SB_OUT" && grep -qx 'name usr' <<<"$SB_OUT" &&
  pass "listings: the other names are there" || soft_fail "listings lost names: $SB_OUT"
sb_run -- "$BB" sh -c "$(probe_script "list /proc" "list-old /proc")"
procnames=$(awk '/^name / && $2 !~ /^[0-9]+$/ && $2 != "." && $2 != ".." {print $2}' <<<"$SB_OUT" | sort -u | tr '\n' ' ')
script=
for n in $procnames; do script+="$P try lstat /proc/$n; "; done
sb_run -- "$BB" sh -c "$script"
bad=$(grep -v ' ok$' <<<"$SB_OUT" || true)
[[ -n $procnames && -z $bad ]] && pass "every name listed in /proc exists ($procnames)" ||
  soft_fail "/proc lists names that do not exist: $bad"
sb_run -- "$BB" ls /proc /sys /sys/devices/system/cpu
expect_rc "ls /proc /sys /sys/devices/system/cpu meets no vanished name" 0

# --- directory descriptors are what they are --------------------------------
sb_run -- "$P" dirfd
want "openat relative to what is not a directory" "regular-file ENOTDIR" "regular-file-dotdot ENOTDIR" \
  "memfd ENOTDIR" "pipe ENOTDIR" "socket ENOTDIR"
want "a directory whose name ends in ' (deleted)' is a directory" "deleted-looking-dir ok"
want "a removed directory" "removed-dir ENOENT"

# --- the caller's own magic links in a path ----------------------------------
# /proc/self/cwd/X, /proc/self/root/X and /proc/self/fd/N/X are resolved by
# the Sentry to where the link leads, then by the Gofer inside the root: a
# hidden file stays hidden by these names, '..' stays in the root, a
# descriptor that is not a directory is ENOTDIR, and another process's
# links are not followed.
pol=$(policy ownlinks 'filesystem {
  hidden = {"/etc/shadow"}
}')
run_with "$pol" -- "$BB" sh -c "cd /etc && exec 3</etc 4</etc/passwd && $(probe_script \
  "try read /proc/self/cwd/shadow" "try read /proc/self/cwd/../../../../etc/shadow" \
  "try stat /proc/self/root/etc/shadow" "try read /proc/self/fd/3/shadow" \
  "try read /proc/thread-self/fd/3/shadow" "try stat /proc/self/fd/4/x" \
  "try read /proc/self/cwd/../../../../etc/passwd" "try read /proc/1/cwd/etc/passwd" \
  "try read /proc/self/fd/3/../../../../etc/passwd")"
want "own magic links: a hidden file stays hidden, '..' stays in the root" \
  "read /proc/self/cwd/shadow ENOENT" "read /proc/self/cwd/../../../../etc/shadow ENOENT" \
  "stat /proc/self/root/etc/shadow ENOENT" "read /proc/self/fd/3/shadow ENOENT" \
  "read /proc/thread-self/fd/3/shadow ENOENT" "stat /proc/self/fd/4/x ENOTDIR"
expect_line_re "own magic links: '..' above the root is the root (cwd)" "read /proc/self/cwd/\\.\\./\\.\\./\\.\\./\\.\\./etc/passwd ok [0-9][0-9]*"
expect_line_re "own magic links: '..' above the root is the root (fd)" "read /proc/self/fd/3/\\.\\./\\.\\./\\.\\./\\.\\./etc/passwd ok [0-9][0-9]*"
if grep -q "^read /proc/1/cwd/etc/passwd ok" <<<"$SB_OUT"; then
  soft_fail "own magic links: another process's cwd link was followed"
else
  pass "own magic links: another process's links are not followed"
fi

# --- symlinks into /proc/self -------------------------------------------------
# The Gofer, not in the sandbox's pid namespace, sends back a path whose
# symlinks lead into /proc/self with those links replaced by their targets
# (/etc/mtab -> /proc/mounts -> self/mounts); the Sentry puts the caller's
# ids in and asks again. The walk that finds such a link must not pass a
# hidden name, and what it leads to is judged again.
mkdir -p "$SB_TMP/hid" "$SB_TMP/vis"
ln -s /proc/self "$SB_TMP/hid/ps"
ln -s "$SB_TMP/hid/ps" "$SB_TMP/vis/via-hidden"
ln -s /proc/self/cwd "$SB_TMP/vis/cwd"
ln -s /proc/self/root/etc "$SB_TMP/vis/etc"
ln -s /proc/self "$SB_TMP/vis/ps"
pol=$(policy selflinks "filesystem {
  hidden = {\"/etc/shadow\", \"$SB_TMP/hid\"}
}")
run_with "$pol" -- "$BB" sh -c "cd /etc && $(probe_script \
  "try read $SB_TMP/hid/ps/comm" "try read $SB_TMP/vis/via-hidden/comm" "try stat $SB_TMP/vis/via-hidden/" \
  "try read $SB_TMP/vis/cwd/shadow" "try read $SB_TMP/vis/etc/shadow" \
  "try read $SB_TMP/vis/ps/comm" "try read $SB_TMP/vis/cwd/passwd")"
want "symlinks into /proc/self: a hidden name stays hidden on the way and at the end" \
  "read $SB_TMP/hid/ps/comm ENOENT" "read $SB_TMP/vis/via-hidden/comm ENOENT" \
  "stat $SB_TMP/vis/via-hidden/ ENOENT" "read $SB_TMP/vis/cwd/shadow ENOENT" "read $SB_TMP/vis/etc/shadow ENOENT"
expect_line_re "symlinks into /proc/self: one's own /proc entry" "read $SB_TMP/vis/ps/comm ok [0-9][0-9]*"
expect_line_re "symlinks into /proc/self: one's own cwd" "read $SB_TMP/vis/cwd/passwd ok [0-9][0-9]*"

# --- every openat2 resolve flag is honoured or refused ----------------------
sb_run -- "$P" openat2 /tmp/o2
want "openat2" "plain ok" "no-symlinks-middle ELOOP" "no-symlinks-plain ok" "no-symlinks-proc-self ELOOP" \
  "no-magiclinks ELOOP" "no-xdev-cross EXDEV" "no-xdev-same ok" "beneath-inside ok" "beneath-dotdot EXDEV" \
  "beneath-absolute EXDEV" "beneath-abs-symlink EXDEV" "in-root-absolute ok" "in-root-dotdot ok" \
  "in-root-abs-symlink ok" "in-root-outside ENOENT" "beneath-and-in-root EINVAL" "cached-create EAGAIN" \
  "unknown-flag EINVAL"

# ===========================================================================
# Tracers (compat profile)
# ===========================================================================
# Under compat, ptrace runs on the host within the sandbox's pid namespace;
# attaching is judged by the Sentry, which keeps the init out of reach. A
# tracer that rewrites its tracee's call at the syscall-entry stop cannot
# get past the filter: the kernel runs seccomp after that stop. Under
# default, ptrace is refused.
pol=$(policy tracers 'syscalls { profile = compat  audit = denied }')
run_with "$pol" -- /usr/bin/python3 "$SB_LIB_DIR/progs/ptrace_swap.py"
want "ptrace (compat): the sandbox's init cannot be traced" \
  "attach-init Operation not permitted" "seize-init Operation not permitted"
want "ptrace (compat): a call a tracer swaps in is judged by the filter" \
  "tracee refused Operation not permitted" "swapped True"
need_program /usr/bin/strace strace
run_with "$pol" -- /usr/bin/strace -f -o /dev/null /bin/busybox sh -c 'exit 7'
expect_rc "ptrace (compat): strace -f runs a traced shell" 7
# gdb runs its inferior to a signal, through a breakpoint, and shows the
# stack: it stats the inferior's /proc/<pid>/ns/mnt to compare it with its
# own (ELOOP there made it give up on the inferior); /proc/<pid>/mem stays
# refused for writing, and gdb goes on without it.
need_program /usr/bin/gdb gdb
run_with "$pol" --timeout 120 -- /usr/bin/gdb -nx -batch -ex 'set breakpoint pending on' -ex 'break getpid' \
  -ex run -ex bt -ex continue -ex bt --args /bin/dash -c 'echo pid $$; kill -SEGV $$'
want "ptrace (compat): gdb stops at a breakpoint and at a signal, with a backtrace" \
  "Program received signal SIGSEGV, Segmentation fault."
if ! grep -qE '^Breakpoint 1(\.1)?, .*getpid' <<<"$SB_OUT" || ! grep -qE '^#0 .*getpid' <<<"$SB_OUT"; then
  soft_fail "ptrace (compat): gdb's breakpoint on getpid was not hit: $(head -c 600 <<<"$SB_OUT$SB_ERR")"
else
  pass "ptrace (compat): gdb's breakpoint on getpid is hit"
fi
sb_run -- /usr/bin/python3 "$SB_LIB_DIR/progs/ptrace_swap.py"
want "ptrace (default): refused" "attach-init Operation not permitted" "tracee refused Operation not permitted"

# ===========================================================================
# Host facts
# ===========================================================================
facts=(/proc/vmstat /proc/buddyinfo /proc/partitions /proc/diskstats /proc/interrupts
  /sys/kernel/notes /sys/kernel/btf /sys/kernel/vmcoreinfo /sys/block /sys/devices/system/node
  /sys/class/block /sys/devices/virtual/dmi /proc/swaps /proc/modules)
script=
for f in "${facts[@]}"; do
  [[ -e $f ]] && script+="$P try read $f; $P try stat $f; "
done
script+="$P try read /proc/self/sched; $P try read /proc/self/timens_offsets; "
script+="cat /proc/sys/kernel/random/boot_id /proc/sys/kernel/random/boot_id; cut -d' ' -f22 /proc/self/stat; cat /proc/cmdline"
sb_run -- "$BB" sh -c "$script"
bad=$(grep -E '^(read|stat) ' <<<"$SB_OUT" | grep -Ev ' ENOENT$' || true)
[[ -z $bad ]] && pass "host memory, disks, interrupts, kernel build and per-process host clocks: none readable" ||
  soft_fail "host facts readable: $bad"
mapfile -t ids < <(grep -E '^[0-9a-f]{8}-' <<<"$SB_OUT")
host_id=$(cat /proc/sys/kernel/random/boot_id)
[[ ${#ids[@]} == 2 && ${ids[0]} == "${ids[1]}" && ${ids[0]} != "$host_id" ]] &&
  pass "boot_id is the sandbox's own (stable within it, not the host's)" ||
  soft_fail "boot_id: ${ids[*]:-none} (host $host_id)"
start=$(grep -xE '[0-9]+' <<<"$SB_OUT" | head -n 1)
host_start=$(cut -d' ' -f22 /proc/self/stat)
[[ -n $start && $start -lt 3000 && $host_start -gt $((start + 1000)) ]] &&
  pass "field 22 of /proc/self/stat counts from the sandbox's start ($start ticks; the host's shell: $host_start)" ||
  soft_fail "field 22 of /proc/self/stat: '$start' (the host's shell: $host_start)"
grep -q 'BOOT_IMAGE=/boot/vmlinuz-6.1.0' <<<"$SB_OUT" && ! grep -qF "$(cut -c1-40 /proc/cmdline)" <<<"$SB_OUT" &&
  pass "/proc/cmdline is the sandbox's" || soft_fail "/proc/cmdline: $(grep BOOT <<<"$SB_OUT" || echo none)"
sb_run -- /usr/bin/python3 -c 'import time; print(int(time.monotonic()), int(time.clock_gettime(time.CLOCK_BOOTTIME)))'
read -r mono boot <<<"$SB_OUT"
[[ $SB_RC == 0 && $mono -lt 60 && $boot -lt 60 ]] &&
  pass "CLOCK_MONOTONIC and CLOCK_BOOTTIME start with the sandbox ($mono s, $boot s)" ||
  soft_fail "clocks in the sandbox: [$SB_OUT] (exit $SB_RC)"
grep -q 'cosmetic' "$TESTS_SRCDIR/man/sandbox-policy.5" &&
  pass "sandbox-policy(5) says uname-release is cosmetic (the vDSO shows the real kernel)" ||
  soft_fail "sandbox-policy(5) does not say that uname-release is cosmetic"

# ===========================================================================
# A Sentry no app can stall
# ===========================================================================

# --- callers killed while their FIFO open waits ------------------------------
sb_run --timeout 120 -- "$P" fifo-kill 300 /tmp/fifo
expect_line_re "300 openers killed while waiting; a blocking open is still served" \
  'after 300 killed openers: blocking open ok (0\.[0-9] s)'

# --- a lease held by the app ---------------------------------------------------
sb_run --timeout 120 -- "$P" lease /tmp/leased
expect_line_re "a lease being broken holds no other call (the lease holder keeps it 2 s)" \
  'stat during the lease break: worst 0\.[0-2][0-9] s'
expect_line_re "reopening a leased file waits for the break, as on the host" 'reopen ok after [23]\.[0-9] s.*'
expect_line_re "opening a leased file by name waits for the break (not EAGAIN)" 'open by name ok after [23]\.[0-9] s'

# --- descriptors the Gofer cannot hand over -----------------------------------
# A device is opened by the Gofer and travels to the Sentry over a socket,
# which the full quota refuses.
ipol=$(policy inflight 'limits { open-files = 1024 }')
run_with "$ipol" --timeout 60 -- "$P" inflight /dev/null
expect_rc "the sandbox survives a full quota of descriptors in flight" 0
want "an open that cannot get its descriptor fails alone" "open while the quota is full: EMFILE" "open after: ok"
grep -q "lost the Gofer" <<<"$SB_ERR" && soft_fail "the sandbox lost its Gofer: $SB_ERR" ||
  pass "the Gofer is still there"
# A read-only open of the root's own file is the Sentry's (directfs.c):
# nothing travels, and it succeeds, as it would natively.
run_with "$ipol" --timeout 60 -- "$P" inflight /etc/hostname
expect_rc "the sandbox survives a full quota of descriptors in flight (read-only open in the root)" 0
want "a read-only open in the root needs no descriptor in flight" "open while the quota is full: ok" "open after: ok"

# --- --strace escapes what the app names ---------------------------------------
evil=$'/tmp/a\n[     1] open("/etc/shadow", O_RDONLY) = 3 [sentry]\n\e]0;owned\a\e[2J'
sb_run --strace -- "$P" try read "$evil"
if grep -q $'\e' <<<"$SB_ERR"; then
  soft_fail "--strace wrote an escape sequence of the app's to the terminal"
else
  pass "--strace shows no raw escape sequence"
fi
if grep -q '^\[     1\] open("/etc/shadow"' <<<"$SB_ERR"; then
  soft_fail "--strace let the app forge a trace line"
else
  pass "--strace lets no app string start a trace line"
fi
grep -qF '\n[     1] open(\"/etc/shadow\"' <<<"$SB_ERR" && grep -qF '\033]0;owned\007' <<<"$SB_ERR" &&
  pass "--strace escapes as strace does (\\n, \\\", octal)" || soft_fail "--strace output: $(grep openat <<<"$SB_ERR" | head -n 3)"

finish
