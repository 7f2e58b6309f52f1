#!/usr/bin/env bash
# test-servers.sh - real servers with their own clients, each pair inside
# ONE sandbox (docs/COMPAT.md, issue 11's programs):
#   postgres   initdb as the postgres user (runuser), pg_ctl start on a Unix
#              socket, psql, pgbench -i and a 3-second pgbench run, pg_ctl stop
#   node       an HTTP server and 200 requests from its own http client
#   memcached  200 sets and gets over TCP from a python client
#   apache     apache2 (event MPM, as nobody) and ab -n 2000 -c 8
# Needs the Debian packages postgresql, nodejs, memcached, apache2,
# apache2-utils and python3. Everything a server writes stays in the
# sandbox's writable layer, and its processes end with the sandbox.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG=/usr/lib/postgresql/15/bin
need_program "$PG/initdb" postgresql
need_program /usr/bin/psql postgresql-client
need_program /usr/sbin/runuser util-linux
need_program /usr/bin/node nodejs
need_program /usr/bin/memcached memcached
need_program /usr/sbin/apache2 apache2
need_program /usr/bin/ab apache2-utils
need_program /usr/bin/python3 python3

# --- postgres --------------------------------------------------------------
cat >"$SB_TMP/pg.sh" <<EOF
PG=$PG
EOF
cat >>"$SB_TMP/pg.sh" <<'EOF'
D=/tmp/pgdata
as_pg() { /usr/sbin/runuser -u postgres -- "$@"; }
as_pg "$PG/initdb" -D "$D" -A trust >/tmp/initdb.log 2>&1 || { echo "initdb-failed"; tail -20 /tmp/initdb.log; exit 1; }
echo "initdb=ok"
as_pg "$PG/pg_ctl" -D "$D" -l /tmp/pg.log -o "-k /tmp -c listen_addresses=''" -w start >/dev/null ||
  { echo "start-failed"; tail -20 /tmp/pg.log; exit 1; }
echo "start=ok"
echo "psql=$(as_pg /usr/bin/psql -h /tmp -At -c 'select 6*7' postgres)"
as_pg "$PG/pgbench" -h /tmp -i -s 1 postgres >/tmp/pgbench-init.log 2>&1 && echo "pgbench-init=ok" ||
  tail -5 /tmp/pgbench-init.log
as_pg "$PG/pgbench" -h /tmp -c 4 -T 3 postgres 2>&1 | grep -E '^(tps|number of failed)' | sed 's/^/bench: /'
as_pg "$PG/pg_ctl" -D "$D" -m fast -w stop >/dev/null && echo "stop=ok"
EOF
sb_run --timeout 120 -- /bin/sh "$SB_TMP/pg.sh"
expect_rc "postgres: the session ends" 0
expect_line "postgres: initdb as the postgres user" "initdb=ok"
expect_line "postgres: pg_ctl start" "start=ok"
expect_line "postgres: psql answers" "psql=42"
expect_line "postgres: pgbench -i" "pgbench-init=ok"
expect_line "postgres: pgbench runs without a failed transaction" "bench: number of failed transactions: 0 (0.000%)"
expect_line_re "postgres: pgbench reports its rate" "bench: tps = [0-9.]* .*"
expect_line "postgres: pg_ctl stop" "stop=ok"
say "$(grep '^bench: tps' <<<"$SB_OUT" || true)"

# --- node ----------------------------------------------------------------
sb_run --timeout 60 -- /usr/bin/node -e '
const http = require("http");
const srv = http.createServer((q, r) => r.end("hello " + q.url));
srv.listen(0, "127.0.0.1", async () => {
  const port = srv.address().port;
  let ok = 0;
  for (let i = 0; i < 200; i++) {
    await new Promise((res, rej) => http.get({ host: "127.0.0.1", port, path: "/" + i }, (r) => {
      let b = "";
      r.on("data", (d) => (b += d));
      r.on("end", () => { if (b === "hello /" + i) ok++; res(); });
    }).on("error", rej));
  }
  console.log("node-http " + ok);
  srv.close();
});'
expect_out "node: an HTTP server answers 200 requests of its own client" "node-http 200"

# --- memcached -------------------------------------------------------------
port=$(free_port)
cat >"$SB_TMP/mc.sh" <<EOF
/usr/bin/memcached -u nobody -l 127.0.0.1 -p $port -U 0 -d -P /tmp/mc.pid || { echo "memcached-failed"; exit 1; }
/usr/bin/python3 - <<'PY'
import socket, time
for _ in range(100):
    try:
        s = socket.create_connection(("127.0.0.1", $port)); break
    except OSError:
        time.sleep(0.05)
ok = 0
for i in range(200):
    s.sendall(b"set k%d 0 0 5\r\nv%04d\r\n" % (i, i))
    assert s.recv(100) == b"STORED\r\n"
for i in range(200):
    s.sendall(b"get k%d\r\n" % i)
    d = b""
    while not d.endswith(b"END\r\n"):
        d += s.recv(100)
    ok += (b"v%04d" % i) in d
print("memcached-get", ok)
PY
kill \$(cat /tmp/mc.pid)
EOF
sb_run --timeout 60 -- /bin/sh "$SB_TMP/mc.sh"
expect_out "memcached: 200 sets and gets from a client in the same sandbox" "memcached-get 200"

# --- apache and ab -----------------------------------------------------------
port=$(free_port)
cat >"$SB_TMP/ap.sh" <<EOF
W=/tmp/apache
mkdir -p \$W/htdocs \$W/logs
echo "hello from apache" >\$W/htdocs/index.html
cat >\$W/httpd.conf <<CONF
ServerRoot \$W
ServerName localhost
Listen 127.0.0.1:$port
PidFile \$W/httpd.pid
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
User nobody
Group nogroup
DocumentRoot \$W/htdocs
ErrorLog \$W/logs/error.log
TypesConfig /etc/mime.types
<Directory \$W/htdocs>
  Require all granted
</Directory>
CONF
/usr/sbin/apache2 -f \$W/httpd.conf -k start || { echo "apache-start-failed"; cat \$W/logs/error.log; exit 1; }
i=0
until [ -s \$W/httpd.pid ] || [ \$i -gt 50 ]; do i=\$((i + 1)); sleep 0.1; done
/usr/bin/ab -q -n 2000 -c 8 http://127.0.0.1:$port/index.html 2>&1 |
  grep -E '^(Complete requests|Failed requests|Requests per second)' | tr -s ' '
/usr/sbin/apache2 -f \$W/httpd.conf -k stop && echo "stop=ok"
EOF
sb_run --timeout 90 -- /bin/sh "$SB_TMP/ap.sh"
expect_line "apache: ab completes 2000 requests" "Complete requests: 2000"
expect_line "apache: none fails" "Failed requests: 0"
expect_line "apache: apache2 -k stop" "stop=ok"
say "$(grep '^Requests per second' <<<"$SB_OUT" || true)"

finish
