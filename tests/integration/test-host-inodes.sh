#!/usr/bin/env bash
# No host inode is writable from inside: the sandbox's device nodes are its
# own, its stdio are pipes or a terminal of its own (relayed by
# sandbox-runtime), so chmod, chown, truncate, xattrs and terminal ioctls
# from inside leave the host's /dev and the operator's files and terminal
# as they were. Each check compares the host's state before and after.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PY=/usr/bin/python3
need_program "$PY" python3

nodes=(/dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /dev/ptmx)
host_state() {
  stat -c '%n %a %u:%g %s %i %t:%T' "${nodes[@]}" "$@"
  getfattr -d -m - "${nodes[@]}" 2>/dev/null || true
}

# --- device nodes ---------------------------------------------------------------
before=$(host_state)
sb_run -- "$PY" -c '
import os, errno
def e(f):
    try: f(); return "ok"
    except OSError as x: return errno.errorcode[x.errno]
for n in ["null", "zero", "full", "random", "urandom", "tty"]:
    p = "/dev/" + n
    r = [e(lambda: os.chmod(p, 0o4777)), e(lambda: os.chown(p, 1, 1)),
         e(lambda: os.truncate(p, 0)), e(lambda: os.setxattr(p, "user.x", b"1")),
         e(lambda: os.setxattr(p, "trusted.x", b"1")), e(lambda: os.utime(p, (0, 0)))]
    try:
        fd = os.open(p, os.O_RDONLY)
        r += [e(lambda: os.fchmod(fd, 0o777)), e(lambda: os.fchown(fd, 2, 2)),
              e(lambda: os.ftruncate(fd, 0)), e(lambda: os.setxattr(fd, "user.y", b"1"))]
        os.close(fd)
    except OSError as x:
        r.append("open " + errno.errorcode[x.errno])
    print(n, " ".join(r))
st = os.stat("/dev/null"); print("null-after", oct(st.st_mode & 0o7777), st.st_uid)'
after=$(host_state)
[[ $SB_RC == 0 ]] && pass "the app tried chmod, chown, truncate, xattrs and utime on every /dev node: $(tr '\n' ';' <<<"$SB_OUT")" ||
  soft_fail "the device node attack did not run (exit $SB_RC)"
[[ $before == "$after" ]] && pass "the host's device nodes are unchanged (mode, owner, size, inode, xattrs)" ||
  soft_fail "the host's device nodes changed:
$(diff <(echo "$before") <(echo "$after") | sed 's/^/    /')"
# The sandbox's own /dev/null: changed inside, gone with the sandbox.
grep -q '^null-after 0o777 2' <<<"$SB_OUT" && pass "inside, /dev/null is the sandbox's own node (its root changed its mode)" ||
  soft_fail "inside, /dev/null after the attack: $(grep null-after <<<"$SB_OUT")"
sb_run -- /bin/busybox stat -c '%a %u' /dev/null
expect_out "the next sandbox gets a fresh /dev/null" "666 0"

# --- the kernel's knobs are walls in the app's own mount namespace --------------
# (so that a route that skips the Gofer still meets them; the app's /sys is
# an allow-list on a read-only tmpfs, so /sys/firmware is simply not there).
# Read from the host, in the kernel's own /proc/<pid>/mountinfo of the app:
# the copy the app reads leaves out the masks of what it is told does not
# exist (docs/COMPAT.md).
marker="31.$$"
"$SANDBOX_RUNTIME" do -- /bin/sleep "$marker" </dev/null >/dev/null 2>&1 &
knob_rt=$!
knob_app=
for _ in $(seq 100); do
  for c in $(pgrep -f "^/bin/sleep $marker\$" || true); do
    [[ $(readlink "/proc/$c/ns/mnt") != "$(readlink /proc/self/ns/mnt)" ]] && knob_app=$c
  done
  [[ -n $knob_app ]] && break
  sleep 0.1
done
[[ -n $knob_app ]] || fail "the sandbox for the mount walls did not start"
SB_OUT=$("$PY" -c '
import os, sys
mounts = {}
for line in open("/proc/%s/mountinfo" % sys.argv[1]):
    f = line.split()
    mounts[f[4]] = f[5].split(",")
root = "/proc/%s/root" % sys.argv[1]
for p in ["/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/kcore", "/proc/keys", "/sys",
          "/sys/firmware", "/sys/kernel/debug"]:
    print(p, "ro" if "ro" in mounts.get(p, []) else "rw" if p in mounts else "absent" if p.startswith("/sys/") and not os.path.lexists(root + p) else "not-a-mount")' "$knob_app")
kill "$knob_rt" 2>/dev/null || true
wait "$knob_rt" 2>/dev/null || true
for p in /proc/sys /proc/sysrq-trigger /proc/irq /proc/bus /proc/kcore /proc/keys /sys /sys/firmware; do
  if [[ $p == /sys/?* ]] && grep -qxF "$p absent" <<<"$SB_OUT"; then
    pass "in the app's mount namespace $p does not exist (not in the /sys allow-list)"
  elif [[ -e $p ]]; then
    expect_line "in the app's mount namespace $p is covered by a read-only mount" "$p ro"
  else
    expect_line "$p: this kernel has none (nothing to cover)" "$p not-a-mount"
  fi
done

# --- stdio: never the operator's files --------------------------------------------
out=$SB_TMP/operator.out
in=$SB_TMP/operator.in
echo "operator input" >"$in"
printf 'operator log line\n' >"$out"
chmod 0640 "$out" "$in"
before=$(stat -c '%a %u:%g %i' "$out" "$in")
"$SANDBOX_RUNTIME" do --audit-log "$SB_TMP/audit.log" -- "$PY" -c '
import os, errno, sys
def e(f):
    try: f(); return "ok"
    except OSError as x: return errno.errorcode[x.errno]
r = []
for fd in (0, 1, 2):
    r += [e(lambda: os.fchmod(fd, 0o4777)), e(lambda: os.fchown(fd, 0, 0)), e(lambda: os.ftruncate(fd, 0))]
    r.append(os.readlink("/proc/self/fd/%d" % fd).split(":")[0])
# reopening one'"'"'s stdout by name reaches the pipe, not the file behind it
with open("/dev/stdout", "a") as f: f.write("via /dev/stdout\n")
e2 = e(lambda: os.chmod("/proc/self/fd/1", 0o4777))
print(" ".join(r), "chmod-by-name", e2)
print(sys.stdin.read().strip())' <"$in" >>"$out" 2>"$SB_TMP/stdio.err" && rc=0 || rc=$?
after=$(stat -c '%a %u:%g %i' "$out" "$in")
line=$(grep 'chmod-by-name' "$out" || true)
# (The pipes are the container root's: it may chmod them, which reaches nothing else.)
[[ $rc == 0 && $line =~ ^(ok|EPERM)\ (ok|EPERM)\ EINVAL\ pipe\ (ok|EPERM)\ (ok|EPERM)\ EINVAL\ pipe\ (ok|EPERM)\ (ok|EPERM)\ EINVAL\ pipe\ chmod-by-name ]] &&
  pass "the app's stdio are pipes of its own, not the operator's files ($line)" ||
  soft_fail "stdio attack: exit $rc, $(cat "$out" "$SB_TMP/stdio.err")"
[[ $before == "$after" ]] && pass "the operator's stdin and stdout files keep their mode and owner" ||
  soft_fail "the operator's files changed: $before -> $after"
[[ $(head -n 1 "$out") == "operator log line" && $(tail -n 1 "$out") == "operator input" ]] &&
  grep -qx 'via /dev/stdout' "$out" &&
  pass "the operator's log kept its content; the app's output and input went through the relay" ||
  soft_fail "the operator's log is now: $(cat "$out")"

# --- the operator's terminal -------------------------------------------------------
# A pty stands in for the operator's terminal: the sandbox runs on it (so it
# gets a terminal of its own, relayed), changes every setting it can, and
# afterwards the stand-in's settings and line discipline are as before.
cat >"$SB_TMP/term.py" <<'EOF2'
import os, pty, sys, termios, fcntl, struct, select, subprocess, time
TIOCGETD = 0x5424
master, slave = pty.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 101, 0, 0))
def state():
    return (termios.tcgetattr(slave), struct.unpack("i", fcntl.ioctl(slave, TIOCGETD, b"\0" * 4))[0])
before = state()
inner = r'''
import os, termios, fcntl, struct, sys
TIOCSETD = 0x5423
a = termios.tcgetattr(0)
a[3] &= ~(termios.ECHO | termios.ICANON | termios.ISIG)
termios.tcsetattr(0, termios.TCSANOW, a)
try: fcntl.ioctl(0, TIOCSETD, struct.pack("i", 2)); print("ldisc changed")
except OSError as e: print("ldisc", e.errno)
print("tty", os.ttyname(0), "size", struct.unpack("HHHH", fcntl.ioctl(0, termios.TIOCGWINSZ, b"\0" * 8))[:2])
print("ctty", os.tcgetpgrp(0) == os.getpgrp())
'''
p = subprocess.Popen(sys.argv[1:] + ["/usr/bin/python3", "-c", inner], stdin=slave, stdout=slave,
                     stderr=slave, close_fds=True)
out = b""
end = time.time() + 60
while time.time() < end:
    r, _, _ = select.select([master], [], [], 0.2)
    if r:
        try: out += os.read(master, 4096)
        except OSError: break
    if p.poll() is not None and not r:
        break
p.wait()
after = state()
print(out.decode(errors="replace").replace("\r", ""))
print("rc", p.returncode)
print("same-termios", before[0] == after[0], "same-ldisc", before[1] == after[1])
EOF2
"$PY" "$SB_TMP/term.py" "$SANDBOX_RUNTIME" do --audit-log "$SB_TMP/audit.log" -- >"$SB_TMP/term.out" 2>&1 || true
grep -q '^rc 0$' "$SB_TMP/term.out" && pass "a sandbox run on a terminal: $(grep -E '^(tty|ctty|ldisc)' "$SB_TMP/term.out" | tr '\n' ';')" ||
  soft_fail "a sandbox run on a terminal: $(cat "$SB_TMP/term.out")"
grep -q "^tty /dev/pts/0 size (33, 101)" "$SB_TMP/term.out" &&
  pass "the app has a terminal of the sandbox's own devpts, with the operator's window size" ||
  soft_fail "the app's terminal: $(grep '^tty' "$SB_TMP/term.out")"
grep -q "^ctty True" "$SB_TMP/term.out" && pass "the command leads its session on that terminal (job control works)" ||
  soft_fail "the command's session: $(grep '^ctty' "$SB_TMP/term.out")"
grep -q "^same-termios True same-ldisc True" "$SB_TMP/term.out" &&
  pass "the operator's terminal has its settings and line discipline back, as before the sandbox" ||
  soft_fail "the operator's terminal changed: $(grep same- "$SB_TMP/term.out")"

finish
