#!/usr/bin/env bash
# Everything done for a sandbox is charged to it: the files the Gofer copies
# into the writable layer and the socket buffers count against `memory`, the
# Sentry's and the Gofer's CPU against `cpus`, and the audit lines a sandbox
# causes are rate-limited, with the log capped and rotated.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PY=/usr/bin/python3
need_program "$PY" python3
: >"$SB_TMP/base.conf"

# The cgroup directory of the sandbox that sandbox-runtime RUNTIME_PID made,
# for one v1 controller (or the v2 directory); empty until it exists.
sandbox_cgroup() {
  local d
  for d in /sys/fs/cgroup/"$1"/sandbox/do-"$2"-* /sys/fs/cgroup/sandbox/do-"$2"-*; do
    [[ -d $d ]] && { echo "$d"; return 0; }
  done
  return 0
}

# --- copy-up into the in-memory layer is held to `memory` --------------------------
big=$SB_TMP/big.bin
head -c $((200 << 20)) /dev/zero >"$big"
pol=$(sb_tenant_policy cow 450000 'limits { memory = 64M  disk = 1G }')
sb_run --timeout 120 --policy "$pol" --policy-base "$SB_TMP/base.conf" -- "$PY" -c "
import errno
try:
    f = open('$big', 'ab'); f.write(b'x'); f.close(); print('copied up')
except OSError as e:
    print('open', errno.errorcode[e.errno])"
if grep -q 'copied up' <<<"$SB_OUT"; then
  soft_fail "a 200 MB copy-up into the layer succeeded under memory = 64M: the Gofer's copy is charged to nobody"
else
  pass "a 200 MB copy-up under memory = 64M is refused or stopped by the limit (exit $SB_RC: $(tr '\n' ' ' <<<"$SB_OUT$SB_ERR" | cut -c1-160))"
fi
[[ $(stat -c %s "$big") == $((200 << 20)) ]] && pass "the host's file itself was never written (the copy-up is the layer's)" ||
  soft_fail "the host's file changed size: $(stat -c %s "$big")"
rm -f "$big"

# --- socket buffers are held to `memory` ------------------------------------------
pol=$(sb_tenant_policy sock 451000 'limits { memory = 64M }')
sb_run --timeout 120 --policy "$pol" --policy-base "$SB_TMP/base.conf" -- "$PY" -c '
import socket, time
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(128)
clients, accepted = [], []
for i in range(60):
    c = socket.create_connection(srv.getsockname()); accepted.append(srv.accept()[0])
    c.setblocking(False); clients.append(c)
total, chunk = 0, b"x" * 65536
for rnd in range(40):
    moved = 0
    for c in clients:
        while True:
            try: n = c.send(chunk)
            except (BlockingIOError, OSError): break
            total += n; moved += n
            if total > (1 << 30): break
    if moved == 0 and rnd > 4: break
    time.sleep(0.05)
print("queued", total >> 20)'
mb=$(awk '/^queued/ {print $2}' <<<"$SB_OUT")
if [[ -n $mb ]] && ((mb <= 128)); then
  pass "60 unread loopback connections queue $mb MB under memory = 64M (socket buffers are charged)"
else
  soft_fail "socket buffers under memory = 64M: queued '${mb:-?}' MB (exit $SB_RC) $SB_ERR"
fi

# --- the helpers' CPU is held to `cpus` ---------------------------------------------
pol=$(sb_tenant_policy cpu 452000 'limits { cpus = 0.1 }')
"$SANDBOX_RUNTIME" do --audit-log "$SB_TMP/audit.log" --policy "$pol" --policy-base "$SB_TMP/base.conf" -- "$PY" -c '
import os, threading, time
end = time.time() + 6
def loop():
    while time.time() < end:
        os.stat("/etc/hostname")
ts = [threading.Thread(target=loop) for _ in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]' </dev/null >/dev/null 2>&1 &
rt=$!
SB_BG_PIDS+=("$rt")
cg=
for _ in $(seq 50); do
  cg=$(sandbox_cgroup cpuacct "$rt")
  [[ -n $cg ]] && break
  sleep 0.1
done
usage() {
  if [[ -f $cg/cpuacct.usage ]]; then cat "$cg/cpuacct.usage"
  else echo $(($(awk '/^usage_usec/ {print $2}' "$cg/cpu.stat") * 1000)); fi
}
[[ -n $cg ]] || fail "the sandbox's cgroup did not appear (runtime pid $rt)"
sleep 1.5
u0=$(usage)
t0=$(date +%s%N)
sleep 3
u1=$(usage)
t1=$(date +%s%N)
wait "$rt" 2>/dev/null || true
share=$(awk -v u=$((u1 - u0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.3f", u / t }')
if awk -v s="$share" 'BEGIN { exit !(s <= 0.3) }'; then
  pass "4 threads of stat() under cpus = 0.1: the whole sandbox (app, Sentry, Gofer) used $share CPU"
else
  soft_fail "4 threads of stat() under cpus = 0.1: the sandbox used $share CPU (the helpers' work is not held to the limit)"
fi

# --- a flood of refused calls: rate-limited audit lines, a capped, rotated log -----
log=$SB_TMP/flood/audit.log
mkdir -p "$SB_TMP/flood"
flood() {
  "$SANDBOX_RUNTIME" do --audit-log "$log" "$@" -- "$PY" -c '
import ctypes, time
libc = ctypes.CDLL(None)
end, n = time.time() + 3, 0
while time.time() < end:
    libc.ptrace(0, 0, 0, 0); n += 1
print("refused", n)' </dev/null 2>&1
}
out=$(flood)
calls=$(awk '/^refused/ {print $2}' <<<"$out")
lines=$(grep -c '"syscall":"ptrace"' "$log" || true)
supp=$(grep -c '"action":"suppressed"' "$log" || true)
if ((lines > 0 && lines <= 1000 && supp >= 1 && ${calls:-0} > lines)); then
  pass "$calls refused calls in 3 s wrote $lines audit lines and $supp 'suppressed' count (at most $(( 500 + 100 * 4 )) expected)"
else
  soft_fail "audit flood: $calls calls, $lines lines, $supp suppressed lines"
fi
rm -f "$log"*
flood --audit-log-max 32K >/dev/null
flood --audit-log-max 32K >/dev/null
size=$(stat -c %s "$log" 2>/dev/null || echo 0)
if [[ -f $log.1 ]] && ((size <= 32768)) && (($(stat -c %s "$log.1") <= 32768)); then
  pass "with --audit-log-max 32K the log rotates: $(ls "$SB_TMP/flood" | tr '\n' ' ')(each at most 32K)"
else
  soft_fail "audit rotation: $(ls -l "$SB_TMP/flood")"
fi

finish
