#!/usr/bin/env python3
"""ptyrun.py: runs a command on a new pseudo-terminal and drives it, for the
tests of sandboxctl's terminal paths (raw mode, resizes, detach keys,
signals). Steps, in order, each an argument before `--`:

  size:ROWSxCOLS     set the terminal's size (the command gets SIGWINCH)
  send:TEXT          type TEXT (\\n, \\r, \\xHH escapes)
  expect:REGEX       wait until the output so far matches (timeout: fail)
  sleep:SECONDS
  signal:NAME        send a signal to the command (e.g. INT, TERM)
  close              close our side (the terminal hangs up)

Prints the output to stdout (CR removed) and, on stderr, one line
`ptyrun: exit=N modes=same|changed` saying how the command ended and
whether the terminal's modes after it are those before it. Exits 0, or 1
when an expect timed out.
"""
import os, pty, re, select, signal, sys, termios, time, fcntl, struct

def main(argv):
    i = argv.index("--")
    steps, cmd = argv[:i], argv[i + 1:]
    timeout = float(os.environ.get("PTYRUN_TIMEOUT", "20"))
    pid, master = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    # The slave, to read its modes as the command left them.
    slave_name = os.ttyname(master) if False else None
    out = b""
    def pump(wait):
        nonlocal out
        end = time.time() + wait
        while True:
            left = end - time.time()
            if left <= 0:
                return
            r, _, _ = select.select([master], [], [], left)
            if not r:
                return
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            out += data
    before = None
    ok = True
    pump(0.3)
    for s in steps:
        kind, _, arg = s.partition(":")
        if kind == "size":
            rows, cols = (int(x) for x in arg.split("x"))
            fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        elif kind == "send":
            os.write(master, arg.encode().decode("unicode_escape").encode("latin-1"))
        elif kind == "expect":
            end = time.time() + timeout
            while not re.search(arg.encode(), out) and time.time() < end:
                pump(0.2)
            if not re.search(arg.encode(), out):
                sys.stderr.write("ptyrun: timed out waiting for /%s/\n" % arg)
                ok = False
                break
        elif kind == "sleep":
            pump(float(arg))
        elif kind == "signal":
            os.kill(pid, getattr(signal, "SIG" + arg))
        elif kind == "modes":
            before = termios.tcgetattr(master)
        elif kind == "close":
            os.close(master)
            master = -1
            break
    # Let it finish.
    status = None
    end = time.time() + timeout
    while time.time() < end:
        if master >= 0:
            pump(0.1)
        p, st = os.waitpid(pid, os.WNOHANG)
        if p:
            status = st
            break
        if master < 0:
            time.sleep(0.1)
    if status is None:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        sys.stderr.write("ptyrun: the command did not end: killed\n")
        ok = False
    modes = "unknown"
    if master >= 0:
        pump(0.2)
        after = termios.tcgetattr(master)
        ref = before if before is not None else initial
        modes = "same" if after == ref else "changed"
    code = os.waitstatus_to_exitcode(status)
    sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
    sys.stderr.write("ptyrun: exit=%d modes=%s\n" % (code, modes))
    return 0 if ok else 1

# The terminal's modes as a new pty has them (what the command starts with).
_m, _s = pty.openpty()
initial = termios.tcgetattr(_s)
os.close(_m); os.close(_s)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
