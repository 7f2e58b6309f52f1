#!/usr/bin/env bash
# The sandbox's user namespace, tried as an attacker would: the app is never
# host uid 0; what it leaves behind gives a host user nothing; tenants do
# not share per-user kernel quotas; a --rootfs or volume cannot be swapped
# for a symlink to the host; the dangerous directories are refused.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PY=/usr/bin/python3
BB=/bin/busybox
need_program "$PY" python3
need_program "$BB" busybox-static
need_program /usr/bin/setpriv util-linux
need_prog idprobe
: >"$SB_TMP/base.conf"

# run_as POLICY ARGS...: sb_run with a tenant policy over an empty base.
run_as() {
  local p=$1
  shift
  sb_run --policy "$p" --policy-base "$SB_TMP/base.conf" "$@"
}

# --- who the app is ----------------------------------------------------------
pol=$(sb_tenant_policy alpha 400000)
run_as "$pol" -- "$PY" -c '
import os
print("id", os.getuid(), os.geteuid(), os.getgid())
print("map", " ".join(open("/proc/self/uid_map").read().split()))
st = os.stat("/etc/passwd"); print("passwd", st.st_uid, st.st_gid)
print("shadow-root", len(open("/etc/shadow").read()) > 0)'
expect_line "the app is root inside" "id 0 0 0"
expect_line "its ids are the tenant's host ids (uid_map 0 400000 65536)" "map 0 400000 65536"
expect_line "the host root's files show their usual owners inside (idmapped)" "passwd 0 0"
expect_line "root inside reads root's files" "shadow-root True"
# Outside, the app's processes are the tenant's host uid, never 0.
sb_do --policy "$pol" --policy-base "$SB_TMP/base.conf" -- "$BB" sleep 30 </dev/null >/dev/null 2>&1 &
bgpid=$!
SB_BG_PIDS+=("$bgpid")
owner=
for _ in $(seq 50); do
  for p in $(pgrep -f "^$BB sleep 30$" || true); do
    owner=$(awk '/^Uid:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)
  done
  [[ -n $owner ]] && break
  sleep 0.1
done
[[ $owner == 400000 ]] && pass "seen from the host, the app's process runs as uid 400000, not 0" ||
  soft_fail "seen from the host, the app's process runs as uid '$owner'"
kill "$bgpid" 2>/dev/null || true
wait "$bgpid" 2>/dev/null || true

# A user other than root inside gets the kernel's own permission checks.
run_as "$pol" -- "$PY" -c '
import os, errno
def e(f):
    try: f(); return "ok"
    except OSError as x: return errno.errorcode[x.errno]
os.setgroups([]); os.setgid(1000); os.setuid(1000)
print("shadow", e(lambda: open("/etc/shadow").read()))
print("hosts-write", e(lambda: open("/etc/hosts", "a")))
print("root-dir", e(lambda: os.mkdir("/etc/sb-x")))
os.mkdir("/tmp/mine"); open("/tmp/mine/f", "w").write("x")
print("owner", os.stat("/tmp/mine").st_uid, os.stat("/tmp/mine/f").st_gid)
print("chmod-null", e(lambda: os.chmod("/dev/null", 0o777)))
print("chown-root-file", e(lambda: os.chown("/etc/hostname", 1000, 1000)))'
expect_line "a non-root user inside cannot read /etc/shadow" "shadow EACCES"
expect_line "... nor write root's files" "hosts-write EACCES"
expect_line "... nor create in root's directories" "root-dir EACCES"
expect_line "... and what it creates is its own (uid 1000, gid 1000)" "owner 1000 1000"
expect_line "... nor chmod the sandbox's /dev/null" "chmod-null EPERM"
expect_line "... nor chown root's files" "chown-root-file EPERM"

# --- a --rootfs or a volume is never re-resolved by name ----------------------
for bad in / /var /var/lib /etc /run /proc /sys /dev/pts; do
  sb_run --rootfs "$bad" -- /bin/true
  if [[ $SB_RC == 2 ]] && grep -Eq 'refused|symbolic link|No such' <<<"$SB_ERR"; then
    pass "--rootfs $bad is refused: $(head -n 1 <<<"$SB_ERR")"
  else
    soft_fail "--rootfs $bad: exit $SB_RC, $SB_ERR"
  fi
done
mkdir -p "$SB_TMP/alias"
mount -n --bind / "$SB_TMP/alias"
sb_run --rootfs "$SB_TMP/alias" -- /bin/true
umount -n "$SB_TMP/alias"
[[ $SB_RC == 2 ]] && grep -q 'host root' <<<"$SB_ERR" &&
  pass "a bind mount of the host root under another name is refused too (compared by inode)" ||
  soft_fail "a bind mount of / as --rootfs: exit $SB_RC, $SB_ERR"
ln -s / "$SB_TMP/link-to-root"
sb_run --rootfs "$SB_TMP/link-to-root" -- /bin/true
[[ $SB_RC == 2 ]] && grep -q 'symbolic link' <<<"$SB_ERR" &&
  pass "a --rootfs that is a symlink is refused" || soft_fail "symlink --rootfs: exit $SB_RC, $SB_ERR"

# The race: tenant beta's volume source lives in a directory another of its
# sandboxes can write. That sandbox swaps the source for a symlink to / as
# fast as it can while sandboxes are started with the volume again and
# again. None may ever see or write the host root.
vr=$SB_TMP/volroot
mkdir -p "$vr/parent/vol"
echo volume-marker >"$vr/parent/vol/marker"
chown -R 410000:410000 "$vr/parent"
attacker=$(sb_tenant_policy beta 410000 "filesystem {
  volume-roots = {\"$vr\"}
  volume p { source = \"$vr/parent\"  target = \"/p\" }
}")
victim=$SB_TMP/beta-victim.conf
cat >"$victim" <<EOF
tenant = "beta"
id-range = "410000-475535"
filesystem {
  volume-roots = {"$vr"}
  volume v { source = "$vr/parent/vol"  target = "/vol" }
}
EOF
sb_do --policy "$attacker" --policy-base "$SB_TMP/base.conf" -- "$BB" sh -c '
  end=$(( $(date +%s) + 40 ))
  while [ $(date +%s) -lt $end ]; do
    mv /p/vol /p/vol.real && ln -s / /p/vol && rm /p/vol && mv /p/vol.real /p/vol
    ln -s ../.. /p/vol.up 2>/dev/null; rm -f /p/vol.up
  done' </dev/null >"$SB_TMP/attacker.out" 2>&1 &
swapper=$!
SB_BG_PIDS+=("$swapper")
sleep 1
escaped=0 refused=0 mounted=0
for i in $(seq 60); do
  sb_run --timeout 30 --policy "$victim" --policy-base "$SB_TMP/base.conf" -- "$BB" sh -c \
    "ls /vol; echo x > /vol/written-$i"
  if grep -Eqx '(etc|bin|usr|proc)' <<<"$SB_OUT"; then
    escaped=$((escaped + 1))
  elif [[ $SB_RC == 0 ]] && grep -qx marker <<<"$SB_OUT"; then
    mounted=$((mounted + 1))
  elif grep -Eq 'symbolic link|No such file' <<<"$SB_ERR"; then
    refused=$((refused + 1))
  fi
done
kill "$swapper" 2>/dev/null || true
wait "$swapper" 2>/dev/null || true
stray=$(ls / | grep -c '^written-' || true)
if ((escaped == 0 && stray == 0)); then
  pass "symlink swap race: 60 starts against a swapping sandbox: $mounted mounted the volume, $refused refused the symlink, 0 reached the host root"
else
  soft_fail "symlink swap race: $escaped starts saw the host root, $stray files written to /"
  rm -f /written-* 2>/dev/null || true
fi
((mounted > 0 && refused > 0)) && pass "the race was real: both outcomes happened" ||
  soft_fail "the race never happened ($mounted mounted, $refused refused): the test proves nothing"

# --- what the app leaves behind gives a host user nothing ---------------------
own=$SB_TMP/owned
mkdir -p "$own"
chown 420000:420000 "$own"
cp "$SB_PROGS/idprobe" "$own/idprobe.src"
chmod 0755 "$own/idprobe.src"
gamma=$(sb_tenant_policy gamma 420000 "filesystem {
  volume-roots = {\"$own\"}
  volume o { source = \"$own\"  target = \"/o\" }
}")
run_as "$gamma" -- "$PY" -c '
import os, shutil, struct
shutil.copy("/o/idprobe.src", "/o/suid"); os.chmod("/o/suid", 0o4755)
shutil.copy("/o/idprobe.src", "/o/fcap"); os.chmod("/o/fcap", 0o755)
# file capabilities: cap_setuid (7) permitted and effective, VFS_CAP_REVISION_2
os.setxattr("/o/fcap", "security.capability", struct.pack("<IIIII", 0x02000001, 1 << 7, 0, 0, 0))
print("made", oct(os.stat("/o/suid").st_mode & 0o7777))'
expect_line "a set-user-ID file and a file-capability file are made inside" "made 0o4755"
suid_owner=$(stat -c %u "$own/suid" 2>/dev/null || echo missing)
[[ $suid_owner == 420000 ]] && pass "on the host, the set-user-ID file belongs to the tenant's uid 420000" ||
  soft_fail "on the host, the set-user-ID file belongs to uid $suid_owner"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$own/suid" 2>&1 || true)
[[ $out == "euid=420000 "*"setuid0=EPERM" ]] && pass "a host user running it becomes uid 420000 and cannot become root ($out)" ||
  soft_fail "a host user running the set-user-ID file: $out"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$own/fcap" 2>&1 || true)
[[ $out == "euid=65534 capeff=0000000000000000 setuid0=EPERM" ]] &&
  pass "a host user running the file-capability program gets no capability ($out)" ||
  soft_fail "a host user running the file-capability program: $out"

# --- per-user kernel quotas belong to the tenant, not to host uid 0 -----------
tA=$(sb_tenant_policy quota-a 430000)
tB=$(sb_tenant_policy quota-b 500000)
cat >"$SB_TMP/hog.py" <<'EOF'
import ctypes, errno, os, socket, sys, time
libc = ctypes.CDLL(None, use_errno=True)
fds = []
while True:
    fd = libc.inotify_init1(0)
    if fd < 0:
        print("inotify", errno.errorcode[ctypes.get_errno()], len(fds)); break
    fds.append(fd)
    if len(fds) > 100000: print("inotify unlimited"); break
a, b = socket.socketpair()
a.setblocking(False)
r, w = os.pipe()
sent = 0
while sent < 100000:
    try:
        socket.send_fds(a, [b"x"], [r] * 64)
        sent += 64
    except OSError as e:
        print("inflight", errno.errorcode[e.errno], sent); break
sys.stdout.flush()
open("/tmp/ready", "w").close()
time.sleep(12)
EOF
cat >"$SB_TMP/other.py" <<'EOF'
import ctypes, errno, os, socket
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init1(0)
print("inotify", "ok" if fd >= 0 else errno.errorcode[ctypes.get_errno()])
a, b = socket.socketpair(); r, w = os.pipe()
try:
    socket.send_fds(a, [b"x"], [r]); print("scm_rights ok")
except OSError as e:
    print("scm_rights", errno.errorcode[e.errno])
EOF
sb_do --policy "$tA" --policy-base "$SB_TMP/base.conf" -- "$PY" "$SB_TMP/hog.py" </dev/null >"$SB_TMP/hog.out" 2>&1 &
hog=$!
SB_BG_PIDS+=("$hog")
for _ in $(seq 100); do
  grep -q inflight "$SB_TMP/hog.out" 2>/dev/null && break
  sleep 0.1
done
grep -Eq '^inotify EMFILE' "$SB_TMP/hog.out" && pass "tenant A exhausts its own inotify quota: $(grep inotify "$SB_TMP/hog.out")" ||
  soft_fail "tenant A's inotify hog: $(cat "$SB_TMP/hog.out")"
grep -Eq '^inflight ETOOMANYREFS' "$SB_TMP/hog.out" && pass "tenant A exhausts its own descriptors-in-flight quota: $(grep inflight "$SB_TMP/hog.out")" ||
  soft_fail "tenant A's SCM_RIGHTS hog: $(cat "$SB_TMP/hog.out")"
run_as "$tB" -- "$PY" "$SB_TMP/other.py"
expect_line "meanwhile tenant B's inotify_init works" "inotify ok"
expect_line "meanwhile tenant B's SCM_RIGHTS send works" "scm_rights ok"
out=$("$PY" "$SB_TMP/other.py" 2>&1)
grep -qx "inotify ok" <<<"$out" && grep -qx "scm_rights ok" <<<"$out" &&
  pass "meanwhile host root's inotify_init and SCM_RIGHTS work" || soft_fail "host root while tenant A hogs: $out"
kill "$hog" 2>/dev/null || true
wait "$hog" 2>/dev/null || true

# --- a socket the app makes is the tenant's: it cannot join host root's ports -
port=$(free_port)
"$PY" -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
s.bind(('127.0.0.1', $port)); s.listen(8); time.sleep(20)" &
rootsvc=$!
SB_BG_PIDS+=("$rootsvc")
sleep 0.5
hostnet=$(sb_tenant_policy delta 440000 'network { mode = host }')
run_as "$hostnet" --network host -- "$PY" -c "
import socket, errno
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
try: s.bind(('127.0.0.1', $port)); print('joined')
except OSError as e: print('bind', errno.errorcode[e.errno])"
expect_line "with --network host the app cannot join a host-root service's SO_REUSEPORT group" "bind EADDRINUSE"
kill "$rootsvc" 2>/dev/null || true
wait "$rootsvc" 2>/dev/null || true

# --- id ranges: never shared, never inside the pool ---------------------------
cat >"$SB_TMP/over1.conf" <<'EOF'
tenant = "one"
id-range = "600000-665535"
EOF
cat >"$SB_TMP/over2.conf" <<'EOF'
tenant = "two"
id-range = "650000-715535"
EOF
mkdir -p "$SB_TMP/tenants"
cp "$SB_TMP/over1.conf" "$SB_TMP/over2.conf" "$SB_TMP/tenants/"
out=$(sandboxctl_bin=$TESTS_BUILDDIR/client/sandboxctl; "$sandboxctl_bin" policy check "$SB_TMP/tenants" 2>&1) && rc=0 || rc=$?
[[ $rc == 1 ]] && grep -q "overlaps the id-range of tenant one" <<<"$out" &&
  pass "policy check over a directory refuses two tenants with overlapping id ranges" ||
  soft_fail "overlapping id ranges: exit $rc, $out"
sb_run --policy "$SB_TMP/over1.conf" --policy-base "$SB_TMP/base.conf" -- /bin/true
expect_rc "a tenant's own range is used as given" 0

finish
