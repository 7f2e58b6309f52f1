#!/bin/bash
# The tenant's network rules under attack (sentry/net_rules.c): an address
# is judged by the socket, not by the family field the app wrote; an
# unspecified destination is this host; options and control messages that
# choose where packets go are refused; in host network mode the host's
# abstract Unix names are out of reach; refused netlink families answer
# EPROTONOSUPPORT and are audited. Servers are the test's own, on the
# loopback; nothing else is reached.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PY=/usr/bin/python3
need_program "$PY" python3

policy() { # NAME BODY: writes $SB_TMP/NAME.conf for tenant "t-NAME"
  printf 'tenant = "t-%s"\n%s\n' "$1" "$2" >"$SB_TMP/$1.conf"
  echo "$SB_TMP/$1.conf"
}
: >"$SB_TMP/base.conf"
run_with() { # policy-file, then sandbox-runtime do arguments
  local p=$1
  shift
  sb_run --policy "$p" --policy-base "$SB_TMP/base.conf" "$@"
}
expect_lines() { # WHAT-PREFIX LINE...: each LINE is in the last run's output
  local what=$1 want
  shift
  for want in "$@"; do
    expect_line "$what: $want" "$want"
  done
}
audited() { # ACTION WHAT
  if grep -q "\"action\":\"$1\"" "$SB_TMP/audit.log"; then pass "$2 is audited ($1)"
  else soft_fail "$2: no $1 line in the audit log"; fi
}

# Raw sockaddrs, sendmsg and sendmmsg through libc, for the forms the
# socket module will not build (AF_UNSPEC, control messages).
cat >"$SB_TMP/raw.py" <<'EOF'
import ctypes, errno, socket, struct
libc = ctypes.CDLL(None, use_errno=True)
class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
class msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32), ("iov", ctypes.POINTER(iovec)),
                ("iovlen", ctypes.c_size_t), ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]
class mmsghdr(ctypes.Structure):
    _fields_ = [("hdr", msghdr), ("len", ctypes.c_uint)]
def v4(family, ip, port):
    return struct.pack("=H", family) + struct.pack("!H", port) + socket.inet_aton(ip) + bytes(8)
def result(rc):
    return "ok" if rc >= 0 else errno.errorcode[ctypes.get_errno()]
def sendto(s, addr, flags=0):
    return result(libc.sendto(s.fileno(), b"x", 1, flags, addr, len(addr)))
def msg(addr, control=b""):
    data = ctypes.create_string_buffer(b"x")
    iov = iovec(ctypes.cast(data, ctypes.c_void_p), 1)
    a = ctypes.create_string_buffer(addr, len(addr)) if addr else None
    c = ctypes.create_string_buffer(control, len(control)) if control else None
    m = msghdr(ctypes.cast(a, ctypes.c_void_p) if a else None, len(addr), ctypes.pointer(iov), 1,
               ctypes.cast(c, ctypes.c_void_p) if c else None, len(control), 0)
    return m, (data, iov, a, c)
def sendmsg(s, addr, control=b""):
    m, keep = msg(addr, control)
    return result(libc.sendmsg(s.fileno(), ctypes.byref(m), 0))
def sendmmsg(s, addr):
    m, keep = msg(addr)
    mm = (mmsghdr * 1)(mmsghdr(m, 0))
    return result(libc.sendmmsg(s.fileno(), mm, 1, 0))
def bind(s, addr):
    return result(libc.bind(s.fileno(), addr, len(addr)))
def connect(s, addr):
    return result(libc.connect(s.fileno(), addr, len(addr)))
def cmsg(level, typ, data):
    hdr = struct.pack("=QiI", 16 + len(data), level, typ)
    return hdr + data + bytes((8 - len(data) % 8) % 8)
EOF
export PYTHONPATH=$SB_TMP

# A UDP server on the host's loopback that prints what reaches it.
udp_port=$(free_port)
"$PY" -c "
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', $udp_port)); s.settimeout(60)
while True:
    d, a = s.recvfrom(100); print('received', d, flush=True)" >"$SB_TMP/udp.out" 2>&1 &
SB_BG_PIDS+=("$!")
# A TCP server on every address of the host (IPv4 and IPv6).
tcp_port=$(free_port)
"$PY" -c "
import socket, time
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0); s.bind(('::', $tcp_port)); s.listen(16)
time.sleep(90)" &
SB_BG_PIDS+=("$!")
# An abstract Unix socket of the host, as a host daemon would have.
abstract=sbtest-abstract-$$-$RANDOM
"$PY" -c "
import socket, time
s = socket.socket(socket.AF_UNIX); s.bind('\0$abstract'); s.listen(4)
time.sleep(90)" &
SB_BG_PIDS+=("$!")
sleep 0.5

# --- 1. AF_UNSPEC is judged as the kernel reads it: IPv4 in a UDP send and in bind
p=$(policy unspec "network {
  mode = host
  egress-default = deny
  bind = {\"18000-18010\"}
}")
run_with "$p" --network host -- "$PY" -c "
import socket
from raw import *
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print('inet-sendto', sendto(u, v4(socket.AF_INET, '127.0.0.1', $udp_port)))
print('unspec-sendto', sendto(u, v4(0, '127.0.0.1', $udp_port)))
print('unspec-sendmsg', sendmsg(u, v4(0, '127.0.0.1', $udp_port)))
print('unspec-sendmmsg', sendmmsg(u, v4(0, '127.0.0.1', $udp_port)))
print('unspec-bind-out', bind(socket.socket(), v4(0, '0.0.0.0', 19001)))
print('unspec-bind-in', bind(socket.socket(), v4(0, '0.0.0.0', 18001)))
print('unspec-connect', connect(u, v4(0, '127.0.0.1', $udp_port)))"
expect_lines "AF_UNSPEC" "inet-sendto EACCES" "unspec-sendto EACCES" "unspec-sendmsg EACCES" \
  "unspec-sendmmsg EACCES" "unspec-bind-out EACCES" "unspec-bind-in ok" "unspec-connect ok"
sleep 0.3
if grep -q received "$SB_TMP/udp.out"; then soft_fail "AF_UNSPEC: a datagram reached the host's server: $(cat "$SB_TMP/udp.out")"
else pass "AF_UNSPEC: no datagram reached the host's UDP server"; fi
audited deny-egress "AF_UNSPEC send"
audited deny-bind "AF_UNSPEC bind"

# --- 2. 0.0.0.0, :: and ::ffff:0.0.0.0 are this host's loopback
p=$(policy anyaddr "network {
  mode = host
  egress-default = allow
  egress { action = deny  cidr = \"127.0.0.0/8\" }
  egress { action = deny  cidr = \"::1/128\" }
}")
: >"$SB_TMP/audit.log"
run_with "$p" --network host -- "$PY" -c "
import socket, errno
def c(fam, addr):
    s = socket.socket(fam); s.settimeout(5)
    try: s.connect((addr, $tcp_port)); return 'ok'
    except OSError as e: return errno.errorcode[e.errno]
print('loopback', c(socket.AF_INET, '127.0.0.1'))
print('any4', c(socket.AF_INET, '0.0.0.0'))
print('any6', c(socket.AF_INET6, '::'))
print('mapped-any', c(socket.AF_INET6, '::ffff:0.0.0.0'))
print('mapped-loopback', c(socket.AF_INET6, '::ffff:127.0.0.1'))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try: u.sendto(b'x', ('0.0.0.0', $udp_port)); print('udp-any4 ok')
except OSError as e: print('udp-any4', errno.errorcode[e.errno])"
expect_lines "unspecified destination" "loopback EACCES" "any4 EACCES" "any6 EACCES" "mapped-any EACCES" \
  "mapped-loopback EACCES" "udp-any4 EACCES"
audited deny-egress "a connect to 0.0.0.0"

# --- 3. options and control messages that choose where packets go
p=$(policy opts 'network { mode = none }')
: >"$SB_TMP/audit.log"
run_with "$p" -- "$PY" -c "
import socket, errno, struct
from raw import *
def so(fam, typ, level, opt, val):
    s = socket.socket(fam, typ)
    try: s.setsockopt(level, opt, val); return 'ok'
    except OSError as e: return errno.errorcode[e.errno]
T, U = socket.SOCK_STREAM, socket.SOCK_DGRAM
print('bindtodevice', so(socket.AF_INET, T, socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b'lo'))
print('freebind', so(socket.AF_INET, T, socket.IPPROTO_IP, 15, 1))
print('transparent', so(socket.AF_INET, T, socket.IPPROTO_IP, 19, 1))
print('ip-options', so(socket.AF_INET, U, socket.IPPROTO_IP, socket.IP_OPTIONS, bytes([131, 7, 4, 127, 0, 0, 1, 0])))
print('fastopen-connect', so(socket.AF_INET, T, socket.IPPROTO_TCP, 30, 1))
print('ipv6-pktinfo', so(socket.AF_INET6, U, socket.IPPROTO_IPV6, 50, bytes(20)))
print('tcp-ulp', so(socket.AF_INET, T, socket.IPPROTO_TCP, 31, b'tls'))
print('nodelay', so(socket.AF_INET, T, socket.IPPROTO_TCP, socket.TCP_NODELAY, 1))
r = socket.socket(socket.AF_INET, U); r.bind(('127.0.0.1', 0))
u = socket.socket(socket.AF_INET, U)
dest = v4(socket.AF_INET, '127.0.0.1', r.getsockname()[1])
pktinfo = cmsg(socket.IPPROTO_IP, 8, struct.pack('=i4s4s', 1, socket.inet_aton('127.0.0.1'), socket.inet_aton('127.0.0.1')))
print('cmsg-pktinfo', sendmsg(u, dest, pktinfo))
print('cmsg-ttl', sendmsg(u, dest, cmsg(socket.IPPROTO_IP, 2, struct.pack('=i', 9))))"
expect_lines "options" "bindtodevice ENOPROTOOPT" "freebind ENOPROTOOPT" "transparent ENOPROTOOPT" \
  "ip-options ENOPROTOOPT" "fastopen-connect ENOPROTOOPT" "ipv6-pktinfo ENOPROTOOPT" "tcp-ulp ENOPROTOOPT" \
  "nodelay ok" "cmsg-pktinfo EINVAL" "cmsg-ttl ok"
audited deny-arguments "a refused socket option"
audited deny-cmsg "an IP_PKTINFO control message"

# MSG_FASTOPEN turns a send into a connect: judged as one.
p=$(policy fastopen "network {
  mode = host
  egress-default = deny
}")
: >"$SB_TMP/audit.log"
run_with "$p" --network host -- "$PY" -c "
import socket
from raw import *
s = socket.socket()
print('fastopen', sendto(s, v4(socket.AF_INET, '127.0.0.1', $tcp_port), 0x20000000))"
expect_lines "MSG_FASTOPEN" "fastopen EACCES"

# --- 4. host mode: abstract Unix names of the host are out of reach
p=$(policy hostunix 'network { mode = host }')
: >"$SB_TMP/audit.log"
run_with "$p" --network host -- "$PY" -c "
import socket, errno
def c(name):
    s = socket.socket(socket.AF_UNIX)
    try: s.connect(name); return 'ok'
    except OSError as e: return errno.errorcode[e.errno]
def b(name):
    s = socket.socket(socket.AF_UNIX)
    try: s.bind(name); return 'ok'
    except OSError as e: return errno.errorcode[e.errno]
print('connect-abstract', c('\0$abstract'))
print('bind-abstract', b('\0sbtest-squat-$$'))
d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
try: d.sendto(b'x', '\0$abstract'); print('sendto-abstract ok')
except OSError as e: print('sendto-abstract', errno.errorcode[e.errno])
a = socket.socket(socket.AF_UNIX); a.bind(''); print('autobind ok')
s, t = socket.socketpair(); s.send(b'p'); print('socketpair', t.recv(1).decode())"
expect_lines "host mode" "connect-abstract EACCES" "bind-abstract EACCES" "sendto-abstract EACCES" \
  "autobind ok" "socketpair p"
audited deny-abstract-unix "an abstract Unix connect in host mode"
if [[ -e /proc/net/unix ]] && grep -q "@sbtest-squat-$$" /proc/net/unix; then
  soft_fail "host mode: the sandbox holds an abstract name on the host"
else pass "host mode: no abstract name of the sandbox on the host"; fi
# In mode none the abstract namespace is the sandbox's own: the host's
# name is not there, and the app may use its own names.
p=$(policy ownunix 'network { mode = none }')
run_with "$p" -- "$PY" -c "
import socket, errno
s = socket.socket(socket.AF_UNIX)
try: s.connect('\0$abstract'); print('host-name ok')
except OSError as e: print('host-name', errno.errorcode[e.errno])
l = socket.socket(socket.AF_UNIX); l.bind('\0own'); l.listen(1)
c = socket.socket(socket.AF_UNIX); c.connect('\0own'); print('own-name ok')"
expect_lines "mode none" "host-name ECONNREFUSED" "own-name ok"

# --- 5. refused netlink families answer EPROTONOSUPPORT, audited
: >"$SB_TMP/audit.log"
sb_run -- "$PY" -c "
import socket, errno
for name, proto in (('audit', 9), ('kobject', 15), ('xfrm', 6), ('generic', 16)):
    try: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, proto); print(name, 'ok')
    except OSError as e: print(name, errno.errorcode[e.errno])
socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0); print('route ok')"
expect_lines "netlink" "audit EPROTONOSUPPORT" "kobject EPROTONOSUPPORT" "xfrm EPROTONOSUPPORT" \
  "generic EPROTONOSUPPORT" "route ok"
audited deny-netlink "a refused netlink family"

# --- 6. which sockets the host makes, and which the Sentry judges
# TCP, UDP and Unix sockets are made on the host (filter_args.c: no round
# trip); every other kind reaches the Sentry, which makes a route netlink
# socket and refuses the rest, audited. The filter compares the low 32
# bits the kernel reads, and the type without SOCK_CLOEXEC and
# SOCK_NONBLOCK alone: high bits and unknown flags must not carry a
# refused kind through, nor an allowed one past the kernel's own checks.
: >"$SB_TMP/audit.log"
sb_run --strace -- "$PY" -c "
import ctypes, errno, socket
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def raw(domain, type, proto):
    fd = libc.syscall(ctypes.c_long(41), ctypes.c_long(domain), ctypes.c_long(type), ctypes.c_long(proto))
    if fd < 0: return errno.errorcode[ctypes.get_errno()]
    libc.close(int(fd)); return 'ok'
hi = 1 << 32
print('tcp4', raw(2, 1 | 0x80000, 0), 'tcp6', raw(10, 1 | 0x800, 6), 'udp4', raw(2, 2, 17),
      'unix-seqpacket', raw(1, 5, 0), 'tcp-high-bits', raw(2 | hi, 1 | hi, hi))
print('raw-high-bits', raw(2 | hi, 3 | hi, 1), 'raw-as-stream-flags', raw(2, 3 | 0x80800, 1))
print('tcp-bad-flag', raw(2, 1 | 0x400, 0), 'sctp-high-bits', raw(2, 1, 132 | hi))
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1)
c = socket.socket(); c.connect(l.getsockname()); a, _ = l.accept(); c.send(b'h'); print('tcp-works', a.recv(1).decode())
socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0); print('route ok')"
expect_lines "socket kinds" "tcp4 ok tcp6 ok udp4 ok unix-seqpacket ok tcp-high-bits ok" \
  "raw-high-bits EPERM raw-as-stream-flags EPERM" "tcp-bad-flag EINVAL sctp-high-bits EPROTONOSUPPORT" \
  "tcp-works h" "route ok"
audited deny-raw-socket "a raw socket asked for with high bits and flags"
tr -d '\r' <<<"$SB_ERR" | grep -E '\] socket\(' >"$SB_TMP/socket.trace" || true
made=$(grep -vE '\] socket\(16, ' "$SB_TMP/socket.trace" | grep -vE '= -1 ' || true)
[[ -z $made ]] && pass "no TCP, UDP or Unix socket was made by the Sentry (host calls)" ||
  soft_fail "sockets the Sentry made: $made"
grep -qE '\] socket\(16, .*\[sentry\]$' "$SB_TMP/socket.trace" &&
  pass "a route netlink socket is made by the Sentry" ||
  soft_fail "no route netlink socket in the trace: $(cat "$SB_TMP/socket.trace")"
# In mode none a judged connect is the app's own (sys_net.c, own_connect).
grep -qE '\] connect\([0-9]+, .*\) = \(continued on the host\) \[sentry\]$' <<<"$SB_ERR" &&
  pass "mode none: a TCP connect to the loopback is the app's own, after the check" ||
  soft_fail "mode none: no continued connect: $(grep -E '\] connect\(' <<<"$SB_ERR")"
grep -qE '\] socket\(4294967298, 0x100000003, 1\) = -1 EPERM \[denied\]$' "$SB_TMP/socket.trace" &&
  pass "the raw socket with high bits reached the Sentry as a raw socket" ||
  soft_fail "the raw socket with high bits: $(cat "$SB_TMP/socket.trace")"

finish
