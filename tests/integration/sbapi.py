"""A small client of sandboxd's API for the tests: HTTP/1.1 over mutual TLS
or the local Unix socket, JSON bodies, and the framed streams of logs,
attach and exec (docs/API.md). Used as a module or from the command line:

  sbapi.py [--unix PATH | --url https://H:P --ca CA --cert C --key K] METHOD PATH [JSON]
  sbapi.py ... exec CONTAINER CMD...      (prints stdout/stderr, exits with the code)
  sbapi.py ... import FILE NAME [CHUNK]  (an upload in chunks, then its commit;
                                          prints the commit's status and body)
"""
import http.client, json, os, socket, ssl, struct, sys

class Client:
    def __init__(self, url=None, ca=None, cert=None, key=None, unix=None, timeout=60):
        self.url, self.ca, self.cert, self.key, self.unix, self.timeout = url, ca, cert, key, unix, timeout

    def _conn(self):
        if self.unix:
            c = http.client.HTTPConnection("localhost", timeout=self.timeout)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(self.timeout)
            s.connect(self.unix)
            c.sock = s
            return c
        host, port = self.url.split("//")[1].rsplit(":", 1)
        ctx = ssl.create_default_context(cafile=self.ca)
        if self.cert:
            ctx.load_cert_chain(self.cert, self.key)
        return http.client.HTTPSConnection(host, int(port), context=ctx, timeout=self.timeout)

    def request(self, method, path, body=None, raw=False, data=None):
        c = self._conn()
        headers = {"Content-Type": "application/octet-stream"} if data is not None else {}
        if body is not None:
            data = json.dumps(body).encode()
            headers = {"Content-Type": "application/json"}
        c.request(method, path, body=data, headers=headers)
        r = c.getresponse()
        text = r.read()
        c.close()
        if raw:
            return r.status, text
        try:
            return r.status, json.loads(text) if text else None
        except ValueError:
            return r.status, text.decode(errors="replace")

    def upload(self, path, name, chunk=1 << 20, query=""):
        """POST uploads, PUT the file in chunks, POST commit: (status, body) of
        the first call that fails, or of the commit."""
        st, b = self.request("POST", "/v1/images/uploads" + query)
        if st != 201:
            return st, b
        up, off = b["upload"], 0
        with open(path, "rb") as f:
            while True:
                d = f.read(chunk)
                if not d:
                    break
                st, b = self.request("PUT", "/v1/images/uploads/%s?offset=%d" % (up, off), data=d)
                if st != 200:
                    return st, b
                off += len(d)
        return self.request("POST", "/v1/images/uploads/%s/commit" % up, {"name": name})

    def stream(self, method, path, body=None, stdin=None, close_stdin=True):
        """Upgraded stream: returns (out, err, exit_json)."""
        c = self._conn()
        c.connect()
        sock = c.sock
        data = json.dumps(body).encode() if body is not None else b""
        req = "%s %s HTTP/1.1\r\nHost: sandboxd\r\nConnection: Upgrade\r\nUpgrade: sandbox-stream\r\nContent-Length: %d\r\n" % (method, path, len(data))
        if data:
            req += "Content-Type: application/json\r\n"
        sock.sendall(req.encode() + b"\r\n" + data)
        f = sock.makefile("rb")
        status = f.readline()
        while f.readline() not in (b"\r\n", b""):
            pass
        if b" 101 " not in status:
            rest = f.read()
            return None, None, {"http": status.decode().strip(), "body": rest.decode(errors="replace")}
        if stdin is not None:
            sock.sendall(frame(0, stdin))
        if close_stdin:
            sock.sendall(frame(4, b""))
        return read_frames(f)

def frame(t, d):
    return bytes([t, 0, 0, 0]) + struct.pack(">I", len(d)) + d

def read_frames(f):
    out, err, ex = b"", b"", None
    while True:
        h = f.read(8)
        if len(h) < 8:
            break
        n = struct.unpack(">I", h[4:])[0]
        d = f.read(n)
        if h[0] == 1:
            out += d
        elif h[0] == 2:
            err += d
        elif h[0] == 3:
            ex = json.loads(d)
            break
    return out, err, ex

def from_args(argv):
    kw, i = {}, 0
    while i < len(argv) and argv[i].startswith("--"):
        kw[argv[i][2:]] = argv[i + 1]
        i += 2
    return Client(**kw), argv[i:]

if __name__ == "__main__":
    cl, rest = from_args(sys.argv[1:])
    if rest[0] == "exec":
        out, err, ex = cl.stream("POST", "/v1/containers/%s/exec" % rest[1], {"cmd": rest[2:]})
        if ex and "http" in ex:
            sys.stderr.write("%s %s\n" % (ex["http"], ex["body"]))
            sys.exit(125)
        sys.stdout.buffer.write(out or b"")
        sys.stderr.buffer.write(err or b"")
        sys.exit((ex or {}).get("exit_code", 255))
    if rest[0] == "import":
        st, body = cl.upload(rest[1], rest[2], int(rest[3]) if len(rest) > 3 else 1 << 20,
                             rest[4] if len(rest) > 4 else "")
        print(st)
        print(json.dumps(body) if not isinstance(body, str) else body)
        sys.exit(0)
    st, body = cl.request(rest[0], rest[1], json.loads(rest[2]) if len(rest) > 2 else None)
    print(st)
    print(json.dumps(body) if not isinstance(body, str) else body)
