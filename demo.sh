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

audit=$(mktemp /tmp/sandbox-demo-audit.XXXXXX)
trap 'rm -f "$audit"' EXIT

echo "== a tenant's program, run with: sandbox-runtime do --hostname tenant-acme -- python3 ..."
sandbox-runtime do --hostname tenant-acme --audit-log "$audit" -- /usr/bin/python3 -c '
import os, platform, socket, ctypes
print("hostname:", platform.node(), "| kernel it sees:", platform.release())
print("processes it sees:", sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))
print("network interfaces:", [n for _, n in socket.if_nameindex()])
open("/tmp/scratch", "w").write("written in the in-memory layer")
print("wrote /tmp/scratch:", open("/tmp/scratch").read())
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(165, b"none", b"/mnt", b"tmpfs", 0, None)  # mount(2)
print("mount(2) ->", r, os.strerror(ctypes.get_errno()))
'
echo "== back on the host: /tmp/scratch exists? $([ -e /tmp/scratch ] && echo yes || echo no)"
echo "== the audit log recorded the refused call:"
cat "$audit"
