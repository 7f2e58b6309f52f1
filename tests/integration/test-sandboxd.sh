#!/usr/bin/env bash
# sandboxd against real clients over real mutual TLS: who may connect,
# who may touch what (one check per verb across tenants, each audited),
# policy limits, 50 containers of 5 tenants at once, misbehaving clients,
# sandboxd killed with containers running, reloads, events, and what is
# left behind afterwards.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/daemon-lib.sh"

PY=/usr/bin/python3
BB=/bin/busybox
need_program "$PY" python3
need_program "$BB" busybox-static

sb_snapshot "$SB_TMP/before"
SBD_POLICY_EXTRA='limits { containers = 20  exec-sessions = 2  memory = 512M }'
SBD_CONF_EXTRA='limits { request-timeout = 5 }'
sbd_setup alpha beta gamma delta epsilon
sbd_start
fds_before=$(ls /proc/"$SBD_PID"/fd | wc -l)

# json FIELD: a field of the body (second line) of the last api call.
json() {
  sed -n 2p | $PY -c "import json,sys; v=json.load(sys.stdin); e=sys.argv[1]; print(eval(('v' + e) if e.startswith('[') else e))" "$1" 2>/dev/null
}
status() { head -n 1; }

# --- who may connect ------------------------------------------------------------
out=$(api alpha GET /v1/info)
[[ $(status <<<"$out") == 200 && $(json '["tenant"]' <<<"$out") == alpha ]] &&
  pass "a tenant's certificate names its tenant" || soft_fail "info as alpha: $out"
out=$(api admin GET /v1/info)
[[ $(json '["role"]' <<<"$out") == admin ]] && pass "the admin certificate carries the admin role" ||
  soft_fail "info as admin: $out"
out=$(api local GET /v1/info)
[[ $(json '["role"]' <<<"$out") == admin ]] && pass "root on the local socket is the admin" ||
  soft_fail "info on the local socket: $out"
sbd_cert stranger "/O=Test/CN=stranger"
out=$(api stranger GET /v1/containers)
[[ $(status <<<"$out") == 403 ]] && pass "a valid certificate that names no tenant: 403" ||
  soft_fail "unknown subject: $out"

# Refused at the handshake.
handshake() { # CURL ARGS...: exit status of curl
  curl -s -o /dev/null --max-time 10 --cacert "$SBD/ca.pem" "$@" "https://127.0.0.1:$SBD_PORT/v1/info"
}
rc=0; handshake || rc=$?
((rc != 0)) && pass "no client certificate: refused at the handshake (curl $rc)" || soft_fail "no certificate was accepted"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$SBD/other-ca.key" \
  -out "$SBD/other-ca.pem" -days 30 -subj "/CN=Other CA" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$SBD/forged.key" -out "$SBD/forged.csr" \
  -subj "/O=Test/CN=alpha" 2>/dev/null
openssl x509 -req -in "$SBD/forged.csr" -CA "$SBD/other-ca.pem" -CAkey "$SBD/other-ca.key" -CAcreateserial \
  -out "$SBD/forged.pem" -days 30 2>/dev/null
rc=0; handshake --cert "$SBD/forged.pem" --key "$SBD/forged.key" || rc=$?
((rc != 0)) && pass "alpha's subject signed by another CA: refused at the handshake (curl $rc)" ||
  soft_fail "another CA's certificate was accepted"
sbd_cert old "/O=Test/CN=alpha" expired
rc=0; handshake --cert "$SBD/old.pem" --key "$SBD/old.key" || rc=$?
((rc != 0)) && pass "an expired certificate: refused at the handshake (curl $rc)" || soft_fail "an expired certificate was accepted"
sbd_cert revoked "/O=Test/CN=alpha"
openssl ca -batch -config "$SBD/ca.cnf" -revoke "$SBD/revoked.pem" >/dev/null 2>&1
openssl ca -batch -config "$SBD/ca.cnf" -gencrl -out "$SBD/crl.pem" 2>/dev/null
rc=0; handshake --cert "$SBD/revoked.pem" --key "$SBD/revoked.key" || rc=$?
((rc == 0)) && pass "a certificate revoked after start works until the CRL is re-read" ||
  soft_fail "the revoked certificate was refused before SIGHUP (curl $rc)"
kill -HUP "$SBD_PID"
sleep 0.5
rc=0; handshake --cert "$SBD/revoked.pem" --key "$SBD/revoked.key" || rc=$?
((rc != 0)) && pass "after SIGHUP, the revoked certificate is refused at the handshake (curl $rc)" ||
  soft_fail "a revoked certificate was accepted after SIGHUP"
rc=0; handshake --cert "$SBD/alpha.pem" --key "$SBD/alpha.key" || rc=$?
((rc == 0)) && pass "... and alpha's own certificate still works" || soft_fail "alpha refused after the CRL reload (curl $rc)"

# --- one container, every verb; and every verb refused to another tenant ------------
out=$(api alpha POST /v1/containers '{"name":"web","cmd":["/bin/busybox","sh","-c","echo hello; echo oops >&2; while :; do sleep 1; done"]}')
[[ $(status <<<"$out") == 201 ]] && pass "alpha creates a container" || fail "create: $out"
id=$(json '["id"]' <<<"$out")
out=$(api alpha POST /v1/containers/web/start)
[[ $(status <<<"$out") == 204 ]] && pass "alpha starts it (the answer comes once it runs)" || soft_fail "start: $out"
[[ $(api alpha GET /v1/containers/web | json '["state"]') == running ]] && pass "it is running" || soft_fail "not running"
out=$(api_exec alpha web /bin/busybox sh -c 'id -u; exit 3' 2>&1) && rc=0 || rc=$?
[[ $rc == 3 && $out == 0 ]] && pass "exec: output and exit code come back (3)" || soft_fail "exec: rc $rc, $out"
out=$($PY - "$SB_LIB_DIR" "$SBD" "$SBD_PORT" <<'PYEOF' 2>&1
import sys
sys.path.insert(0, sys.argv[1])
import sbapi
sbd, port = sys.argv[2], sys.argv[3]
c = sbapi.Client(url="https://127.0.0.1:" + port, ca=sbd + "/ca.pem", cert=sbd + "/alpha.pem", key=sbd + "/alpha.key")
out, err, ex = c.stream("POST", "/v1/containers/web/exec",
                        {"cmd": ["/bin/busybox", "sh", "-c", "tty; stty size"], "tty": True, "h": 33, "w": 101})
print(repr(out), ex)
out, err, ex = c.stream("POST", "/v1/containers/web/exec",
                        {"cmd": ["/bin/busybox", "sh", "-c", "id -u; pwd"], "user": "1000", "cwd": "/tmp"})
print("as-user", repr(out), repr(err), ex)
PYEOF
)
grep -qF "as-user b'1000\n/tmp\n'" <<<"$out" && pass "exec as user 1000 in /tmp: id and working directory as asked" ||
  soft_fail "exec as a user: $out"
grep -q "/dev/pts/" <<<"$out" && grep -q "33 101" <<<"$out" && grep -q "'exit_code': 0" <<<"$out" &&
  pass "exec with a terminal: a terminal of the sandbox ($(grep -o '/dev/pts/[0-9]*' <<<"$out" | head -n 1)), its size (h, w) from the start" ||
  soft_fail "exec -t: $out"
sleep 0.3
out=$(api alpha GET /v1/containers/web/logs | tr -d '\0')
grep -q hello <<<"$out" && grep -q oops <<<"$out" && pass "logs: stdout and stderr" || soft_fail "logs: $out"
out=$(api alpha GET /v1/containers/web/stats)
[[ $(json '["syscalls"]["mediated"] > 0' <<<"$out") == True && $(json '["memory_bytes"] > 0' <<<"$out") == True ]] &&
  pass "stats: memory, CPU, pids and mediated calls" || soft_fail "stats: $out"

for verb in "GET /v1/containers/$id" "POST /v1/containers/web/stop" "POST /v1/containers/web/kill" \
            "POST /v1/containers/web/start" "POST /v1/containers/web/wait" "GET /v1/containers/web/logs" \
            "GET /v1/containers/web/stats" "POST /v1/containers/web/resize?h=10&w=10" \
            "DELETE /v1/containers/$id?force=1"; do
  before=$(grep -c denied-other-tenant "$SBD/audit.log" || true)
  # shellcheck disable=SC2086
  out=$(api beta $verb)
  after=$(grep -c denied-other-tenant "$SBD/audit.log" || true)
  if [[ $(status <<<"$out") == 404 ]] && ((after == before + 1)); then
    pass "beta: $verb of alpha's container answers 404, and is audited"
  else
    soft_fail "beta: $verb of alpha's container: $(tr '\n' ' ' <<<"$out") (audit lines $before -> $after)"
  fi
done
out=$(api_exec beta "$id" /bin/true 2>&1) && rc=0 || rc=$?
((rc != 0)) && grep -q 'denied-other-tenant' <(tail -n 1 "$SBD/audit.log") &&
  pass "beta: exec into alpha's container is refused (404) and audited" || soft_fail "beta exec: rc $rc $out"
out=$(api beta GET /v1/containers)
[[ $(json 'len(v)' <<<"$out") == 0 ]] && pass "beta's list does not show alpha's container" || soft_fail "beta's list: $out"
out=$(api beta GET /v1/tenants/alpha)
[[ $(status <<<"$out") == 404 ]] && pass "beta cannot read alpha's tenant record" || soft_fail "tenant: $out"
[[ $(api alpha GET /v1/containers/web | json '["state"]') == running ]] &&
  pass "alpha's container is untouched by all of that" || soft_fail "alpha's container changed"
# A name is unique within a tenant only: beta may have a "web" too, and the
# admin, who sees both, must then say which by its id.
out=$(api beta POST /v1/containers '{"cmd":["/bin/true"],"name":"web"}')
beta_web=$(json '["id"]' <<<"$out")
out=$(api beta GET /v1/containers/web)
[[ $(json '["id"]' <<<"$out") == "$beta_web" ]] && pass "beta's own \"web\" beside alpha's" || soft_fail "beta web: $out"
out=$(api admin GET /v1/containers/web)
[[ $(status <<<"$out") == 409 ]] && grep -q '"ambiguous"' <<<"$out" &&
  pass "the admin naming a name two tenants use: 409 ambiguous" || soft_fail "admin, web: $out"
out=$(api admin GET "/v1/containers/$id")
[[ $(json '["tenant"]' <<<"$out") == alpha ]] && pass "... and by id, the one meant" || soft_fail "admin by id: $out"
api beta DELETE "/v1/containers/$beta_web" >/dev/null

# --- policy limits ---------------------------------------------------------------
out=$(api alpha POST /v1/containers '{"cmd":["/bin/true"],"limits":{"memory":"1G"}}')
[[ $(status <<<"$out") == 403 ]] && grep -q 'limits.memory' <<<"$out" &&
  pass "more memory than the policy allows: refused, naming the rule" || soft_fail "memory: $out"
# The limits an OCI config adds: a value no cgroup takes is a 400 naming
# the key.
for bad in '"blkio_throttle":[{"kind":"xbps","major":8,"minor":0,"rate":1}]|limits.blkio_throttle[0]' \
  '"blkio_throttle":[{"kind":"rbps","major":4096,"minor":0,"rate":1}]|limits.blkio_throttle[0]' \
  '"cpu_shares":1|limits.cpu_shares' '"swappiness":101|limits.swappiness' \
  '"cpuset_cpus":"0;1"|limits.cpuset_cpus' '"memory_reservation":0|limits.memory_reservation'; do
  out=$(api alpha POST /v1/containers "{\"cmd\":[\"/bin/true\"],\"limits\":{${bad%|*}}}")
  [[ $(status <<<"$out") == 400 ]] && grep -qF "${bad#*|}" <<<"$out" &&
    pass "limits {${bad%|*}}: 400 naming ${bad#*|}" || soft_fail "limits {${bad%|*}}: $out"
done
out=$(api alpha POST /v1/containers '{"cmd":["/bin/true"],"image":"debian:12"}')
[[ $(status <<<"$out") == 404 ]] && pass "an image that does not exist: 404" || soft_fail "image: $out"
exec_hold() { # keeps an exec session open for a while
  api_exec alpha web /bin/busybox sleep 5 >/dev/null 2>&1 &
}
exec_hold; h1=$!; exec_hold; h2=$!
sleep 1
out=$(api_exec alpha web /bin/true 2>&1) && rc=0 || rc=$?
wait "$h1" "$h2" 2>/dev/null || true
((rc != 0)) && grep -q '429' <<<"$out" && grep -q 'exec-sessions' <<<"$out" &&
  pass "a third exec session over exec-sessions = 2: refused (429), naming the rule" || soft_fail "exec sessions: rc $rc $out"
out=$(api alpha POST /v1/containers '{"name":"nocwd","cmd":["/bin/true"],"cwd":"/no/such/dir"}')
api alpha POST /v1/containers/nocwd/start >/dev/null
api alpha POST /v1/containers/nocwd/wait >/dev/null
out=$(api alpha GET /v1/containers/nocwd/logs | tr -d '\0')
grep -q '/no/such/dir' <<<"$out" && pass "a working directory that does not exist: the reason is in the container's log" ||
  soft_fail "no reason for the failed start in the log: $out"
api alpha DELETE /v1/containers/nocwd >/dev/null
# Clients that leave: their sessions run on, and still count.
exec_long() { api_exec alpha web /bin/busybox sleep 8 >/dev/null 2>&1 & }
exec_long; l1=$!; exec_long; l2=$!
sleep 1.5
kill -KILL "$l1" "$l2" 2>/dev/null || true
wait "$l1" "$l2" 2>/dev/null || true
sleep 0.5
out=$(api_exec alpha web /bin/true 2>&1) && rc=0 || rc=$?
((rc != 0)) && grep -q 'exec-sessions' <<<"$out" &&
  pass "two sessions whose clients left still count: a third is refused, naming the rule" ||
  soft_fail "exec sessions of departed clients did not count: rc $rc $out"
api alpha DELETE "/v1/containers/web?force=1" >/dev/null
n=0
for i in $(seq 20); do
  [[ $(api alpha POST /v1/containers '{"cmd":["/bin/true"]}' | status) == 201 ]] && n=$((n + 1))
done
out=$(api alpha POST /v1/containers '{"cmd":["/bin/true"]}')
[[ $n == 20 && $(status <<<"$out") == 429 ]] && grep -q 'limits.containers' <<<"$out" &&
  pass "the 21st container over containers = 20: refused (429), naming the rule" || soft_fail "containers: $n, $out"
sbd_clean_all

# --- 50 containers of 5 tenants, at once ------------------------------------------------
cat >"$SB_TMP/fifty.py" <<'PYEOF'
import sys, threading
sys.path.insert(0, sys.argv[1])
import sbapi
sbd, port, tenants = sys.argv[2], sys.argv[3], sys.argv[4:]
errors = []
def client(t):
    return sbapi.Client(url="https://127.0.0.1:" + port, ca=sbd + "/ca.pem", cert=sbd + "/%s.pem" % t, key=sbd + "/%s.key" % t)
def run(t, k):
    try:
        c = client(t)
        st, b = c.request("POST", "/v1/containers", {"name": "c%d" % k, "cmd": ["/bin/busybox", "sleep", "60"]})
        assert st == 201, (st, b)
        st, b = c.request("POST", "/v1/containers/c%d/start" % k)
        assert st == 204, (st, b)
        st, b = c.request("GET", "/v1/containers")
        assert st == 200 and any(x["name"] == "c%d" % k and x["state"] == "running" for x in b), b
        st, b = c.request("POST", "/v1/containers/c%d/stop?timeout=15" % k)
        assert st == 200 and b["exit_code"] == 143, (st, b)
        st, b = c.request("DELETE", "/v1/containers/c%d" % k)
        assert st == 204, (st, b)
    except Exception as e:
        errors.append("%s/c%d: %r" % (t, k, e))
threads = [threading.Thread(target=run, args=(t, k)) for t in tenants for k in range(10)]
[th.start() for th in threads]
[th.join() for th in threads]
print("errors", len(errors))
for e in errors[:10]: print(e)
PYEOF
out=$($PY "$SB_TMP/fifty.py" "$SB_LIB_DIR" "$SBD" "$SBD_PORT" alpha beta gamma delta epsilon 2>&1)
grep -qx 'errors 0' <<<"$out" &&
  pass "50 containers of 5 tenants created, started, listed, stopped and deleted at once" || soft_fail "fifty: $out"
[[ $(ls "$SBD/state/containers" | wc -l) == 0 ]] && pass "no container record is left" ||
  soft_fail "records left: $(ls "$SBD/state/containers")"
fds_after=$(ls /proc/"$SBD_PID"/fd | wc -l)
((fds_after <= fds_before + 2)) && pass "sandboxd holds as many descriptors as before ($fds_before -> $fds_after)" ||
  soft_fail "sandboxd's descriptors grew: $fds_before -> $fds_after"

# --- clients that misbehave ----------------------------------------------------------
cat >"$SB_TMP/bad.py" <<'PYEOF'
import os, socket, ssl, sys, threading, time
sys.path.insert(0, sys.argv[1])
import sbapi
sbd, port = sys.argv[2], int(sys.argv[3])
ctx = ssl.create_default_context(cafile=sbd + "/ca.pem")
ctx.load_cert_chain(sbd + "/alpha.pem", sbd + "/alpha.key")
def tls():
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
    s.settimeout(20)
    return s
def closed_within(s, secs):
    s.settimeout(secs)
    t = time.time()
    try:
        while s.recv(4096): pass
        return time.time() - t
    except (socket.timeout, TimeoutError):
        return None
    except (ConnectionError, ssl.SSLError, OSError):
        return time.time() - t
good = sbapi.Client(url="https://127.0.0.1:%d" % port, ca=sbd + "/ca.pem", cert=sbd + "/alpha.pem", key=sbd + "/alpha.key")
# 1. connects, says nothing
idle = tls()
# 2. half a handshake: a TCP connection with a few bytes of a ClientHello
half = socket.create_connection(("127.0.0.1", port)); half.sendall(b"\x16\x03\x01\x02\x00\x01")
# 3. garbage
g = tls(); g.sendall(b"\x00\x01garbage garbage\r\n\r\n")
print("garbage", g.recv(200).split(b"\r\n")[0].decode(errors="replace"))
# 4. 100 MB body
big = tls()
big.sendall(b"POST /v1/containers HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n")
try:
    for i in range(100):
        big.sendall(b"x" * (1 << 20))
    print("big accepted whole")
except (ConnectionError, ssl.SSLError, OSError) as e:
    print("big cut off")
# 5. vanishes mid-stream (follows logs, then goes)
v = tls(); v.sendall(b"GET /v1/events HTTP/1.1\r\nHost: x\r\n\r\n"); time.sleep(0.2); v.close()
# meanwhile the others are answered
t = time.time(); st, b = good.request("GET", "/v1/info"); print("others", st, "%.2f" % (time.time() - t))
print("idle closed", closed_within(idle, 30) is not None)
half.settimeout(30)
try:
    d = half.recv(100); print("half closed", True)
except (socket.timeout, TimeoutError):
    print("half closed", False)
except OSError:
    print("half closed", True)
PYEOF
out=$($PY "$SB_TMP/bad.py" "$SB_LIB_DIR" "$SBD" "$SBD_PORT" 2>&1)
grep -q '^garbage HTTP/1.1 400' <<<"$out" && pass "garbage gets 400 and the connection ends" || soft_fail "garbage: $out"
grep -q '^big cut off' <<<"$out" && pass "a 100 MB body is cut off by the body limit" || soft_fail "big body: $out"
grep -q '^others 200' <<<"$out" && pass "meanwhile other clients are answered ($(grep '^others' <<<"$out"))" || soft_fail "others: $out"
grep -q '^idle closed True' <<<"$out" && pass "a client that says nothing is cut off by the request timeout" || soft_fail "idle: $out"
grep -q '^half closed True' <<<"$out" && pass "a client stopping half-way through the handshake is cut off" || soft_fail "half: $out"
kill -0 "$SBD_PID" && pass "sandboxd is still serving" || fail "sandboxd died"

# --- sandboxd killed with containers running ------------------------------------------
for i in $(seq 10); do
  api alpha POST /v1/containers "{\"name\":\"k$i\",\"cmd\":[\"/bin/busybox\",\"sh\",\"-c\",\"i=0; while :; do echo line \$i; i=\$((i+1)); sleep 0.05; done\"]}" >/dev/null
  api alpha POST "/v1/containers/k$i/start" >/dev/null
done
api_exec alpha k1 /bin/busybox sh -c 'sleep 4; echo exec-done' >"$SB_TMP/exec.out" 2>&1 &
execpid=$!
sleep 1
sbd_kill9
sleep 1
sbd_start
n=$(api alpha GET /v1/containers | json 'len([c for c in v if c["state"] == "running"])')
[[ $n == 10 ]] && pass "after kill -9 of sandboxd and a restart, the 10 containers still run and are listed" ||
  soft_fail "after the restart: $n running"
wait "$execpid" 2>/dev/null || true
sleep 0.5
out=$(api alpha GET /v1/containers/k3/logs | tr -d '\0')
$PY - "$out" <<'PYEOF' && pass "k3's log has no gap across the restart" || soft_fail "k3's log has a gap"
import re, sys
nums = [int(m) for m in re.findall(r"line (\d+)", sys.argv[1])]
sys.exit(0 if nums and nums == list(range(nums[0], nums[0] + len(nums))) and len(nums) > 30 else 1)
PYEOF
for i in $(seq 10); do
  [[ $(api alpha POST "/v1/containers/k$i/stop?timeout=2" | status) == 200 ]] || soft_fail "stop k$i after the restart"
done
[[ $(api alpha GET /v1/containers | json 'len(v)') == 0 ]] && pass "... and can all be stopped" || soft_fail "some still run"

# A monitor lost while sandboxd was away: the container is recorded as ended.
api alpha POST /v1/containers '{"name":"lost","cmd":["/bin/busybox","sleep","60"]}' >/dev/null
api alpha POST /v1/containers/lost/start >/dev/null
sbd_kill9
mon=$(pgrep -f "sandbox-monitor $SBD/state/containers/" | head -n 1)
kill -KILL "$mon" 2>/dev/null || true
sleep 0.5
sbd_start
out=$(api alpha GET /v1/containers/lost)
[[ $(json '["state"]' <<<"$out") == exited && $(json '["exit_code"]' <<<"$out") == 255 ]] &&
  pass "a container whose monitor died while sandboxd was down is recorded as exited (255)" || soft_fail "lost: $out"
api alpha DELETE /v1/containers/lost >/dev/null

# Damaged state, found at the start: a state.json cut in half (rebuilt from
# spec.json and adopted), a state.json of garbage with no spec.json (ended,
# removed), a container directory removed under a running monitor (the
# monitor is ended), a leftover state.json.tmp, and the socket of a killed
# monitor (removed).
for n in half garbage orphan stale; do
  api alpha POST /v1/containers "{\"name\":\"$n\",\"cmd\":[\"/bin/busybox\",\"sleep\",\"60\"]}" >/dev/null
  api alpha POST "/v1/containers/$n/start" >/dev/null
done
id_of() { api alpha GET "/v1/containers/$1" | json '["id"]'; }
half=$(id_of half) garbage=$(id_of garbage) orphan=$(id_of orphan) stale=$(id_of stale)
mon_of() { pgrep -f "^sandbox-monitor $SBD/state/containers/$1 " | head -n 1; }
garbage_mon=$(mon_of "$garbage") orphan_mon=$(mon_of "$orphan") stale_mon=$(mon_of "$stale")
sbd_kill9
st=$SBD/state/containers
head -c 25 "$st/$half/state.json" >"$st/$half/state.json.cut" && mv "$st/$half/state.json.cut" "$st/$half/state.json"
echo '{"half a write' >"$st/$half/state.json.tmp"
printf '\x00\x01 not json' >"$st/$garbage/state.json"
rm -f "$st/$garbage/spec.json"
rm -rf "$st/$orphan"
kill -KILL "$stale_mon"
sleep 0.5
stale_sock=$(ls "$SBD/run/containers/" | grep "^${stale:0:32}" || true)
[[ -n $stale_sock ]] || soft_fail "the killed monitor left no socket to test with"
sbd_start
out=$(api alpha GET /v1/containers/half)
[[ $(json '["state"]' <<<"$out") == running && $(json '["id"]' <<<"$out") == "$half" ]] &&
  pass "a state.json cut in half: the record is rebuilt from spec.json and the container adopted" ||
  soft_fail "half: $out"
[[ ! -e $st/$half/state.json.tmp ]] && $PY -c 'import json,sys; json.load(open(sys.argv[1]))' "$st/$half/state.json" &&
  pass "... its state.json is whole again and the leftover .tmp is gone" || soft_fail "half: state files $(ls "$st/$half")"
[[ $(api alpha POST /v1/containers/half/stop?timeout=2 | status) == 200 ]] && pass "... and it can be stopped" ||
  soft_fail "stop the rebuilt container"
gone() { ! kill -0 "$1" 2>/dev/null; }
# The monitors of the dropped containers end by themselves, soon.
for i in $(seq 100); do gone "$garbage_mon" && gone "$orphan_mon" && break; sleep 0.1; done
[[ $(api alpha GET /v1/containers/garbage | status) == 404 && ! -e $st/$garbage ]] && gone "$garbage_mon" &&
  [[ ! -d /sys/fs/cgroup/memory/sandbox/$garbage && ! -d /sys/fs/cgroup/sandbox/$garbage ]] &&
  pass "state.json unreadable and no spec.json: the container is ended, its record and cgroup removed" ||
  soft_fail "garbage: $(ls "$st/$garbage" 2>&1) monitor $(gone "$garbage_mon" && echo gone || echo alive)"
gone "$orphan_mon" && ! ls "$SBD/run/containers/" | grep -q "^${orphan:0:32}" &&
  pass "a monitor whose container directory is gone is ended, and its socket removed" ||
  soft_fail "orphan monitor $orphan_mon still runs"
[[ ! -e $SBD/run/containers/$stale_sock && $(api alpha GET /v1/containers/stale | json '["exit_code"]') == 255 ]] &&
  pass "the stale socket of a killed monitor is removed and the container recorded as exited (255)" ||
  soft_fail "stale socket: $(ls "$SBD/run/containers/")"
grep -q '"action":"record-rebuilt"' "$SBD/audit.log" && grep -q '"action":"record-dropped"' "$SBD/audit.log" &&
  pass "the rebuilt and the dropped records are in the audit log" || soft_fail "no audit line for the damaged records"
for n in half stale; do api alpha DELETE "/v1/containers/$n?force=1" >/dev/null; done

# --- restart policies -------------------------------------------------------------------
api alpha POST /v1/containers '{"name":"flaky","cmd":["/bin/busybox","false"],"restart":"on-failure:2"}' >/dev/null
api alpha POST /v1/containers/flaky/start >/dev/null
sleep 3
out=$(api alpha GET /v1/containers/flaky)
[[ $(json '["restart_count"]' <<<"$out") == 2 && $(json '["state"]' <<<"$out") == exited ]] &&
  pass "restart on-failure:2: two restarts, then it stays exited" || soft_fail "restart: $out"
api alpha DELETE /v1/containers/flaky >/dev/null
for n in alw:always uns:unless-stopped; do
  api alpha POST /v1/containers "{\"name\":\"${n%%:*}\",\"cmd\":[\"/bin/busybox\",\"sleep\",\"60\"],\"restart\":\"${n#*:}\"}" >/dev/null
  api alpha POST "/v1/containers/${n%%:*}/start" >/dev/null
  api alpha POST "/v1/containers/${n%%:*}/stop?timeout=2" >/dev/null
done
sbd_stop
sbd_start
sleep 1
[[ $(api alpha GET /v1/containers/alw | json '["state"]') == running &&
  $(api alpha GET /v1/containers/uns | json '["state"]') == exited ]] &&
  pass "stopped by hand, then sandboxd restarts: restart=always runs again, unless-stopped does not" ||
  soft_fail "always/unless-stopped: $(api alpha GET '/v1/containers?all=1')"
api alpha DELETE "/v1/containers/alw?force=1" >/dev/null
api alpha DELETE /v1/containers/uns >/dev/null

# --- reloads ------------------------------------------------------------------------------
cp "$SBD/tenants/beta.conf" "$SBD/beta.good"
printf 'tenant = "beta"\nlimits { memory = 12Q }\n' >"$SBD/tenants/beta.conf"
out=$(api admin POST /v1/tenants/reload)
[[ $(status <<<"$out") == 422 ]] && grep -q 'beta.conf:2: memory' <<<"$out" &&
  pass "a bad tenant file is reported with FILE:LINE on reload" || soft_fail "reload: $out"
[[ $(api beta GET /v1/info | status) == 200 ]] && pass "... and that tenant keeps its last good policy" ||
  soft_fail "beta lost its policy"
cp "$SBD/beta.good" "$SBD/tenants/beta.conf"
grep -q '"action":"reload-failed"' "$SBD/audit.log" && pass "the failed reload is in the audit log" || soft_fail "no reload audit line"

# --- events ---------------------------------------------------------------------------------
curl -sN --max-time 20 --cacert "$SBD/ca.pem" --cert "$SBD/alpha.pem" --key "$SBD/alpha.key" \
  "https://127.0.0.1:$SBD_PORT/v1/events" >"$SB_TMP/events.out" 2>&1 &
evpid=$!
SB_BG_PIDS+=("$evpid")
curl -sN --max-time 20 --cacert "$SBD/ca.pem" --cert "$SBD/beta.pem" --key "$SBD/beta.key" \
  "https://127.0.0.1:$SBD_PORT/v1/events" >"$SB_TMP/events-beta.out" 2>&1 &
evpid2=$!
SB_BG_PIDS+=("$evpid2")
# Idle for longer than request-timeout (5 s): the streams stay open.
api alpha POST /v1/containers '{"name":"slow","cmd":["/bin/busybox","sh","-c","echo first; sleep 7; echo second"]}' >/dev/null
api alpha POST /v1/containers/slow/start >/dev/null
curl -sN --max-time 20 --cacert "$SBD/ca.pem" --cert "$SBD/alpha.pem" --key "$SBD/alpha.key" \
  "https://127.0.0.1:$SBD_PORT/v1/containers/slow/logs?follow=1" >"$SB_TMP/follow.out" 2>&1 &
folpid=$!
SB_BG_PIDS+=("$folpid")
sleep 6.5
api alpha POST /v1/containers '{"name":"ev","cmd":["/bin/true"]}' >/dev/null
api alpha POST /v1/containers/ev/start >/dev/null
api alpha POST /v1/containers/ev/wait >/dev/null
api alpha DELETE /v1/containers/ev >/dev/null
sleep 0.5
kill "$evpid" "$evpid2" 2>/dev/null || true
wait "$evpid" "$evpid2" 2>/dev/null || true
rc=0; wait "$folpid" || rc=$?
grep -q first "$SB_TMP/follow.out" && grep -q second "$SB_TMP/follow.out" && ((rc == 0)) &&
  pass "logs?follow=1 stays open through 7 s of silence (longer than request-timeout) and ends with the container" ||
  soft_fail "follow (curl $rc): $(tr -d '\0' <"$SB_TMP/follow.out" | head -c 300)"
api alpha DELETE /v1/containers/slow >/dev/null
seen=$($PY -c '
import json, sys
print(" ".join(json.loads(l)["action"] for l in open(sys.argv[1]) if l.strip() and json.loads(l).get("name") == "ev"))
' "$SB_TMP/events.out" 2>&1)
[[ $seen == "create start die destroy" ]] && pass "events: after 6 s of silence, alpha sees create, start, die, destroy of its container" ||
  soft_fail "events seen by alpha: '$seen' ($(head -c 400 "$SB_TMP/events.out"))"
! grep -q '"ev"' "$SB_TMP/events-beta.out" && pass "... and beta sees none of them" ||
  soft_fail "beta saw alpha's events: $(head -c 400 "$SB_TMP/events-beta.out")"

sbd_clean_all
sbd_stop

# --- without --foreground ----------------------------------------------------------------
# The sandboxes' shared cgroup parents, empty: what a remover killed between
# a sandbox's leaf and the parent leaves. sandboxd removes them at its start.
parents=()
for h in /sys/fs/cgroup/{memory,pids,cpu,cpuacct,freezer}; do
  [[ -d $h && ! -L $h ]] && parents+=("$h/sandbox")
done
[[ -e /sys/fs/cgroup/cgroup.controllers ]] && parents=(/sys/fs/cgroup/sandbox)
busy=$(find "${parents[@]}" -mindepth 1 -maxdepth 1 -type d 2>/dev/null || true)
[[ -z $busy ]] || soft_fail "other sandboxes run on this host: the empty cgroup parents cannot be tested ($busy)"
mkdir -p "${parents[@]}"
rc=0; "$SANDBOXD" --config "$SBD/sandboxd.conf" >"$SB_TMP/bg.out" 2>&1 || rc=$?
bgpid=$(cat "$SBD/run/sandboxd.pid" 2>/dev/null || true)
[[ $rc == 0 && -n $bgpid ]] && [[ $(api local GET /v1/health | status) == 200 ]] &&
  pass "without --foreground, sandboxd returns 0 once it serves, its pid in sandboxd.pid" ||
  soft_fail "background start: rc $rc, pid '$bgpid', $(cat "$SB_TMP/bg.out")"
left=$(ls -d "${parents[@]}" 2>/dev/null || true)
[[ -z $left ]] && pass "... and has removed the empty cgroup parents a killed remover left (${parents[*]})" ||
  soft_fail "empty cgroup parents still there after sandboxd's start: $left"
if [[ -n $bgpid ]]; then
  kill -TERM "$bgpid" 2>/dev/null || true
  for i in $(seq 50); do kill -0 "$bgpid" 2>/dev/null || break; sleep 0.1; done
fi
grep -q 'serving' "$SBD/sandboxd.log" && pass "... and writes its messages to sandboxd.log beside the audit log" ||
  soft_fail "no sandboxd.log: $(ls "$SBD")"
printf 'listen = {"nowhere"}\n' >"$SB_TMP/bad.conf"
rc=0; out=$("$SANDBOXD" --config "$SB_TMP/bad.conf" 2>&1) || rc=$?
[[ $rc != 0 ]] && grep -q 'bad.conf:1' <<<"$out" && pass "a bad sandboxd.conf: exit $rc, naming FILE:LINE ($out)" ||
  soft_fail "bad config: rc $rc, $out"
check_nothing_left "$SB_TMP/before" "sandboxd and all its containers"
finish
