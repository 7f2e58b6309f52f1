#!/usr/bin/env bash
# test-python.sh - CPython in the sandbox: imports of C extensions (json,
# sqlite3, hashlib, ssl), file I/O, os.listdir, tempfile, subprocess,
# threads, a socket server and client on the loopback, multiprocessing.Pool.
# Needs /usr/bin/python3 (Debian package python3); always by its full path
# (a PATH shim such as pyenv's must not stand in for it).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PY=/usr/bin/python3
need_program "$PY" python3
need_program /bin/busybox busybox-static

# py NAME: runs the script $SB_TMP/NAME.py (written from stdin) in a sandbox.
# Each script prints "ok: ..." lines and ends with "done"; it exits non-zero
# with a traceback when something broke.
py() {
  local name=$1
  cat >"$SB_TMP/$name.py"
  sb_run --timeout 30 -- "$PY" "$SB_TMP/$name.py"
}

# expect_py WHAT: the last script ended with "done" and exit 0.
expect_py() {
  if [[ $SB_RC == 0 && $(tail -n 1 <<<"$SB_OUT") == done ]]; then
    pass "$1"
  else
    local why=
    [[ $SB_RC == 124 ]] && why=" (it hung: killed by the test's timeout)"
    soft_fail "$1: the script did not finish (exit $SB_RC)$why"
  fi
}

# --- imports of C extension modules --------------------------------------------
py imports <<'EOF'
import json, sqlite3, hashlib, ssl, zlib, ctypes, decimal
doc = {"name": "sandbox", "n": [1, 2, 3], "nested": {"ok": True}}
assert json.loads(json.dumps(doc)) == doc
print("ok: json round trip")
assert hashlib.sha256(b"abc").hexdigest() == \
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
assert hashlib.md5(b"").hexdigest() == "d41d8cd98f00b204e9800998ecf8427e"
print("ok: hashlib")
ctx = ssl.create_default_context()
assert ctx.verify_mode == ssl.CERT_REQUIRED
print("ok: ssl", ssl.OPENSSL_VERSION)
db = sqlite3.connect(":memory:")
db.execute("create table t (k integer primary key, v text)")
db.executemany("insert into t (v) values (?)", [("x%d" % i,) for i in range(100)])
assert db.execute("select count(*), max(k) from t").fetchone() == (100, 100)
print("ok: sqlite3 in memory")
db = sqlite3.connect("/tmp/test.db")
db.execute("pragma journal_mode=wal")
db.execute("create table t (v text)")
with db:
    db.executemany("insert into t values (?)", [("row%d" % i,) for i in range(500)])
db.close()
db = sqlite3.connect("/tmp/test.db")
assert db.execute("select count(*) from t").fetchone() == (500,)
print("ok: sqlite3 on a file in /tmp (WAL, locks, fsync)")
assert zlib.decompress(zlib.compress(b"z" * 10000)) == b"z" * 10000
assert ctypes.CDLL(None).getpid() > 0
print("done")
EOF
expect_py "imports json, sqlite3 (memory and file), hashlib, ssl, zlib, ctypes"

# --- file I/O, os.listdir, tempfile -----------------------------------------
py files <<'EOF'
import os, shutil, tempfile, stat
base = "/tmp/pyfiles"
os.makedirs(base + "/a/b")
with open(base + "/a/text.txt", "w") as f:
    f.write("line\n" * 1000)
with open(base + "/a/b/data.bin", "wb") as f:
    f.write(bytes(range(256)) * 4096)
with open(base + "/a/text.txt") as f:
    assert f.read().count("line") == 1000
with open(base + "/a/b/data.bin", "rb") as f:
    f.seek(256 * 100 + 7)
    assert f.read(1) == b"\x07"
assert os.path.getsize(base + "/a/b/data.bin") == 256 * 4096
print("ok: text and binary files, seek")
os.rename(base + "/a/text.txt", base + "/renamed.txt")
os.symlink("renamed.txt", base + "/link")
assert os.readlink(base + "/link") == "renamed.txt"
os.chmod(base + "/renamed.txt", 0o640)
assert stat.S_IMODE(os.stat(base + "/renamed.txt").st_mode) == 0o640
print("ok: rename, symlink, chmod, stat")
assert sorted(os.listdir(base)) == ["a", "link", "renamed.txt"], os.listdir(base)
assert sorted(os.listdir(base + "/a")) == ["b"]
walked = sorted(os.path.relpath(os.path.join(d, f), base) for d, _, fs in os.walk(base) for f in fs)
assert walked == ["a/b/data.bin", "link", "renamed.txt"], walked
with os.scandir("/") as it:
    names = {e.name for e in it}
assert {"bin", "etc", "usr", "tmp", "proc", "dev"} <= names, names
print("ok: os.listdir, os.walk, os.scandir")
shutil.copytree(base, "/tmp/pycopy", symlinks=True)
assert os.path.islink("/tmp/pycopy/link")
shutil.rmtree("/tmp/pycopy")
assert not os.path.exists("/tmp/pycopy")
print("ok: shutil.copytree and rmtree")
with tempfile.TemporaryDirectory() as d:
    assert d.startswith("/tmp/")
    with tempfile.NamedTemporaryFile(dir=d, delete=False) as t:
        t.write(b"temp")
    with open(t.name, "rb") as f:
        assert f.read() == b"temp"
    fd, path = tempfile.mkstemp(suffix=".x")
    os.write(fd, b"mkstemp")
    os.close(fd)
    os.unlink(path)
    with tempfile.TemporaryFile() as tf:
        tf.write(b"anon")
        tf.seek(0)
        assert tf.read() == b"anon"
assert not os.path.exists(d)
print("ok: tempfile (TemporaryDirectory, NamedTemporaryFile, mkstemp, TemporaryFile)")
print("done")
EOF
expect_py "file I/O, os.listdir/walk/scandir, shutil, tempfile"

# --- subprocess ----------------------------------------------------------------
py subproc <<'EOF'
import subprocess, sys
r = subprocess.run(["/bin/busybox", "echo", "hi"], capture_output=True, text=True)
assert r.returncode == 0 and r.stdout == "hi\n", r
r = subprocess.run(["/bin/busybox", "sh", "-c", "exit 3"])
assert r.returncode == 3, r
r = subprocess.run(["/bin/busybox", "tr", "a-z", "A-Z"], input="shout", capture_output=True, text=True)
assert r.stdout == "SHOUT", r
print("ok: run with capture, status and input")
p1 = subprocess.Popen(["/bin/busybox", "seq", "1", "100"], stdout=subprocess.PIPE)
p2 = subprocess.Popen(["/bin/busybox", "wc", "-l"], stdin=p1.stdout, stdout=subprocess.PIPE)
p1.stdout.close()
assert p2.communicate()[0].strip() == b"100"
assert p1.wait() == 0
print("ok: a Popen pipeline")
out = subprocess.check_output([sys.executable, "-c", "import os; print(os.getppid() > 0)"])
assert out == b"True\n", out
try:
    subprocess.run(["/no/such/program"])
    raise SystemExit("running a missing program did not fail")
except FileNotFoundError:
    pass
try:
    subprocess.run(["/bin/busybox", "sleep", "10"], timeout=0.3)
    raise SystemExit("the timeout did not fire")
except subprocess.TimeoutExpired:
    pass
print("ok: python child, missing program, timeout kill")
print("done")
EOF
expect_py "subprocess (run, pipes, Popen pipeline, nested python, timeout)"

# --- threads --------------------------------------------------------------------
py threads <<'EOF'
import threading, hashlib, os, json
from concurrent.futures import ThreadPoolExecutor
errors = []
def work(i):
    try:
        path = "/tmp/thread%d.txt" % i
        data = ("thread %d\n" % i) * 1000
        with open(path, "w") as f:
            f.write(data)
        with open(path) as f:
            back = f.read()
        assert back == data
        os.stat(path)
        os.listdir("/tmp")
        os.unlink(path)
        return hashlib.sha1(back.encode()).hexdigest()
    except Exception as e:
        errors.append("thread %d: %r" % (i, e))
def check(what):
    if errors:
        raise SystemExit("%s: %d errors, first: %s" % (what, len(errors), errors[0]))
    print("ok:", what)
ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
for t in ts: t.start()
for t in ts: t.join()
check("8 threads writing, reading, stat-ing and removing files")
with ThreadPoolExecutor(max_workers=4) as ex:
    sums = list(ex.map(work, range(8, 24)))
check("ThreadPoolExecutor of 16 file jobs")
assert len(set(sums)) == 16
def imp():
    try:
        import fractions, statistics
        return str(statistics.mean([1, 2, 3]))
    except Exception as e:
        errors.append("import in a thread: %r" % e)
with ThreadPoolExecutor(max_workers=2) as ex:
    ex.submit(imp).result()
check("an import inside a thread")
lock = threading.Lock(); counter = [0]
def add():
    for _ in range(10000):
        with lock:
            counter[0] += 1
ts = [threading.Thread(target=add) for _ in range(4)]
for t in ts: t.start()
for t in ts: t.join()
assert counter[0] == 40000
print("ok: locks")
print("done")
EOF
expect_py "threads doing file I/O and imports (threading, ThreadPoolExecutor)"

# --- a socket server and client on the loopback -------------------------------
py sockets <<'EOF'
import socket, socketserver, threading, os
class Echo(socketserver.StreamRequestHandler):
    def handle(self):
        for line in self.rfile:
            self.wfile.write(line.upper())
srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo)
srv.daemon_threads = True
port = srv.server_address[1]
threading.Thread(target=srv.serve_forever, daemon=True).start()
for n in range(3):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
        f = c.makefile("rwb")
        for i in range(50):
            f.write(b"hello %d\n" % i); f.flush()
            assert f.readline() == b"HELLO %d\n" % i
print("ok: TCP echo server (threaded) and client, 3 connections x 50 lines")
# the client in a thread, the server in the main thread
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(4)
got = []; errors = []
def client():
    try:
        with socket.create_connection(("127.0.0.1", ls.getsockname()[1]), timeout=10) as c:
            c.sendall(b"from a thread")
    except Exception as e:
        errors.append(e)
t = threading.Thread(target=client); t.start()
ls.settimeout(5)
try:
    conn, _ = ls.accept()
except OSError as e:
    t.join()
    raise SystemExit("the client thread could not connect (%r), accept: %r" % (errors, e))
while True:
    b = conn.recv(100)
    if not b: break
    got.append(b)
t.join()
assert b"".join(got) == b"from a thread", got
print("ok: a client connecting from a thread")
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
v.sendto(b"datagram", u.getsockname())
data, addr = u.recvfrom(100)
assert data == b"datagram"
print("ok: UDP on the loopback")
path = "/tmp/py.sock"
us = socket.socket(socket.AF_UNIX); us.bind(path); us.listen(1)
uc = socket.socket(socket.AF_UNIX); uc.connect(path)
a, _ = us.accept(); uc.sendall(b"unix"); assert a.recv(10) == b"unix"
assert os.path.exists(path)
print("ok: a UNIX socket in /tmp")
v6 = socket.socket(socket.AF_INET6)
try:
    v6.bind(("::1", 0)); v6.listen(1)
    c6 = socket.create_connection(("::1", v6.getsockname()[1]), timeout=5)
    print("ok: IPv6 loopback")
except OSError as e:
    print("note: no IPv6 loopback:", e)
srv.shutdown()
print("done")
EOF
expect_py "sockets on the loopback (threaded TCP server, client in a thread, UDP, UNIX)"

# --- multiprocessing -------------------------------------------------------------
py mp <<'EOF'
import multiprocessing as mp, os
def square(x):
    return x * x, os.getpid()
if __name__ == "__main__":
    for method in ("fork", "spawn"):
        ctx = mp.get_context(method)
        with ctx.Pool(4) as pool:
            res = pool.map(square, range(200))
        assert [r[0] for r in res] == [x * x for x in range(200)]
        pids = {r[1] for r in res}
        assert os.getpid() not in pids
        print("ok: Pool(4) with %s, %d worker pids" % (method, len(pids)))
    q = mp.Queue()
    p = mp.Process(target=q.put, args=("via a queue",))
    p.start(); assert q.get(timeout=10) == "via a queue"; p.join()
    assert p.exitcode == 0
    v = mp.Value("i", 0)
    def bump(v):
        with v.get_lock():
            v.value += 1
    ps = [mp.Process(target=bump, args=(v,)) for _ in range(4)]
    for p in ps: p.start()
    for p in ps: p.join()
    assert v.value == 4
    print("ok: Process, Queue and a shared Value (semaphores in /dev/shm)")
    print("done")
EOF
expect_py "multiprocessing (Pool with fork and spawn, Queue, shared Value)"

finish
