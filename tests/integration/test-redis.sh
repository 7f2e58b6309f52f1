#!/usr/bin/env bash
# test-redis.sh - a redis server, its client and its benchmark, all inside
# ONE sandbox: redis-server --daemonize yes on a free loopback port (no
# persistence), redis-cli ping/set/get, redis-benchmark -n 10000 -t set,get
# (it must report requests per second), then a shutdown that the server
# obeys.  Needs redis-server, redis-cli and redis-benchmark (Debian packages
# redis-server and redis-tools) and /bin/busybox (busybox-static).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_program /usr/bin/redis-server redis-server
need_program /usr/bin/redis-cli redis-tools
need_program /usr/bin/redis-benchmark redis-tools
need_program /bin/busybox busybox-static

port=$(free_port)

# The whole session runs in one sandbox; each step prints a tagged line.
cat >"$SB_TMP/redis-session.sh" <<'EOF'
port=$1
cli() { /usr/bin/redis-cli -h 127.0.0.1 -p "$port" "$@"; }
/usr/bin/redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
  --daemonize yes --dir /tmp --logfile /tmp/redis.log --pidfile /tmp/redis.pid
echo "server-started=$?"
i=0
until [ "$(cli ping 2>/dev/null)" = PONG ]; do
  i=$((i + 1))
  if [ $i -gt 100 ]; then
    echo "server-never-answered"
    echo "--- /tmp/redis.log"; cat /tmp/redis.log
    exit 1
  fi
  sleep 0.1
done
echo "ping=$(cli ping)"
echo "set=$(cli set sandbox-key sandbox-value)"
echo "get=$(cli get sandbox-key)"
echo "incr=$(cli incr counter) $(cli incr counter)"
echo "dbsize=$(cli dbsize)"
/usr/bin/redis-benchmark -h 127.0.0.1 -p "$port" -n 10000 -q -t set,get 2>&1 | tr '\r' '\n' | grep -v '^ *$' | grep -v 'rps=' | sed 's/^/bench: /'
echo "bench-status=$?"
pid=$(cat /tmp/redis.pid)
cli shutdown nosave >/dev/null 2>&1
i=0
while kill -0 "$pid" 2>/dev/null; do
  i=$((i + 1))
  if [ $i -gt 100 ]; then echo "server-still-running"; exit 1; fi
  sleep 0.1
done
echo "shutdown=done"
if cli ping >/dev/null 2>&1; then echo "still-answering"; else echo "after-shutdown=refused"; fi
EOF

sb_run --timeout 90 -- /bin/busybox sh "$SB_TMP/redis-session.sh" "$port"
out=$SB_OUT
if [[ $SB_RC != 0 ]]; then
  why=
  [[ $SB_RC == 124 ]] && why=" (it hung: killed by the test's timeout)"
  soft_fail "the redis session in the sandbox exited $SB_RC$why"
fi


expect_line_re "redis-server --daemonize yes started" "server-started=0"
expect_line_re "redis-cli ping answered PONG" "ping=PONG"
expect_line_re "redis-cli set answered OK" "set=OK"
expect_line_re "redis-cli get returned the value" "get=sandbox-value"
expect_line_re "redis-cli incr counted" "incr=1 2"
expect_line_re "redis-cli dbsize counted two keys" "dbsize=2"
for t in SET GET; do
  if grep -Eq "^bench: \"?$t\"?: [0-9.]+ requests per second" <<<"$out"; then
    pass "redis-benchmark reported $(grep -E "^bench: \"?$t\"?:" <<<"$out" | sed 's/^bench: //' | head -n 1)"
  else
    soft_fail "redis-benchmark printed no requests per second for $t:
$(grep '^bench:' <<<"$out" | sed 's/^/    /' | head -n 10)"
  fi
done
expect_line_re "redis-cli shutdown stopped the server" "shutdown=done"
expect_line_re "nothing answers on the port after the shutdown" "after-shutdown=refused"

# The server lived on the sandbox's own loopback: nothing listens here.
if /usr/bin/redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
  soft_fail "a redis server answers on the host's port $port after the sandbox ended"
else
  pass "no redis server answers on the host's loopback port $port"
fi

finish
