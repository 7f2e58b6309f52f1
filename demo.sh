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
trap 'rm -rf "$work"' EXIT
audit=$work/audit.log

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
