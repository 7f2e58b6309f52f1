#!/bin/bash
# Every rule of a tenant policy, enforced on a real sandbox: memory, pids,
# cpus, open files, writable disk, hidden and read-only paths, volumes,
# network egress and bind rules, syscall profiles and extra denies, audit.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PY=/usr/bin/python3
need_program "$PY" python3
need_program /usr/bin/redis-server redis-server
need_program /usr/bin/redis-cli redis-tools

# policy NAME BODY: writes $SB_TMP/NAME.conf for tenant "t-NAME".
policy() {
  printf 'tenant = "t-%s"\n%s\n' "$1" "$2" > "$SB_TMP/$1.conf"
  echo "$SB_TMP/$1.conf"
}
# An empty base: the host's /etc/sandboxd/defaults.conf must not change the tests.
: > "$SB_TMP/base.conf"
run_with() { # policy-file [--timeout N], then sandbox-runtime do arguments
  local p=$1 t=()
  shift
  if [[ ${1:-} == --timeout ]]; then t=(--timeout "$2"); shift 2; fi
  sb_run "${t[@]}" --policy "$p" --policy-base "$SB_TMP/base.conf" "$@"
}

# --- memory: allocation past the limit is OOM-killed, reported, and the host goes on
p=$(policy mem 'limits { memory = 64M }')
run_with "$p" -- "$PY" -c 'b = []
while True: b.append(bytearray(16 << 20))'
expect_rc "memory: allocating past 64M is killed" 137
if grep -q "out of memory" <<<"$SB_ERR"; then pass "memory: the exit is reported as OOM"
else soft_fail "memory: stderr does not say out of memory: $SB_ERR"; fi
run_with "$p" -- "$PY" -c 'b = bytearray(16 << 20); print("ok")'
expect_grep "memory: 16M fits under the 64M limit" '^ok$'

# --- pids: a fork bomb stops at the limit; the sandbox stays responsive
p=$(policy pids 'limits { pids = 32 }')
sb_snapshot "$SB_TMP/before-pids"
run_with "$p" --timeout 60 -- "$PY" -c '
import os, time
n = 0
kids = []
try:
    while n < 1000:
        pid = os.fork()
        if pid == 0:
            time.sleep(30); os._exit(0)
        kids.append(pid); n += 1
except OSError as e:
    print("stopped", n, e.errno)
for k in kids: os.kill(k, 9)
for k in kids: os.waitpid(k, 0)
print("responsive")'
if [[ $SB_RC == 0 ]] && grep -Eq '^stopped ([0-9]+) 11$' <<<"$SB_OUT" \
   && (( $(awk '/^stopped/ {print $2}' <<<"$SB_OUT") < 32 )) && grep -q responsive <<<"$SB_OUT"; then
  pass "pids: forks stop (EAGAIN) below 32 and the sandbox stays responsive"
else
  soft_fail "pids: exit $SB_RC, output: $SB_OUT"
fi
check_nothing_left "$SB_TMP/before-pids" "pids: after the fork bomb"

# --- cpus: a busy loop in a 0.5-cpu sandbox gets about half a core
p=$(policy cpu 'limits { cpus = 0.5 }')
run_with "$p" -- "$PY" -c '
import time
w0, c0 = time.monotonic(), time.process_time()
while time.monotonic() - w0 < 3: pass
print("share %.2f" % ((time.process_time() - c0) / (time.monotonic() - w0)))'
share=$(awk '/^share/ {print $2}' <<<"$SB_OUT")
if [[ -n $share ]] && awk -v s="$share" 'BEGIN { exit !(s > 0.3 && s < 0.7) }'; then
  pass "cpus: a busy loop got $share of a core (0.5 wanted)"
else
  soft_fail "cpus: share '$share' (exit $SB_RC, $SB_ERR)"
fi

# --- open files: EMFILE at the limit
p=$(policy nofile 'limits { open-files = 64 }')
run_with "$p" -- "$PY" -c '
import errno
fs = []
try:
    while True: fs.append(open("/dev/null"))
except OSError as e:
    print("opened", len(fs), errno.errorcode[e.errno])'
if grep -Eq '^opened [0-9]+ EMFILE$' <<<"$SB_OUT" && (( $(awk '{print $2}' <<<"$SB_OUT") < 64 )); then
  pass "open-files: EMFILE below 64"
else
  soft_fail "open-files: exit $SB_RC, output: $SB_OUT $SB_ERR"
fi

# --- writable disk: ENOSPC in the layer, the host unaffected
p=$(policy disk 'limits { disk = 16M }')
run_with "$p" -- "$PY" -c '
import errno
try:
    with open("/tmp/fill", "wb") as f:
        for i in range(64): f.write(bytes(1 << 20)); f.flush()
    print("no limit")
except OSError as e:
    print("full", errno.errorcode[e.errno])'
expect_grep "disk: writing 64M into a 16M layer fails with ENOSPC" '^full ENOSPC$'
[[ ! -e /tmp/fill ]] && pass "disk: the host's /tmp is untouched" || soft_fail "disk: /tmp/fill reached the host"

# --- hidden and read-only paths
mkdir -p "$SB_TMP/vol/data" "$SB_TMP/vol/ro" "$SB_TMP/outside"
echo host-data > "$SB_TMP/vol/ro/file"
# A writable volume is the tenant's: its directory belongs to the tenant's ids.
chown 310000:310000 "$SB_TMP/vol/data"
p=$(policy fs "id-range = \"310000-375535\"
filesystem {
  hidden = {\"/etc/shadow\", \"/root\", \"/usr/bin/redis-benchmark\"}
  read-only = {\"/etc\"}
  volume-roots = {\"$SB_TMP/vol\"}
  volume data { source = \"$SB_TMP/vol/data\"  target = \"/data\" }
  volume ro { source = \"$SB_TMP/vol/ro\"  target = \"/srv/ro\"  read-only = true }
}")
run_with "$p" -- "$PY" -c '
import os, errno, subprocess
def e(f):
    try: f(); return "ok"
    except OSError as x: return errno.errorcode[x.errno]
print("shadow", e(lambda: open("/etc/shadow").read()))
os.symlink("/etc/shadow", "/tmp/s")
print("via-symlink", e(lambda: open("/tmp/s").read()))
print("via-dotdot", e(lambda: open("/tmp/../etc/../etc/shadow").read()))
print("root", e(lambda: os.listdir("/root")))
print("stat", e(lambda: os.stat("/etc/shadow")))
try: subprocess.run(["/usr/bin/redis-benchmark", "--help"], capture_output=True); print("exec ok")
except OSError as x: print("exec", errno.errorcode[x.errno])
print("etc-write", e(lambda: open("/etc/sb-test", "w")))
print("etc-passwd-write", e(lambda: open("/etc/passwd", "a")))
print("tmp-write", e(lambda: open("/tmp/ok", "w").write("x")))
open("/data/from-sandbox", "w").write("hello host")
print("ro-read", open("/srv/ro/file").read().strip())
print("ro-write", e(lambda: open("/srv/ro/new", "w")))'
for want in "shadow ENOENT" "via-symlink ENOENT" "via-dotdot ENOENT" "root ENOENT" "stat ENOENT" \
            "exec EACCES|exec ENOENT|exec EPERM" "etc-write EROFS" "etc-passwd-write EROFS" "tmp-write ok" \
            "ro-read host-data" "ro-write EROFS"; do
  if grep -Eq "^($want)$" <<<"$SB_OUT"; then pass "filesystem: $want"
  else soft_fail "filesystem: wanted '$want', got: $(tr '\n' ';' <<<"$SB_OUT") $SB_ERR"; fi
done
[[ $(cat "$SB_TMP/vol/data/from-sandbox" 2>/dev/null) == "hello host" ]] \
  && pass "volumes: a write through a writable volume reaches the host directory" \
  || soft_fail "volumes: the host directory did not get the file"
[[ $(stat -c %u:%g "$SB_TMP/vol/data/from-sandbox" 2>/dev/null) == 310000:310000 ]] \
  && pass "volumes: the file the container's root wrote belongs to the tenant's host ids (310000), not host root" \
  || soft_fail "volumes: the file belongs to $(stat -c %u:%g "$SB_TMP/vol/data/from-sandbox" 2>/dev/null), not 310000:310000"

p=$(policy badvol "filesystem {
  volume-roots = {\"$SB_TMP/vol\"}
  volume x { source = \"$SB_TMP/vol/../outside\"  target = \"/x\" }
}")
run_with "$p" -- /bin/true
if [[ $SB_RC != 0 ]] && grep -q "outside" <<<"$SB_ERR"; then pass "volumes: a source outside the volume roots is refused"
else soft_fail "volumes: outside source: exit $SB_RC, $SB_ERR"; fi

# --- network: egress allowed to one port and refused to another; bind ranges; mode none
open_port=$(free_port)
closed_port=$(free_port)
"$PY" -c "
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $open_port)); s.listen(8)
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(('127.0.0.1', $closed_port)); t.listen(8)
time.sleep(40)" &
listener=$!
SB_BG_PIDS+=("$listener")
sleep 0.5
p=$(policy net "network {
  mode = host
  egress-default = deny
  egress { action = allow  cidr = \"127.0.0.1/32\"  ports = \"$open_port\" }
  bind = {\"18000-18010\"}
}")
run_with "$p" --network host -- "$PY" -c "
import socket, errno
def c(port):
    s = socket.socket()
    try: s.connect(('127.0.0.1', port)); return 'ok'
    except OSError as e: return errno.errorcode[e.errno]
def b(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try: s.bind(('127.0.0.1', port)); return 'ok'
    except OSError as e: return errno.errorcode[e.errno]
print('allowed', c($open_port)); print('refused', c($closed_port))
print('bind-in', b(18005)); print('bind-out', b(19000)); print('bind-any', b(0))"
for want in "allowed ok" "refused EACCES" "bind-in ok" "bind-out EACCES" "bind-any ok"; do
  if grep -qx "$want" <<<"$SB_OUT"; then pass "network: $want"
  else soft_fail "network: wanted '$want', got: $(tr '\n' ';' <<<"$SB_OUT") $SB_ERR"; fi
done
if grep -q '"action":"deny-egress"' "$SB_TMP/audit.log"; then pass "network: the refused connect is audited"
else soft_fail "network: no deny-egress line in the audit log"; fi
kill "$listener" 2>/dev/null || true

p=$(policy none 'network { mode = none }')
run_with "$p" -- "$PY" -c 'import socket; print(sorted(n for _, n in socket.if_nameindex()))'
expect_grep "network: mode none has only loopback" "^\['lo'\]$"
run_with "$p" --network host -- /bin/true
if [[ $SB_RC == 2 ]] && grep -q "network" <<<"$SB_ERR"; then pass "network: --network host cannot widen mode none"
else soft_fail "network: widening: exit $SB_RC, $SB_ERR"; fi

# --- syscalls: extra denies with the configured errno, audited; strict still runs python3 and redis
p=$(policy deny 'syscalls { deny = {"sched_getaffinity", "getcpu"}  errno = EACCES  audit = denied }')
: > "$SB_TMP/audit.log"
run_with "$p" -- "$PY" -c '
import os, errno
try: os.sched_getaffinity(0); print("allowed")
except OSError as e: print("denied", errno.errorcode[e.errno])'
expect_grep "syscalls: an extra deny answers the configured errno" '^denied EACCES$'
if grep -q '"syscall":"sched_getaffinity".*"action":"deny-policy"' "$SB_TMP/audit.log"; then
  pass "syscalls: the extra deny is audited"
else soft_fail "syscalls: audit log: $(cat "$SB_TMP/audit.log")"; fi

p=$(policy strict 'syscalls { profile = strict  audit = all }')
: > "$SB_TMP/audit.log"
run_with "$p" -- "$PY" -c 'import json, hashlib; print(json.dumps({"h": hashlib.sha1(b"x").hexdigest()[:8]}))'
expect_grep "strict: python3 runs" '"h": "11f6ad8e"'
if grep -q '"syscall":"read"' "$SB_TMP/audit.log"; then pass "strict: descriptor calls reach the Sentry (audited with audit = all)"
else soft_fail "strict: no read call in the audit log"; fi
port=$(free_port)
run_with "$p" --timeout 90 -- /bin/sh -c "redis-server --port $port --save '' --daemonize yes >/dev/null
for i in 1 2 3 4 5 6 7 8 9 10; do redis-cli -p $port ping 2>/dev/null | grep -q PONG && break; sleep 0.3; done
redis-cli -p $port set k strict >/dev/null; redis-cli -p $port get k; redis-cli -p $port shutdown nosave >/dev/null 2>&1; true"
expect_grep "strict: redis runs" '^strict$'

p=$(policy quiet 'syscalls { audit = none }')
: > "$SB_TMP/audit.log"
run_with "$p" -- "$PY" -c 'import ctypes; ctypes.CDLL(None).syscall(165, 0, 0, 0, 0, 0)'
[[ ! -s $SB_TMP/audit.log ]] && pass "audit = none writes nothing" || soft_fail "audit = none wrote: $(cat "$SB_TMP/audit.log")"

finish
