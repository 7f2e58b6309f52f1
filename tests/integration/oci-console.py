#!/usr/bin/env python3
"""oci-console.py SOCKET [--send TEXT] [--timeout S]

The receiving end of a runtime's --console-socket, as a shim is: listens
on SOCKET, takes the terminal's master that the runtime sends (SCM_RIGHTS),
writes --send (escapes allowed) to it, then prints what the terminal shows
until it hangs up or the timeout passes. Prints "READY" on stderr once
listening."""
import array, os, select, socket, sys, time

path = sys.argv[1]
send = b""
timeout = 30.0
args = sys.argv[2:]
while args:
    if args[0] == "--send":
        send = args[1].encode().decode("unicode_escape").encode()
        args = args[2:]
    elif args[0] == "--timeout":
        timeout = float(args[1])
        args = args[2:]
    else:
        sys.exit("unknown argument " + args[0])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
sys.stderr.write("READY\n")
sys.stderr.flush()
c, _ = s.accept()
fds = array.array("i")
msg, anc, _, _ = c.recvmsg(4096, socket.CMSG_SPACE(fds.itemsize))
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(data[:fds.itemsize])
master = fds[0]
if send:
    time.sleep(0.5)
    os.write(master, send)
end = time.time() + timeout
out = b""
while time.time() < end:
    r, _, _ = select.select([master], [], [], 0.2)
    if r:
        try:
            d = os.read(master, 65536)
        except OSError:
            break
        if not d:
            break
        out += d
sys.stdout.write(out.decode(errors="replace"))
