#!/bin/bash
# The demo: on a fresh Debian 12 machine, as root, install what the project
# needs, build and install it, then run a tenant's untrusted command in a
# sandbox and show what the sandbox changed about its world.
set -euo pipefail
cd "$(dirname "$0")"

bash .ci/install-deps
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure --prefix=/usr/local --sysconfdir=/etc --localstatedir=/var
make -j"$(nproc)"
make install >/dev/null

work=$(mktemp -d /tmp/sandbox-demo.XXXXXX)
audit=$work/audit.log
daemon_pid=
# Whatever happens, stop what the demo started and leave nothing behind.
cleanup() {
    if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
        sandboxctl tenant rm --force acme --dir "$work/etc" >/dev/null 2>&1 || true
        kill -TERM "$daemon_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -rf --one-file-system "$work"
}
trap cleanup EXIT

# The provider describes the tenant in one policy file.
cat > "$work/acme.conf" <<'POLICY'
tenant = "acme"
limits { memory = 256M  cpus = 0.5  pids = 64  disk = 64M }
syscalls { deny = {"sched_getaffinity"}  errno = EPERM }
filesystem { hidden = {"/root", "/etc/shadow"}  read-only = {"/etc"} }
network { mode = none }
hostname = "acme-app"
uname-release = "5.15.0"
POLICY
echo "== sandboxctl policy check"
sandboxctl policy check "$work/acme.conf"

echo "== tenant acme's program, run with: sandbox-runtime do --policy acme.conf -- python3 ..."
sandbox-runtime do --policy "$work/acme.conf" --audit-log "$audit" -- /usr/bin/python3 -c '
import os, platform, socket, ctypes, errno
def attempt(what, f):
    try: f(); print(what, "-> allowed")
    except OSError as e: print(what, "->", errno.errorcode[e.errno])
print("hostname:", platform.node(), "| kernel it sees:", platform.release())
print("processes it sees:", sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))
print("network interfaces:", [n for _, n in socket.if_nameindex()])
print("memory it sees:", open("/proc/meminfo").readline().split()[1], "kB")
open("/tmp/acme-demo-scratch", "w").write("written in the in-memory layer")
print("wrote /tmp/acme-demo-scratch:", open("/tmp/acme-demo-scratch").read())
attempt("read /etc/shadow (hidden)", lambda: open("/etc/shadow").read())
attempt("write /etc/motd (read-only)", lambda: open("/etc/motd", "a"))
attempt("sched_getaffinity (denied by the policy)", lambda: os.sched_getaffinity(0))
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(165, b"none", b"/mnt", b"tmpfs", 0, None)  # mount(2)
print("mount(2) ->", r, errno.errorcode[ctypes.get_errno()])
'
echo "== back on the host: /tmp/acme-demo-scratch exists? $([ -e /tmp/acme-demo-scratch ] && echo yes || echo no)"
echo "== the audit log recorded the refused calls:"
cat "$audit"

# ---------------------------------------------------------------------------
# Day one of a provider: the daemon, a tenant, and the tenant's own CLI.
# (A real host uses the defaults: /etc/sandboxd, /var/lib/sandboxd,
# /run/sandboxd; the demo keeps everything in its own directory.)
PATH=/usr/local/sbin:/usr/local/bin:$PATH
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
acme="sandboxctl --config $work/acme/config"

echo
echo "== sandboxctl admin init: a CA, sandboxd's certificate, sandboxd.conf, a base policy"
sandboxctl admin init --dir "$work/etc" --hostname localhost --hostname 127.0.0.1 \
    --listen "127.0.0.1:$port" --state-dir "$work/state" --run-dir "$work/run" --audit-log "$work/sandboxd-audit.log"

echo
echo "== sandboxd --config $work/etc/sandboxd.conf"
sandboxd --config "$work/etc/sandboxd.conf"
daemon_pid=$(cat "$work/run/sandboxd.pid")
for _ in $(seq 50); do [ -S "$work/run/sandboxd.sock" ] && break; sleep 0.1; done

echo
echo "== sandboxctl tenant add acme --from free-tier: policy (checked first), certificate, bundle"
(cd "$work" && sandboxctl tenant add acme --dir "$work/etc" --from free-tier --set 'images = {"host"}')
grep -E '^(tenant|certificate-subject|images)|memory|hidden|mode' "$work/etc/tenants/acme.conf"

echo
echo "== as acme, over mutual TLS: $acme info"
$acme info

echo
echo "== $acme run --rm host python3 ...  (what the sandbox shows its program; the host is $(uname -n), Linux $(uname -r))"
$acme run --rm host /usr/bin/python3 -c '
import os, platform, ctypes, errno
print("uname:", platform.node(), platform.release(), "(the policy'"'"'s hostname and release)")
print("memory it sees:", open("/proc/meminfo").readline().split()[1], "kB (the policy says 256M)")
try: os.listdir("/root"); print("/root -> visible")
except OSError as e: print("/root (hidden by the policy) ->", errno.errorcode[e.errno])
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(165, b"none", b"/mnt", b"tmpfs", 0, None)  # mount(2): an escape attempt
print("mount(2) ->", r, errno.errorcode[ctypes.get_errno()])
r = libc.syscall(101, 16, 1, 0, 0)  # ptrace(PTRACE_ATTACH, 1)
print("ptrace(ATTACH, 1) ->", r, errno.errorcode[ctypes.get_errno()])
'

echo
echo "== $acme run -d --name web host python3 -m http.server (a small server, loopback only)"
$acme run -d --name web host /usr/bin/python3 -m http.server 8080 --bind 127.0.0.1
for _ in $(seq 50); do
    $acme exec web /usr/bin/python3 -c 'import socket; socket.create_connection(("127.0.0.1", 8080))' \
        >/dev/null 2>&1 && break
    sleep 0.2
done
echo "== $acme ps"
$acme ps
echo "== $acme exec web python3 ... (a request to the server, from inside)"
$acme exec web /usr/bin/python3 -c 'import urllib.request; r = urllib.request.urlopen("http://127.0.0.1:8080/"); print("HTTP", r.status, len(r.read()), "bytes")'
echo "== $acme logs web"
$acme logs web
echo "== $acme stats --no-stream web"
$acme stats --no-stream web
echo "== $acme stop web; $acme rm web"
$acme stop -t 2 web
$acme rm web
$acme ps -a

echo
echo "== stopping sandboxd; the demo leaves nothing behind"
