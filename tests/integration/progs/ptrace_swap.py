"""ptrace_swap.py: what a tracer in a sandbox (compat profile) can and cannot
do, one line each, for tests/integration/test-rules.sh.

  attach-init / seize-init   PTRACE_ATTACH and PTRACE_SEIZE of the sandbox's
                             init (pid 1), which holds the Sentry's exec channel
  tracee                     a traced child's getppid turned by its tracer, at
                             the syscall-entry stop, into unshare(CLONE_NEWUSER):
                             the kernel runs the seccomp filter after that stop,
                             so the swapped call is judged ("refused ..."), never
                             run ("unshare-ran")
  swapped                    whether the tracer made the swap (True)

On the host kernel the same program prints "tracee unshare-ran"."""
import ctypes
import os
import signal

libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
libc.syscall.restype = ctypes.c_long

TRACEME, PEEKUSER, POKEUSER, DETACH, SYSCALL, ATTACH, SEIZE = 0, 3, 6, 17, 24, 16, 0x4206
ORIG_RAX, RDI = 15 * 8, 14 * 8  # offsets in struct user_regs_struct
NR_GETPPID, NR_UNSHARE, CLONE_NEWUSER = 110, 272, 0x10000000


def pt(req, pid, addr=0, data=0):
    ctypes.set_errno(0)
    r = libc.ptrace(req, pid, addr, data)
    return r, ctypes.get_errno()


for name, req in (("attach-init", ATTACH), ("seize-init", SEIZE)):
    r, e = pt(req, 1)
    print(name, "ok" if r == 0 else os.strerror(e), flush=True)
    if r == 0:
        pt(DETACH, 1)

pid = os.fork()
if pid == 0:
    r, e = pt(TRACEME, 0)
    if r != 0:
        print("tracee refused %s" % os.strerror(e), flush=True)
        os._exit(0)
    os.kill(os.getpid(), signal.SIGSTOP)
    r = libc.syscall(NR_GETPPID)
    e = ctypes.get_errno()
    print("tracee", "unshare-ran" if r == 0 else "refused %s" % os.strerror(e), flush=True)
    os._exit(0)
_, st = os.waitpid(pid, 0)
swapped = False
for _ in range(400 if os.WIFSTOPPED(st) else 0):
    pt(SYSCALL, pid)
    _, st = os.waitpid(pid, 0)
    if os.WIFEXITED(st) or os.WIFSIGNALED(st):
        break
    nr, _ = pt(PEEKUSER, pid, ORIG_RAX)
    if nr == NR_GETPPID:
        pt(POKEUSER, pid, ORIG_RAX, NR_UNSHARE)
        pt(POKEUSER, pid, RDI, CLONE_NEWUSER)
        swapped = True
        pt(DETACH, pid)
        os.waitpid(pid, 0)
        break
print("swapped", swapped, flush=True)
