#!/usr/bin/env bash
# sandboxctl's tenant verbs against a real sandboxd over mutual TLS: every
# verb and its flags, exit statuses (the container's, 125, 126, 127), the
# terminal paths on a pseudo-terminal (raw mode restored on every way out,
# resizes, detach keys, Ctrl-C), interrupted streams, a daemon that dies
# under `logs -f`, every error the CLI explains, and nothing left behind.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/daemon-lib.sh"

PY=/usr/bin/python3
BB=/bin/busybox
CTL=$TESTS_BUILDDIR/client/sandboxctl
PTY="$PY $SB_LIB_DIR/progs/ptyrun.py"
need_program "$PY" python3
need_program "$BB" busybox-static
need_program "$CTL" "(the build: make)"

sb_snapshot "$SB_TMP/before"
mkdir -p "$SB_TMP/vols/data" "$SB_TMP/home"
echo "from the host" >"$SB_TMP/vols/data/f"
SBD_POLICY_EXTRA="limits { containers = 30  exec-sessions = 4  memory = 512M  pids = 200  images = 4 }
filesystem { volume-roots = {\"$SB_TMP/vols\"} }"
sbd_setup acme other
sbd_start

# The tenant's settings come from SANDBOXCTL_* variables here (the
# configuration file and contexts are test-sandboxctl-admin.sh's).
export HOME=$SB_TMP/home
export SANDBOXCTL_SERVER=https://127.0.0.1:$SBD_PORT SANDBOXCTL_CA=$SBD/ca.pem
export SANDBOXCTL_CERT=$SBD/acme.pem SANDBOXCTL_KEY=$SBD/acme.key

# ctl ARGS...: sandboxctl with its output in OUT and ERR, its status in RC.
ctl() {
  RC=0
  timeout --kill-after=5 60 "$CTL" "$@" </dev/null >"$SB_TMP/ctl.out" 2>"$SB_TMP/ctl.err" || RC=$?
  OUT=$(cat "$SB_TMP/ctl.out")
  ERR=$(cat "$SB_TMP/ctl.err")
}
# check WHAT CONDITION...: pass, or soft_fail with what sandboxctl said.
check() {
  local what=$1
  shift
  if "$@"; then
    pass "$what"
  else
    soft_fail "$what: exit $RC, stdout [$(head -c 600 <<<"$OUT")], stderr [$(head -c 600 <<<"$ERR")]"
  fi
}
has() { grep -q -- "$1" <<<"$2"; }
state() { "$CTL" inspect -f '{{.State}}' "$1" 2>/dev/null; }

# Every container's events, to name one that leaves something behind.
"$CTL" events --json >>"$SB_TMP/all-events" 2>/dev/null &
SB_BG_PIDS+=($!)

# --- run: output, exit statuses ----------------------------------------------------
ctl info
check "info: the certificate names tenant acme" has 'Tenant: *acme' "$OUT"
ctl run host $BB sh -c 'echo out; echo err >&2; exit 7'
check "run: stdout and stderr apart, the container's status (7)" \
  test "$RC" = 7 -a "$OUT" = out -a "$ERR" = err
ctl run -- $BB echo no-image
check "run -- COMMAND: the host image by default" test "$RC" = 0 -a "$OUT" = no-image
n_before=$("$CTL" ps -aq | wc -l)
ctl run --rm host /nonexistent
check "run a missing command: 127, said by the runtime" test "$RC" = 127
ctl run --rm host /etc/passwd
check "run a command that cannot be executed: 126" test "$RC" = 126
[[ $("$CTL" ps -aq | wc -l) == "$n_before" ]] && pass "run --rm: the containers are removed" ||
  soft_fail "run --rm left containers: $("$CTL" ps -a)"
ctl run --rm -m 4G host $BB true
check "more memory than the policy allows: 125, naming the rule and the limit" \
  eval '[[ $RC == 125 ]] && has "limits.memory" "$ERR" && has "policy allows" "$ERR"'
ctl run --rm debian:12 $BB true
check "an image that does not exist: 125, naming it" eval '[[ $RC == 125 ]] && has "no such image: debian:12" "$ERR"'
ctl run --bogus host $BB true
check "run with a bad flag: 125 (as docker), with the usage hint" eval '[[ $RC == 125 ]] && has "run --help" "$ERR"'
ctl run --rm -v /etc:/x host $BB true
check "a volume outside the policy's volume-roots: refused" eval '[[ $RC == 125 ]] && has "volume-roots" "$ERR"'

# --- run's flags ----------------------------------------------------------------------
printf 'B=two\n# a comment\n\nC=three\n' >"$SB_TMP/env"
ctl run --rm -e A=one --env-file "$SB_TMP/env" -w /tmp --hostname box1 -u 1000:1000 host \
  $BB sh -c 'echo $A $B $C; pwd; hostname; id -u'
check "-e, --env-file, -w, --hostname, -u" test "$OUT" = "one two three
/tmp
box1
1000"
ctl run --rm -v "$SB_TMP/vols/data:/data:ro" host $BB sh -c 'cat /data/f; touch /data/g'
check "-v SRC:DST:ro within the volume-roots: readable, not writable" \
  eval '[[ $RC != 0 ]] && has "from the host" "$OUT" && [[ ! -e $SB_TMP/vols/data/g ]]'
ctl run --rm -m 64M --cpus 0.5 --pids-limit 20 host $BB head -n 1 /proc/meminfo
check "--memory, --cpus, --pids-limit within the policy: the sandbox sees 64M" has '65536 kB' "$OUT"
# Docker's --cpu-shares, --cpuset-cpus and --memory-reservation, on the
# sandbox's cgroup (found by the container's id); more weight than the
# policy allows (no cpus: any) is refused only by its range.
ctl run -d --cpu-shares 300 --cpuset-cpus 0 --memory-reservation 16M host $BB sleep 30
cid=$OUT
if [[ -e /sys/fs/cgroup/cgroup.controllers ]]; then
  got="$(cat /sys/fs/cgroup/sandbox/$cid/cpu.weight) $(cat /sys/fs/cgroup/sandbox/$cid/memory.low) $(cat /sys/fs/cgroup/sandbox/$cid/cpuset.cpus)"
  want="12 16777216 0"
else
  got="$(cat /sys/fs/cgroup/cpu/sandbox/$cid/cpu.shares) $(cat /sys/fs/cgroup/memory/sandbox/$cid/memory.soft_limit_in_bytes) $(cat /sys/fs/cgroup/cpuset/sandbox/$cid/app/cpuset.cpus)"
  want="300 16777216 0"
fi 2>&1
check "--cpu-shares 300 --cpuset-cpus 0 --memory-reservation 16M: in the sandbox's cgroup ($got)" test "$got" = "$want"
ctl rm -f "$cid"
ctl run --rm --cpuset-cpus 4000 host $BB true
check "--cpuset-cpus 4000 (not a CPU of this host): 125, naming cpuset.cpus" \
  eval '[[ $RC == 125 ]] && has "cpuset.cpus" "$ERR"'
ctl run --rm --cpu-shares 1 host $BB true
check "--cpu-shares 1: refused with its range" eval '[[ $RC == 125 ]] && has "2..262144" "$ERR"'
ctl run --rm --memory-reservation 1G -m 64M host $BB true
check "--memory-reservation above --memory: refused by sandboxd, naming the key" \
  eval '[[ $RC == 125 ]] && has "limits.memory_reservation" "$ERR"'
ctl run --rm --restart bogus host $BB true
check "--restart bogus: refused with the choices" eval '[[ $RC == 125 ]] && has "on-failure" "$ERR"'

# --- a running container: ps, logs, exec, inspect, stats ---------------------------------
ctl run -d --name web -l app=web -l tier=front host $BB sh -c \
  'echo started; i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.2; done'
check "run -d prints the id" eval '[[ $RC == 0 && $OUT =~ ^[0-9a-f]{64}$ ]]'
web_id=$OUT
ctl ps
check "ps: a table with the running container" eval 'has "CONTAINER ID" "$OUT" && has "Up " "$OUT" && has " web$" "$OUT"'
ctl ps -q
check "ps -q: short ids" has "^${web_id:0:12}\$" "$OUT"
ctl ps --filter label=app=web --format '{{.Names}} {{.State}} {{.Labels}}'
check "ps --filter label=K=V --format" has '^web running app=web,tier=front$' "$OUT"
ctl ps --filter name=nomatch -q
check "ps --filter name= that matches nothing" test -z "$OUT"
ctl ps --json
check "ps --json: the containers as JSON" eval '[[ $($PY -c "import json,sys; print(json.load(sys.stdin)[0][\"name\"])" <<<"$OUT") == web ]]'
ctl ps --filter bogus=1
check "ps --filter bogus: usage (2)" eval '[[ $RC == 2 ]] && has "name=" "$ERR"'
ctl inspect web
check "inspect: JSON with the state" eval '[[ $($PY -c "import json,sys; print(json.load(sys.stdin)[0][\"state\"])" <<<"$OUT") == running ]]'
ctl inspect -f '{{.State}} {{.Config.Hostname}} {{json .Labels}}' "${web_id:0:6}"
check "inspect by a unique id prefix, --format with nested fields and json" \
  eval '[[ $OUT == "running "*" {\"app\":\"web\",\"tier\":\"front\"}" ]]'
sleep 1
ctl logs web
check "logs" eval 'has "^started$" "$OUT" && has "^tick 2$" "$OUT"'
ctl logs --tail 1 web
check "logs --tail 1" eval '[[ $(wc -l <<<"$OUT") == 1 && $OUT == tick* ]]'
ctl logs -t --tail 2 web
check "logs -t: each line with its time" eval '[[ $(grep -cE "^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z tick" <<<"$OUT") == 2 ]]'
# (The exec'd commands wait a moment before they print: sandboxd's monitor
# can send a fast command's output before its answer to the exec request.)
ctl exec web $BB sh -c 'sleep 0.3; echo in-exec; echo to-err >&2; exit 3'
check "exec: output and the command's status (3)" test "$RC" = 3 -a "$OUT" = in-exec -a "$ERR" = to-err
ctl exec -e X=ex -w /etc web $BB sh -c 'sleep 0.3; echo $X; pwd'
check "exec -e -w" test "$OUT" = "ex
/etc"
RC=0
OUT=$(printf 'line one\nline two\n' | "$CTL" exec -i web $BB wc -l 2>&1) || RC=$?
check "exec -i: our stdin reaches the command, and its end" test "$RC" = 0 -a "$OUT" = 2
ctl exec web /nonexistent
check "exec of a missing command: 127" test "$RC" = 127
ctl exec nosuch $BB true
check "exec in an unknown container: 125, naming it" eval '[[ $RC == 125 ]] && has "no such container: nosuch" "$ERR"'
ctl stats --no-stream web
check "stats --no-stream: memory, CPU, pids, mediated calls" \
  eval 'has "MEM USAGE / LIMIT" "$OUT" && has "web .*MiB / 512MiB" "$OUT"'
ctl stats --no-stream --format '{{.Name}} {{.PIDs}}'
check "stats --format, every running container" has '^web [0-9]' "$OUT"
ctl stats --no-stream --json web
check "stats --json" eval '[[ $($PY -c "import json,sys; print(json.load(sys.stdin)[0][\"Mediated\"] > 0)" <<<"$OUT") == True ]]'

RC=0
timeout 3 "$CTL" stats web >"$SB_TMP/stats.out" 2>&1 || RC=$?
OUT=$(cat "$SB_TMP/stats.out")
check "stats (streaming): a fresh table every second until interrupted" \
  eval '[[ $RC == 124 && $(grep -c "CONTAINER ID" <<<"$OUT") -ge 2 ]]'

# --- the other tenant sees nothing of it -------------------------------------------------
RC=0
OUT=$(SANDBOXCTL_CERT=$SBD/other.pem SANDBOXCTL_KEY=$SBD/other.key "$CTL" ps -aq 2>&1) || RC=$?
check "another tenant's ps does not show it" test "$RC" = 0 -a -z "$OUT"
RC=0
ERR=$(SANDBOXCTL_CERT=$SBD/other.pem SANDBOXCTL_KEY=$SBD/other.key "$CTL" logs web 2>&1) || RC=$?
check "another tenant's logs: no such container" eval '[[ $RC == 1 ]] && has "no such container: web" "$ERR"'

# --- stop, kill, rm, start, wait, create ---------------------------------------------------
ctl rm web
check "rm of a running container: refused, saying what to do" eval '[[ $RC == 1 ]] && has "force" "$ERR"'
ctl stop -t 1 web
check "stop -t 1" eval '[[ $RC == 0 && $OUT == web && $(state web) == exited ]]'
ctl stop web
check "stop of a stopped container: nothing to do" test "$RC" = 0
ctl kill web
check "kill of a stopped container: said so" eval '[[ $RC == 1 ]] && has "not running" "$ERR"'
ctl start web
check "start again" eval '[[ $RC == 0 && $(state web) == running ]]'
ctl kill -s TERM web
sleep 0.5
check "kill -s TERM" eval '[[ $RC == 0 && $(state web) == exited ]]'
ctl kill -s BOGUS web
check "kill -s BOGUS: refused" test "$RC" = 1
ctl create --name later host $BB sh -c 'echo from-later; exit 4'
check "create: a created container" eval '[[ $RC == 0 && $(state later) == created ]]'
ctl start -a later
check "start -a: its output and its status (4)" test "$RC" = 4 -a "$OUT" = from-later
ctl wait later
check "wait: prints the exit code and exits with it" test "$RC" = 4 -a "$OUT" = 4
ctl create -i --name asker host $BB sh -c 'read x; echo "got $x"; exit 2'
RC=0
OUT=$(echo answer | timeout 30 "$CTL" start -a -i asker 2>&1) || RC=$?
check "start -a -i: our stdin to it, its output and status (2)" test "$RC" = 2 -a "$OUT" = "got answer"
ctl run -d --name slow host $BB sh -c 'sleep 1; exit 9'
ctl wait slow
check "wait for a running container" test "$RC" = 9 -a "$OUT" = 9
ctl rm -f web later slow asker
check "rm -f of several" test "$RC" = 0
ctl run -d --rm --name gone host $BB true
check "run -d --rm: the id, no warning" eval '[[ $RC == 0 && $OUT =~ ^[0-9a-f]{64}$ && -z $ERR ]]'
gone=
for _ in $(seq 100); do
  ctl inspect gone
  if [[ $RC != 0 ]]; then gone=$ERR; break; fi
  sleep 0.1
done
check "run -d --rm: sandboxd removes it when it ends" has "no such container: gone" "$gone"
ctl create --name idle host $BB true
ctl attach idle
check "attach to a container that is not running: 125, saying so" eval '[[ $RC == 125 ]] && has "not running" "$ERR"'
ctl rm idle
ctl rm nosuch
check "rm of an unknown container: names it" eval '[[ $RC == 1 ]] && has "no such container: nosuch" "$ERR"'
# Two containers whose ids begin alike (17 ids surely have two).
declare -A first_digit=()
prefix=
for i in $(seq 17); do
  ctl create host $BB true
  if [[ -n ${first_digit[${OUT:0:1}]:-} ]]; then
    prefix=${OUT:0:1}
    break
  fi
  first_digit[${OUT:0:1}]=1
done
ctl inspect "$prefix"
check "an ambiguous id prefix: the containers it matches" eval '[[ $RC == 1 ]] && has "ambiguous" "$ERR"'
sbd_clean_all

# --- attach, stdin, signals without a terminal ---------------------------------------------
ctl run -d -i --name cat1 host $BB sh -c 'while read l; do echo "got $l"; done; echo bye; exit 6'
RC=0
OUT=$(printf 'a\nb\n' | timeout 30 "$CTL" attach cat1 2>&1) || RC=$?
check "attach: our stdin to it, its output to us, its status (6)" test "$RC" = 6 -a "$OUT" = "got a
got b
bye"
RC=0
OUT=$(printf 'x\ny\n' | timeout 30 "$CTL" run --rm -i host $BB sort -r 2>&1) || RC=$?
check "run -i: stdin in, output out" test "$RC" = 0 -a "$OUT" = "y
x"
timeout 30 "$CTL" run --name sig host $BB sh -c \
  'trap "echo got INT; exit 42" INT; echo ready; while :; do sleep 0.1; done' >"$SB_TMP/sig.out" 2>&1 &
sigpid=$!
wait_for_file_text "$SB_TMP/sig.out" ready 20 || true
kill -INT "$sigpid"
RC=0
wait "$sigpid" || RC=$?
OUT=$(cat "$SB_TMP/sig.out")
check "Ctrl-C without -t is forwarded as SIGINT: the container's trap runs (42)" \
  eval '[[ $RC == 42 ]] && has "got INT" "$OUT"'
"$CTL" rm -f sig >/dev/null 2>&1 || true

# --- terminals, on a pseudo-terminal ---------------------------------------------------
# pty STEPS... -- ARGS...: sandboxctl ARGS on a terminal, driven by ptyrun.
pty() {
  RC=0
  $PTY "$@" >"$SB_TMP/pty.out" 2>"$SB_TMP/pty.err" || RC=$?
  OUT=$(cat "$SB_TMP/pty.out")
  ERR=$(cat "$SB_TMP/pty.err")
}
pty size:24x80 'expect:# ' 'send:stty size\r' 'expect:24 80' size:30x100 'sleep:0.5' 'send:stty size\r' \
  'expect:30 100' 'send:tty; echo $TERM_CHECK done\r' 'expect:pts' 'send:exit 5\r' -- "$CTL" run --rm -it host $BB sh
check "run -it: a terminal inside, its size, resizes passed on, the status (5), our modes restored" \
  eval '[[ $RC == 0 ]] && has "exit=5 modes=same" "$ERR" && has "30 100" "$OUT" && has "/dev/pts/" "$OUT"'
pty size:24x80 'expect:# ' 'send:sleep 100\r' 'sleep:1' 'send:\x03' 'expect:# ' 'send:echo after-ctrl-c\r' \
  'expect:after-ctrl-c' 'send:exit 0\r' -- "$CTL" run --rm -it host $BB sh
check "-t: Ctrl-C goes to the container's terminal (interrupts its foreground job)" \
  eval '[[ $RC == 0 ]] && has "exit=0 modes=same" "$ERR"'
pty size:24x80 'expect:# ' 'send:echo one\r' 'expect:one' 'send:\x10\x11' 'sleep:1' -- "$CTL" run --name det -it host $BB sh
check "detach keys (ctrl-p ctrl-q): sandboxctl leaves (0), modes restored, the container runs on" \
  eval '[[ $RC == 0 ]] && has "exit=0 modes=same" "$ERR" && has "detached" "$OUT" && [[ $(state det) == running ]]'
pty size:24x80 'send:\r' 'expect:# ' 'send:echo back\r' 'expect:back' 'send:exit 3\r' -- "$CTL" attach det
check "attach to it again, then its end (3)" eval '[[ $RC == 0 ]] && has "exit=3 modes=same" "$ERR"'
pty size:24x80 'expect:# ' 'send:\x18' 'sleep:1' -- "$CTL" run --name det2 -it --detach-keys ctrl-x host $BB sh
check "--detach-keys ctrl-x" eval 'has "exit=0 modes=same" "$ERR" && [[ $(state det2) == running ]]'
pty size:24x80 'send:\r' 'expect:# ' 'send:\x10a' 'send:echo still-here\r' 'expect:still-here' 'send:exit 0\r' -- "$CTL" attach det2
check "a ctrl-p not followed by ctrl-q reaches the container" eval 'has "exit=0 modes=same" "$ERR"'
ctl run -d -it --name box host $BB sh
pty size:24x80 'expect:(# |terminal)' 'send:tty; exit 4\r' 'sleep:1' -- "$CTL" exec -it box $BB sh
if has "allocate a terminal" "$OUT"; then
  # The Sentry of this tree cannot give an exec session a terminal yet:
  # sandboxctl reports it as a command that could not be started.
  check "exec -it refused by the sandbox: 126, the reason, modes restored" has "exit=126 modes=same" "$ERR"
else
  check "exec -it: a terminal, the status (4), modes restored" \
    eval 'has "exit=4 modes=same" "$ERR" && has "/dev/pts/" "$OUT"'
fi
pty size:24x80 'expect:# ' 'send:echo x\r' 'expect:x' 'signal:TERM' -- "$CTL" run --rm -it host $BB sh
check "SIGTERM to sandboxctl in raw mode: it ends, modes restored" \
  eval 'has "modes=same" "$ERR" && ! has "exit=0 " "$ERR"'
pty size:24x80 'expect:# ' 'send:echo x\r' 'expect:x' 'signal:HUP' -- "$CTL" run --rm -it host $BB sh
check "SIGHUP (the terminal went away): it ends, modes restored" eval 'has "modes=same" "$ERR"'

# --- interrupted streams, a daemon that dies ---------------------------------------------
"$CTL" logs -f box >"$SB_TMP/follow.out" 2>&1 &
fpid=$!
sleep 1
kill -INT "$fpid"
RC=0
wait "$fpid" || RC=$?
check "logs -f interrupted (Ctrl-C): it stops, the container runs on" eval '[[ $RC != 0 && $(state box) == running ]]'
ctl run -d --name ticker host $BB sh -c 'while :; do echo tick; sleep 0.2; done'
"$CTL" logs -f ticker >"$SB_TMP/follow.out" 2>"$SB_TMP/follow.err" &
fpid=$!
"$CTL" events --json >"$SB_TMP/events.out" 2>"$SB_TMP/events.err" &
epid=$!
sleep 1
pty size:24x80 'send:\r' 'expect:# ' -- "$CTL" attach box &
ptypid=$!
sleep 2
sbd_kill9
RC=0
timeout 15 tail --pid="$fpid" -f /dev/null || RC=$?
wait "$fpid" && frc=0 || frc=$?
check "a daemon that dies under logs -f: sandboxctl ends (1) and says the connection was lost" \
  eval '[[ $RC == 0 && $frc == 1 ]] && grep -q "connection to sandboxd at .* was lost" "$SB_TMP/follow.err" && grep -q tick "$SB_TMP/follow.out"'
wait "$epid" && erc=0 || erc=$?
check "... and under events: the same" eval '[[ $erc == 1 ]] && grep -q "lost" "$SB_TMP/events.err"'
wait "$ptypid" || true
OUT=$(cat "$SB_TMP/pty.out")
ERR=$(cat "$SB_TMP/pty.err")
check "... and under attach on a terminal: it ends (125), saying so, with the terminal restored" \
  eval 'has "exit=125 modes=same" "$ERR" && has "lost" "$OUT"'
ctl ps
check "sandboxd down: the address tried and what to do" \
  eval '[[ $RC == 1 ]] && has "cannot reach sandboxd at https://127.0.0.1:$SBD_PORT" "$ERR" && has "is sandboxd running" "$ERR"'
sbd_start
"$CTL" events --json >>"$SB_TMP/all-events" 2>/dev/null &
SB_BG_PIDS+=($!)
[[ $(state ticker) == running && $(state box) == running ]] && pass "restarted, sandboxd adopts the containers again" ||
  soft_fail "after the restart: ticker $(state ticker), box $(state box)"
ctl logs --tail 1 ticker
check "logs after the restart" has tick "$OUT"

# --- events -----------------------------------------------------------------------------
"$CTL" events --format '{{.Action}} {{.Name}}' --filter container=evt >"$SB_TMP/events.out" 2>&1 &
epid=$!
sleep 0.5
"$CTL" run --rm --name evt host $BB true >/dev/null 2>&1 || true
sleep 1
kill "$epid" 2>/dev/null || true
wait "$epid" 2>/dev/null || true
OUT=$(cat "$SB_TMP/events.out")
check "events --filter --format: create, start, die, destroy" test "$OUT" = "create evt
start evt
die evt
destroy evt"

"$CTL" events >"$SB_TMP/events.out" 2>&1 &
epid=$!
sleep 0.5
"$CTL" run --rm --name evt2 host $BB sh -c 'exit 3' >/dev/null 2>&1 || true
sleep 1
kill "$epid" 2>/dev/null || true
wait "$epid" 2>/dev/null || true
OUT=$(cat "$SB_TMP/events.out")
check "events: one readable line each, the exit code with die" \
  eval 'has "container die [0-9a-f]\{64\} (name=evt2, tenant=acme, exitCode=3)" "$OUT"'

# --- transport and certificate errors --------------------------------------------------------
RC=0
ERR=$(SANDBOXCTL_SERVER=https://127.0.0.1:$(free_port) "$CTL" ps 2>&1) || RC=$?
check "an address where nothing listens: the address and the cause" \
  eval '[[ $RC == 1 ]] && has "cannot reach sandboxd at https://127.0.0.1:" "$ERR"'
RC=0
ERR=$(SANDBOXCTL_SERVER=unix://$SB_TMP/nosock "$CTL" ps 2>&1) || RC=$?
check "a local socket that is not there" eval '[[ $RC == 1 ]] && has "there is no socket $SB_TMP/nosock" "$ERR"'
sbd_cert old "/O=Test/CN=acme" expired
RC=0
ERR=$(SANDBOXCTL_CERT=$SBD/old.pem SANDBOXCTL_KEY=$SBD/old.key "$CTL" ps 2>&1) || RC=$?
check "an expired certificate: refused, and why" eval '[[ $RC == 1 ]] && has "old.pem expired on 2020-01-02" "$ERR"'
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$SB_TMP/rogue.key" \
  -out "$SB_TMP/rogue.pem" -days 3 -subj "/O=Test/CN=acme" 2>/dev/null
RC=0
ERR=$(SANDBOXCTL_CERT=$SB_TMP/rogue.pem SANDBOXCTL_KEY=$SB_TMP/rogue.key "$CTL" ps 2>&1) || RC=$?
check "a certificate the CA did not sign: refused, and why" \
  eval '[[ $RC == 1 ]] && has "refused the certificate" "$ERR" && has "CA did not sign\|could not verify\|not signed by its CA" "$ERR"'
RC=0
ERR=$(SANDBOXCTL_CA=$SB_TMP/rogue.pem "$CTL" ps 2>&1) || RC=$?
check "a server the CA does not vouch for" eval '[[ $RC == 1 ]] && has "is not the one the CA" "$ERR"'
sbd_cert nobody "/O=Test/CN=nobody"
RC=0
ERR=$(SANDBOXCTL_CERT=$SBD/nobody.pem SANDBOXCTL_KEY=$SBD/nobody.key "$CTL" ps 2>&1) || RC=$?
check "a certificate that names no tenant: sandboxd's reason" eval '[[ $RC == 1 ]] && has "names no tenant" "$ERR"'
RC=0
ERR=$(SANDBOXCTL_KEY=$SB_TMP/none.key "$CTL" ps 2>&1) || RC=$?
check "a key file that is not there: named" eval '[[ $RC == 1 ]] && has "$SB_TMP/none.key" "$ERR"'
RC=0
ERR=$(env -u SANDBOXCTL_SERVER setpriv --reuid=65534 --regid=65534 --clear-groups "$CTL" ps 2>&1) || RC=$?
check "no configuration (not root): what to do" eval '[[ $RC == 1 ]] && has "bundle" "$ERR"'

# --- usage and help ------------------------------------------------------------------------
ctl frobnicate
check "an unknown command: 2" eval '[[ $RC == 2 ]] && has "unknown command" "$ERR"'
ctl ps --bogus
check "an unknown option: 2, naming it" eval '[[ $RC == 2 ]] && has "bogus" "$ERR"'
ctl logs
check "a missing argument: 2" eval '[[ $RC == 2 ]] && has "expects one CONTAINER" "$ERR"'
ctl help run
check "help VERB" eval '[[ $RC == 0 ]] && has "Usage: sandboxctl run" "$OUT" && has -- "--detach-keys" "$OUT"'
ctl exec --help
check "VERB --help" eval '[[ $RC == 0 ]] && has "Usage: sandboxctl exec" "$OUT"'
ctl --help
check "--help lists every verb" eval 'for v in run create start attach stop kill rm ps inspect logs exec wait stats events images "image import" "image rm" "admin init" "tenant add" "tenant revoke" "context use"; do has "  $v " "$OUT" || exit 1; done'
ctl image
check "a group without its verb" eval '[[ $RC == 2 ]] && has "expects a command" "$ERR"'

# --- images -----------------------------------------------------------------------------------
tar -C "$SB_TMP/vols/data" -cf "$SB_TMP/img.tar" .
if [[ $(api acme GET /v1/images | head -n 1) == 404 ]]; then
  # This sandboxd has no image API yet: the CLI says so.
  for args in "images" "image import $SB_TMP/img.tar tiny:1" "image rm tiny:1" "image inspect tiny:1"; do
    # shellcheck disable=SC2086
    ctl $args
    check "$args without the daemon's image API: 1, saying so" eval '[[ $RC == 1 ]] && has "no image API" "$ERR"'
  done
  RC=0
  ERR=$("$CTL" image import - tiny:1 <"$SB_TMP/img.tar" 2>&1) || RC=$?
  check "image import - (stdin) without the API" eval '[[ $RC == 1 ]] && has "no image API" "$ERR"'
else
  ctl image import "$SB_TMP/img.tar" tiny:1
  check "image import FILE NAME" test "$RC" = 0
  RC=0
  OUT=$("$CTL" image import - tiny:2 <"$SB_TMP/img.tar" 2>&1) || RC=$?
  check "image import - (stdin)" test "$RC" = 0
  ctl images --format '{{.Names}}'
  check "images" eval 'has tiny:1 "$OUT" && has tiny:2 "$OUT"'
  ctl image rm tiny:1 tiny:2
  check "image rm" test "$RC" = 0
  ctl image rm tiny:1
  check "image rm of an unknown image" eval '[[ $RC == 1 ]] && has "no such image" "$ERR"'
fi
ctl image import "$SB_TMP/nothing.tar" x
check "image import of a missing file" eval '[[ $RC == 1 ]] && has "nothing.tar" "$ERR"'

# --- shell completion ----------------------------------------------------------------------
comp() {
  PATH=$TESTS_BUILDDIR/client:$PATH bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _sandboxctl; echo "${COMPREPLY[*]}"' \
    _ "$TESTS_SRCDIR/client/sandboxctl.bash" "$@" 2>/dev/null
}
OUT=$(comp sandboxctl st)
check "completion: verbs" eval 'has start "$OUT" && has stop "$OUT" && has stats "$OUT"'
OUT=$(comp sandboxctl logs --t)
check "completion: a verb's flags" eval 'has -- "--tail" "$OUT" && has -- "--timestamps" "$OUT"'
OUT=$(comp sandboxctl exec ti)
check "completion: container names" has ticker "$OUT"

"$CTL" ps -a --no-trunc --format '{{.ID}} {{.Names}} {{.Status}}' | sed 's/^/containers at the end: /'
sbd_clean_all
sbd_stop
check_nothing_left "$SB_TMP/before" "sandboxd and every container sandboxctl made"
for d in /sys/fs/cgroup/memory/sandbox/*/; do
  if [[ -d $d ]]; then
    grep "$(basename "$d")" "$SB_TMP/all-events" | sed 's/^/  events of a container left behind: /' >&2 || true
  fi
done
finish
